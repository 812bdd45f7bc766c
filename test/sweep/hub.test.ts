/**
 * A sweep over a hub model, against the local mock hub: the tasks run `massive record --model <id> --steps <N>`
 * with `--evict-weights`, the merged folder uses record's released-dataset name (pythia_14m), and the stats equal a
 * local record of the same checkpoints. The mock serves two bundled mini-pythia checkpoints as branches of
 * "EleutherAI/pythia-14m" (the plan sizes the tasks for the real pythia-14m; only the files differ).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readManifest } from "../../src/index";
import { readSkippedCheckpoints } from "../../src/record/manifest";
import { branchFromFolder, MockHub } from "../helpers/mock-hub";
import { massiveAsync } from "../helpers/run-massive";

const root = path.resolve(__dirname, "../..");
const ckpts = path.join(root, "data/mini-pythia/checkpoints/d128-L6-H4");
const evalFile = path.join(root, "data/mini-pythia/eval_sequences.json");

const massive = massiveAsync;

test("a hub-model sweep records through the hub client, evicts the weights and merges under record's name", { timeout: 600_000 }, async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "massive-sweep-hub-"));
  const hub = await MockHub.start([
    // step1000 serves step3000's bytes: the plan leaves it out (hub audit), the merged folder says so
    { id: "EleutherAI/pythia-14m", branches: { step0: branchFromFolder(path.join(ckpts, "step0")), step1000: branchFromFolder(path.join(ckpts, "step3000")), step3000: branchFromFolder(path.join(ckpts, "step3000")) } },
  ]);
  try {
    const cache = path.join(work, "hf");
    const env = { HF_ENDPOINT: hub.url, HF_HUB_CACHE: cache, HF_TOKEN: "" };
    const dir = path.join(work, "sweep");
    const plan = await massive(["sweep", "plan", "--models", "EleutherAI/pythia-14m", "--steps", "0,1000,3000", "--eval", evalFile, "--out", dir, "--gpus-per-task", "0", "--evict-weights"], env);
    assert.equal(plan.code, 0, plan.stderr);
    assert.deepEqual(readManifest(dir).models[0]!.tasks.map((t) => t.step), [0, 3000]);
    assert.ok(readManifest(dir).models[0]!.tasks.every((t) => t.argv.includes("--evict-weights")));
    const run = await massive(["sweep", "run-local", dir, "--workers", "2"], env);
    assert.equal(run.code, 0, run.stderr);
    const merged = await massive(["sweep", "merge", dir], env);
    assert.equal(merged.code, 0, merged.stderr);
    const statsDir = path.join(dir, "merged/pythia_14m/stats");
    assert.equal(merged.stdout.trim(), statsDir);
    assert.deepEqual(fs.readdirSync(statsDir).sort(), ["exp2_pythia_14m_step0", "exp2_pythia_14m_step3000", "skipped-checkpoints.json"]);
    assert.deepEqual(readSkippedCheckpoints(statsDir), { "1000": { reason: "duplicate-model", sameAs: ["step3000"], message: "step1000: its weights are byte-identical to step3000's" } });
    // the same numbers as recording the local folders
    const local = path.join(work, "local");
    const rec = await massive(["record", "--checkpoints", ckpts, "--steps", "0,3000", "--eval", evalFile, "--out", local], env);
    assert.equal(rec.code, 0, rec.stderr);
    for (const step of [0, 3000]) {
      assert.ok(fs.readFileSync(path.join(statsDir, `exp2_pythia_14m_step${step}`)).equals(fs.readFileSync(path.join(local, `exp2_d128-L6-H4_step${step}`))), `step ${step}`);
    }
    // --evict-weights: no weight file is left in the cache (config.json may stay)
    const walk = (d: string): string[] => (fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)])) : []);
    const cached = walk(cache);
    assert.ok(cached.length > 0, "the tasks used the cache");
    assert.deepEqual(cached.filter((f) => /\.(bin|safetensors)$/.test(f)), []);
    assert.ok(!cached.some((f) => fs.statSync(f).size > 1_000_000), `a large blob stayed: ${cached.join(", ")}`);
  } finally {
    await hub.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
});
