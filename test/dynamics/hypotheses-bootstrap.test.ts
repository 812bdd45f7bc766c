import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { readExp2Series, layerSeries, compareHypotheses, formatHypothesisTable, fitSeries, bootstrapLayer, robustFit, HYPOTHESES } from "../../src/index";

const suiteDir = path.resolve(__dirname, "../../data/mini-pythia");

test("hypothesis comparison (Table 5 shape): Eq. 9 and Eq. 14 reach the same optimum, the first-order step is worse", () => {
  const inputs = ["d128-L8-H8", "d512-L4-H8"].map((m) => {
    const s = readExp2Series(path.join(suiteDir, m));
    return { name: m, steps: s.steps, layers: layerSeries(s, "ratio") };
  });
  const rows = compareHypotheses(inputs);
  console.log(formatHypothesisTable(rows));
  assert.equal(rows.length, 2 * HYPOTHESES.length);
  for (const name of ["d128-L8-H8", "d512-L4-H8"]) {
    const get = (h: string) => rows.find((r) => r.name === name && r.hypothesis === h)!;
    assert.ok(Math.abs(get("original_eq9").meanR2 - get("reparametrized_eq14").meanR2) < 1e-4, "Eq. 14 is Eq. 9 reparametrised");
    assert.ok(get("original_eq9").meanR2 > get("first_order_step").meanR2);
    for (const r of rows) assert.equal(r.failed, 0);
  }
});

test("bootstrap over the evaluation sequences: seeded, every parameter and the peak time", () => {
  const s = readExp2Series(path.join(suiteDir, "d512-L4-H8"));
  const fit = robustFit(s.steps, layerSeries(s, "ratio")[0]!);
  const a = bootstrapLayer(s, 0, "ratio", fit, { replicates: 12, seed: 5 });
  const b = bootstrapLayer(s, 0, "ratio", fit, { replicates: 12, seed: 5 });
  assert.deepEqual(a.samples, b.samples);
  assert.ok(a.converged >= 10, `${a.converged} of 12 converged`);
  for (const k of ["A", "lambda", "gamma", "t0", "K"] as const) {
    assert.ok(Number.isFinite(a.params[k].std) && a.params[k].std >= 0, k);
    assert.ok(a.params[k].ci95[0] <= a.params[k].ci95[1]);
  }
  assert.ok(a.earlyPeakFraction >= 0 && a.earlyPeakFraction <= 1);
  assert.notDeepEqual(bootstrapLayer(s, 0, "ratio", fit, { replicates: 12, seed: 6 }).samples, a.samples);
});

test("fitSeries: one LayerFit per layer with peak analysis, paper comparison and an optional bootstrap", () => {
  const s = readExp2Series(path.join(suiteDir, "d256-L4-H4"));
  const fits = fitSeries(s, "median", { bootstrap: 4, seed: 1 });
  assert.equal(fits.length, 4);
  fits.forEach((f, l) => {
    assert.equal(f.layer, l);
    assert.equal(f.fit.status, "converged");
    assert.ok(f.paper && f.fit.r2 >= f.paper.r2 - 1e-4);
    assert.ok(f.peak && (f.peak.kind === "early peak" || f.peak.kind === "log increase"));
    assert.equal(f.bootstrap!.replicates, 4);
  });
  assert.throws(() => fitSeries(s, "top2" as never), /fitSeries: argument 'which' must be ratio, top1 or median/);
});
