import { test } from "node:test";
import assert from "node:assert/strict";
import {
  eq9Model, eq14Model, firstOrderStepModel, secondOrderUnderModel, secondOrderCriticalModel, secondOrderOverModel, eq9Gradient, eq9FromArray, type CurveModel,
} from "../../src/index";

// Points (normalised parameters) where each model is evaluated; t in [0, 1] as after normalisation.
const CASES: [CurveModel, number[][]][] = [
  [eq9Model, [[1, 3, 1, 1, 0.5], [-0.7, 0.2, 5, 0.05, 0.3], [2, 0, 20, 0.3, -1], [0.5, 12, 0.4, 0.9, 0.1]]],
  [eq14Model, [[0.8, 0.1, 3, 1, 0.5], [-1.2, 2, 0, 0.05, 0.3], [3, -4, 7, 0.3, 1]]],
  [firstOrderStepModel, [[0.1, 0.8, 0.2], [1, -0.5, 0.03]]],
  [secondOrderUnderModel, [[0.1, 0.8, 10, 0.3], [0, 1, 3, 0], [0.2, -0.5, 25, 0.9]]],
  [secondOrderCriticalModel, [[0.1, 0.8, 10], [0.5, -1, 0.7]]],
  [secondOrderOverModel, [[0.1, 0.8, 10, 1.5], [0, 1, 3, 1.05], [0.2, -0.5, 25, 12]]],
];
const TS = [0, 0.001, 0.013, 0.1, 0.37, 0.5, 0.9, 1];

test("analytic gradients of every curve model match central finite differences", () => {
  for (const [model, points] of CASES) {
    const k = model.paramNames.length;
    const g = new Float64Array(k);
    for (const p of points) {
      for (const t of TS) {
        model.gradient(p, t, g);
        for (let j = 0; j < k; j++) {
          const h = 1e-6 * Math.max(1, Math.abs(p[j]!));
          const up = [...p];
          const dn = [...p];
          up[j]! += h;
          dn[j]! -= h;
          // second-order one-sided difference where the parameter sits on a bound (lambda = 0, zeta = 0)
          const up2 = [...p];
          up2[j]! += 2 * h;
          const fd = p[j]! - h < model.lower[j]!
            ? (-3 * model.value(p, t) + 4 * model.value(up, t) - model.value(up2, t)) / (2 * h)
            : (model.value(up, t) - model.value(dn, t)) / (2 * h);
          const tol = 1e-5 * Math.max(1, Math.abs(fd));
          assert.ok(Math.abs(g[j]! - fd) <= tol, `${model.name} d/d${model.paramNames[j]} at p=${p} t=${t}: analytic ${g[j]} vs finite difference ${fd}`);
        }
      }
    }
  }
});

test("eq9Gradient (raw units) equals the model's gradient", () => {
  const p = [0.2, 0.12, 1.1e-4, 0.62, 0.12];
  const a = new Float64Array(5);
  eq9Model.gradient(p, 38_900, a);
  assert.deepEqual(Array.from(eq9Gradient(eq9FromArray(p), 38_900)), Array.from(a));
});

test("denormalise is the inverse of normalise and its Jacobian matches finite differences", () => {
  const s = { tShift: 125, tScale: 2875, yShift: 4.2, yScale: 17.5 };
  for (const [model, points] of CASES) {
    const sc = model.shiftTime ? s : { ...s, tShift: 0 };
    for (const pn of points) {
      const { p, jac } = model.denormalise(pn, sc);
      const back = model.normalise(p, sc);
      back.forEach((v, j) => assert.ok(Math.abs(v - pn[j]!) <= 1e-9 * Math.max(1, Math.abs(pn[j]!)), `${model.name} round trip ${j}`));
      // same curve: f_raw(t) = yShift + yScale f_n((t - tShift)/tScale)
      for (const tn of TS) {
        const t = sc.tShift + sc.tScale * tn;
        assert.ok(Math.abs(model.value(p, t) - (sc.yShift + sc.yScale * model.value(pn, tn))) <= 1e-9 * Math.max(1, Math.abs(model.value(p, t))), `${model.name} curve at ${tn}`);
      }
      for (let j = 0; j < pn.length; j++) {
        const h = 1e-6 * Math.max(1, Math.abs(pn[j]!));
        const up = [...pn];
        const dn = [...pn];
        up[j]! += h;
        dn[j]! -= h;
        const a = model.denormalise(up, sc).p;
        const b = model.denormalise(dn, sc).p;
        for (let i = 0; i < p.length; i++) {
          const fd = (a[i]! - b[i]!) / (2 * h);
          assert.ok(Math.abs(jac[i]![j]! - fd) <= 1e-5 * Math.max(1, Math.abs(fd)), `${model.name} d raw ${i} / d norm ${j}: ${jac[i]![j]} vs ${fd}`);
        }
      }
    }
  }
});
