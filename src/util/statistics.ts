/**
 * Summary statistics that more than one stage needs (dynamics' goodness of fit, predict's scores, the main job's
 * tables), in one home below all stages.
 */

/** Arithmetic mean; NaN for an empty list. */
export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** Sum of squares, e.g. the residual sum of squares RSS = sum r_i^2. */
export function sumOfSquares(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]! * values[i]!;
  return s;
}

/**
 * Coefficient of determination R^2 = 1 - RSS / TSS with RSS = sum r_i^2 and TSS = sum (y_i - mean y)^2
 * (invariant to affine rescaling of y; sklearn.metrics.r2_score for r = y - yhat).
 * @param constantSeries what a constant `y` (TSS = 0) gives: "nan" (nothing to explain; the curve fits' choice) or
 *   "sklearn" (1 for a perfect prediction, 0 otherwise, as scikit-learn's r2_score).
 */
export function rSquared(y: ArrayLike<number>, residuals: ArrayLike<number>, constantSeries: "nan" | "sklearn" = "nan"): number {
  const yMean = mean(y);
  let tss = 0;
  for (let i = 0; i < y.length; i++) tss += (y[i]! - yMean) ** 2;
  const rss = sumOfSquares(residuals);
  if (tss === 0) return constantSeries === "nan" ? NaN : rss === 0 ? 1 : 0;
  return 1 - rss / tss;
}
