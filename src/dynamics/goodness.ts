/**
 * Goodness of fit.
 * - R^2 = 1 - RSS / TSS with TSS = sum (y - mean y)^2 (invariant to affine rescaling of y).
 * - AIC = n ln(RSS / n) + 2k (least-squares AIC with Gaussian errors, constants dropped), k fitted parameters,
 *   RSS in the units of y. The paper's released files give AIC in raw units on the same footing (see docs/dynamics.md).
 */

// R^2 and the residual sum of squares live in util/statistics.ts (one home; predict's r2Score uses them too).
export { sumOfSquares as rss, rSquared } from "../util/statistics";

/**
 * Akaike information criterion for a least-squares fit: n ln(RSS/n) + 2k.
 * @example aic(0.5, 10, 2) // => 10 * Math.log(0.05) + 4
 */
export function aic(residualSumOfSquares: number, n: number, k: number): number {
  return n * Math.log(residualSumOfSquares / n) + 2 * k;
}
