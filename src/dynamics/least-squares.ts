/**
 * Bounded nonlinear least squares: minimise 0.5 * sum_i r_i(p)^2 subject to lb <= p <= ub.
 *
 * Method: scipy's Trust Region Reflective (`least_squares(method="trf")`, Branch, Coleman & Li 1999), ported from
 * scipy/optimize/_lsq/trf.py with `x_scale="jac"`: each iteration solves the trust-region subproblem exactly in
 * scaled ("hat") variables (Moré's method, see trust-region.ts); with bounds (reflective-step.ts), Coleman-Li scaling
 * shrinks steps towards the bound the gradient points at, and the step taken is the best of the trust-region step
 * cut 0.995 of the way to the first bound it crosses, that step reflected off the bound, and the scaled Cauchy step,
 * each coordinate on its own (no single factor on the whole step). Iterates stay strictly inside the box.
 *
 * Unit-free by construction (a change of units of p, of t inside the model, or of y gives the same iterates up to
 * those units and the same statuses):
 * - variables are scaled by D = column norms of J, updated as a running maximum (MINPACK's mode 1), divided by the
 *   starting residual norm so that Coleman-Li's unit distance is unit-free too;
 * - the first trust region is factor * ||D p0|| (MINPACK's factor * ||D x0||; default 10, see `factor`), 1 when p0 = 0;
 * - ftol: an evaluated and accepted step with actual reduction < ftol * cost and ratio > 0.25 (scipy); or, after
 *   at least one accepted step, an evaluated Gauss-Newton step (inside the trust region and the box) that did not
 *   lower the cost while its actual and predicted reductions are both within ftol * cost (MINPACK's ftol test,
 *   Moré et al. 1980, lmder info 1): the cost is at its rounding floor, where scipy's ratio > 0.25 cannot pass and
 *   scipy keeps shrinking the trust region until xtol;
 *   xtol: an evaluated step with ||D dp|| < xtol (xtol + ||D p||) (MINPACK's scaled form of scipy's test);
 *   gtol: max_j |J_j . r| / (||J_j|| ||r||) < gtol over the free directions (MINPACK's cosine test; a coordinate
 *   whose anti-gradient points at a bound counts with its Coleman-Li distance as a factor, as in scipy's ||v g||).
 * Statuses say what happened: "converged" (with the test in `convergedBy`) only after at least one accepted step,
 * or when the start itself passes gtol (or fits exactly); "no-progress" when the trust region collapsed (xtol) with
 * no step accepted; "max-evaluations"; "non-finite" when the residuals or Jacobian at the start are not finite.
 * A trial point with non-finite residuals or Jacobian is rejected and the trust region shrunk, as in scipy.
 * At the end, parameters within 1e-6 (relative) of a bound are set onto it when that does not raise the cost.
 */
import { gaussNewtonNormal, gaussNewtonQr, householderQr, solveLsqTrustRegion, solveTrustRegionNormal, svdForTrustRegion, type GaussNewtonStep, type TrustRegionSvd } from "./trust-region";
import { colemanLiScaling, HatModel, makeStrictlyFeasible, selectStep, selectWorkspace } from "./reflective-step";

export interface LeastSquaresProblem {
  /** Number of residuals. */
  n: number;
  /** Writes the residuals at p into out (length n); non-finite values make the point unacceptable. */
  residuals(p: Float64Array, out: Float64Array): void;
  /** Writes the Jacobian at p into out, row-major n x m (out[i * m + j] = d r_i / d p_j). */
  jacobian(p: Float64Array, out: Float64Array): void;
}

export interface LeastSquaresOptions {
  /** Lower bounds (default -Infinity each). A start on or outside a bound is moved strictly inside first. */
  lower?: ArrayLike<number>;
  upper?: ArrayLike<number>;
  /** Defaults as scipy: 1e-8 each (see the file comment for their unit-free definitions). */
  ftol?: number;
  xtol?: number;
  gtol?: number;
  /**
   * Characteristic scale of each parameter (scipy's `x_scale`): "jac" (default) = the unit-free scaling by the
   * Jacobian's column norms described above; numbers = fixed scales, as scipy's default x_scale = 1, which is what
   * the paper's curve_fit used on its normalised axes (fit-curve.ts passes 1s).
   */
  xScale?: "jac" | ArrayLike<number>;
  /**
   * The first trust region is factor * ||D p0|| (MINPACK's `factor`). Default 10 with xScale "jac" (on the NIST
   * StRD problems of bench/lsq it solved as many as 1 with fewer evaluations, while MINPACK's 100 overshot on two
   * of them), 1 with fixed scales (scipy's).
   */
  factor?: number;
  /** Maximum residual evaluations (default 1000 * m; scipy's trf default is 100 * m). */
  maxNfev?: number;
  /**
   * Also stop ("converged", convergedBy "stalled") when `stallWindow` consecutive accepted steps together lowered
   * the cost by less than stallTol (default 1e-7) of it: the objective has converged although parameters may still
   * drift along a flat direction towards infinity (Eq. 9's limits). Default 0 = off, as in scipy.
   */
  stallWindow?: number;
  stallTol?: number;
}

/**
 * What stopped the solver. "converged": a convergence test passed (see `convergedBy`); "no-progress": no step was
 * accepted before the trust region fell below xtol; "max-evaluations": the budget ran out; "non-finite": the
 * residuals or Jacobian at the (strictly feasible) start are not finite, nothing was solved.
 */
export type LeastSquaresStatus = "converged" | "no-progress" | "max-evaluations" | "non-finite";

/**
 * The test behind "converged": scipy's ftol, xtol, both ("ftol+xtol"), gtol, "exact" (zero residuals), "stalled"
 * (the stall test of {@link LeastSquaresOptions.stallWindow}).
 */
export type ConvergenceTest = "ftol" | "xtol" | "ftol+xtol" | "gtol" | "exact" | "stalled";

export interface LeastSquaresResult {
  p: Float64Array;
  /** 0.5 * ||r||^2 at p. */
  cost: number;
  residuals: Float64Array;
  jacobian: Float64Array;
  status: LeastSquaresStatus;
  /** Set when status is "converged". */
  convergedBy?: ConvergenceTest;
  /** One line: the test ("ftol", "xtol", "gtol", ...) or why it stopped. */
  message: string;
  nfev: number;
  njev: number;
  /** Accepted steps (0 means p is the strictly feasible start). */
  acceptedSteps: number;
  /** The unit-free gradient measure of gtol at the end. */
  optimality: number;
  /** Which parameters end on a bound. */
  activeMask: boolean[];
}

const DEFAULT_FACTOR = 10;

function sumSq(r: Float64Array): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += r[i]! * r[i]!;
  return s;
}

function allFinite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
}

/** Whether x + p lies in the box [lb, ub]. */
function inBox(x: Float64Array, p: Float64Array, lb: Float64Array, ub: Float64Array): boolean {
  for (let j = 0; j < x.length; j++) if (!(x[j]! + p[j]! >= lb[j]! && x[j]! + p[j]! <= ub[j]!)) return false;
  return true;
}

function norm2(a: Float64Array): number {
  return Math.sqrt(sumSq(a));
}

/** Actual over predicted reduction (1 when both are 0), as scipy's `update_tr_radius`. */
function reductionRatio(actual: number, predicted: number): number {
  return predicted > 0 ? actual / predicted : predicted === 0 && actual === 0 ? 1 : 0;
}

/** Scipy's `update_tr_radius`: the new radius from the ratio of actual to predicted reduction. */
function updateTrustRadius(Delta: number, ratio: number, stepNorm: number, boundHit: boolean): number {
  if (ratio < 0.25) return 0.25 * stepNorm;
  if (ratio > 0.75 && boundHit) return 2 * Delta;
  return Delta;
}

/**
 * Minimises 0.5 ||r(p)||^2 within the box [lower, upper] from p0 (moved strictly inside the box first, as scipy).
 * Never throws on numerical trouble: a start where the residuals or the Jacobian are not finite gives "non-finite".
 */
export function leastSquares(problem: LeastSquaresProblem, p0: ArrayLike<number>, options: LeastSquaresOptions = {}): LeastSquaresResult {
  const m = p0.length;
  const n = problem.n;
  const lb = new Float64Array(m);
  const ub = new Float64Array(m);
  let hasBounds = false;
  for (let j = 0; j < m; j++) {
    lb[j] = options.lower?.[j] ?? -Infinity;
    ub[j] = options.upper?.[j] ?? Infinity;
    if (Number.isFinite(lb[j]!) || Number.isFinite(ub[j]!)) hasBounds = true;
  }
  const ftol = options.ftol ?? 1e-8;
  const xtol = options.xtol ?? 1e-8;
  const gtol = options.gtol ?? 1e-8;
  const maxNfev = options.maxNfev ?? 1000 * m;
  const stallWindow = options.stallWindow ?? 0;
  const stallTol = options.stallTol ?? 1e-7;
  const xScale = options.xScale ?? "jac";
  const jacScale = xScale === "jac";
  const factor = options.factor ?? (jacScale ? DEFAULT_FACTOR : 1);
  const history: number[] = [];

  let x = Float64Array.from({ length: m }, (_, j) => p0[j]!);
  if (hasBounds) makeStrictlyFeasible(x, lb, ub, 1e-10);
  let f = new Float64Array(n);
  let fNew = new Float64Array(n);
  const Jref = { a: new Float64Array(n * m) };
  let Jtrial = new Float64Array(n * m);
  let nfev = 1;
  let njev = 0;
  let accepted = 0;
  let optimality = NaN;
  let cost = NaN;
  const done = (status: LeastSquaresStatus, message: string, convergedBy?: ConvergenceTest): LeastSquaresResult => ({
    p: x, cost, residuals: f, jacobian: Jref.a, status, ...(convergedBy ? { convergedBy } : {}), message, nfev, njev, acceptedSteps: accepted, optimality,
    activeMask: Array.from({ length: m }, (_, a) => x[a]! <= lb[a]! || x[a]! >= ub[a]!),
  });
  problem.residuals(x, f);
  cost = 0.5 * sumSq(f);
  if (!allFinite(f) || !Number.isFinite(cost)) return done("non-finite", "residuals are not finite at the starting point");
  problem.jacobian(x, Jref.a);
  njev++;
  if (!allFinite(Jref.a)) return done("non-finite", "Jacobian is not finite at the starting point");

  const g = new Float64Array(m);
  const colNorm = new Float64Array(m);
  const scaleInv = new Float64Array(m);
  const v = new Float64Array(m).fill(1);
  const dv = new Float64Array(m);
  const d = new Float64Array(m);
  const diagH = new Float64Array(m);
  const gH = new Float64Array(m);
  const A = new Float64Array((n + m) * m);
  const fa = new Float64Array(n + m);
  const svd: TrustRegionSvd = { s: new Float64Array(m), V: new Float64Array(m * m), uf: new Float64Array(m), W: new Float64Array(m * m) };
  const pH = new Float64Array(m);
  const p = new Float64Array(m);
  const step = new Float64Array(m);
  const stepH = new Float64Array(m);
  let xNew = new Float64Array(m);
  const JtJ = new Float64Array(m * m);
  const M = new Float64Array(m * m);
  const work = { L: new Float64Array(m * m), q: new Float64Array(m + 1) };
  const sel = selectWorkspace(m);
  const model = new HatModel(JtJ, m, d, diagH, gH);

  // the trial point (xNew, fNew, Jtrial) becomes the current one
  const swapState = (): void => {
    const xs = x;
    x = xNew;
    xNew = xs;
    const fs = f;
    f = fNew;
    fNew = fs;
    const Js = Jref.a;
    Jref.a = Jtrial;
    Jtrial = Js;
  };
  // g = J^T f and J^T J, each entry a dot product of columns accumulated in a local (faster than += into the arrays)
  const gradient = (): void => {
    const J = Jref.a;
    const nm = n * m;
    for (let j = 0; j < m; j++) {
      let gj = 0;
      for (let i = 0, o = j; i < n; i++, o += m) gj += J[o]! * f[i]!;
      g[j] = gj;
      for (let k = 0; k <= j; k++) {
        let s = 0;
        for (let oj = j, ok = k; oj < nm; oj += m, ok += m) s += J[oj]! * J[ok]!;
        JtJ[j * m + k] = s;
        JtJ[k * m + j] = s;
      }
      colNorm[j] = Math.sqrt(JtJ[j * m + j]!);
    }
  };
  // the unit-free gtol measure (see the file comment)
  const optimalityNow = (): number => {
    const rn = Math.sqrt(2 * cost);
    if (rn === 0) return 0;
    let opt = 0;
    for (let j = 0; j < m; j++) {
      if (colNorm[j] === 0) continue;
      let o = Math.abs(g[j]!) / (colNorm[j]! * rn);
      if (dv[j] !== 0) o *= Math.min(1, (v[j]! * colNorm[j]!) / rn);
      if (o > opt) opt = o;
    }
    return opt;
  };

  gradient();
  // D = column norms of J over the starting residual norm: unit-free in p and y (zero columns count as 1)
  const r0 = Math.sqrt(2 * cost);
  for (let j = 0; j < m; j++) {
    if (xScale !== "jac") scaleInv[j] = 1 / xScale[j]!;
    else scaleInv[j] = colNorm[j]! > 0 && r0 > 0 ? colNorm[j]! / r0 : 1;
  }
  if (hasBounds) colemanLiScaling(x, g, lb, ub, v, dv);
  let Delta = 0;
  for (let j = 0; j < m; j++) {
    const vs = dv[j] !== 0 ? v[j]! * scaleInv[j]! : 1;
    Delta += (x[j]! * scaleInv[j]!) ** 2 / vs;
  }
  Delta = factor * Math.sqrt(Delta);
  if (!(Delta > 0) || !Number.isFinite(Delta)) Delta = 1;
  let alpha = 0;

  // the subproblem in A = [J_h; diag(diag_h)^0.5]: by Cholesky on A'A when well conditioned, else by A's QR / SVD
  let useSvd = false;
  let gn: GaussNewtonStep | undefined | null = null;
  const gnNormal: GaussNewtonStep = { p: new Float64Array(m), pn: 0, qn: 0 };
  const gnQr: GaussNewtonStep = { p: new Float64Array(m), pn: 0, qn: 0 };
  // A's Householder QR, once per iteration: the Gauss-Newton step and the SVD both start from it
  let factored = false;
  const factorA = (): void => {
    if (factored) return;
    factored = true;
    const J = Jref.a;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) A[i * m + j] = J[i * m + j]! * d[j]!;
      fa[i] = f[i]!;
    }
    A.fill(0, n * m);
    for (let j = 0; j < m; j++) {
      A[(n + j) * m + j] = Math.sqrt(diagH[j]!);
      fa[n + j] = 0;
    }
    householderQr(A, fa, n + m, m);
  };
  const solveSubproblem = (): void => {
    if (!useSvd) {
      if (gn === null) {
        gn = n >= m ? gaussNewtonNormal(M, gH, m, work, gnNormal) : undefined;
        if (gn === undefined && n >= m) {
          factorA();
          gn = gaussNewtonQr(A, fa, n + m, m, n, gnQr, work.q, true);
        }
      }
      const a = solveTrustRegionNormal(M, gH, m, Delta, alpha, gn, pH, work);
      if (a !== undefined) {
        alpha = a;
        return;
      }
      useSvd = true;
      factorA();
      svdForTrustRegion(A, fa, n + m, m, svd, true);
    }
    alpha = solveLsqTrustRegion(n, m, svd, Delta, alpha, pH);
  };
  for (;;) {
    if (hasBounds) colemanLiScaling(x, g, lb, ub, v, dv);
    optimality = optimalityNow();
    if (cost === 0) return finish(done("converged", "exact fit (zero residuals)", "exact"));
    if (optimality < gtol) return finish(done("converged", "gtol", "gtol"));
    if (nfev >= maxNfev) return finish(done("max-evaluations", `maximum number of function evaluations (${maxNfev}) reached`));
    for (let j = 0; j < m; j++) {
      const vs = dv[j] !== 0 ? v[j]! * scaleInv[j]! : 1;
      d[j] = Math.sqrt(vs) / scaleInv[j]!;
      diagH[j] = (g[j]! * dv[j]!) / scaleInv[j]!;
      gH[j] = d[j]! * g[j]!;
    }
    for (let j = 0; j < m; j++) for (let k = 0; k < m; k++) M[j * m + k] = d[j]! * JtJ[j * m + k]! * d[k]! + (j === k ? diagH[j]! : 0);
    useSvd = false;
    gn = null;
    factored = false;
    const theta = Math.max(0.995, 1 - optimality);
    let xNorm = 0;
    for (let j = 0; j < m; j++) xNorm += (x[j]! * scaleInv[j]!) ** 2;
    xNorm = Math.sqrt(xNorm);

    let actual = -1;
    let costNew = cost;
    let test: ConvergenceTest | undefined;
    let atFloor = false;
    while (actual <= 0 && nfev < maxNfev) {
      solveSubproblem();
      for (let j = 0; j < m; j++) p[j] = d[j]! * pH[j]!;
      let predicted: number;
      // the Gauss-Newton step taken as it is (MINPACK's ftol below reads its predicted reduction)
      const gaussNewtonTaken = alpha === 0 && (!hasBounds || inBox(x, p, lb, ub));
      if (hasBounds) predicted = selectStep(x, model, p, pH, Delta, lb, ub, theta, step, stepH, sel);
      else {
        step.set(p);
        stepH.set(pH);
        predicted = -model.value(pH);
      }
      for (let j = 0; j < m; j++) xNew[j] = x[j]! + step[j]!;
      if (hasBounds) makeStrictlyFeasible(xNew, lb, ub, 0);
      let stepNorm = 0;
      for (let j = 0; j < m; j++) stepNorm += ((xNew[j]! - x[j]!) * scaleInv[j]!) ** 2;
      stepNorm = Math.sqrt(stepNorm);
      const xtolOk = stepNorm < xtol * (xtol + xNorm);
      problem.residuals(xNew, fNew);
      nfev++;
      const stepHNorm = norm2(stepH);
      costNew = allFinite(fNew) ? 0.5 * sumSq(fNew) : Infinity;
      if (!Number.isFinite(costNew)) {
        Delta = 0.25 * stepHNorm;
        actual = -1;
        if (xtolOk) {
          test = "xtol";
          break;
        }
        continue;
      }
      actual = cost - costNew;
      const ratio = reductionRatio(actual, predicted);
      const DeltaNew = updateTrustRadius(Delta, ratio, stepHNorm, stepHNorm > 0.95 * Delta);
      const ftolOk = actual < ftol * cost && ratio > 0.25;
      atFloor = actual <= 0 && accepted > 0 && gaussNewtonTaken && -actual <= ftol * cost && predicted <= ftol * cost;
      if (ftolOk || xtolOk || atFloor) {
        test = (ftolOk || atFloor) && xtolOk ? "ftol+xtol" : ftolOk || atFloor ? "ftol" : "xtol";
        break;
      }
      alpha *= Delta / DeltaNew;
      Delta = DeltaNew;
    }
    let moved = false;
    if (actual > 0) {
      problem.jacobian(xNew, Jtrial);
      njev++;
      if (allFinite(Jtrial)) {
        moved = true;
        swapState();
        cost = costNew;
        accepted++;
        gradient();
        if (jacScale) for (let j = 0; j < m; j++) if (r0 > 0) scaleInv[j] = Math.max(scaleInv[j]!, colNorm[j]! / r0);
      } else Delta *= 0.25;
    }
    if (test !== undefined) {
      if (moved) return finish(done("converged", test, test));
      if (atFloor) return finish(done("converged", `${test} at the rounding floor (the Gauss-Newton step changed the cost by less than ftol of it without lowering it)`, test));
      // a rejected step: only the collapse of the trust region (xtol) ends the run
      if (test !== "ftol") {
        if (accepted > 0) return finish(done("converged", "xtol", "xtol"));
        return finish(done("no-progress", `no step was accepted: the trust region fell below xtol after ${nfev} evaluations without lowering the cost`));
      }
    }
    if (moved && stallWindow > 0) {
      history.push(cost);
      if (history.length > stallWindow && history[history.length - 1 - stallWindow]! - cost <= stallTol * cost) {
        return finish(done("converged", `stalled: the cost fell by less than ${stallTol} of itself over ${stallWindow} steps (parameters may drift along a flat direction)`, "stalled"));
      }
    }
  }

  function finish(result: LeastSquaresResult): LeastSquaresResult {
    // snap parameters that crept up to a bound onto it when that does not raise the cost (e.g. lambda -> 0)
    for (let a = 0; a < m && hasBounds; a++) {
      const near = (b: number): boolean => Number.isFinite(b) && Math.abs(x[a]! - b) <= 1e-6 * (1 + Math.abs(b));
      const bound = near(lb[a]!) ? lb[a]! : near(ub[a]!) ? ub[a]! : undefined;
      if (bound === undefined || x[a] === bound) continue;
      xNew.set(x);
      xNew[a] = bound;
      problem.residuals(xNew, fNew);
      nfev++;
      const ct = allFinite(fNew) ? 0.5 * sumSq(fNew) : Infinity;
      if (ct <= cost * (1 + 1e-12)) {
        problem.jacobian(xNew, Jtrial);
        njev++;
        if (!allFinite(Jtrial)) continue;
        swapState();
        cost = ct;
      }
    }
    return { ...result, p: x, cost, residuals: f, jacobian: Jref.a, nfev, njev, activeMask: Array.from({ length: m }, (_, a) => x[a]! <= lb[a]! || x[a]! >= ub[a]!) };
  }
}
