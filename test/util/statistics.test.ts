import { test } from "node:test";
import assert from "node:assert/strict";
import { mean, rSquared, sumOfSquares } from "../../src/util/statistics";
import { r2Score, rSquared as dynamicsRSquared, rss } from "../../src/index";

// Reference values (scikit-learn 1.2.1, numpy):
// /usr/bin/python3 -c "from sklearn.metrics import r2_score; import numpy as np;
//   print(r2_score([3,-0.5,2,7],[2.5,0,2,8]), r2_score([2,2,2],[2,2,2]), r2_score([2,2,2],[2,2.1,2]),
//         np.mean([1.5,2.25,-4,10]))"
// -> 0.9486081370449679 1.0 0.0 2.4375
const Y = [3, -0.5, 2, 7];
const PRED = [2.5, 0, 2, 8];

test("rSquared matches sklearn.metrics.r2_score (tolerance 1e-15)", () => {
  const residuals = Y.map((y, i) => y - PRED[i]!);
  assert.ok(Math.abs(rSquared(Y, residuals) - 0.9486081370449679) < 1e-15);
  assert.ok(Math.abs(r2Score(Y, PRED) - 0.9486081370449679) < 1e-15);
  // dynamics' rSquared is the same function (one home), not a copy
  assert.equal(dynamicsRSquared, rSquared);
  assert.equal(rss(residuals), sumOfSquares(residuals));
  assert.equal(sumOfSquares(residuals), 0.25 + 0.25 + 0 + 1);
});

test("a constant series: NaN for a curve fit, scikit-learn's 1 / 0 for a prediction score", () => {
  assert.ok(Number.isNaN(rSquared([2, 2, 2], [0, 0, 0])));
  assert.equal(rSquared([2, 2, 2], [0, 0, 0], "sklearn"), 1);
  assert.equal(r2Score([2, 2, 2], [2, 2, 2]), 1);
  assert.equal(r2Score([2, 2, 2], [2, 2.1, 2]), 0);
  assert.ok(Number.isNaN(r2Score([1, NaN, 3], [1, 2, 3])), "a NaN in the data gives NaN, not 0");
});

test("mean matches numpy.mean; NaN for an empty list", () => {
  assert.equal(mean([1.5, 2.25, -4, 10]), 2.4375);
  assert.equal(mean(new Float64Array([1, 2])), 1.5);
  assert.ok(Number.isNaN(mean([])));
});
