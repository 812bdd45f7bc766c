import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findModelDirs, readArchitecture, rangeWarnings, loadTrainingModels, eq9, type Eq9Params } from "../../src/index";

const root = path.resolve(__dirname, "../..");
const suite = path.join(root, "data/mini-pythia");
const newArch = path.join(root, "test/fixtures/predict/d192-L5-H6/config.json"); // an architecture no training folder has

function massive(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(root, "bin/massive.cjs"), ...args], { cwd: root, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("massive predict on an unseen architecture (d192-L5-H6) returns a finite trajectory for every layer at every step", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "predict-"));
  // a parent folder of model folders (links to two suite models) plus a model folder given directly
  const parent = path.join(tmp, "train");
  fs.mkdirSync(parent);
  for (const m of ["d128-L4-H4", "d256-L4-H4"]) fs.symlinkSync(path.join(suite, m), path.join(parent, m), "dir");
  const out = path.join(tmp, "pred.json");
  const steps = "0,1,2,64,500,1000:3000:1000,5000";
  const r = massive(["predict", "--train", `${parent},${path.join(suite, "d512-L6-H8")}`, "--config", newArch, "--steps", steps, "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /training on 3 model\(s\)/);
  // d = 192, L = 5, H = 6 lie inside the training ranges (d 128..512, L 4..6, H 4..8): no extrapolation warning
  assert.doesNotMatch(r.stderr, /outside the training range/);
  assert.match(r.stderr, /above 3000/);
  const json = JSON.parse(fs.readFileSync(out, "utf8"));
  assert.deepEqual(json.steps, [0, 1, 2, 64, 500, 1000, 2000, 3000, 5000]);
  assert.equal(json.layers.length, 5);
  json.layers.forEach((l: { layer: number; params: Eq9Params; regressedParams: Eq9Params; ratio: number[] }, i: number) => {
    assert.equal(l.layer, i);
    assert.equal(l.ratio.length, 9);
    for (const v of l.ratio) assert.ok(typeof v === "number" && Number.isFinite(v) && v > 0, `layer ${i} ratio ${v}`);
    for (const p of [l.params, l.regressedParams]) {
      assert.deepEqual(Object.keys(p).sort(), ["A", "K", "gamma", "lambda", "t0"]);
      for (const v of Object.values(p)) assert.ok(typeof v === "number" && Number.isFinite(v), `layer ${i} param ${v}`);
    }
    // params are Eq. 9 fitted to the predicted trajectory: they redraw it (within 10% from step 500 on; the early dip
    // at steps 1-64 is beyond Eq. 9)
    [500, 1000, 2000, 3000].forEach((s) => {
      const k = json.steps.indexOf(s);
      assert.ok(Math.abs(eq9(l.params, s) / l.ratio[k]! - 1) < 0.1, `layer ${i} step ${s}: eq9 ${eq9(l.params, s)} vs ${l.ratio[k]}`);
    });
  });
  assert.ok(!fs.readFileSync(out, "utf8").includes("NaN") && !fs.readFileSync(out, "utf8").includes("null"));
  // three models are enough for the inner CV to choose, so every layer comes with its 80% band around the prediction
  assert.equal(json.bandLevel, 0.8);
  assert.ok(json.selection && json.selection.innerFolds === 3, JSON.stringify(json.selection));
  for (const l of json.layers) l.ratio.forEach((v: number, k: number) => assert.ok(l.lower[k] <= v && v <= l.upper[k], `band at ${k}`));
  // the ratio rises from about 6 at initialisation, as in every training model
  for (const l of json.layers) assert.ok(l.ratio[0] > 4 && l.ratio[0] < 9 && l.ratio[7] > l.ratio[0], JSON.stringify(l.ratio));
  fs.rmSync(tmp, { recursive: true, force: true });
});

test("massive predict rejects an unreadable config with one clear line and a non-zero exit", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "predict-bad-"));
  const bad = path.join(tmp, "config.json");
  fs.writeFileSync(bad, "{ not json");
  const cases: [string, RegExp][] = [
    [bad, /config\.json: not valid JSON/],
    [path.join(tmp, "missing.json"), /missing\.json: cannot read: ENOENT/],
  ];
  const noHidden = path.join(tmp, "nohidden.json");
  fs.writeFileSync(noHidden, JSON.stringify({ model_type: "gpt_neox", num_hidden_layers: 4, num_attention_heads: 4, intermediate_size: 512, vocab_size: 256, rotary_pct: 0.25 }));
  cases.push([noHidden, /nohidden\.json: missing 'hidden_size'/]);
  for (const [file, msg] of cases) {
    const r = massive(["predict", "--train", suite, "--config", file, "--steps", "0,100", "--out", path.join(tmp, "o.json")]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, msg);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.ok(r.stderr.startsWith("massive predict: "));
  }
  const r = massive(["predict", "--train", suite, "--config", newArch, "--steps", "ten", "--out", path.join(tmp, "o.json")]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--steps: 'ten' is not a non-negative integer/);
  assert.ok(!fs.existsSync(path.join(tmp, "o.json")));
  fs.rmSync(tmp, { recursive: true, force: true });
});

test("training folders: a model folder or a folder of model folders; configs in both spellings", () => {
  // the suite's suite.json: 41 architecture runs by default, all 56 runs on request
  assert.equal(findModelDirs([suite]).length, 41);
  assert.equal(findModelDirs([suite], { runs: "all" }).length, 56);
  assert.deepEqual(findModelDirs([path.join(suite, "d128-L4-H4")]), [{ dir: path.join(suite, "d128-L4-H4"), group: "architecture", base: "d128-L4-H4" }]);
  // a variant named directly is taken (the user asked for it), and knows what it is
  assert.deepEqual(findModelDirs([path.join(suite, "d256-L6-H8-wd0")]), [{ dir: path.join(suite, "d256-L6-H8-wd0"), group: "hyperparameter", base: "d256-L6-H8" }]);
  assert.throws(() => findModelDirs([path.join(root, "src")]), /neither a model folder/);
  const legacy = readArchitecture(path.join(suite, "d384-L6-H6/config.json"));
  assert.deepEqual(legacy, { hiddenSize: 384, numLayers: 6, numHeads: 6, intermediateSize: 1536, rotaryPct: 0.25, rotaryBase: 10000 });
  const current = readArchitecture(newArch); // rope_parameters spelling
  assert.equal(current.rotaryPct, 0.25);
  assert.equal(current.rotaryBase, 10000);
});

test("an architecture outside the training range is flagged per size feature", () => {
  const models = loadTrainingModels([path.join(suite, "d128-L4-H4"), path.join(suite, "d512-L8-H16")]);
  const w = rangeWarnings(models, { hiddenSize: 2048, numLayers: 24, numHeads: 16, intermediateSize: 8192, rotaryPct: 0.25, rotaryBase: 10000 }, [0, 3000]);
  assert.equal(w.length, 3, w.join("\n"));
  assert.match(w[0]!, /hidden size d = 2048 is outside the training range \[128, 512\]/);
  assert.match(w[1]!, /layers L = 24/);
  assert.match(w[2]!, /head width d\/H = 128 is outside the training range \[32, 32\]/);
  assert.deepEqual(rangeWarnings(models, models[0]!.arch, [0, 3000]), []);
});

test("massive predict --train <suite> trains on the 41 architecture runs only: same output as a folder of those 41 alone", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "predict-groups-"));
  const alone = path.join(tmp, "architectures");
  fs.mkdirSync(alone);
  const manifest = JSON.parse(fs.readFileSync(path.join(suite, "suite.json"), "utf8")) as { models: { name: string; group: string }[] };
  const arch = manifest.models.filter((m) => m.group === "architecture").map((m) => m.name);
  assert.equal(arch.length, 41);
  for (const m of arch) fs.symlinkSync(path.join(suite, m), path.join(alone, m), "dir"); // no suite.json here
  const run = (train: string, out: string): { json: Record<string, unknown>; stderr: string } => {
    const r = massive(["predict", "--train", train, "--config", newArch, "--steps", "0,64,3000", "--out", out]);
    assert.equal(r.status, 0, r.stderr);
    return { json: JSON.parse(fs.readFileSync(out, "utf8")), stderr: r.stderr };
  };
  const fromSuite = run(suite, path.join(tmp, "suite.json"));
  const fromAlone = run(alone, path.join(tmp, "alone.json"));
  assert.match(fromSuite.stderr, /15 seed\/hyperparameter run\(s\) of the suite left out of training/);
  assert.match(fromSuite.stderr, /training on 41 model\(s\)/);
  assert.deepEqual(fromSuite.json, fromAlone.json);
  fs.rmSync(tmp, { recursive: true, force: true });
});
