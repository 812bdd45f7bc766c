/**
 * Numbers that are not numbers, prediction side: an architecture far outside the training range, steps past the
 * training run, training data with a dead layer (median 0: ratio +Infinity or NaN) or a constant layer, and bad
 * configs on the command line. Predictions must stay finite, and every extrapolation or dropped input must be
 * reported as a warning; bad input gives a one-line error and a non-zero exit.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { loadTrainingModels, predictArchitecture, type Architecture, type TrainingModel } from "../../src/predict/index";
import { exp2FileName, formatExp2Values, readExp2Series } from "../../src/io/exp2-stats";

const ROOT = path.resolve(__dirname, "..", "..");
const MODELS = ["d128-L4-H4", "d256-L6-H8", "d512-L8-H16"].map((m) => path.join(ROOT, "data", "mini-pythia", m));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nan-predict-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

function assertFinitePrediction(p: ReturnType<typeof predictArchitecture>, what: string): void {
  for (const l of p.layers) {
    for (const [k, v] of Object.entries(l.params)) assert.ok(Number.isFinite(v), `${what}: layer ${l.layer} ${k} = ${v}`);
    assert.equal(l.ratio.length, p.steps.length);
    assert.ok(l.ratio.every(Number.isFinite), `${what}: layer ${l.layer} ratio has non-finite values`);
  }
}

/** A copy of a model folder whose stats have layer `dead` with median 0 at every step (ratio +Inf, or NaN where top1 is 0 too). */
function modelWithDeadLayer(src: string, dead: number): string {
  const dir = path.join(tmp, `${path.basename(src)}-dead${dead}`);
  fs.mkdirSync(path.join(dir, "stats"), { recursive: true });
  fs.copyFileSync(path.join(src, "config.json"), path.join(dir, "config.json"));
  const series = readExp2Series(src);
  for (const c of series.checkpoints) {
    const values = c.values.map((seq, s) => seq.map((row, k) => row.map((v, l) => (l === dead && (k === 3 || s === 0) ? 0 : v))));
    fs.writeFileSync(path.join(dir, "stats", exp2FileName(path.basename(dir), c.step)), formatExp2Values(values));
  }
  return dir;
}

let models: TrainingModel[];
const warnings: string[] = [];

test("training models load (one with a dead layer: median 0 everywhere)", () => {
  models = loadTrainingModels([...MODELS, modelWithDeadLayer(MODELS[0]!, 1)], { onWarning: (m) => warnings.push(m) });
  assert.equal(models.length, 4);
  assert.ok(models[3]!.ratio[1]!.some((v) => !Number.isFinite(v)), "the dead layer's ratio is not finite (the case under test)");
});

test("an architecture far outside the training range: finite predictions and an extrapolation warning per feature", { timeout: 600_000 }, () => {
  const base = models[0]!.arch;
  const arch: Architecture = { ...base, hiddenSize: 8192, numLayers: 48, numHeads: 64, intermediateSize: 4 * 8192 };
  const steps = [0, 1, 16, 512, 3000, 143000, 1e9];
  const w: string[] = [];
  const p = predictArchitecture(models, arch, steps, { onWarning: (m) => w.push(m) });
  assert.equal(p.layers.length, 48);
  assertFinitePrediction(p, "outside");
  const all = [...p.warnings, ...w].join(" | ");
  for (const feature of ["hidden size d", "layers L", "heads H"]) assert.match(all, new RegExp(`${feature} = .* outside the training range`), all);
  assert.match(all, /step\(s\) above/, all);
});

test("an architecture inside the range: finite, no range warning; the dead layer is dropped or reported, never NaN", { timeout: 600_000 }, () => {
  const arch = models[1]!.arch;
  const w: string[] = [];
  const p = predictArchitecture(models, arch, [0, 64, 1000, 3000], { onWarning: (m) => w.push(m) });
  assertFinitePrediction(p, "inside");
  assert.ok(![...p.warnings, ...w].some((m) => /outside the training range/.test(m)), [...p.warnings, ...w].join(" | "));
});

test("massive predict CLI: extrapolation warnings on stderr, a finite JSON result; bad configs and steps fail in one line", { timeout: 600_000 }, () => {
  const cfg = JSON.parse(fs.readFileSync(path.join(MODELS[0]!, "config.json"), "utf8")) as Record<string, unknown>;
  const run = (config: Record<string, unknown> | string, steps = "0,100,3000,100000"): { code: number | null; stderr: string; out: string } => {
    const file = path.join(tmp, `cfg-${Math.random().toString(36).slice(2)}.json`);
    fs.writeFileSync(file, typeof config === "string" ? config : JSON.stringify(config));
    const out = path.join(tmp, `pred-${Math.random().toString(36).slice(2)}.json`);
    const r = spawnSync(process.execPath, [path.join(ROOT, "bin", "massive.cjs"), "predict", "--train", MODELS.slice(0, 2).join(","), "--config", file, "--steps", steps, "--out", out], { cwd: ROOT, encoding: "utf8", env: { ...process.env, MASSIVE_QUIET: "1" } });
    return { code: r.status, stderr: r.stderr, out };
  };
  const big = run({ ...cfg, hidden_size: 16384, num_hidden_layers: 2, num_attention_heads: 128, intermediate_size: 65536 });
  assert.equal(big.code, 0, big.stderr);
  assert.match(big.stderr, /outside the training range/);
  const text = fs.readFileSync(big.out, "utf8");
  assert.ok(!/NaN|Infinity|null/.test(JSON.stringify(JSON.parse(text).layers)), "no NaN, Infinity or null among the predicted numbers");
  for (const [what, config, steps] of [
    ["hidden_size 0", { ...cfg, hidden_size: 0 }, undefined],
    ["hidden_size NaN (Python json)", JSON.stringify(cfg).replace(/"hidden_size":\s*\d+/, '"hidden_size": NaN'), undefined],
    ["heads not dividing d", { ...cfg, num_attention_heads: 3 }, undefined],
    ["negative steps", cfg, "-5,10"],
    ["steps not numbers", cfg, "1e3x"],
  ] as const) {
    const r = run(config as Record<string, unknown> | string, steps);
    assert.notEqual(r.code, 0, `${what}: must fail (stderr ${r.stderr})`);
    const last = r.stderr.trim().split("\n").pop()!;
    assert.ok(last.length > 10 && !/at .*\.ts:\d+/.test(r.stderr), `${what}: a one-line reason, no stack trace: ${r.stderr}`);
    assert.ok(!fs.existsSync(r.out), `${what}: no output file written`);
  }
});
