/**
 * The hub commands end to end against the mock hub: `massive audit` on the planted suite, `massive fetch-released`
 * with planted bad files, and `massive record` / `massive sweep plan` acting on the audit (duplicates skipped and
 * noted in the manifests, --keep-duplicates), on PolyPythias and Pythia-deduped ids, with --checkpoint-index.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readManifest } from "../../src/sweep/index";
import { loadModelResults } from "../../src/plots/results";
import { modelsTable } from "../../src/plots/report";
import { branchFromFolder, MockHub } from "../helpers/mock-hub";
import { PLANTED, plantedPythiaSuite } from "../helpers/planted-suite";
import { massiveAsync as massive } from "../helpers/run-massive";

const root = path.resolve(__dirname, "../..");
const ckpts = path.join(root, "data/mini-pythia/checkpoints/d128-L6-H4");
const statsDir = path.join(root, "data/mini-pythia/d128-L6-H4/stats");
const evalFile = path.join(root, "data/mini-pythia/eval_sequences.json");
const SEED = "EleutherAI/pythia-70m-seed3";
const DEDUPED = "EleutherAI/pythia-160m-deduped";
const step = (n: number): Record<string, Buffer> => branchFromFolder(path.join(ckpts, `step${n}`));

let hub: MockHub;
let work: string;
let env: NodeJS.ProcessEnv;

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "hub-cli-"));
  const stats = (n: number): Buffer => fs.readFileSync(path.join(statsDir, `exp2_d128-L6-H4_step${n}`));
  hub = await MockHub.start([
    plantedPythiaSuite(),
    // PolyPythias seed 3: step512 serves step1000's bytes (a duplicate), the rest of the schedule is missing
    { id: SEED, branches: { step0: step(0), step512: step(1000), step1000: step(1000) } },
    { id: DEDUPED, branches: { step0: step(0), step143000: step(3000) } },
    {
      id: "Aimpoint-Digital/pythia-massive-activations",
      type: "dataset",
      branches: {
        main: {
          "README.md": "# released data (mock)",
          "pythia_70m/stats/exp2_pythia_70m_step0": stats(0),
          "pythia_70m/stats/exp2_pythia_70m_step1000": stats(1000),
          "pythia_70m/stats/exp2_pythia_70m_step2000": stats(2000),
          "pythia_70m/params/layer_fit_params_ratio.json": JSON.stringify([{ original: { param_names: ["A", "lambda", "gamma", "t0", "K"], popt: [1, 0.5, 2, 100, 3], pcov: Array.from({ length: 5 }, () => [0, 0, 0, 0, 0]), r2: 0.9, aic: -10, residuals: [0.1, -0.1] } }]),
          "pythia_1b/stats/exp2_pythia_1b_step0": stats(0).subarray(0, 200), // truncated, as reported for the real file
          "pythia_1b/stats/exp2_pythia_1b_step1000": stats(1000),
          "pythia_1b/params/layer_fit_params_top1.json": "[{\"original\": {\"popt\": [1, 2]}}]",
        },
      },
    },
  ]);
  env = { HF_ENDPOINT: hub.url, HF_HUB_CACHE: path.join(work, "hf"), HF_TOKEN: "", HF_HUB_OFFLINE: "", MASSIVE_QUIET: "1" };
});

after(async () => {
  await hub?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

test("massive audit prints the planted defects, writes the JSON report, downloads no weight", async () => {
  const out = path.join(work, "audit.json");
  const r = await massive(["audit", "--model", PLANTED.repo, "--out", out], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /step1000 +\S+ +4 +model-00001-of-00002\.safetensors +2\.0 kB +[0-9a-f]{16} +duplicate-model=step143000/);
  assert.match(r.stdout, /step3000 +- .* missing-branch/);
  assert.match(r.stdout, /153\/154 branches; 3 duplicate model\(s\), 1 duplicate shard\(s\), 1 missing branch\(es\), 1 missing file\(s\), 1 unusual size\(s\)/);
  const report = JSON.parse(fs.readFileSync(out, "utf8")) as { summary: Record<string, number>; branches: { revision: string; files: { path: string; sha256?: string; size: number }[] }[] };
  assert.equal(report.summary["duplicate-shard"], 1);
  const b0 = report.branches.find((b) => b.revision === "step0")!;
  assert.equal(b0.files.find((f) => f.path === "model-00001-of-00002.safetensors")!.sha256, hub.sha256Of(PLANTED.repo, "step0", "model-00001-of-00002.safetensors"));
  assert.equal(hub.bytesServedFor(), 0);
  const json = await massive(["audit", "--model", PLANTED.repo, "--steps", "0,1000,143000", "--json"], env);
  assert.equal(json.code, 0, json.stderr);
  // only those three branches: step1000 duplicates step143000
  assert.deepEqual((JSON.parse(json.stdout) as { findings: { kind: string; step: number }[] }).findings.map((f) => [f.kind, f.step]), [["duplicate-model", 1000]]);
});

test("massive fetch-released downloads the dataset and reports the malformed files without crashing", async () => {
  const r = await massive(["fetch-released", "--json"], env);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { files: number; stats: number; params: number; bad: { path: string; problem: string }[] };
  assert.deepEqual([report.files, report.stats, report.params], [8, 5, 2]);
  assert.deepEqual(report.bad.map((b) => b.path), ["pythia_1b/params/layer_fit_params_top1.json", "pythia_1b/stats/exp2_pythia_1b_step0"]);
  assert.match(report.bad[0]!.problem, /layer_fit_params_top1\.json: layer 0: "param_names" must list 5 names/);
  assert.match(report.bad[1]!.problem, /exp2_pythia_1b_step0: not a Python list of numbers/);
  for (const b of report.bad) assert.ok(!b.problem.includes("\n"));
  const strict = await massive(["fetch-released", "--sizes", "1b", "--strict"], { ...env, HF_HUB_OFFLINE: "1" });
  assert.equal(strict.code, 1, "offline from the cache, bad files with --strict");
  assert.match(strict.stdout, /3 file\(s\): 2 stats, 1 fit-parameter, 0 other; 2 malformed/);
});

test("massive sweep plan leaves out duplicate branches unless --keep-duplicates", async () => {
  const dir = path.join(work, "sweep");
  const plan = await massive(["sweep", "plan", "--models", SEED, "--steps", "0,512,1000", "--eval", evalFile, "--out", dir, "--gpus-per-task", "0"], env);
  assert.equal(plan.code, 0, plan.stderr);
  assert.match(plan.stderr, /leaving out step 512: step512: its weights are byte-identical to step1000's/);
  const m = readManifest(dir).models[0]!;
  assert.deepEqual(m.tasks.map((t) => t.step), [0, 1000]);
  assert.deepEqual(m.skipped!.map((s) => [s.step, s.reason, s.sameAs![0]]), [[512, "duplicate-model", "step1000"]]);
  const keep = await massive(["sweep", "plan", "--models", SEED, "--steps", "0,512,1000", "--eval", evalFile, "--out", dir, "--gpus-per-task", "0", "--keep-duplicates", "--force"], env);
  assert.equal(keep.code, 0, keep.stderr);
  const k = readManifest(dir).models[0]!;
  assert.deepEqual(k.tasks.map((t) => t.step), [0, 512, 1000]);
  assert.ok(k.tasks.every((t) => t.argv.includes("--keep-duplicates")));
  assert.ok(k.tasks.every((t) => t.argv.includes("--no-audit")), "the plan audited: its tasks do not ask the hub again");
});

test("massive record on a PolyPythias id skips the duplicate, records the sha256s; deduped ids resolve checkpoint indices", { timeout: 600_000 }, async () => {
  const out = path.join(work, "seed3");
  const r = await massive(["record", "--model", SEED, "--steps", "0,512,1000", "--eval", evalFile, "--out", out], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /skipping step 512: step512: its weights are byte-identical to step1000's \(--keep-duplicates records it anyway\)/);
  assert.deepEqual(fs.readdirSync(out).filter((f) => f.startsWith("exp2_")).sort(), ["exp2_pythia_70m_seed3_step0", "exp2_pythia_70m_seed3_step1000"]);
  const manifest = JSON.parse(fs.readFileSync(path.join(out, "record-manifest.json"), "utf8")) as { checkpoints: Record<string, { weights: { file: string; sha256: string }[] }>; skippedCheckpoints: Record<string, { reason: string; sameAs: string[] }> };
  assert.deepEqual(manifest.checkpoints["0"]!.weights.map((w) => [w.file, w.sha256]), [["pytorch_model.bin", hub.sha256Of(SEED, "step0", "pytorch_model.bin")]]);
  assert.equal(manifest.checkpoints["1000"]!.weights[0]!.sha256, hub.sha256Of(SEED, "step1000", "pytorch_model.bin"));
  assert.deepEqual(manifest.skippedCheckpoints["512"], { reason: "duplicate-model", sameAs: ["step1000"], message: "step512: its weights are byte-identical to step1000's" });
  // the report's models table marks the skipped checkpoint
  const row = modelsTable({ root: out, models: [loadModelResults(out)], provenance: {}, shap: [], partialDependence: [], table3: [] })[0]!;
  assert.equal(row["skipped (hub audit)"], "512 (duplicate-model of step1000)");
  // Pythia-deduped, TransformerLens indices: 0 -> step0, -1 -> step143000
  const dd = path.join(work, "deduped");
  const d = await massive(["record", "--model", DEDUPED, "--checkpoint-index", "0,-1", "--eval", evalFile, "--out", dd], env);
  assert.equal(d.code, 0, d.stderr);
  assert.deepEqual(fs.readdirSync(dd).filter((f) => f.startsWith("exp2_")).sort(), ["exp2_pythia_160m_deduped_step0", "exp2_pythia_160m_deduped_step143000"]);
  // both suites' step0 branches serve the same mini-pythia checkpoint: the same statistics
  assert.ok(fs.readFileSync(path.join(dd, "exp2_pythia_160m_deduped_step0")).equals(fs.readFileSync(path.join(out, "exp2_pythia_70m_seed3_step0"))));
  const bad = await massive(["record", "--model", DEDUPED, "--checkpoint-index", "154", "--eval", evalFile, "--out", dd], env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /checkpoint index 154 is out of range/);
});
