/**
 * A more reliable fit of Eq. 9 than the paper's single start. For Eq. 9 it runs:
 *
 * 1. the paper's start in Eq. 9's own parameters with the same budget (so the result is never worse than
 *    {@link paperProcedure}: the lowest RSS over candidates that include the paper's solution cannot exceed it;
 *    when the paper's run did not converge, see 4);
 * 2. deterministic grid starts in Eq. 14's parameters, where A1, A2 and K enter linearly: for each (beta, tau0) on a
 *    log grid they are solved exactly (variable projection, see multi-start.ts), and the lowest-RSS grid points at
 *    least two cells apart are kept, plus a few seeded random (beta, tau0); the paper's solution, mapped to Eq. 14,
 *    is one more start. Eq. 14 turns Eq. 9's curved valleys (A -> infinity while lambda t0 grows alike, where the
 *    paper's start often wanders for thousands of evaluations) into finite points;
 * 3. every start refined by a short run (100 evaluations) of the bounded solver in Eq. 14, the best two polished
 *    with tight tolerances (and a stall test: the cost no longer falls); polished and screened solutions are mapped
 *    back to Eq. 9 (exact) where that stays in double range; covariance, R^2 and AIC are then computed with Eq. 9's
 *    own Jacobian at that point;
 * 4. the candidate with the lowest RSS wins, except that a converged candidate beats one stopped by its budget
 *    unless the latter's R^2 is higher by more than 1e-4.
 * Other separable models (the step responses) get steps 2-4 in their own parameters.
 */
import type { CurveModel } from "./curve-model";
import { eq9Model } from "./eq9-model";
import { eq14Model, eq14ToEq9, eq9ToEq14 } from "./eq14";
import { eq9FromArray, eq9ToArray } from "./eq9";
import { buildFitResult, failedFit, prepareSeries, solveNormalised, type FitCurveOptions, type FitResult, type PreparedSeries } from "./fit-curve";
import type { LeastSquaresResult } from "./least-squares";
import { SCIPY_TRF_MAX_NFEV } from "./paper-procedure";
import { multiStarts, type MultiStartOptions } from "./multi-start";

export interface RobustFitOptions extends Omit<FitCurveOptions, "p0" | "starts">, MultiStartOptions {
  /** Seed of the random starts (default 0). Same seed, same result. */
  seed?: number;
  /** The curve model (default Eq. 9). */
  model?: CurveModel;
  /** Extra normalised starts in the model's own parameters (e.g. a previous solution). */
  extraStarts?: ArrayLike<number>[];
  /**
   * Eq. 9 only: restrict the amplitude to A >= 0 (rise, peak, decay; no dip-then-recovery shapes with A < 0).
   * Not in the paper (which bounds only lambda); useful when the parameters feed a model that needs A > 0, such as
   * log1p targets. Then the paper's start runs with the same bound, and "never worse" holds against that.
   */
  positiveAmplitude?: boolean;
  /** Evaluation budget of each grid/random start's screening run in Eq. 14 (default 100; 150 before the TRF solver, which
   * ranks the starts as well with 100 on the 56-model suite). */
  screenNfev?: number;
  /** Evaluation budget of each polish (default 5000); the paper's start gets `maxNfev` (default 500, scipy's). */
  polishNfev?: number;
  /** How many of the best Eq. 14 solutions are polished and mapped back to Eq. 9 (default 2). */
  polish?: number;
  /** Budget of the final Eq. 9 continuation when the best candidate did not converge (default 500). */
  continueNfev?: number;
}

const TIGHT = { ftol: 1e-12, xtol: 1e-12, gtol: 1e-12, stallWindow: 30, stallTol: 1e-6 };

/**
 * Lowest cost wins, except that a converged result beats a non-converged one whose cost is lower by less than
 * `slack` (in cost units: 0.5 x 1e-4 x TSS of the normalised data, i.e. 1e-4 of R^2): a run stopped by its budget
 * while crawling along a valley towards infinite parameters is not preferred for a gain that small.
 */
function better(a: LeastSquaresResult, b: LeastSquaresResult | undefined, slack: number): boolean {
  if (a.status === "non-finite") return false;
  if (!b) return true;
  const ac = a.status === "converged";
  const bc = b.status === "converged";
  if (ac && !bc) return a.cost <= b.cost + slack;
  if (!ac && bc) return a.cost < b.cost - slack;
  return a.cost < b.cost;
}

function slackOf(data: PreparedSeries): number {
  let m = 0;
  for (const v of data.yn) m += v / data.yn.length;
  let tss = 0;
  for (const v of data.yn) tss += (v - m) ** 2;
  return 0.5 * 1e-4 * tss;
}

/** The Eq. 9 solver state at p (normalised), as if a solve had ended there: residuals, Jacobian, cost. */
function eq9At(data: PreparedSeries, p: number[], from: LeastSquaresResult): LeastSquaresResult | undefined {
  const n = data.tn.length;
  const r = new Float64Array(n);
  const J = new Float64Array(n * 5);
  const grad = new Float64Array(5);
  for (let i = 0; i < n; i++) {
    r[i] = eq9Model.value(p, data.tn[i]!) - data.yn[i]!;
    eq9Model.gradient(p, data.tn[i]!, grad);
    J.set(grad, i * 5);
  }
  if (!r.every(Number.isFinite) || !J.every(Number.isFinite)) return undefined;
  const cost = 0.5 * r.reduce((a, v) => a + v * v, 0);
  const activeMask = p.map((v, j) => v <= eq9Model.lower[j]! || v >= eq9Model.upper[j]!);
  return { ...from, p: Float64Array.from(p), cost, residuals: r, jacobian: J, activeMask, message: `${from.message} (solved in Eq. 14)` };
}

function robustEq9(data: PreparedSeries, options: RobustFitOptions): FitResult {
  let nfev = 0;
  let starts = 0;
  let best: LeastSquaresResult | undefined;
  const slack = slackOf(data);
  const consider = (r: LeastSquaresResult | undefined): void => {
    if (r && better(r, best, slack)) best = r;
  };
  const pos = options.positiveAmplitude === true;
  const opt9 = pos ? { ...options, lower: [0, ...eq9Model.lower.slice(1)] } : options;
  const opt14 = pos ? { ...options, lower: [0, ...eq14Model.lower.slice(1)], accept: (p: number[]) => p[0]! >= 0 } : options;
  const paper = solveNormalised(eq9Model, data, eq9Model.initialGuess(data.tn, data.yn), { maxNfev: SCIPY_TRF_MAX_NFEV, ...opt9 });
  nfev += paper.nfev;
  starts++;
  consider(paper);
  for (const s of options.extraStarts ?? []) {
    starts++;
    const r = solveNormalised(eq9Model, data, s, opt9);
    nfev += r.nfev;
    consider(r);
  }
  const starts14 = multiStarts(eq14Model, data, opt14);
  if (paper.status !== "non-finite") {
    const q = eq9ToEq14(eq9FromArray(paper.p));
    const v = [q.A1, q.A2, q.beta, q.tau0, q.K];
    if (v.every(Number.isFinite)) starts14.push(v);
  }
  const sols14: LeastSquaresResult[] = [];
  for (const s of starts14) {
    starts++;
    // screening: a short run per start; the best ones get the long polish below
    const r = solveNormalised(eq14Model, data, s, { ...opt14, maxNfev: options.screenNfev ?? 100 });
    nfev += r.nfev;
    if (r.status !== "non-finite") sols14.push(r);
  }
  sols14.sort((a, b) => a.cost - b.cost);
  // Eq. 14 -> Eq. 9 (exact); undefined where gamma = exp(A2/A1) or A leave double range
  const toEq9 = (sol: LeastSquaresResult): LeastSquaresResult | undefined => {
    if (sol.p[0] === 0) return undefined;
    const p9 = eq9ToArray(eq14ToEq9({ A1: sol.p[0]!, A2: sol.p[1]!, beta: sol.p[2]!, tau0: sol.p[3]!, K: sol.p[4]! }));
    if (!p9.every(Number.isFinite)) return undefined;
    // beta on its bound means lambda = 0 exactly
    if (sol.p[2] === 0) p9[1] = 0;
    return eq9At(data, p9, sol);
  };
  for (const r0 of sols14.slice(0, options.polish ?? 2)) {
    const r = solveNormalised(eq14Model, data, r0.p, { ...opt14, ...TIGHT, maxNfev: options.polishNfev ?? 5000 });
    nfev += r.nfev;
    consider(toEq9(r.status !== "non-finite" && r.cost <= r0.cost ? r : r0));
  }
  // every screened solution is a candidate too: along Eq. 14's flat valleys the polished point may lie where Eq. 9
  // overflows while an equally good screened one does not
  for (const r0 of sols14) consider(toEq9(r0));
  if (best && best.status !== "converged") {
    // e.g. the best curve is a limit of Eq. 9 that Eq. 14 reaches only with gamma = exp(A2/A1) beyond double range:
    // continue in Eq. 9 until the cost stalls, with the paper's budget (these valleys have no end: a longer run
    // gains ~1e-5 of R^2 for thousands of evaluations)
    const r = solveNormalised(eq9Model, data, best.p, { ...opt9, ...TIGHT, maxNfev: options.continueNfev ?? SCIPY_TRF_MAX_NFEV });
    nfev += r.nfev;
    if (r.status !== "non-finite" && r.cost <= best.cost) best = r;
  }
  if (!best) return failedFit(eq9Model, `every start failed (${paper.message})`, data.warnings, nfev);
  return buildFitResult(eq9Model, data, best, nfev, starts);
}

/** Multi-start fit; never a higher RSS than the model's single default start (the paper's, for Eq. 9). */
export function robustFit(steps: ArrayLike<number>, y: ArrayLike<number>, options: RobustFitOptions = {}): FitResult {
  const model = options.model ?? eq9Model;
  const data = prepareSeries(model, steps, y, options.minPoints);
  if (typeof data === "string") return failedFit(model, data);
  if (model.name === "eq9") return robustEq9(data, options);
  let best: LeastSquaresResult | undefined;
  let nfev = 0;
  const slack = slackOf(data);
  const starts = [model.initialGuess(data.tn, data.yn), ...(options.extraStarts ?? []), ...multiStarts(model, data, options)];
  for (const s of starts) {
    const r = solveNormalised(model, data, s, options);
    nfev += r.nfev;
    if (better(r, best, slack)) best = r;
  }
  if (best) {
    const polished = solveNormalised(model, data, best.p, { ...options, ...TIGHT });
    nfev += polished.nfev;
    if (polished.status !== "non-finite" && polished.cost <= best.cost) best = polished;
  }
  if (!best) return failedFit(model, "every start failed", data.warnings, nfev);
  return buildFitResult(model, data, best, nfev, starts.length);
}
