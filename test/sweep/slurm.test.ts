/**
 * The sweep on a real (one-node, throw-away) Slurm cluster: submit the bundled mini-pythia checkpoints as a job
 * array, check the merged stats equal one single-process `massive record`, cancel a task mid-run and resubmit
 * (nothing redone, nothing lost), and check `sweep run-local` gives the same files. Needs root and Debian's
 * slurm-wlm + munge (scripts/setup.sh --test installs them); skipped with the reason otherwise.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readManifest, sweepStatus, type SweepStatus } from "../../src/index";
import { slurmUnavailableReason, startSlurmCluster, type SlurmCluster } from "../helpers/slurm-cluster";

const root = path.resolve(__dirname, "../..");
const bin = path.join(root, "bin/massive.cjs");
const ckpts = path.join(root, "data/mini-pythia/checkpoints/d128-L6-H4");
const evalFile = path.join(root, "data/mini-pythia/eval_sequences.json");
/** Debugging aid only: MASSIVE_SWEEP_TEST_FAKE_RECORD=1 swaps the real recorder for test/sweep/fake-record.cjs. */
const fakeRecord = process.env.MASSIVE_SWEEP_TEST_FAKE_RECORD === "1";
const recordArgs = fakeRecord ? ["--record-command", `${process.execPath} ${path.join(__dirname, "fake-record.cjs")} record`] : [];

const unavailable = slurmUnavailableReason();
let cluster: SlurmCluster | undefined;
let work = "";
let reference = "";
const savedConf = process.env.SLURM_CONF;
const log = (line: string): void => {
  process.stderr.write(`# ${line}\n`);
};

function massive(args: string[], timeout = 300_000): { code: number | null; stdout: string; stderr: string; seconds: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env: { ...process.env, ...(cluster?.env ?? {}) }, timeout });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, seconds: (Date.now() - t0) / 1000 };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls the sweep's status until `until` holds; fails with the last status after `timeoutMs`. */
async function waitStatus(dir: string, until: (s: SweepStatus) => boolean, timeoutMs: number): Promise<SweepStatus> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = sweepStatus(dir);
    if (until(s)) return s;
    if (Date.now() > end) assert.fail(`timed out after ${timeoutMs / 1000} s; status: ${JSON.stringify(s.total)}; ${cluster?.run("squeue", ["-r"]) ?? ""}`);
    await sleep(300);
  }
}
/** Nothing of this cluster's queue left and every task either done or failed. */
const settled = (s: SweepStatus): boolean => s.sources.squeue && s.total.missing === 0 && s.total.running === 0 && s.total.pending === 0 && cluster!.run("squeue", ["-h", "-r"]).trim() === "";

function plan(dir: string, steps: string, concurrency: number): void {
  const r = massive(["sweep", "plan", "--models", ckpts, "--steps", steps, "--eval", evalFile, "--out", dir, "--gpus-per-task", "0", "--cpus-per-task", "1", "--mem", "1500M", "--time", "00:10:00", "--concurrency", String(concurrency), ...recordArgs]);
  assert.equal(r.code, 0, r.stderr);
}

function statsFiles(dir: string): Map<string, Buffer> {
  return new Map(fs.readdirSync(dir).filter((f) => f.startsWith("exp2_")).sort().map((f) => [f, fs.readFileSync(path.join(dir, f))]));
}

function assertSameFiles(actual: string, expected: string, what: string): void {
  const a = statsFiles(actual);
  const e = statsFiles(expected);
  assert.deepEqual([...a.keys()], [...e.keys()], `${what}: file names`);
  for (const [name, bytes] of e) assert.ok(a.get(name)!.equals(bytes), `${what}: ${name} differs`);
}

/** Pids of live processes whose command line runs `record` with `--out <outDir>`. */
function recordProcesses(outDir: string): number[] {
  const pids: number[] = [];
  for (const e of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${e}/cmdline`, "utf8").split("\0");
      if (argv.includes("record") && argv[argv.indexOf("--out") + 1] === outDir) pids.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return pids;
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

before(async () => {
  if (unavailable) return;
  work = fs.mkdtempSync(path.join(os.tmpdir(), "massive-sweep-slurm-"));
  cluster = await startSlurmCluster({ cpus: 2 });
  process.env.SLURM_CONF = cluster.conf;
  log(`one-node Slurm cluster (${cluster.cpus} CPUs) up in ${cluster.startSeconds.toFixed(2)} s`);
  reference = path.join(work, "reference");
  if (fakeRecord) reference = path.join(ckpts, "reference_stats");
  else {
    const r = massive(["record", "--checkpoints", ckpts, "--eval", evalFile, "--out", reference], 600_000);
    assert.equal(r.code, 0, `single-process massive record failed: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
    log(`single-process massive record of 12 checkpoints: ${r.seconds.toFixed(1)} s`);
  }
});

after(async () => {
  try {
    await cluster?.stop();
  } finally {
    if (savedConf === undefined) delete process.env.SLURM_CONF;
    else process.env.SLURM_CONF = savedConf;
    if (work) fs.rmSync(work, { recursive: true, force: true });
  }
});

test("a Slurm job array over the 12 bundled checkpoints equals one single-process record; run-local gives the same files", { skip: unavailable, timeout: 600_000 }, async () => {
  const dir = path.join(work, "full");
  plan(dir, "all", 0);
  const t0 = Date.now();
  const sub = massive(["sweep", "submit", dir]);
  assert.equal(sub.code, 0, sub.stderr);
  const jobId = /d128-L6-H4 (\d+)/.exec(sub.stdout)?.[1];
  assert.ok(jobId, sub.stdout);
  const s = await waitStatus(dir, settled, 400_000);
  log(`Slurm sweep of 12 tasks (2 at a time): ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  assert.deepEqual(s.models[0]!.counts, { done: 12, running: 0, pending: 0, failed: 0, missing: 0 });
  // one log per array task, named logs/%x_%A_%a.out
  for (let i = 0; i < 12; i++) assert.ok(fs.existsSync(path.join(dir, "logs", `massive_d128-L6-H4_${jobId}_${i}.out`)), `log of task ${i}`);
  const merged = massive(["sweep", "merge", dir]);
  assert.equal(merged.code, 0, merged.stderr);
  assert.equal(merged.stdout.trim(), path.join(dir, "merged/d128-L6-H4/stats"));
  assertSameFiles(path.join(dir, "merged/d128-L6-H4/stats"), reference, "Slurm sweep vs single-process record");

  // the same checkpoints on one machine, without Slurm (a subset, to keep the test short)
  const local = path.join(work, "local");
  plan(local, "0,64,512,3000", 0);
  const r = massive(["sweep", "run-local", local, "--workers", "2"], 600_000);
  assert.equal(r.code, 0, r.stderr);
  log(`run-local of 4 tasks with 2 workers: ${r.seconds.toFixed(1)} s`);
  assert.equal(massive(["sweep", "merge", local]).code, 0);
  const fromLocal = statsFiles(path.join(local, "merged/d128-L6-H4/stats"));
  const fromSlurm = statsFiles(path.join(dir, "merged/d128-L6-H4/stats"));
  assert.deepEqual([...fromLocal.keys()], ["exp2_d128-L6-H4_step0", "exp2_d128-L6-H4_step3000", "exp2_d128-L6-H4_step512", "exp2_d128-L6-H4_step64"]);
  for (const [name, bytes] of fromLocal) assert.ok(bytes.equals(fromSlurm.get(name)!), `run-local vs Slurm: ${name} differs`);
});

test("cancelling a task mid-run and resubmitting finishes the sweep with nothing redone and nothing lost", { skip: unavailable, timeout: 600_000 }, async () => {
  const dir = path.join(work, "cancel");
  plan(dir, "0,64,3000", 1); // %1: one task at a time, so task 1 can be caught mid-run
  const m = readManifest(dir);
  const model = m.models[0]!;
  const sub = massive(["sweep", "submit", dir]);
  assert.equal(sub.code, 0, sub.stderr);
  const jobId = /d128-L6-H4 (\d+)/.exec(sub.stdout)![1]!;
  const marker = path.join(dir, "state/d128-L6-H4/step64.json");
  const outDir = path.join(dir, model.tasks[1]!.out);
  const end = Date.now() + 300_000;
  // mid-run: task 1's `massive record` process is alive (found by its command line)
  while (recordProcesses(outDir).length === 0) {
    if (Date.now() > end) assert.fail("task 1's record process never started");
    await sleep(50);
  }
  await sleep(300);
  assert.equal(JSON.parse(fs.readFileSync(marker, "utf8")).state, "running");
  assert.equal(fs.existsSync(path.join(dir, model.tasks[1]!.out, "exp2_d128-L6-H4_step64")), false, "task 1 finished before it could be cancelled; the test needs a slower task");
  cluster!.run("scancel", [`${jobId}_1`]);
  const gone = Date.now() + 60_000;
  while (recordProcesses(outDir).length) {
    if (Date.now() > gone) assert.fail("the cancelled task's record process is still running");
    await sleep(100);
  }
  const first = await waitStatus(dir, settled, 300_000);
  const t1 = first.models[0]!.tasks[1]!;
  assert.equal(t1.state, "failed", JSON.stringify(t1));
  assert.equal(first.models[0]!.counts.done, 2);
  const cancelled = JSON.parse(fs.readFileSync(marker, "utf8"));
  assert.equal(cancelled.state, "failed");
  assert.match(cancelled.reason, /SIGTERM|SIGKILL|killed|exited/);
  // nothing partial: the cancelled task's folder holds no stats file and no temporary file
  const left = walk(outDir).map((f) => path.basename(f));
  assert.deepEqual(left.filter((f) => f.startsWith("exp2_") || f.includes(".tmp-")), [], left.join(", "));

  const text = massive(["sweep", "status", dir]).stdout;
  assert.match(text, /d128-L6-H4\s+2\s+0\s+0\s+1\s+0\s+3/);
  assert.ok(text.includes(`sbatch --array=1%1 ${path.join(dir, "slurm/d128-L6-H4.sbatch")}`), text);
  const done = new Map(walk(path.join(dir, "records")).map((f) => [f, fs.statSync(f)]));
  const isStats = (f: string): boolean => path.basename(f).startsWith("exp2_");
  assert.equal([...done.keys()].filter(isStats).length, 2);
  const re = massive(["sweep", "submit", dir]); // the whole array again, as a user would
  assert.equal(re.code, 0, `${re.stderr}; ${dir}: ${fs.existsSync(dir) ? fs.readdirSync(dir).join(", ") : "gone"}; ${work}: ${fs.existsSync(work) ? fs.readdirSync(work).join(", ") : "gone"}`);
  const jobId2 = /d128-L6-H4 (\d+)/.exec(re.stdout)![1]!;
  const second = await waitStatus(dir, (s) => settled(s) && s.total.done === 3, 300_000);
  assert.deepEqual(second.models[0]!.counts, { done: 3, running: 0, pending: 0, failed: 0, missing: 0 });
  for (const [f, st] of done) {
    const now = fs.statSync(f);
    assert.equal(now.ino, st.ino, `${f} was rewritten`);
    assert.equal(now.mtimeMs, st.mtimeMs, `${f} was rewritten`);
  }
  for (const i of [0, 2]) assert.match(fs.readFileSync(path.join(dir, "logs", `massive_d128-L6-H4_${jobId2}_${i}.out`), "utf8"), /already done/);
  assert.equal(walk(path.join(dir, "records")).filter(isStats).length, 3);
  assert.equal(massive(["sweep", "merge", dir]).code, 0);
  const merged = statsFiles(path.join(dir, "merged/d128-L6-H4/stats"));
  const ref = statsFiles(reference);
  assert.deepEqual([...merged.keys()], ["exp2_d128-L6-H4_step0", "exp2_d128-L6-H4_step3000", "exp2_d128-L6-H4_step64"]);
  for (const [name, bytes] of merged) assert.ok(bytes.equals(ref.get(name)!), `${name} differs from the single-process record`);
});
