// The headline numbers of the README recomputed from scratch: the nested cross-validated curve R^2 of the shipped
// trajectory predictor on the 41 architecture runs of mini-pythia v2, the baseline on the same folds, the band
// coverage and the seed-noise ceiling, each equal to the README's figure at its printed precision.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadTrainingModels, nestedCurveEvaluation, seedNoiseCeiling, candidateCount, ENSEMBLE_CANDIDATES } from "../../src/index";

const root = path.resolve(__dirname, "../..");
const suite = path.join(root, "data/mini-pythia");

/** The value of a row of the README's score table, found by the start of its label. */
function readmeValue(label: string): string {
  const row = fs.readFileSync(path.join(root, "README.md"), "utf8").split("\n").find((l) => l.trim().startsWith(`| ${label}`));
  assert.ok(row, `README has no table row starting with '${label}'`);
  return row!.split("|").map((c) => c.trim()).filter(Boolean).pop()!;
}

test("README's prediction scores equal a nested grouped cross-validation recomputed from the suite", { timeout: 900_000 }, () => {
  const runs = loadTrainingModels([suite], { runs: "all", onWarning: () => {} });
  const r = nestedCurveEvaluation(runs, { outerFolds: 5, seed: 0 });
  assert.equal(r.models.length, 41);
  assert.match(r.scheme, /nested grouped 5-fold \(outer 5 folds, grouped by model\), inner grouped 5-fold/);
  // every outer fold chose among the whole candidate list, inside the fold
  assert.equal(r.combinationsTried, candidateCount(ENSEMBLE_CANDIDATES));
  for (const h of r.heldOut) assert.ok(!h.trainedOn.includes(h.model), `${h.model} in its own training set`);
  // seed and recipe variants are never in a training set; each is predicted by the fold holding out its base
  assert.equal(r.variants.length, 15);
  for (const h of r.heldOut) assert.ok(h.trainedOn.every((n) => runs.find((m) => m.name === n)!.group === "architecture"));
  console.log(`nested mean ${r.meanLayerR2}, baseline ${r.baselineMeanLayerR2}, coverage ${r.bandCoverage}`);

  assert.equal(readmeValue("shipped predictor, nested grouped 5-fold"), r.meanLayerR2.toFixed(3));
  assert.equal(readmeValue("plain baseline"), r.baselineMeanLayerR2!.toFixed(3));
  // the band's coverage is measured on the held-out points and reported; it is near the level it aims at
  assert.equal(readmeValue("80% band"), `${(100 * r.bandCoverage).toFixed(1)}%`);
  assert.ok(r.bandCoverage > 0.7 && r.bandCoverage < 0.9, `coverage ${r.bandCoverage}`);
  assert.equal(readmeValue("seed-noise ceiling"), seedNoiseCeiling(suite).meanCurveR2.toFixed(3));
});
