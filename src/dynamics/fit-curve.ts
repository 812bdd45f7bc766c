/**
 * Fits one curve model to one series: normalise, solve the bounded least-squares problem from one or several
 * starts, scale back, and report covariance, standard errors, R^2, AIC, residuals and a status.
 *
 * Objective (normalised axes tn, yn, see {@link CurveModel}): minimise sum_i (f(p, tn_i) - yn_i)^2 within the
 * model's bounds. Reported numbers are in raw units: popt, pcov = S pcov_n S^T (S = d raw / d normalised),
 * stderr = sqrt(diag pcov), residuals y - f(t), R^2 and AIC = n ln(RSS/n) + 2k on the raw data.
 * A fit with status "failed" carries no numbers (empty popt, NaN statistics) and must not be shown as a result.
 */
import type { CurveModel, Scaling } from "./curve-model";
import { leastSquares, type LeastSquaresOptions, type LeastSquaresResult, type LeastSquaresStatus } from "./least-squares";
import { leastSquaresCovariance, propagateCovariance } from "./covariance";
import { aic as aicOf, rss as rssOf, rSquared } from "./goodness";
import { eq9FromArray, type Eq9Params } from "./eq9";

export interface FitResult {
  /** The curve model's name ("eq9", "eq14", ...). */
  model: string;
  /**
   * "converged" (a test of {@link LeastSquaresResult.convergedBy} passed), "no-progress" (no step lowered the cost
   * of the best start), "max-iterations" (the evaluation budget ran out: the solver's "max-evaluations"), "failed"
   * (nothing to report: bad data, or non-finite values at every start).
   */
  status: "converged" | "no-progress" | "max-iterations" | "failed";
  /** Why it stopped or failed, one line. */
  message: string;
  /** Named raw parameters (Eq9Params for "eq9"); empty when failed. */
  params: Eq9Params | Record<string, number>;
  /** Raw parameters in `paramNames` order. */
  popt: number[];
  paramNames: string[];
  /** Raw-unit covariance s^2 (J^T J)^+ carried back from the normalised fit. */
  pcov: number[][];
  stderr: number[];
  r2: number;
  aic: number;
  /** y - f(t) at each used point, raw units. */
  residuals: number[];
  /** Residual evaluations spent (all starts together). */
  nfev: number;
  /** Points used (non-finite ones are dropped). */
  n: number;
  rss: number;
  /** Steps of the points used. */
  steps: number[];
  /** Non-fatal remarks: dropped points, fewer points than the paper's minimum, rank-deficient Jacobian, bounds hit. */
  warnings: string[];
  /** Parameter names that ended on a bound. */
  atBounds: string[];
  /** How many starts were tried. */
  starts: number;
  /** Normalised solution and scaling (for continuation, e.g. bootstrap starts). */
  normalised?: { popt: number[]; scaling: Scaling };
}

/** Solver settings (see {@link LeastSquaresOptions}; `maxNfev` counts per start) plus the starts and checks. */
export interface FitCurveOptions extends Pick<LeastSquaresOptions, "ftol" | "xtol" | "gtol" | "maxNfev" | "stallWindow" | "stallTol" | "xScale"> {
  /** Bounds on the normalised parameters replacing the model's own (e.g. A >= 0). */
  lower?: readonly number[];
  upper?: readonly number[];
  /** One normalised start (default: the model's initial guess). */
  p0?: ArrayLike<number>;
  /** Several normalised starts; the one with the lowest RSS wins (see {@link bestOf}). Overrides p0. */
  starts?: ArrayLike<number>[];
  /** Below this many points a warning is attached (default 27, the paper's minimum per fit). */
  minPoints?: number;
}

/** Validated, normalised data of one series. */
export interface PreparedSeries {
  t: number[];
  y: number[];
  tn: Float64Array;
  yn: Float64Array;
  scaling: Scaling;
  warnings: string[];
}

/** The paper's minimum number of points per fit. */
export const PAPER_MIN_POINTS = 27;

/**
 * Checks and normalises a series: drops non-finite points (with a warning), rejects too few points, constant
 * series and (for models without a time shift) negative steps. Returns a reason string when nothing can be fitted.
 */
export function prepareSeries(model: CurveModel, steps: ArrayLike<number>, y: ArrayLike<number>, minPoints = PAPER_MIN_POINTS): PreparedSeries | string {
  if (steps.length !== y.length) return `steps has ${steps.length} values but y has ${y.length}`;
  const warnings: string[] = [];
  const t: number[] = [];
  const v: number[] = [];
  const dropped: number[] = [];
  for (let i = 0; i < y.length; i++) {
    if (Number.isFinite(steps[i]!) && Number.isFinite(y[i]!)) {
      t.push(steps[i]!);
      v.push(y[i]!);
    } else dropped.push(steps[i]!);
  }
  if (dropped.length) warnings.push(`dropped ${dropped.length} non-finite point(s) at step(s) ${dropped.slice(0, 5).join(", ")}${dropped.length > 5 ? ", ..." : ""}`);
  const k = model.paramNames.length;
  if (t.length <= k) return `only ${t.length} finite point(s) for ${k} parameters: at least ${k + 1} are needed`;
  if (t.length < minPoints) warnings.push(`${t.length} points, fewer than the paper's minimum of ${minPoints} per fit`);
  const tmin = Math.min(...t);
  const tmax = Math.max(...t);
  const ymin = Math.min(...v);
  const ymax = Math.max(...v);
  if (!(tmax > tmin)) return "all points share one step: nothing to fit";
  if (!(ymax > ymin)) return `constant series (every value is ${ymin}): nothing to fit`;
  if (!model.shiftTime && tmin < 0) return `negative step ${tmin}: the ${model.name} model starts at step 0`;
  const scaling: Scaling = model.shiftTime
    ? { tShift: tmin, tScale: tmax - tmin, yShift: ymin, yScale: ymax - ymin }
    : { tShift: 0, tScale: tmax, yShift: ymin, yScale: ymax - ymin };
  const tn = Float64Array.from(t, (s) => (s - scaling.tShift) / scaling.tScale);
  const yn = Float64Array.from(v, (s) => (s - scaling.yShift) / scaling.yScale);
  return { t, y: v, tn, yn, scaling, warnings };
}

/** Runs the bounded solver from one normalised start. */
export function solveNormalised(model: CurveModel, data: PreparedSeries, start: ArrayLike<number>, options: FitCurveOptions = {}): LeastSquaresResult {
  const k = model.paramNames.length;
  const n = data.tn.length;
  const grad = new Float64Array(k);
  const { tn, yn } = data;
  const fast = model.residualsInto && model.jacobianInto;
  return leastSquares(
    model.problem
      ? { n, ...model.problem(tn, yn) }
      : fast
      ? {
          n,
          residuals: (p, out) => model.residualsInto!(p, tn, yn, out),
          jacobian: (p, out) => model.jacobianInto!(p, tn, out),
        }
      : {
          n,
          residuals(p, out) {
            for (let i = 0; i < n; i++) out[i] = model.value(p, tn[i]!) - yn[i]!;
          },
          jacobian(p, out) {
            for (let i = 0; i < n; i++) {
              model.gradient(p, tn[i]!, grad);
              for (let j = 0; j < k; j++) out[i * k + j] = grad[j]!;
            }
          },
        },
    start,
    {
      lower: options.lower ?? model.lower, upper: options.upper ?? model.upper, ftol: options.ftol, xtol: options.xtol, gtol: options.gtol, maxNfev: options.maxNfev,
      stallWindow: options.stallWindow, stallTol: options.stallTol,
      // Eq. 9 on the normalised axes: fixed unit scales, as the paper's curve_fit (scipy's default x_scale = 1); other
      // models (Eq. 14's amplitudes run to 1e3 while tau0 stays near 1e-3) the unit-free Jacobian scaling
      xScale: options.xScale ?? (model.name === "eq9" ? new Array<number>(k).fill(1) : "jac"),
    },
  );
}

/** The fit-level status of a solver status ("max-evaluations" keeps the fit files' name "max-iterations"). */
export function fitStatusOf(status: LeastSquaresStatus): FitResult["status"] {
  return status === "max-evaluations" ? "max-iterations" : status === "non-finite" ? "failed" : status;
}

/**
 * Picks the best solver result: the lowest cost among results with numbers ("non-finite" ones only when all are);
 * on equal cost a converged one.
 */
export function bestOf(results: LeastSquaresResult[]): LeastSquaresResult {
  return results.reduce((best, r) => {
    if ((r.status === "non-finite") !== (best.status === "non-finite")) return r.status === "non-finite" ? best : r;
    if (r.cost !== best.cost) return r.cost < best.cost ? r : best;
    return r.status === "converged" && best.status !== "converged" ? r : best;
  });
}

/** A result that carries no numbers. */
export function failedFit(model: CurveModel, message: string, warnings: string[] = [], nfev = 0): FitResult {
  return {
    model: model.name, status: "failed", message, params: {}, popt: [], paramNames: [...model.paramNames], pcov: [], stderr: [],
    r2: NaN, aic: NaN, residuals: [], nfev, n: 0, rss: NaN, steps: [], warnings, atBounds: [], starts: 0,
  };
}

/** Turns the best normalised solution into a raw-unit FitResult. */
export function buildFitResult(model: CurveModel, data: PreparedSeries, sol: LeastSquaresResult, nfev: number, starts: number): FitResult {
  if (sol.status === "non-finite") return failedFit(model, sol.message, data.warnings, nfev);
  const k = model.paramNames.length;
  const n = data.t.length;
  const { p, jac: S } = model.denormalise(sol.p, data.scaling);
  const residuals = data.t.map((t, i) => data.y[i]! - model.value(p, t));
  if (!residuals.every(Number.isFinite) || !p.every(Number.isFinite)) return failedFit(model, "the fitted curve is not finite on the data", data.warnings, nfev);
  const rss = rssOf(residuals);
  const r2 = rSquared(data.y, residuals);
  // Values near the ends of float64 (|y| ~ 1e300 or 1e-300) overflow or underflow the raw-unit statistics: report a
  // failure rather than NaN/Infinity as a result. (An exact fit, RSS = 0, keeps AIC = -Infinity.)
  if (!Number.isFinite(rss) || !Number.isFinite(r2)) {
    return failedFit(model, `goodness of fit is not finite in raw units (RSS ${rss}, R^2 ${r2}): the values are beyond float64's range; rescale the series`, data.warnings, nfev);
  }
  const rssN = 2 * sol.cost;
  const cov = leastSquaresCovariance(sol.jacobian, n, k, rssN);
  const pcov = propagateCovariance(S, cov.pcov);
  const warnings = [...data.warnings];
  if (cov.rank < k && n > k) warnings.push(`Jacobian has rank ${cov.rank} < ${k}: some parameter combinations are not determined (covariance is a pseudo-inverse)`);
  const atBounds = model.paramNames.filter((_, j) => sol.activeMask[j]);
  const named: Record<string, number> = {};
  model.paramNames.forEach((name, j) => (named[name] = p[j]!));
  const params = model.name === "eq9" ? eq9FromArray(p) : named;
  return {
    model: model.name,
    status: fitStatusOf(sol.status),
    message: sol.message,
    params,
    popt: p,
    paramNames: [...model.paramNames],
    pcov,
    stderr: pcov.map((row, j) => Math.sqrt(Math.max(0, row[j]!))),
    r2,
    aic: aicOf(rss, n, k),
    residuals,
    nfev,
    n,
    rss,
    steps: data.t,
    warnings,
    atBounds,
    starts,
    normalised: { popt: Array.from(sol.p), scaling: data.scaling },
  };
}

/**
 * Fits `model` to (steps, y). Default: one start at the model's initial guess (for Eq. 9, the paper's).
 * @example fitCurve(eq9Model, steps, ratio).r2
 */
export function fitCurve(model: CurveModel, steps: ArrayLike<number>, y: ArrayLike<number>, options: FitCurveOptions = {}): FitResult {
  const data = prepareSeries(model, steps, y, options.minPoints);
  if (typeof data === "string") return failedFit(model, data);
  const starts = options.starts ?? [options.p0 ?? model.initialGuess(data.tn, data.yn)];
  if (starts.length === 0) return failedFit(model, "no starting point given", data.warnings);
  const results = starts.map((s) => solveNormalised(model, data, s, options));
  const nfev = results.reduce((a, r) => a + r.nfev, 0);
  return buildFitResult(model, data, bestOf(results), nfev, starts.length);
}
