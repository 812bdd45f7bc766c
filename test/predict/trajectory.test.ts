import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import {
  loadTrainingModels, TrajectoryPredictor, EnsembleTrajectoryPredictor, usableLayers, unusableLayerWarnings,
  curveScore, resampleCurve,
} from "../../src/index";

const suite = path.resolve(__dirname, "../../data/mini-pythia");
// A small candidate list keeps these tests fast: 2 curve models x 1 tree setting x 3 weights.
const SMALL = { curveModels: [{ components: 1, alpha: 10 }, { components: 2, alpha: 10 }], trees: [{ maxDepth: 2, nEstimators: 20, learningRate: 0.1 }], treeWeights: [0, 0.5, 1] };

test("the ensemble predicts finite positive curves at arbitrary steps, also past the last training step", () => {
  const models = loadTrainingModels([path.join(suite, "d128-L4-H4"), path.join(suite, "d256-L6-H8"), path.join(suite, "d512-L8-H16")]);
  const p = new EnsembleTrajectoryPredictor({ candidates: SMALL, innerFolds: 3 }).fit(models);
  const arch = { hiddenSize: 192, numLayers: 5, numHeads: 6, intermediateSize: 768, rotaryPct: 0.25, rotaryBase: 10000 };
  const steps = [0, 3, 100, 3000, 10000];
  const out = p.predict(arch, steps);
  assert.equal(out.length, 5);
  for (const row of out) {
    assert.equal(row.length, 5);
    for (const v of row) assert.ok(Number.isFinite(v) && v > 0, `value ${v}`);
  }
  // the choice was made by the inner CV among the 2 x 1 x 3 = 5 distinct combinations (w = 0 and w = 1 once each)
  assert.equal(p.selection_!.tried, 5);
  assert.ok(SMALL.treeWeights.includes(p.selection_!.treeWeight));
  // the band brackets the prediction, and past the last training step holds its last width
  const band = p.predictWithBand(arch, steps);
  band.ratio.forEach((row, l) => row.forEach((v, k) => assert.ok(band.lower[l]![k]! <= v && v <= band.upper[l]![k]!, `layer ${l} step ${steps[k]}`)));
  assert.ok(Math.abs(band.upper[0]![4]! / band.ratio[0]![4]! - band.upper[0]![3]! / band.ratio[0]![3]!) < 1e-12);
  assert.throws(() => new TrajectoryPredictor().predict(arch, [0]), /not fitted yet; call fit/);
});

test("curve scores and log-step resampling", () => {
  const s = curveScore([[1, 2, 3], [2, 2, 4]], [[1, 2, 3], [2, 3, 3]]);
  assert.equal(s.perLayer[0], 1);
  assert.ok(Math.abs(s.perLayer[1]! - (1 - 2 / (8 / 3))) < 1e-12);
  // midway in log1p between steps 0 and 3 is step 1 (log1p(1) = log(2) = log1p(3) / 2)
  assert.ok(Math.abs(resampleCurve([0, 3], [10, 20], [1])[0]! - 15) < 1e-12);
  assert.deepEqual(resampleCurve([0, 3], [10, 20], [0, 99]), [10, 20]);
});

test("dead layers (ratio +Infinity or NaN: median 0) are left out of trajectory training, with a warning", () => {
  const models = loadTrainingModels([path.join(suite, "d128-L4-H4"), path.join(suite, "d256-L6-H8")]);
  const dead = { ...models[0]!, name: "dead", ratio: models[0]!.ratio.map((c, l) => (l === 1 ? c.map((v, k) => (k % 2 ? Infinity : NaN)) : c)) };
  const train = [dead, models[1]!];
  assert.deepEqual(usableLayers(dead), [0, 2, 3]);
  assert.match(unusableLayerWarnings(train)[0]!, /dead: layer\(s\) 1 have a non-finite/);
  const single = { curveModels: [{ components: 2, alpha: 10 }], trees: [{ maxDepth: 3, nEstimators: 10, learningRate: 0.1 }], treeWeights: [0.5] };
  const p = new EnsembleTrajectoryPredictor({ candidates: single }).fit(train);
  // two models are too few to choose: a list of several candidates is refused with the reason
  assert.throws(() => new EnsembleTrajectoryPredictor({ candidates: SMALL }).fit(train), /needs at least 3 training models/);
  for (const row of p.predict(models[0]!.arch, [0, 100, 3000])) for (const v of row) assert.ok(Number.isFinite(v) && v > 0);
});

test("a candidate list without tree weight (curve model only) fits, chooses among curve models and gives a band", () => {
  const models = loadTrainingModels([path.join(suite, "d128-L4-H4"), path.join(suite, "d256-L6-H8"), path.join(suite, "d512-L8-H16")]);
  const curveOnly = { ...SMALL, treeWeights: [0] };
  const p = new EnsembleTrajectoryPredictor({ candidates: curveOnly, innerFolds: 3 }).fit(models);
  assert.equal(p.selection_!.tried, 2);
  assert.equal(p.selection_!.treeWeight, 0);
  const band = p.predictWithBand(models[0]!.arch, [0, 3000]);
  band.ratio.forEach((row, l) => row.forEach((v, k) => assert.ok(band.lower[l]![k]! <= v && v <= band.upper[l]![k]!)));
});
