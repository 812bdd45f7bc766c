/**
 * The fuzz harness's child process: runs one parser on one case file per message and reports what happened,
 * how long it took, the largest single buffer it asked for and how much its peak memory grew. The parent kills
 * and restarts it on a hang or a crash. Started with a capped heap (--max-old-space-size).
 */
import * as path from "node:path";
import { TARGETS } from "./targets";

export interface CaseRequest { type: "case"; id: number; target: string; file: string }
export interface CaseResult {
  type: "result";
  id: number;
  outcome: "ok" | "error" | "unavailable";
  errorClass?: string;
  message?: string;
  stack?: string;
  ms: number;
  /** Largest single ArrayBuffer/typed array/Buffer allocation requested during the case (bytes). */
  maxAlloc: number;
  /** Growth of the process's peak resident memory during the case (bytes). */
  peakGrowth: number;
  /** Uncaught exceptions or unhandled rejections seen while the case ran. */
  uncaught: string[];
}

const ROOT = path.resolve(__dirname, "..", "..");
let maxAlloc = 0;
const note = (bytes: unknown): void => {
  if (typeof bytes === "number" && bytes > maxAlloc) maxAlloc = bytes;
};

/** Records the size every buffer constructor is asked for (the allocation itself still happens or fails as usual). */
function installAllocationProbe(): void {
  const g = globalThis as unknown as Record<string, unknown>;
  const typed = ["ArrayBuffer", "SharedArrayBuffer", "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
    "Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"];
  for (const name of typed) {
    const C = g[name] as (new (...a: unknown[]) => unknown) & { BYTES_PER_ELEMENT?: number };
    if (typeof C !== "function") continue;
    const per = C.BYTES_PER_ELEMENT ?? 1;
    g[name] = new Proxy(C, {
      construct(target, args, newTarget) {
        const a = args[0];
        if (typeof a === "number") note(a * per);
        else if (a && typeof a === "object" && !(a instanceof ArrayBuffer) && typeof (a as { length?: unknown }).length === "number") note((a as { length: number }).length * per);
        return Reflect.construct(target, args, newTarget);
      },
    });
  }
  for (const name of ["alloc", "allocUnsafe", "allocUnsafeSlow"] as const) {
    const orig = Buffer[name] as (...a: unknown[]) => Buffer;
    (Buffer as unknown as Record<string, unknown>)[name] = function (this: unknown, ...args: unknown[]) {
      note(args[0]);
      return orig.apply(this, args);
    };
  }
}
installAllocationProbe();

let uncaught: string[] = [];
process.on("uncaughtException", (err) => { uncaught.push(`uncaughtException: ${String((err as Error)?.stack ?? err).slice(0, 2000)}`); });
process.on("unhandledRejection", (err) => { uncaught.push(`unhandledRejection: ${String((err as Error)?.stack ?? err).slice(0, 2000)}`); });

const modules = new Map<string, Record<string, unknown> | string>();
function load(target: string): Record<string, unknown> | string {
  const t = TARGETS[target];
  if (!t) return `unknown target ${target}`;
  let m = modules.get(t.module);
  if (m === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      m = require(path.join(ROOT, t.module)) as Record<string, unknown>;
      if (typeof m[t.fn] !== "function") m = `${t.module} does not export ${t.fn}`;
    } catch (err) {
      m = `${t.module} cannot be loaded: ${(err as Error).message.split("\n")[0]}`;
    }
    modules.set(t.module, m);
  }
  return m;
}

const peakRss = (): number => process.resourceUsage().maxRSS * 1024;
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

async function runCase(req: CaseRequest): Promise<CaseResult> {
  const mod = load(req.target);
  if (typeof mod === "string") return { type: "result", id: req.id, outcome: "unavailable", message: mod, ms: 0, maxAlloc: 0, peakGrowth: 0, uncaught: [] };
  uncaught = [];
  maxAlloc = 0;
  const rss0 = peakRss();
  const t0 = performance.now();
  let result: CaseResult;
  try {
    await TARGETS[req.target]!.call(mod, req.file);
    result = { type: "result", id: req.id, outcome: "ok", ms: 0, maxAlloc: 0, peakGrowth: 0, uncaught: [] };
  } catch (err) {
    const e = err as Error;
    result = {
      type: "result", id: req.id, outcome: "error", ms: 0, maxAlloc: 0, peakGrowth: 0, uncaught: [],
      errorClass: err instanceof Error ? e.constructor?.name ?? "Error" : `non-Error ${typeof err}`,
      message: err instanceof Error ? e.message : String(err),
      stack: err instanceof Error ? String(e.stack).split("\n").slice(0, 8).join("\n") : undefined,
    };
  }
  result.ms = performance.now() - t0;
  await tick();
  await tick();
  result.maxAlloc = maxAlloc;
  result.peakGrowth = Math.max(0, peakRss() - rss0);
  result.uncaught = uncaught;
  return result;
}

process.on("message", (msg: CaseRequest) => {
  if (msg?.type !== "case") return;
  void runCase(msg).then((r) => process.send!(r));
});
process.send!({ type: "ready" });
