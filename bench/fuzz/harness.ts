/**
 * The fuzz harness: for each parser, fast-check generates case descriptions (see generators.ts), each case is
 * written to a file under a tmpfs folder and parsed in a child process (child.ts) under a time limit and a capped
 * heap, and the outcome is checked against the parsers' contract:
 *   - a successful parse, or an Error (not a TypeError/RangeError/...) whose message is ONE line naming the file
 *     and the problem, without leaking an internal error ("Cannot read properties of undefined", ...);
 *   - no uncaught exception or unhandled rejection, no crash of the process, no hang;
 *   - no single buffer allocation larger than ALLOC_FACTOR x the file's size (+ a small slack), and no growth of
 *     peak memory beyond MEM_FACTOR x its size (+ slack): nothing sized by a header's claims.
 * Failures are replayed through fast-check's shrinker and the minimal input is saved under bench/out/fuzz/.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fork, type ChildProcess } from "node:child_process";
import fc from "fast-check";
import { GENERATORS, ROOT, setLightMode, type BuiltCase } from "./generators";
import { TARGETS } from "./targets";
import type { CaseRequest, CaseResult } from "./child";

export const ALLOC_FACTOR = 4;
export const ALLOC_SLACK = 1 << 20;
export const MEM_FACTOR = 100;
export const MEM_SLACK = 128 << 20;
export const CHILD_HEAP_MB = 512;

export type FailureKind = "hang" | "crash" | "uncaught" | "exception-type" | "multi-line" | "no-file-name" | "internal-error" | "allocation" | "memory";

export interface Outcome {
  outcome: "ok" | "error" | "hang" | "crash" | "unavailable";
  result?: CaseResult;
  ms: number;
  detail?: string;
}

export interface Failure {
  kind: FailureKind;
  detail: string;
  index: number;
  desc: unknown;
  size: number;
  /** Where the minimal (shrunk) input was saved. */
  saved?: string;
  shrunkDesc?: unknown;
}

export interface TargetReport {
  name: string;
  /** "unavailable": the parser's module or function could not be loaded; a failure of the run, never a pass. */
  status: "ran" | "unavailable";
  note?: string;
  cases: number;
  parsed: number;
  rejected: number;
  failures: number;
  byKind: Partial<Record<FailureKind, number>>;
  examples: Failure[];
  /** Distinct failure details (first 100), for triage. */
  details: string[];
  slowest: { ms: number; index: number; desc: string; size: number } | null;
  meanMs: number;
  maxAllocRatio: number;
  wallSeconds: number;
}

export interface FuzzOptions {
  cases: number;
  targets?: string[];
  seed?: number;
  timeoutMs?: number;
  jobs?: number;
  outDir?: string;
  /** Smaller seeds for the heavy parsers (see setLightMode); used by the test suite. */
  light?: boolean;
  /** Stop shrinking one failure after this many milliseconds. */
  shrinkBudgetMs?: number;
  log?: (line: string) => void;
}

const INTERNAL = /Cannot read propert|Cannot set propert|is not a function|is not iterable|Maximum call stack|Invalid array length|Array buffer allocation failed|Invalid typed array length|Invalid string length|(?:undefined|null) is not (?:a function|iterable|an object)|\[object Object\]/;
const BAD_CLASSES = new Set(["TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError", "AggregateError", "InternalError"]);

/** Checks one outcome against the contract; returns the violation or undefined. */
export function judge(o: Outcome, file: string, size: number): { kind: FailureKind; detail: string } | undefined {
  if (o.outcome === "hang") return { kind: "hang", detail: o.detail ?? "timed out" };
  if (o.outcome === "crash") return { kind: "crash", detail: o.detail ?? "child died" };
  const r = o.result!;
  if (r.uncaught.length > 0) return { kind: "uncaught", detail: r.uncaught[0]!.split("\n")[0]! };
  if (r.outcome === "error") {
    const msg = r.message ?? "";
    if (!r.errorClass || BAD_CLASSES.has(r.errorClass) || r.errorClass.startsWith("non-Error")) return { kind: "exception-type", detail: `${r.errorClass}: ${msg.split("\n")[0]}` };
    if (/[\n\r]/.test(msg)) return { kind: "multi-line", detail: msg.slice(0, 300) };
    const names = [file, path.basename(file), path.dirname(file)];
    if (!names.some((n) => msg.includes(n)) || msg.trim().length <= file.length + 3) return { kind: "no-file-name", detail: msg.slice(0, 300) };
    // A third-party library's internal error is accepted only when the message attributes it ("... library rejected it (...)").
    if (INTERNAL.test(msg) && !/library rejected it/.test(msg)) return { kind: "internal-error", detail: msg.slice(0, 300) };
  }
  if (r.maxAlloc > ALLOC_FACTOR * size + ALLOC_SLACK) return { kind: "allocation", detail: `asked for a ${r.maxAlloc}-byte buffer for a ${size}-byte file` };
  if (r.peakGrowth > MEM_FACTOR * size + MEM_SLACK) return { kind: "memory", detail: `peak memory grew by ${r.peakGrowth} bytes for a ${size}-byte file` };
  return undefined;
}

/** One child process running cases for one parser; restarted after a hang or crash. */
class Runner {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private stderrTail = "";
  private pending: { id: number; resolve: (o: Outcome) => void; timer: NodeJS.Timeout; t0: number } | undefined;
  private nextId = 0;
  restarts = 0;

  constructor(private readonly timeoutMs: number) {}

  private start(): Promise<void> {
    const child = fork(path.join(__dirname, "child.ts"), [], {
      cwd: ROOT,
      execArgv: ["--import", "tsx", `--max-old-space-size=${CHILD_HEAP_MB}`],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env: { ...process.env, MASSIVE_QUIET: "1" },
    });
    this.child = child;
    this.stderrTail = "";
    child.stderr!.on("data", (d: Buffer) => { this.stderrTail = (this.stderrTail + d.toString()).slice(-2000); });
    this.ready = new Promise((resolve, reject) => {
      const onMsg = (m: { type: string }): void => { if (m.type === "ready") { child.off("message", onMsg); resolve(); } };
      child.on("message", onMsg);
      child.once("exit", (code, signal) => reject(new Error(`fuzz child exited before it was ready (${code ?? signal}): ${this.stderrTail}`)));
    });
    child.on("message", (m: CaseResult) => {
      if (m.type !== "result" || !this.pending || m.id !== this.pending.id) return;
      const p = this.pending;
      this.pending = undefined;
      clearTimeout(p.timer);
      p.resolve({ outcome: m.outcome, result: m, ms: m.ms });
    });
    child.on("exit", (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (this.pending) {
        const p = this.pending;
        this.pending = undefined;
        clearTimeout(p.timer);
        const tail = this.stderrTail.trim().split("\n").filter((l) => l.trim()).slice(-3).join(" | ");
        p.resolve({ outcome: "crash", ms: performance.now() - p.t0, detail: `child exited (${code ?? signal}): ${tail}`.slice(0, 400) });
      }
    });
    return this.ready;
  }

  async run(target: string, file: string): Promise<Outcome> {
    if (!this.child) await this.start();
    else await this.ready;
    const id = this.nextId++;
    const child = this.child!;
    return new Promise<Outcome>((resolve) => {
      const t0 = performance.now();
      const timer = setTimeout(() => {
        if (this.pending?.id !== id) return;
        this.pending = undefined;
        this.restarts++;
        child.kill("SIGKILL");
        this.child = undefined;
        resolve({ outcome: "hang", ms: performance.now() - t0, detail: `no answer within ${this.timeoutMs} ms (killed)` });
      }, this.timeoutMs);
      this.pending = { id, resolve, timer, t0 };
      child.send({ type: "case", id, target, file } satisfies CaseRequest);
    });
  }

  stop(): void {
    this.child?.kill("SIGKILL");
    this.child = undefined;
  }
}

function hashName(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

const summarize = (desc: unknown): string => {
  const s = JSON.stringify(desc, (_k, v: unknown) => (Array.isArray(v) && v.length > 12 ? `[array of ${v.length}]` : v));
  return s.length > 240 ? `${s.slice(0, 237)}...` : s;
};

/** The tmpfs-backed scratch folder for case files. */
function scratchRoot(): string {
  const base = fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir();
  return fs.mkdtempSync(path.join(base, "massive-fuzz-"));
}

function writeCase(dir: string, fileName: string, built: BuiltCase): string {
  for (const [name, bytes] of Object.entries(built.aux ?? {})) fs.writeFileSync(path.join(dir, name), bytes);
  const file = path.join(dir, fileName);
  fs.writeFileSync(file, built.bytes);
  return file;
}

/** Fuzzes one parser. */
export async function fuzzTarget(name: string, options: FuzzOptions, scratch: string): Promise<TargetReport> {
  const gen = GENERATORS[name];
  const target = TARGETS[name];
  if (!gen || !target) throw new Error(`unknown parser ${name}; known: ${Object.keys(GENERATORS).join(", ")}`);
  const empty = (status: TargetReport["status"], note?: string): TargetReport => ({
    name, status, note, cases: 0, parsed: 0, rejected: 0, failures: 0, byKind: {}, examples: [], details: [], slowest: null, meanMs: 0, maxAllocRatio: 0, wallSeconds: 0,
  });
  if (!fs.existsSync(path.join(ROOT, `${target.module}.ts`))) return empty("unavailable", `${target.module}.ts does not exist`);

  const log = options.log ?? (() => undefined);
  const timeoutMs = options.timeoutMs ?? 10000;
  const seed = ((options.seed ?? 20260801) + hashName(name)) | 0;
  const outDir = path.join(options.outDir ?? path.join(ROOT, "bench", "out", "fuzz"), name);
  const dir = fs.mkdtempSync(path.join(scratch, `${name}-`));
  const runner = new Runner(timeoutMs);
  const report = empty("ran");
  const failures: Failure[] = [];
  let totalMs = 0;
  const t0 = performance.now();

  const execute = async (desc: unknown): Promise<{ o: Outcome; file: string; size: number; bytes: Buffer }> => {
    const built = gen.build(desc);
    const file = writeCase(dir, gen.fileName, built);
    const o = await runner.run(name, file);
    return { o, file, size: built.bytes.length, bytes: built.bytes };
  };

  let index = 0;
  try {
    await fc.check(fc.asyncProperty(gen.arbitrary(), async (desc) => {
      const i = index++;
      const { o, file, size } = await execute(desc);
      if (o.outcome === "unavailable") throw new Error(`unavailable: ${o.result?.message}`);
      report.cases++;
      totalMs += o.ms;
      if (o.result) report.maxAllocRatio = Math.max(report.maxAllocRatio, o.result.maxAlloc / Math.max(1, size));
      if (!report.slowest || o.ms > report.slowest.ms) report.slowest = { ms: o.ms, index: i, desc: summarize(desc), size };
      const v = judge(o, file, size);
      if (v) {
        failures.push({ ...v, index: i, desc, size });
        const d = `[${v.kind}] ${v.detail.replace(file, "<file>").replace(/\d+/g, "N")}`;
        if (report.details.length < 100 && !report.details.includes(d)) report.details.push(d);
        report.byKind[v.kind] = (report.byKind[v.kind] ?? 0) + 1;
      } else if (o.outcome === "ok") report.parsed++;
      else report.rejected++;
      if (report.cases % 1000 === 0) log(`${name}: ${report.cases}/${options.cases} cases, ${failures.length} failures`);
      return true;
    }), { seed, numRuns: options.cases }).then((r) => {
      if (r.failed && r.errorInstance instanceof Error && r.errorInstance.message.startsWith("unavailable")) throw r.errorInstance;
      if (r.failed) throw new Error(`${name}: harness error: ${String(r.errorInstance)}`);
    });
  } catch (err) {
    runner.stop();
    const msg = (err as Error).message;
    if (msg.startsWith("unavailable")) return { ...empty("unavailable", msg.slice("unavailable: ".length)) };
    throw err;
  }
  report.failures = failures.length;
  report.meanMs = report.cases ? totalMs / report.cases : 0;

  // Shrink the first failure of each kind (fast-check replays the failing run by its path, then shrinks).
  const firstOfKind = new Map<FailureKind, Failure>();
  for (const f of failures) if (!firstOfKind.has(f.kind)) firstOfKind.set(f.kind, f);
  if (firstOfKind.size > 0) fs.mkdirSync(outDir, { recursive: true });
  for (const f of firstOfKind.values()) {
    const deadline = performance.now() + (options.shrinkBudgetMs ?? 60000);
    let best = { desc: f.desc, detail: f.detail, bytes: gen.build(f.desc).bytes };
    await fc.check(fc.asyncProperty(gen.arbitrary(), async (desc) => {
      if (performance.now() > deadline) return true;
      const { o, file, size, bytes } = await execute(desc);
      const v = judge(o, file, size);
      if (v?.kind === f.kind) {
        if (bytes.length <= best.bytes.length || JSON.stringify(desc).length < JSON.stringify(best.desc).length) best = { desc, detail: v.detail, bytes };
        return false;
      }
      return true;
    }), { seed, numRuns: 1, path: String(f.index) });
    const base = path.join(outDir, `${f.kind}`);
    fs.writeFileSync(`${base}.bin`, best.bytes);
    fs.writeFileSync(`${base}.json`, `${JSON.stringify({ parser: name, kind: f.kind, detail: best.detail, seed, path: String(f.index), fileName: gen.fileName, desc: best.desc, original: f.desc }, null, 1)}\n`);
    f.saved = path.relative(ROOT, `${base}.bin`);
    f.shrunkDesc = best.desc;
    f.detail = best.detail;
    report.examples.push(f);
  }
  runner.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  report.wallSeconds = (performance.now() - t0) / 1000;
  // Each parser's report is kept as soon as it is done (a long run stopped midway keeps the finished ones).
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, "report.json"), `${JSON.stringify({ date: new Date().toISOString(), cases: options.cases, light: options.light ?? false, report }, null, 1)}\n`);
  return report;
}

/** Fuzzes several parsers, `jobs` of them at a time (one child process each). */
export async function fuzz(options: FuzzOptions): Promise<TargetReport[]> {
  const names = options.targets ?? Object.keys(GENERATORS);
  setLightMode(options.light ?? false);
  const scratch = scratchRoot();
  const reports = new Map<string, TargetReport>();
  const queue = names.slice();
  const jobs = Math.max(1, options.jobs ?? Math.min(2, os.availableParallelism()));
  try {
    await Promise.all(Array.from({ length: jobs }, async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        reports.set(name, await fuzzTarget(name, options, scratch));
        const r = reports.get(name)!;
        options.log?.(`${name}: ${r.status === "ran" ? `${r.cases} cases, ${r.failures} failures, ${r.wallSeconds.toFixed(1)} s` : `UNAVAILABLE (${r.note})`}`);
      }
    }));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return names.map((n) => reports.get(n)!);
}

/** A plain-text table of the reports. */
export function formatReports(reports: TargetReport[]): string {
  const rows = [["parser", "cases", "parsed", "rejected", "failures", "slowest (ms)", "mean (ms)", "max alloc/size", "wall (s)"]];
  for (const r of reports) {
    if (r.status !== "ran") { rows.push([r.name, "-", "-", "-", "-", "-", "-", "-", `UNAVAILABLE: ${r.note}`]); continue; }
    rows.push([r.name, String(r.cases), String(r.parsed), String(r.rejected),
      r.failures === 0 ? "0" : `${r.failures} (${Object.entries(r.byKind).map(([k, n]) => `${k} ${n}`).join(", ")})`,
      r.slowest ? r.slowest.ms.toFixed(1) : "-", r.meanMs.toFixed(2), r.maxAllocRatio.toFixed(2), r.wallSeconds.toFixed(1)]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  const lines = rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd());
  const details: string[] = [];
  for (const r of reports) {
    if (r.slowest) details.push(`slowest ${r.name} case (${r.slowest.ms.toFixed(1)} ms, ${r.slowest.size} bytes): ${r.slowest.desc}`);
    for (const f of r.examples) details.push(`FAIL ${r.name} [${f.kind}] ${f.detail}${f.saved ? ` -> ${f.saved}` : ""}`);
  }
  return [...lines, "", ...details].join("\n");
}
