import { test } from "node:test";
import assert from "node:assert/strict";
import { paperProcedure, robustFit, fitCurve, eq9, eq9Model, fitSeries, fitParamsEntry, leastSquares, type Exp2Series } from "../../src/index";

const STEPS = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, ...Array.from({ length: 24 }, (_, i) => 625 + 125 * i)];
const TRUE = { A: 2, lambda: 0.5, gamma: 0.004, t0: 0.8, K: 6 };
const Y = STEPS.map((t) => eq9(TRUE, t));

test("recovers known Eq. 9 parameters from noiseless data", () => {
  const f = robustFit(STEPS, Y);
  assert.equal(f.status, "converged");
  assert.ok(f.r2 > 1 - 1e-10, `R^2 ${f.r2}`);
  const p = f.params as typeof TRUE;
  for (const k of ["A", "lambda", "gamma", "t0", "K"] as const) assert.ok(Math.abs(p[k] - TRUE[k]) <= 1e-4 * Math.abs(TRUE[k]), `${k}: ${p[k]} vs ${TRUE[k]}`);
});

test("non-finite points are dropped with a warning; the fit goes on", () => {
  const y = [...Y];
  y[3] = NaN;
  y[10] = Infinity;
  const f = robustFit(STEPS, y);
  assert.equal(f.status, "converged");
  assert.equal(f.n, STEPS.length - 2);
  assert.match(f.warnings.join(), /dropped 2 non-finite point\(s\) at step\(s\) 4, 512/);
  assert.ok(f.popt.every(Number.isFinite) && Number.isFinite(f.r2) && Number.isFinite(f.aic));
});

test("a constant series, too few points or mismatched lengths fail explicitly and carry no numbers", () => {
  const cases: [number[], number[], RegExp][] = [
    [STEPS, STEPS.map(() => 6.5), /constant series/],
    [[0, 1, 2, 3, 4], [1, 2, 3, 2, 1], /only 5 finite point\(s\) for 5 parameters: at least 6 are needed/],
    [STEPS, [...Y].map((v, i) => (i < 30 ? NaN : v)), /only 5 finite point/],
    [STEPS, Y.slice(1), /steps has 35 values but y has 34/],
    [[5, 5, 5, 5, 5, 5, 5], [1, 2, 3, 4, 5, 6, 7], /all points share one step/],
  ];
  for (const [t, y, re] of cases) {
    for (const f of [paperProcedure(t, y), robustFit(t, y)]) {
      assert.equal(f.status, "failed");
      assert.match(f.message, re);
      assert.deepEqual(f.popt, []);
      assert.deepEqual(f.pcov, []);
    }
  }
});

test("fewer points than the paper's minimum of 27 fit with a warning", () => {
  const f = robustFit(STEPS.slice(0, 12), Y.slice(0, 12));
  assert.notEqual(f.status, "failed");
  assert.match(f.warnings.join(), /12 points, fewer than the paper's minimum of 27/);
});

test("the solver reports failure when the start is outside the curve's domain", () => {
  const r = leastSquares({ n: 2, residuals: (p, out) => { out[0] = Math.log(p[0]!); out[1] = 0; }, jacobian: (p, out) => { out[0] = 1 / p[0]!; out[1] = 0; } }, [-1]);
  assert.equal(r.status, "non-finite");
  assert.match(r.message, /not finite at the starting point/);
  // a bounded problem lands on its bound: min (p - 3)^2 with p <= 1
  const b = leastSquares({ n: 1, residuals: (p, out) => { out[0] = p[0]! - 3; }, jacobian: (_p, out) => { out[0] = 1; } }, [0], { upper: [1] });
  assert.equal(b.status, "converged");
  assert.equal(b.p[0], 1);
  assert.deepEqual(b.activeMask, [true]);
});

test("covariance: standard errors shrink with noise and are in raw units", () => {
  let seed = 3;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.02;
  const y = Y.map((v) => v + noise());
  const f = fitCurve(eq9Model, STEPS, y, { starts: [eq9Model.normalise([TRUE.A, TRUE.lambda, TRUE.gamma, TRUE.t0, TRUE.K], { tShift: 0, tScale: 3500, yShift: Math.min(...y), yScale: Math.max(...y) - Math.min(...y) })] });
  assert.equal(f.status, "converged");
  assert.equal(f.stderr.length, 5);
  f.stderr.forEach((s, j) => assert.ok(s > 0 && s < 0.5 * Math.abs(f.popt[j]!) + 1e-3, `stderr ${j} = ${s} for ${f.popt[j]}`));
  // gamma's standard error is in 1/step units like gamma itself
  assert.ok(f.stderr[2]! < 1e-3);
});

test("fitSeries: a layer that cannot be fitted is reported as failed and written with original = null", () => {
  const flat: Exp2Series = {
    name: "flat", steps: STEPS, numLayers: 1, numSequences: 2,
    checkpoints: STEPS.map((step) => ({ step, values: [[[3], [2], [1], [0.5]], [[3], [2], [1], [0.5]]] })),
  };
  const [lf] = fitSeries(flat, "ratio");
  assert.equal(lf!.fit.status, "failed");
  assert.equal(lf!.peak, undefined);
  const e = fitParamsEntry(lf!);
  assert.equal(e.original, null);
  assert.equal(e.status, "failed");
  assert.match(String(e.message), /constant series/);
});

test("positiveAmplitude keeps A >= 0 and is never worse than the paper's start under the same bound", async () => {
  const { readExp2Series, layerSeries } = await import("../../src/index");
  const path = await import("node:path");
  const s = readExp2Series(path.resolve(__dirname, "../../data/mini-pythia/d128-L8-H8"));
  const y = layerSeries(s, "ratio")[3]!;
  const free = robustFit(s.steps, y);
  const pos = robustFit(s.steps, y, { positiveAmplitude: true });
  assert.ok((free.params as { A: number }).A < 0, "this layer dips: the unconstrained optimum has A < 0");
  assert.ok((pos.params as { A: number }).A >= 0);
  assert.ok(pos.r2 <= free.r2 + 1e-9);
  assert.ok(pos.r2 >= paperProcedure(s.steps, y).r2 - 1e-3);
});
