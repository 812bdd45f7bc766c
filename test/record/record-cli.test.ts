/**
 * `massive record` end to end, as child processes: the DONE criteria of issue 4 (the 12 bundled d128-L6-H4
 * checkpoints reproduce the shipped stats within 1e-3; a run killed halfway resumes without redoing finished
 * checkpoints and without a corrupt file), recording from a (mock) hub, and the one-line errors.
 * Children use MASSIVE_BACKEND=wasm unless the environment sets a backend: on CPU-only machines with a software
 * Vulkan driver (Mesa llvmpipe) the webgpu backend would be picked and run about 10x slower than wasm.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readExp2Stats, exp2FileName } from "../../src/io/exp2-stats";
import { MANIFEST_FILE, type RunManifest } from "../../src/record/index";
import { MockHub, branchFromFolder } from "../helpers/mock-hub";

const root = path.resolve(__dirname, "../..");
const bin = path.join(root, "bin/massive.cjs");
const ckpts = path.join(root, "data/mini-pythia/checkpoints/d128-L6-H4");
const evalFile = path.join(root, "data/mini-pythia/eval_sequences.json");
const NAME = "d128-L6-H4";
const STEPS = [0, 16, 64, 128, 256, 512, 750, 1000, 1500, 2000, 2500, 3000];
const env = { ...process.env, MASSIVE_BACKEND: process.env.MASSIVE_BACKEND ?? "wasm", MASSIVE_QUIET: "0" };
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "record-cli-"));

/** Runs `massive record` (asynchronously: the mock hub answers from this process's event loop). */
function run(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, "record", ...args], { env: { ...env, ...extraEnv }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

function maxRelError(a: number[][][], b: number[][][]): number {
  let m = 0;
  a.forEach((s, i) => s.forEach((r, k) => r.forEach((v, l) => (m = Math.max(m, Math.abs(v - b[i]![k]![l]!) / Math.abs(b[i]![k]![l]!))))));
  return m;
}

const statsFiles = (dir: string): string[] => fs.readdirSync(dir).filter((f) => /^exp2_.*_step\d+$/.test(f));

test("a run killed halfway resumes without redoing finished checkpoints; all 12 reproduce the shipped stats within 1e-3", { timeout: 900_000 }, async () => {
  const out = tmp();
  // 1. start recording all 12 checkpoints in one engine, SIGKILL it once 4 are done
  const child = spawn(process.execPath, [bin, "record", "--checkpoints", ckpts, "--eval", evalFile, "--out", out, "--workers", "1"], { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    if (statsFiles(out).length >= 4 || child.exitCode !== null) break;
  }
  child.kill("SIGKILL");
  assert.equal(await exited, "SIGKILL", `the first run must be killed, not finish (stderr: ${stderr})`);
  const done = statsFiles(out);
  assert.ok(done.length >= 4 && done.length < STEPS.length, `killed with ${done.length} of 12 done`);
  for (const f of done) readExp2Stats(path.join(out, f)); // every stats file present is complete
  const before = new Map(done.map((f) => {
    const st = fs.statSync(path.join(out, f));
    return [f, `${st.ino}:${st.mtimeMs}`];
  }));

  // 2. run again (2 worker threads): only the rest is recorded
  const again = await run(["--checkpoints", ckpts, "--eval", evalFile, "--out", out, "--workers", "2"]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, new RegExp(`${done.length} checkpoint\\(s\\) already recorded, skipped`));
  assert.match(again.stderr, new RegExp(`recording ${STEPS.length - done.length} checkpoint\\(s\\).*2 worker threads`));
  for (const [f, id] of before) {
    const st = fs.statSync(path.join(out, f));
    assert.equal(`${st.ino}:${st.mtimeMs}`, id, `${f} must not be rewritten`);
  }
  assert.deepEqual(fs.readdirSync(out).filter((f) => f.includes(".tmp-")), [], "no temporary files left");
  assert.deepEqual(statsFiles(out).sort(), STEPS.map((s) => exp2FileName(NAME, s)).sort());
  const manifest = JSON.parse(fs.readFileSync(path.join(out, MANIFEST_FILE), "utf8")) as RunManifest;
  assert.deepEqual(manifest.stepsDone, STEPS);
  assert.equal(manifest.project.version, (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version);
  assert.match(manifest.eval.sha256, /^[0-9a-f]{64}$/);

  // 3. a third run does nothing
  const third = await run(["--checkpoints", ckpts, "--eval", evalFile, "--out", out]);
  assert.equal(third.code, 0, third.stderr);
  assert.match(third.stderr, /12 checkpoint\(s\) already recorded, skipped/);
  assert.doesNotMatch(third.stderr, /recording \d+ checkpoint/);

  // 4. the numbers: shipped stats (fp32 training weights) within 1e-3, reference_stats (these fp16 files) much closer
  let maxShipped = 0;
  let maxReference = 0;
  for (const step of STEPS) {
    const got = readExp2Stats(path.join(out, exp2FileName(NAME, step))).values;
    const shipped = readExp2Stats(path.join(root, "data/mini-pythia", NAME, "stats", exp2FileName(NAME, step))).values;
    const reference = readExp2Stats(path.join(ckpts, "reference_stats", exp2FileName(NAME, step))).values;
    assert.equal(got.length, 10);
    assert.equal(got[0]![0]!.length, 6);
    maxShipped = Math.max(maxShipped, maxRelError(got, shipped));
    maxReference = Math.max(maxReference, maxRelError(got, reference));
  }
  console.log(`largest relative error over 12 steps x 10 sequences x 4 stats x 6 layers: ${maxShipped.toExponential(3)} vs data/mini-pythia/${NAME}/stats, ${maxReference.toExponential(3)} vs checkpoints/${NAME}/reference_stats`);
  assert.ok(maxShipped < 1e-3, `max relative error vs shipped stats ${maxShipped}`);
  assert.ok(maxReference < 2e-5, `max relative error vs reference_stats ${maxReference}`);
});

let hub: MockHub;
before(async () => {
  hub = await MockHub.start([{ id: "EleutherAI/pythia-mini", branches: { step16: branchFromFolder(path.join(ckpts, "step16")), step64: branchFromFolder(path.join(ckpts, "step64")), step128: branchFromFolder(path.join(ckpts, "step128")) } }]);
});
after(() => hub.close());

test("records hub revisions through the HF cache like local folders, one step per process (Slurm task)", { timeout: 600_000 }, async () => {
  const cache = tmp();
  const hubOut = tmp();
  const hubEnv = { HF_ENDPOINT: hub.url, HF_HUB_CACHE: cache, HF_TOKEN: "" };
  const r = await run(["--model", "EleutherAI/pythia-mini", "--steps", "16,64", "--eval", evalFile, "--out", hubOut, "--name", NAME], hubEnv);
  assert.equal(r.code, 0, r.stderr);
  const localOut = tmp();
  const l = await run(["--checkpoints", ckpts, "--steps", "64", "--eval", evalFile, "--out", localOut]);
  assert.equal(l.code, 0, l.stderr);
  assert.deepEqual(statsFiles(localOut), [exp2FileName(NAME, 64)], "--steps with --checkpoints records just that step");
  assert.equal(fs.readFileSync(path.join(hubOut, exp2FileName(NAME, 64)), "utf8"), fs.readFileSync(path.join(localOut, exp2FileName(NAME, 64)), "utf8"));
  const m = JSON.parse(fs.readFileSync(path.join(hubOut, MANIFEST_FILE), "utf8")) as RunManifest;
  assert.deepEqual(m.stepsDone, [16, 64]);
  assert.equal(m.model.kind, "hub");
  assert.equal(m.checkpoints["16"]!.commit, hub.commitOf("EleutherAI/pythia-mini", "step16"));
  assert.equal(m.checkpoints["16"]!.revision, "step16");
  // offline, everything comes from the cache; a step that was never downloaded fails in one line; a step without a
  // branch (per the cached hub audit) is skipped
  const offline = await run(["--model", "EleutherAI/pythia-mini", "--steps", "16,128,256", "--eval", evalFile, "--out", tmp()], { ...hubEnv, HF_HUB_OFFLINE: "1" });
  assert.equal(offline.code, 1);
  assert.match(offline.stderr, /skipping step 256: step256: no such branch on the hub/);
  assert.match(offline.stderr, /step 128 failed: HF_HUB_OFFLINE is set and EleutherAI\/pythia-mini@step128 is not in the Hugging Face cache/);
  assert.match(offline.stderr, /1 recorded/);
});

test("bad input: one-line errors and non-zero exits", { timeout: 600_000 }, async () => {
  const out = tmp();
  const cases: [string[], number, RegExp][] = [
    [["--eval", evalFile, "--out", out], 2, /--checkpoints <dir> or --model <hub id> is required/],
    [["--checkpoints", ckpts, "--model", "a/b", "--eval", evalFile, "--out", out], 2, /not both/],
    [["--checkpoints", ckpts, "--eval", evalFile], 2, /--out is required/],
    [["--checkpoints", ckpts, "--out", out], 2, /exactly one of --eval/],
    [["--checkpoints", ckpts, "--steps", "5", "--eval", evalFile, "--out", out], 1, /no folder for step 5 \(present: 0, 16, 64/],
    [["--model", "a/b", "--eval", evalFile, "--out", out], 2, /--model needs --steps/],
    [["--checkpoints", ckpts, "--eval", path.join(out, "nope.json"), "--out", out], 1, /nope\.json: cannot read: ENOENT/],
    [["--checkpoints", ckpts, "--steps", "0", "--eval", evalFile, "--out", out, "--workers", "0"], 2, /--workers must be a positive integer/],
  ];
  const results = await Promise.all(cases.map(([args]) => run(args)));
  for (const [i, [args, code, re]] of cases.entries()) {
    const r = results[i]!;
    assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split("\n").filter((line) => line.startsWith("massive record:")).length, 1);
  }
  // tokens outside the vocabulary, and a folder already holding results of another evaluation set
  const big = path.join(out, "big.json");
  fs.writeFileSync(big, JSON.stringify({ sequences: [[1, 2, 300]] }));
  const r1 = await run(["--checkpoints", ckpts, "--steps", "0", "--eval", big, "--out", out]);
  assert.equal(r1.code, 1);
  assert.match(r1.stderr, /token 2 is 300, outside the model's vocabulary of 256/);
  const small = path.join(out, "small.json");
  fs.writeFileSync(small, JSON.stringify({ sequences: [[1, 2, 3, 4]] }));
  assert.equal((await run(["--checkpoints", ckpts, "--steps", "0", "--eval", small, "--out", out])).code, 0);
  fs.writeFileSync(small, JSON.stringify({ sequences: [[1, 2, 3, 5]] }));
  const r2 = await run(["--checkpoints", ckpts, "--steps", "0", "--eval", small, "--out", out]);
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /exp2_d128-L6-H4_step0 was recorded on another evaluation set .*--force to overwrite/);
  // --compute: a bad value; float16 where it is missing (no GPU here); results of another compute precision
  fs.writeFileSync(small, JSON.stringify({ sequences: [[1, 2, 3, 4]] }));
  const r3 = await run(["--checkpoints", ckpts, "--steps", "0", "--eval", small, "--out", out, "--compute", "bf16"]);
  assert.equal(r3.code, 2);
  assert.match(r3.stderr, /--compute must be float32 or float16, got 'bf16'/);
  const r4 = await run(["--checkpoints", ckpts, "--steps", "16", "--eval", small, "--out", out, "--compute", "float16"]);
  assert.equal(r4.code, 1);
  assert.match(r4.stderr, /massive record: compute float16 needs the webgpu backend with float16 subgroup matrices: backend is (wasm|cpu)/);
  const recordFile = path.join(out, ".record", "step0.json");
  fs.writeFileSync(recordFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(recordFile, "utf8")), compute: "float16" }));
  const r5 = await run(["--checkpoints", ckpts, "--steps", "0", "--eval", small, "--out", out]);
  assert.equal(r5.code, 1);
  assert.match(r5.stderr, /exp2_d128-L6-H4_step0 was recorded with float16 compute, now float32: use another --out, or --force to overwrite/);
  // A folder whose checkpoints were computed differently (a webgpu record with split products beside this wasm run's): noted once.
  const { compute: _c, ...step0 } = JSON.parse(fs.readFileSync(recordFile, "utf8")) as Record<string, unknown>;
  fs.writeFileSync(recordFile, JSON.stringify({ ...step0, backend: "webgpu", float32Product: "split" }));
  const r6 = await run(["--checkpoints", ckpts, "--steps", "0,16", "--eval", small, "--out", out]);
  assert.equal(r6.code, 0, r6.stderr);
  assert.match(r6.stderr, /\[record\] note: .* holds checkpoints recorded on backends (wasm|cpu) and webgpu and with \(float32\) and \(float32, split products\) \(record-manifest.json says which per step\)/);
  const mixed = JSON.parse(fs.readFileSync(path.join(out, MANIFEST_FILE), "utf8")) as RunManifest;
  assert.deepEqual(mixed.arithmetic, ["float32", "float32, split products"]);
  assert.equal(mixed.checkpoints["0"]!.float32Product, "split");
});
