/**
 * Regression scores as scikit-learn defines them.
 */
import { rSquared } from "../util/statistics";

/**
 * Coefficient of determination R^2 = 1 - sum (y - yhat)^2 / sum (y - mean(y))^2 (sklearn.metrics.r2_score).
 * A constant `yTrue` gives 1 for a perfect prediction and 0 otherwise, as scikit-learn does.
 * @throws when the lengths differ or are zero.
 */
export function r2Score(yTrue: readonly number[], yPred: readonly number[]): number {
  if (yTrue.length !== yPred.length || yTrue.length === 0) {
    throw new Error(`r2Score: yTrue and yPred must have the same non-zero length, got ${yTrue.length} and ${yPred.length}`);
  }
  return rSquared(yTrue, yTrue.map((y, i) => y - yPred[i]!), "sklearn");
}

/** Mean squared error. */
export function meanSquaredError(yTrue: readonly number[], yPred: readonly number[]): number {
  if (yTrue.length !== yPred.length || yTrue.length === 0) {
    throw new Error(`meanSquaredError: yTrue and yPred must have the same non-zero length, got ${yTrue.length} and ${yPred.length}`);
  }
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += (yTrue[i]! - yPred[i]!) ** 2;
  return s / yTrue.length;
}

/** Arithmetic mean; NaN for an empty list. Lives in util/statistics.ts; re-exported here for the public API. */
export { mean } from "../util/statistics";
