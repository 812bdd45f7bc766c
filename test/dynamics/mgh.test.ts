// leastSquares on the Moré-Garbow-Hillstrom problems (ACM TOMS 1981; test/fixtures/mgh, the held-out set of
// bench/lsq), published form, starts x0 and 10 x0, default options: the residuals and hand-written Jacobians of
// test/helpers/mgh.ts against sympy's (fixture), the published minima f*, and the same results in units that round.
// Reference (documentation only, not read here; bench/lsq/results-2026-12-02b.txt): scipy 1.10.1 least_squares
// with the same Jacobians and defaults solves 56 of the 66 pairs with "trf" and 56 with "lm".
import { test } from "node:test";
import assert from "node:assert/strict";
import { leastSquares } from "../../src/index";
import { loadMghFixtures, mghProblem, mghSolved, mghStarts } from "../helpers/mgh";

test("MGH residuals and hand-written Jacobians match sympy's (fixture) at x0 and 10 x0 to 1e-12 of their largest entry", () => {
  const fixtures = loadMghFixtures();
  assert.equal(fixtures.length, 33);
  for (const fx of fixtures) {
    const prob = mghProblem(fx);
    for (const at of fx.at) {
      const p = Float64Array.from(at.x);
      const r = new Float64Array(fx.m);
      const J = new Float64Array(fx.m * fx.n);
      prob.residuals(p, r);
      prob.jacobian(p, J);
      const rScale = Math.max(1e-300, ...at.residuals.map(Math.abs));
      const jScale = Math.max(1e-300, ...at.jacobian.flat().map(Math.abs));
      at.residuals.forEach((v, i) => assert.ok(Math.abs(v - r[i]!) <= 1e-12 * rScale, `${fx.number} ${fx.name} r_${i} at ${at.x}: ${r[i]} vs sympy ${v}`));
      at.jacobian.forEach((row, i) =>
        row.forEach((v, j) => assert.ok(Math.abs(v - J[i * fx.n + j]!) <= 1e-12 * jScale, `${fx.number} ${fx.name} J_${i},${j}: ${J[i * fx.n + j]} vs sympy ${v}`)),
      );
    }
  }
});

/**
 * Pairs not solved, with the reason. Where scipy trf and lm also miss f*, both end at the same published local
 * minimum or failure; the three marked "scipy solves" are where the project's solver is behind scipy (see
 * docs/dynamics.md, the held-out set).
 */
const NOT_SOLVED = new Map([
  ["2 1", "Freudenstein-Roth: local minimum 48.98 (scipy too)"],
  ["2 2", "Freudenstein-Roth: local minimum 48.98 (scipy too)"],
  ["3 2", "Powell badly scaled from 10 x0: budget spent at f ~ 1e-8 (scipy solves in 7)"],
  ["5 2", "Beale from 10 x0: stalls at f = 0.452 (scipy too)"],
  ["6 2", "Jennrich-Sampson from 10 x0: f = 2020 (scipy trf too)"],
  ["8 2", "Bard from 10 x0: local minimum 17.43 (scipy too)"],
  ["12 2", "Box 3-D from 10 x0: stops by ftol at f = 0.076 (scipy solves)"],
  ["15 2", "Kowalik-Osborne from 10 x0: local minimum 1.03e-3 (scipy too)"],
  ["19 2", "Osborne 2 from 10 x0: f = 1.79 (scipy too)"],
  ["26 2", "Trigonometric from 10 x0: local minimum 2.80e-5 (scipy too)"],
  ["27 2", "Brown almost-linear from 10 x0: local minimum f = 1 (scipy solves)"],
]);

test("MGH: f* to 4 digits on every pair but the listed ones (which must still fail: update the list when one is fixed)", () => {
  for (const fx of loadMghFixtures()) {
    const prob = mghProblem(fx);
    mghStarts(fx).forEach((start, s) => {
      const key = `${fx.number} ${s + 1}`;
      const r = leastSquares(prob, start);
      const f = 2 * r.cost;
      assert.equal(mghSolved(f, fx.fstar), !NOT_SOLVED.has(key), `${fx.number} ${fx.name} start ${s + 1}: f = ${f} (f* = ${fx.fstar}), ${r.status} ${r.message}`);
    });
  }
});

test("MGH: residuals times 2^10 (exact in binary) give the same evaluations and f / 2^20 on every pair", () => {
  for (const fx of loadMghFixtures()) {
    const prob = mghProblem(fx);
    const scaled = {
      n: prob.n,
      residuals: (p: Float64Array, out: Float64Array) => {
        prob.residuals(p, out);
        for (let i = 0; i < out.length; i++) out[i] *= 1024;
      },
      jacobian: (p: Float64Array, out: Float64Array) => {
        prob.jacobian(p, out);
        for (let i = 0; i < out.length; i++) out[i] *= 1024;
      },
    };
    for (const start of mghStarts(fx)) {
      const a = leastSquares(prob, start);
      const b = leastSquares(scaled, start);
      assert.equal(b.nfev, a.nfev, `${fx.number} ${fx.name}`);
      assert.equal(b.cost / 1024 ** 2, a.cost, `${fx.number} ${fx.name}`);
    }
  }
});
