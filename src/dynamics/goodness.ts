/**
 * Goodness of fit.
 * - R^2 = 1 - RSS / TSS with TSS = sum (y - mean y)^2 (invariant to affine rescaling of y).
 * - AIC = n ln(RSS / n) + 2k (least-squares AIC with Gaussian errors, constants dropped), k fitted parameters,
 *   RSS in the units of y. The paper's released files give AIC in raw units on the same footing (see docs/dynamics.md).
 */

/** Residual sum of squares. */
export function rss(residuals: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < residuals.length; i++) s += residuals[i]! * residuals[i]!;
  return s;
}

/** Coefficient of determination from the residuals and the data; NaN for a constant series (TSS = 0). */
export function rSquared(y: ArrayLike<number>, residuals: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < y.length; i++) m += y[i]!;
  m /= y.length;
  let tss = 0;
  for (let i = 0; i < y.length; i++) tss += (y[i]! - m) ** 2;
  return tss > 0 ? 1 - rss(residuals) / tss : NaN;
}

/**
 * Akaike information criterion for a least-squares fit: n ln(RSS/n) + 2k.
 * @example aic(0.5, 10, 2) // => 10 * Math.log(0.05) + 4
 */
export function aic(residualSumOfSquares: number, n: number, k: number): number {
  return n * Math.log(residualSumOfSquares / n) + 2 * k;
}
