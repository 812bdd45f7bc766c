/**
 * The paper's fitting procedure for Eq. 9 (REFERENCE.md, "Fitting in the paper"): normalise t and y to [0, 1],
 * one start at A = max(y) - min(y), K = min(y) + A/2, lambda = 1/std(t), gamma = 1/range(t), t0 = 1 (normalised
 * axes), bounded least squares with an analytic Jacobian, parameters scaled back to raw step units.
 * The paper used scipy's curve_fit (Trust Region Reflective); this uses {@link leastSquares}, which reaches the
 * same optimum on the series checked against scipy (test/dynamics/scipy-reference.test.ts).
 */
import { eq9Model } from "./eq9-model";
import { fitCurve, type FitCurveOptions, type FitResult } from "./fit-curve";

export type PaperProcedureOptions = Omit<FitCurveOptions, "p0" | "starts">;

/** scipy's default evaluation budget for method="trf": 100 x the number of parameters. */
export const SCIPY_TRF_MAX_NFEV = 500;

/**
 * Fits Eq. 9 with the paper's single start and scipy's default budget of 500 residual evaluations (curve_fit
 * raises "Optimal parameters not found" when it runs out; here the status says "max-iterations" instead).
 */
export function paperProcedure(steps: ArrayLike<number>, y: ArrayLike<number>, options: PaperProcedureOptions = {}): FitResult {
  return fitCurve(eq9Model, steps, y, { maxNfev: SCIPY_TRF_MAX_NFEV, ...options });
}
