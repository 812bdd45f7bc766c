/**
 * Crash tests.
 * 1. `massive record` over bundled mini-pythia checkpoints killed with SIGKILL at 20 seeded moments (some at
 *    random times, some right on a file-system event in the output folder, i.e. mid-write) and restarted each time:
 *    the run completes, every file parses at every moment, finished checkpoints are never recorded again, the
 *    manifest and records agree with the stats files, and the values equal an uninterrupted run's.
 * 2. Hub downloads from the local mock hub cut at seeded random byte offsets: the next attempt resumes with a
 *    Range request and the sha256 is verified; a corrupted transfer is detected and downloaded afresh; and a
 *    `massive record --model` run whose weight download is cut completes with the same values.
 * 3. Disk writes that fail (a full tmpfs: ENOSPC; a read-only mount: EROFS; a file-size limit: EFBIG; a failing fs
 *    stub): a clear one-line error naming the file, a non-zero exit, and no partial or temporary file left.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readExp2Stats } from "../../src/io/exp2-stats";
import { HubClient } from "../../src/io/hub/client";
import { writeFileAtomic } from "../../src/util/atomic-write";
import { MockHub, branchFromFolder } from "../helpers/mock-hub";

const ROOT = path.resolve(__dirname, "..", "..");
const CKPTS = path.join(ROOT, "data", "mini-pythia", "checkpoints", "d128-L6-H4");
const EVAL = path.join(ROOT, "data", "mini-pythia", "eval_sequences.json");
const STEPS = [0, 16];
const NAME = "d128-L6-H4";
const KILLS = 20;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "crash-test-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

/** mulberry32: a small seeded generator, so the kill moments are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sha256 = (data: Buffer | string): string => crypto.createHash("sha256").update(data).digest("hex");

/** A folder of step<N> links to the bundled checkpoints (fewer steps keep the test short). */
function checkpointFolder(steps: number[]): string {
  const dir = fs.mkdtempSync(path.join(tmp, "ck-"));
  for (const s of steps) fs.symlinkSync(path.join(CKPTS, `step${s}`), path.join(dir, `step${s}`));
  return dir;
}

interface Run { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> }

function massive(args: string[], env: NodeJS.ProcessEnv = {}, prefix: string[] = []): Run {
  const argv = [path.join(ROOT, "bin", "massive.cjs"), ...args];
  const child = prefix.length
    ? spawn("bash", ["-c", `${prefix.join(" ")}; exec "$0" "$@"`, process.execPath, ...argv], { cwd: ROOT, env: { ...process.env, MASSIVE_QUIET: "1", ...env }, stdio: ["ignore", "ignore", "pipe"] })
    : spawn(process.execPath, argv, { cwd: ROOT, env: { ...process.env, MASSIVE_QUIET: "1", ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => { stderr += d.toString(); });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stderr }));
  });
  return { child, done };
}

const recordArgs = (ck: string, out: string): string[] => ["record", "--checkpoints", ck, "--eval", EVAL, "--out", out, "--name", NAME, "--workers", "1"];

function statsValues(out: string): Map<number, number[][][]> {
  const m = new Map<number, number[][][]>();
  for (const s of STEPS) m.set(s, readExp2Stats(path.join(out, `exp2_${NAME}_step${s}`)).values);
  return m;
}

/** Every file in the output folder is a known kind, and every stats/record/manifest file present parses. */
function checkPartialState(out: string, where: string): void {
  for (const dir of [out, path.join(out, ".record")]) {
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) {
      const p = path.join(dir, f);
      if (f === ".record" || /^\..+\.tmp-\d+-[a-z0-9]+$/.test(f)) continue; // temporaries of the killed run (swept later)
      if (/^exp2_/.test(f)) readExp2Stats(p);
      else if (/^(record-manifest|step\d+)\.json$/.test(f)) JSON.parse(fs.readFileSync(p, "utf8"));
      else assert.fail(`${where}: unexpected file ${p}`);
    }
  }
}

/** The finished state: one stats file, one record and one manifest entry per step, consistent, nothing else. */
function checkFinished(out: string, reference: Map<number, number[][][]>, where: string): void {
  const names = fs.readdirSync(out).sort();
  assert.deepEqual(names, [".record", ...STEPS.map((s) => `exp2_${NAME}_step${s}`).sort(), "record-manifest.json"].sort(), `${where}: files`);
  assert.deepEqual(fs.readdirSync(path.join(out, ".record")).sort(), STEPS.map((s) => `step${s}.json`).sort(), `${where}: records`);
  const manifest = JSON.parse(fs.readFileSync(path.join(out, "record-manifest.json"), "utf8")) as { stepsDone: number[]; checkpoints: Record<string, { statsSha256: string; statsFile: string }> };
  assert.deepEqual(manifest.stepsDone, STEPS, `${where}: manifest stepsDone`);
  assert.deepEqual(Object.keys(manifest.checkpoints).map(Number).sort((a, b) => a - b), STEPS);
  const values = statsValues(out);
  for (const s of STEPS) {
    const file = path.join(out, `exp2_${NAME}_step${s}`);
    const rec = JSON.parse(fs.readFileSync(path.join(out, ".record", `step${s}.json`), "utf8")) as { step: number; statsSha256: string };
    assert.equal(rec.step, s);
    assert.equal(rec.statsSha256, sha256(fs.readFileSync(file)), `${where}: record of step ${s} matches its stats file`);
    assert.equal(manifest.checkpoints[String(s)]!.statsSha256, rec.statsSha256);
    assert.deepEqual(values.get(s), reference.get(s), `${where}: step ${s} equals the uninterrupted run`);
  }
}

let reference: Map<number, number[][][]>;
let referenceSeconds = 0;

test("reference: an uninterrupted record run", { timeout: 300_000 }, async () => {
  const ck = checkpointFolder(STEPS);
  const out = path.join(tmp, "reference");
  const t0 = Date.now();
  const r = await massive(recordArgs(ck, out)).done;
  referenceSeconds = (Date.now() - t0) / 1000;
  assert.equal(r.code, 0, r.stderr);
  reference = statsValues(out);
  checkFinished(out, reference, "reference");
});

test(`massive record killed with SIGKILL at ${KILLS} seeded moments, restarted each time`, { timeout: 900_000 }, async (t) => {
  assert.ok(reference, "the reference run must pass first");
  const random = rng(20261129);
  const ck = checkpointFolder(STEPS);
  let round = 0;
  let out = "";
  let kills = 0;
  let completedEarly = 0;
  let runs = 0;
  /** step -> [sha256 of its stats file, record.recordedAt] when first seen finished: must never change afterwards. */
  let finished = new Map<number, [string, string]>();
  const newRound = (): void => {
    out = path.join(tmp, `killed-${round++}`);
    fs.mkdirSync(path.join(out, ".record"), { recursive: true });
    finished = new Map();
  };
  const noteFinished = (): void => {
    for (const s of STEPS) {
      const f = path.join(out, `exp2_${NAME}_step${s}`);
      if (!fs.existsSync(f)) continue;
      const rec = JSON.parse(fs.readFileSync(path.join(out, ".record", `step${s}.json`), "utf8")) as { recordedAt: string };
      const now: [string, string] = [sha256(fs.readFileSync(f)), rec.recordedAt];
      const before = finished.get(s);
      if (before) assert.deepEqual(now, before, `step ${s} was recorded twice (stats or record rewritten after it was finished)`);
      else finished.set(s, now);
    }
  };
  newRound();
  const window = Math.max(2, referenceSeconds) * 1000;
  while (kills < KILLS) {
    const run = massive(recordArgs(ck, out));
    runs++;
    const onEvent = kills % 3 === 2; // every third kill lands on a file-system event (mid-write), the others at a random time
    let timer: NodeJS.Timeout | undefined;
    const watchers: fs.FSWatcher[] = [];
    let killed = false;
    const kill = (): void => {
      if (killed || run.child.exitCode !== null) return;
      killed = true;
      run.child.kill("SIGKILL");
    };
    if (onEvent) {
      let left = 1 + Math.floor(random() * 6);
      for (const dir of [out, path.join(out, ".record")]) {
        watchers.push(fs.watch(dir, () => { if (--left === 0) kill(); }));
      }
      timer = setTimeout(kill, window * 1.5); // no event in time (e.g. a run with nothing left): kill anyway
    } else {
      timer = setTimeout(kill, random() * window);
    }
    const r = await run.done;
    clearTimeout(timer);
    for (const w of watchers) w.close();
    if (killed && r.signal === "SIGKILL") {
      kills++;
      checkPartialState(out, `after kill ${kills}`);
      noteFinished();
    } else {
      assert.equal(r.code, 0, `run ${runs} exited ${r.code ?? r.signal}: ${r.stderr}`);
      noteFinished();
      checkFinished(out, reference, `round ${round} completed`);
      completedEarly++;
      newRound();
    }
  }
  // The last round's run now completes, without kills.
  const last = await massive(recordArgs(ck, out)).done;
  assert.equal(last.code, 0, last.stderr);
  noteFinished();
  checkFinished(out, reference, "final");
  t.diagnostic(`${kills} kills over ${runs} runs in ${round} round(s); ${completedEarly} run(s) finished before their kill moment`);
});

test("hub downloads cut at random byte offsets resume with a Range request and verify sha256", { timeout: 300_000 }, async (t) => {
  const files = branchFromFolder(path.join(CKPTS, "step0"));
  const hub = await MockHub.start([{ id: "mini/d128-L6-H4", branches: { step0: files } }]);
  const random = rng(7);
  const want = sha256(files["pytorch_model.bin"]!);
  const size = files["pytorch_model.bin"]!.length;
  let resumed = 0;
  try {
    for (let i = 0; i < 10; i++) {
      const cacheDir = path.join(tmp, `hub-cache-${i}`);
      const cut = 1 + Math.floor(random() * (size - 2));
      hub.cutNext("pytorch_model.bin", cut);
      const before = hub.requests.length;
      let have = -1;
      if (i % 2 === 0) {
        // No retries: the first call fails with a one-line error, a later call (a new process would do the same) resumes.
        const c1 = new HubClient({ endpoint: hub.url, cacheDir, retries: 0, progress: false, onWarning: () => undefined });
        await assert.rejects(c1.downloadFile("mini/d128-L6-H4", "pytorch_model.bin", { revision: "step0" }), (err: Error) => {
          assert.ok(!/[\r\n]/.test(err.message), err.message);
          assert.match(err.message, /pytorch_model\.bin/);
          return true;
        });
        const partial = fs.readdirSync(cacheDir, { recursive: true }).map(String).find((f) => f.endsWith(".incomplete"));
        have = partial ? fs.statSync(path.join(cacheDir, partial)).size : 0;
        assert.ok(have <= cut, `the partial file holds ${have} bytes, the server sent ${cut}`);
      }
      const c2 = new HubClient({ endpoint: hub.url, cacheDir, retries: 3, retryBaseMs: 1, progress: false, onWarning: () => undefined });
      const file = await c2.downloadFile("mini/d128-L6-H4", "pytorch_model.bin", { revision: "step0" });
      assert.equal(sha256(fs.readFileSync(file)), want, `download ${i} (cut at ${cut}) is intact`);
      // The client resumes from what reached its disk (at most the bytes sent before the cut: the rest may be lost
      // with the connection), never from beyond it.
      const ranges = hub.requests.slice(before).map((r) => r.headers.range).filter((r): r is string => Boolean(r));
      const starts = ranges.map((r) => Number(/^bytes=(\d+)-$/.exec(r)?.[1]));
      assert.ok(starts.every((n) => n > 0 && n <= cut), `download ${i}: ranges ${ranges.join(", ")} for a cut at ${cut}`);
      if (have > 0) assert.ok(ranges.includes(`bytes=${have}-`), `download ${i} resumed at byte ${have}; ranges seen: ${ranges.join(", ")}`);
      resumed += ranges.length > 0 ? 1 : 0;
      const leftovers = fs.readdirSync(cacheDir, { recursive: true }).map(String).filter((f) => /incomplete|\.lock$/.test(f));
      assert.deepEqual(leftovers, [], "no partial download left");
    }
    // A corrupted transfer: sha256 mismatch, the partial file is removed, the next attempt starts afresh.
    const cacheDir = path.join(tmp, "hub-cache-corrupt");
    hub.corruptNext("pytorch_model.bin");
    const c = new HubClient({ endpoint: hub.url, cacheDir, retries: 0, progress: false, onWarning: () => undefined });
    await assert.rejects(c.downloadFile("mini/d128-L6-H4", "pytorch_model.bin", { revision: "step0" }), /sha256 mismatch/);
    const file = await c.downloadFile("mini/d128-L6-H4", "pytorch_model.bin", { revision: "step0" });
    assert.equal(sha256(fs.readFileSync(file)), want);
    assert.ok(resumed >= 8, `only ${resumed} of 10 cut downloads resumed with a Range request`);
    t.diagnostic(`10 downloads of ${size} bytes cut at random offsets: ${resumed} resumed with a Range request, all sha256-verified; 1 corrupted transfer detected and fetched afresh`);
  } finally {
    await hub.close();
  }
});

test("massive record --model from the mock hub with its weight download cut mid-file completes with the same values", { timeout: 300_000 }, async () => {
  assert.ok(reference, "the reference run must pass first");
  const branches: Record<string, Record<string, Buffer>> = {};
  for (const s of STEPS) branches[`step${s}`] = branchFromFolder(path.join(CKPTS, `step${s}`));
  const hub = await MockHub.start([{ id: "mini/d128-L6-H4", branches }]);
  try {
    const size = branches.step0!["pytorch_model.bin"]!.length;
    hub.cutNext("pytorch_model.bin", Math.floor(size * 0.37));
    const out = path.join(tmp, "from-hub");
    const r = await massive(["record", "--model", "mini/d128-L6-H4", "--steps", STEPS.join(","), "--eval", EVAL, "--out", out, "--name", NAME, "--workers", "1"],
      { HF_ENDPOINT: hub.url, HF_HUB_CACHE: path.join(tmp, "hub-cache-record"), HF_TOKEN: "" }).done;
    assert.equal(r.code, 0, r.stderr);
    const ranges = hub.requests.map((q) => q.headers.range).filter((r): r is string => Boolean(r));
    assert.ok(ranges.length > 0 && ranges.every((r) => Number(/^bytes=(\d+)-$/.exec(r)?.[1]) <= Math.floor(size * 0.37)), `the cut download resumed: ${ranges.join(", ")}`);
    for (const s of STEPS) assert.deepEqual(readExp2Stats(path.join(out, `exp2_${NAME}_step${s}`)).values, reference.get(s));
  } finally {
    await hub.close();
  }
});

/** Mounts a tmpfs (root only); undefined when this machine does not allow it. */
function mountTmpfs(options: string): string | undefined {
  const dir = fs.mkdtempSync(path.join(tmp, "mnt-"));
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir], { stdio: "ignore" });
  return r.status === 0 ? dir : undefined;
}
const umount = (dir: string): void => { spawnSync("umount", [dir], { stdio: "ignore" }); };

/** No partial stats file and no temporary file anywhere under `out`; every file present parses. */
function assertNoPartialFiles(out: string): void {
  if (!fs.existsSync(out)) return;
  for (const f of fs.readdirSync(out, { recursive: true }).map(String)) {
    assert.ok(!/\.tmp-\d+-/.test(f), `temporary file left behind: ${f}`);
    const p = path.join(out, f);
    if (fs.statSync(p).isDirectory()) continue;
    if (/exp2_/.test(f)) readExp2Stats(p);
    else JSON.parse(fs.readFileSync(p, "utf8"));
  }
}

function lastErrorLine(stderr: string): string {
  return stderr.trim().split("\n").filter((l) => /ENOSPC|EROFS|EFBIG|no space|read-only|too large|cannot write|failed/i.test(l)).pop() ?? "";
}

test("a full disk (ENOSPC), a read-only folder (EROFS) and a file-size limit (EFBIG): clear error, no partial file", { timeout: 300_000 }, async (t) => {
  const ck = checkpointFolder(STEPS);
  const cases: { what: string; out: string; prefix: string[]; code: RegExp; cleanup?: () => void }[] = [];
  const full = mountTmpfs("size=8k");
  if (full) cases.push({ what: "ENOSPC (8 KiB tmpfs)", out: path.join(full, "out"), prefix: [], code: /ENOSPC/, cleanup: () => umount(full) });
  const ro = mountTmpfs("size=64k");
  if (ro) {
    // The output folder exists, then its file system becomes read-only (a remount, as after a disk error).
    fs.mkdirSync(path.join(ro, "out"));
    spawnSync("mount", ["-o", "remount,ro", ro], { stdio: "ignore" });
    cases.push({ what: "EROFS (output folder on a file system remounted read-only)", out: path.join(ro, "out"), prefix: [], code: /EROFS/, cleanup: () => umount(ro) });
  }
  if (!full || !ro) t.diagnostic("mount is not allowed here: the ENOSPC/EROFS cases are skipped; EFBIG and the fs stub still run");
  cases.push({ what: "EFBIG (ulimit -f 3)", out: path.join(tmp, "efbig-out"), prefix: ["ulimit -f 3"], code: /EFBIG|too large/ });
  for (const c of cases) {
    try {
      const r = await massive(recordArgs(ck, c.out), {}, c.prefix).done;
      assert.notEqual(r.code, 0, `${c.what}: the run must fail`);
      const line = lastErrorLine(r.stderr);
      assert.match(line, c.code, `${c.what}: stderr ${r.stderr}`);
      assert.match(line, new RegExp(c.out.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")), `${c.what}: the error names the file: ${line}`);
      assertNoPartialFiles(c.out);
      t.diagnostic(`${c.what}: ${line.trim()}`);
    } finally {
      c.cleanup?.();
    }
  }
});

test("writeFileAtomic with a failing file system: one-line error naming the file, old content kept, no temporary left", async () => {
  const dir = fs.mkdtempSync(path.join(tmp, "stub-"));
  const file = path.join(dir, "exp2_x_step1");
  fs.writeFileSync(file, "old");
  const realOpen = fs.promises.open;
  // The stub's handle writes half of the data and then fails as a full disk does.
  (fs.promises as { open: unknown }).open = async (p: fs.PathLike, flags?: string | number, mode?: fs.Mode) => {
    const h = await realOpen(p, flags, mode);
    return new Proxy(h, {
      get(target, prop, receiver) {
        if (prop === "writeFile") {
          return async (data: Uint8Array | string) => {
            const b = Buffer.from(data as Uint8Array);
            await target.write(b.subarray(0, b.length >> 1));
            throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
  };
  try {
    await assert.rejects(writeFileAtomic(file, "new content that does not fit"), (err: Error) => {
      assert.ok(!/[\r\n]/.test(err.message));
      assert.match(err.message, /exp2_x_step1/);
      assert.match(err.message, /ENOSPC/);
      return true;
    });
  } finally {
    (fs.promises as { open: unknown }).open = realOpen;
  }
  assert.equal(fs.readFileSync(file, "utf8"), "old");
  assert.deepEqual(fs.readdirSync(dir), ["exp2_x_step1"]);
});
