// Statuses of leastSquares: each one on a problem that must produce it, and "converged" never without an accepted
// step unless the start itself passes gtol or fits exactly. Reference values: NIST StRD certified values
// (test/fixtures/nist-strd) and closed-form optima.
import { test } from "node:test";
import assert from "node:assert/strict";
import { bestOf, leastSquares, type LeastSquaresProblem, type LeastSquaresResult } from "../../src/index";

import { loadNistFixtures, minLre, nistProblem } from "../helpers/nist-strd";

const nist = (name: string) => loadNistFixtures().find((f) => f.name === name)!;

/** r = (p1 - 3, p2 + 1): the optimum is (3, -1), or (3, 0) under p2 >= 0. */
const shifted: LeastSquaresProblem = {
  n: 2,
  residuals(p, out) {
    out[0] = p[0]! - 3;
    out[1] = p[1]! + 1;
  },
  jacobian(_p, out) {
    out.set([1, 0, 0, 1]);
  },
};

test("converged by ftol and by xtol after accepted steps, at NIST's certified values", () => {
  const misra = nist("Misra1a");
  const a = leastSquares(nistProblem(misra), misra.starts[1]!);
  assert.equal(a.status, "converged");
  assert.equal(a.convergedBy, "ftol");
  assert.ok(a.acceptedSteps > 0);
  assert.ok(minLre(a.p, misra.certified) >= 6);
  const lanczos = nist("Lanczos1");
  const b = leastSquares(nistProblem(lanczos), lanczos.starts[0]!);
  assert.equal(b.status, "converged");
  assert.match(b.convergedBy!, /xtol/);
  assert.ok(b.acceptedSteps > 0);
  assert.ok(minLre(b.p, lanczos.certified) >= 6);
});

test("converged by ftol at the rounding floor: a Gauss-Newton step that changes the cost by ~1e-12 of it without lowering it", () => {
  // Lanczos3 from NIST's start 2 reaches its certified RSS after 7 evaluations; the next Gauss-Newton steps change the
  // cost by ~1e-12 of itself, up or down, so scipy's ftol (ratio > 0.25) cannot pass: MINPACK's ftol stops there
  const lanczos = nist("Lanczos3");
  const r = leastSquares(nistProblem(lanczos), lanczos.starts[1]!);
  assert.equal(r.status, "converged");
  assert.equal(r.convergedBy, "ftol");
  assert.match(r.message, /rounding floor/);
  assert.ok(r.acceptedSteps > 0);
  assert.ok(minLre(r.p, lanczos.certified) >= 6);
  assert.ok(Math.abs(2 * r.cost - lanczos.certifiedRss) <= 1e-6 * lanczos.certifiedRss);
  assert.ok(r.nfev <= 9, `nfev ${r.nfev}`);
});

test("converged by gtol: at the start only when the start is optimal; an exact fit says so", () => {
  const r = leastSquares(shifted, [3, -1]);
  assert.equal(r.status, "converged");
  assert.equal(r.convergedBy, "exact");
  assert.equal(r.acceptedSteps, 0);
  // a non-zero-residual problem started at its optimum: r = (p - 1, p + 1), optimum p = 0
  const r2 = leastSquares({ n: 2, residuals: (p, out) => out.set([p[0]! - 1, p[0]! + 1]), jacobian: (_p, out) => out.set([1, 1]) }, [0]);
  assert.equal(r2.status, "converged");
  assert.equal(r2.convergedBy, "gtol");
  assert.equal(r2.nfev, 1);
});

test("no-progress: a wrong Jacobian never lowers the cost; the start comes back, not labelled converged", () => {
  const wrong: LeastSquaresProblem = { n: 1, residuals: (p, out) => out.set([p[0]! - 3]), jacobian: (_p, out) => out.set([-1]) };
  const r = leastSquares(wrong, [0]);
  assert.equal(r.status, "no-progress");
  assert.equal(r.acceptedSteps, 0);
  assert.equal(r.convergedBy, undefined);
  assert.deepEqual(Array.from(r.p), [0]);
  assert.ok(r.nfev > 1);
});

test("max-evaluations: Rosenbrock with a budget of 10 evaluations", () => {
  const rosen: LeastSquaresProblem = {
    n: 2,
    residuals: (p, out) => out.set([10 * (p[1]! - p[0]! * p[0]!), 1 - p[0]!]),
    jacobian: (p, out) => out.set([-20 * p[0]!, 10, -1, 0]),
  };
  const r = leastSquares(rosen, [-1.2, 1], { maxNfev: 10 });
  assert.equal(r.status, "max-evaluations");
  assert.ok(r.nfev <= 10);
  // with the default budget it reaches (1, 1)
  const full = leastSquares(rosen, [-1.2, 1]);
  assert.equal(full.status, "converged");
  full.p.forEach((v) => assert.ok(Math.abs(v - 1) < 1e-6));
});

test("non-finite: residuals or Jacobian not finite at the start", () => {
  const logR: LeastSquaresProblem = { n: 1, residuals: (p, out) => out.set([Math.log(p[0]!)]), jacobian: (p, out) => out.set([1 / p[0]!]) };
  assert.equal(leastSquares(logR, [-1]).status, "non-finite");
  const badJ: LeastSquaresProblem = { n: 1, residuals: (p, out) => out.set([p[0]! - 1]), jacobian: (_p, out) => out.set([NaN]) };
  const r = leastSquares(badJ, [0]);
  assert.equal(r.status, "non-finite");
  assert.match(r.message, /Jacobian is not finite at the starting point/);
});

test("bounds: a start on a bound is moved inside, and the other coordinate still reaches its optimum", () => {
  // the old solver scaled the whole step by one factor when p2 met its bound, which froze p1
  const r = leastSquares(shifted, [0, 0], { lower: [-Infinity, 0] });
  assert.equal(r.status, "converged");
  assert.ok(Math.abs(r.p[0]! - 3) < 1e-8, `p1 = ${r.p[0]}`);
  assert.equal(r.p[1], 0);
  assert.deepEqual(r.activeMask, [false, true]);
  // a start outside the box
  const s = leastSquares(shifted, [10, -5], { lower: [-Infinity, 0], upper: [2, Infinity] });
  assert.equal(s.status, "converged");
  assert.deepEqual(Array.from(s.p), [2, 0]);
});

test("bestOf ranks by cost first, whatever the status", () => {
  const base = leastSquares(shifted, [0, 0]);
  const mk = (status: LeastSquaresResult["status"], cost: number): LeastSquaresResult => ({ ...base, status, cost });
  assert.equal(bestOf([mk("converged", 2), mk("max-evaluations", 1)]).cost, 1);
  assert.equal(bestOf([mk("max-evaluations", 1), mk("converged", 1)]).status, "converged");
  assert.equal(bestOf([mk("non-finite", 0), mk("no-progress", 5)]).status, "no-progress");
});
