// Eq. 14's solver problem (CurveModel.problem) keeps exp(-beta t) and ln(t + tau0) between the residuals and the
// Jacobian of one point. Its numbers must be exactly those of residualsInto / jacobianInto (themselves checked
// against finite differences in jacobians.test.ts through value/gradient), whatever order the solver asks in.
import { test } from "node:test";
import assert from "node:assert/strict";
import { eq14Model } from "../../src/index";

const t = Float64Array.from([0, 0.001, 0.013, 0.1, 0.37, 0.5, 0.9, 1]);
const y = Float64Array.from([0.1, 0.2, 0.5, 0.9, 1, 0.8, 0.6, 0.55]);
const POINTS = [[0.8, 0.1, 3, 1, 0.5], [-1.2, 2, 0, 0.05, 0.3], [3, -4, 7, 0.3, 1], [3.5, -4, 7, 0.3, 1.2]].map((p) => Float64Array.from(p));

test("eq14 problem: residuals and Jacobian equal residualsInto / jacobianInto exactly, in any call order", () => {
  const problem = eq14Model.problem!(t, y);
  const [r, rRef, J, JRef] = [new Float64Array(8), new Float64Array(8), new Float64Array(40), new Float64Array(40)];
  // residuals then Jacobian at the same point, a Jacobian at a point without residuals first, points that share
  // beta and tau0 (the last two) and returns to an earlier point
  const order: [number, "r" | "J"][] = [[0, "r"], [0, "J"], [1, "J"], [1, "r"], [2, "r"], [3, "r"], [3, "J"], [2, "J"], [0, "r"]];
  for (const [k, what] of order) {
    const p = POINTS[k]!;
    if (what === "r") {
      problem.residuals(p, r);
      eq14Model.residualsInto!(p, t, y, rRef);
      assert.deepEqual(Array.from(r), Array.from(rRef), `residuals at point ${k}`);
    } else {
      problem.jacobian(p, J);
      eq14Model.jacobianInto!(p, t, JRef);
      assert.deepEqual(Array.from(J), Array.from(JRef), `Jacobian at point ${k}`);
    }
  }
});
