import { test } from "node:test";
import assert from "node:assert/strict";
import { eq9, eq9Derivative, peakAnalysis, eq9ToEq14, eq14ToEq9, eq14, type Eq9Params } from "../../src/index";

// The released Pythia-410m layer-0 median fit (pythia_410m/params/layer_fit_params_median.json; copied into
// ../shared/paper/tables.json as released_fit_example): r2 0.9982939174413806, aic -302.02881566683106.
const RELEASED: Eq9Params = { A: 0.1991413262927913, lambda: 0.1245164347289605, gamma: 0.00011243504071098889, t0: 0.6212193145868949, K: 0.12193486521476592 };

test("Eq. 9 on the released 410m layer-0 median fit: f(0) ~ 0.034, f(143000) ~ 0.192", () => {
  // python3 -c "import numpy as np; A,l,g,t0,K=...; f=lambda t: A*np.exp(-l*(g*t+t0))*np.log(g*t+t0)+K; print(f(0), f(143000))"
  assert.ok(Math.abs(eq9(RELEASED, 0) - 0.03418637419475254) < 1e-15);
  assert.ok(Math.abs(eq9(RELEASED, 143000) - 0.19202321432282515) < 1e-14);
  assert.ok(Number.isNaN(eq9({ ...RELEASED, t0: -1 }, 0)), "outside the domain x > 0 it is NaN, never a number");
});

test("peak analysis of the released fit: t_peak ~ 38,900 steps, an early peak inside [0, 143000]", () => {
  const pk = peakAnalysis(RELEASED, [0, 143000]);
  // x* = 1/(lambda W(1/lambda)), W(8.031068366009167) = 1.6082012484808097 (scipy.special.lambertw)
  const xStar = 1 / (RELEASED.lambda * 1.6082012484808097);
  assert.ok(Math.abs(pk.xStar - xStar) < 1e-12 * xStar);
  assert.ok(Math.abs(pk.tPeak - 38_900) < 100, `t_peak ${pk.tPeak}`);
  assert.ok(Math.abs(eq9Derivative(RELEASED, pk.tPeak)) < 1e-15, "f' vanishes at the peak");
  assert.equal(pk.kind, "early peak");
  assert.equal(pk.extremum, "maximum");
  assert.ok(pk.inWindow && pk.observable);
  assert.ok(pk.valueAtPeak > eq9(RELEASED, 143000));
});

test("peak analysis: lambda = 0 is a log increase with no finite peak; a late peak is a log increase", () => {
  const log = peakAnalysis({ ...RELEASED, lambda: 0 }, [0, 143000]);
  assert.equal(log.kind, "log increase");
  assert.equal(log.tPeak, Infinity);
  assert.equal(log.inWindow, false);
  const late = peakAnalysis({ ...RELEASED, gamma: RELEASED.gamma / 10 }, [0, 143000]);
  assert.ok(late.tPeak > 143000);
  assert.equal(late.kind, "log increase");
  const trough = peakAnalysis({ ...RELEASED, A: -RELEASED.A }, [0, 143000]);
  assert.equal(trough.extremum, "minimum");
  assert.throws(() => peakAnalysis({ ...RELEASED, lambda: -1 }, [0, 1]), /lambda >= 0/);
});

test("Eq. 14 is an exact reparametrisation of Eq. 9, both ways", () => {
  const q = eq9ToEq14(RELEASED);
  for (const t of [0, 1, 1000, 38_900, 143_000]) assert.ok(Math.abs(eq14(q, t) - eq9(RELEASED, t)) < 1e-14);
  const back = eq14ToEq9(q);
  for (const k of ["A", "lambda", "gamma", "t0", "K"] as const) assert.ok(Math.abs(back[k] - RELEASED[k]) <= 1e-12 * Math.abs(RELEASED[k]), k);
  assert.throws(() => eq14ToEq9({ ...q, A1: 0 }), /A1 = 0/);
});
