/**
 * What the fitter needs to know about a curve model y = f(p, t): its formula and analytic gradient, its bounds
 * and starting values on the normalised problem, and how normalised parameters map back to raw units.
 *
 * Fits run on normalised data (as in the paper): tn = (t - tShift) / tScale, yn = (y - yShift) / yScale.
 * Every model here keeps its functional form under these affine maps, so the normalised fit is an exact
 * reparametrisation of the raw one; `denormalise` returns the raw parameters and the Jacobian d raw / d normalised,
 * with which the covariance is carried back to raw units (pcov_raw = S pcov_n S^T).
 */

/** tn = (t - tShift) / tScale, yn = (y - yShift) / yScale. */
export interface Scaling {
  tShift: number;
  tScale: number;
  yShift: number;
  yScale: number;
}

export interface CurveModel {
  /** Short id: "eq9", "eq14", "first-order", "second-order-under", "second-order-critical", "second-order-over". */
  name: string;
  /** Human label for tables. */
  label: string;
  /** Parameter names in `popt` order. */
  paramNames: readonly string[];
  /** f(p, t). */
  value(p: ArrayLike<number>, t: number): number;
  /** d f / d p at t, written into `out` (length = paramNames.length). */
  gradient(p: ArrayLike<number>, t: number, out: Float64Array): void;
  /**
   * Optional fast paths for the solver (same numbers as value/gradient, one call per data set instead of per point):
   * out[i] = f(p, t[i]) - y[i], and the row-major n x k Jacobian.
   */
  residualsInto?(p: Float64Array, t: Float64Array, y: Float64Array, out: Float64Array): void;
  jacobianInto?(p: Float64Array, t: Float64Array, out: Float64Array): void;
  /**
   * Optional, preferred by the solver over the two above: both bound to one data set (t and y unchanged while the
   * pair is used), so terms the Jacobian shares with the residuals at the same p are computed once (the solver asks
   * for the Jacobian at the point whose residuals it just accepted). Same numbers as residualsInto/jacobianInto.
   */
  problem?(t: Float64Array, y: Float64Array): { residuals(p: Float64Array, out: Float64Array): void; jacobian(p: Float64Array, out: Float64Array): void };
  /** Box bounds on the normalised problem (where tn starts at 0 when `shiftTime`, else tn >= 0). */
  lower: readonly number[];
  upper: readonly number[];
  /** Whether the time axis is shifted to start at 0 (Eq. 9/14) or only scaled (step responses start at t = 0). */
  shiftTime: boolean;
  /** The single starting point of the paper's procedure (or a plain default for rivals), on normalised data. */
  initialGuess(tn: ArrayLike<number>, yn: ArrayLike<number>): number[];
  /** Raw parameters and d raw / d normalised (rows raw, columns normalised). */
  denormalise(pn: ArrayLike<number>, s: Scaling): { p: number[]; jac: number[][] };
  /** Inverse of `denormalise` (raw -> normalised parameters). */
  normalise(p: ArrayLike<number>, s: Scaling): number[];
  /**
   * For multi-start: indices of the parameters that enter linearly (f = sum_i p_i * df/dp_i over them, with
   * df/dp_i independent of every linear p) and a grid of values for each remaining (nonlinear) parameter, in
   * `nonlinear` order, on the normalised problem.
   */
  separable?: { linear: readonly number[]; nonlinear: readonly number[]; grid: readonly (readonly number[])[] };
}

/** Log-spaced values 10^a ... 10^b, `count` of them. */
export function logspace(a: number, b: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => 10 ** (a + ((b - a) * i) / Math.max(1, count - 1)));
}
