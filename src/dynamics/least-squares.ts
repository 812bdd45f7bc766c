/**
 * Bounded nonlinear least squares: minimise 0.5 * sum_i r_i(p)^2 subject to lb <= p <= ub.
 *
 * Method: Levenberg-Marquardt with an active set and strictly feasible steps, in the spirit of scipy's Trust
 * Region Reflective (`least_squares(method="trf")`). Each iteration solves (J_F^T J_F + mu D_F) d_F = -J_F^T r
 * for the free parameters F (a parameter is held when it sits on a bound and the gradient pushes it outward); when
 * the step would leave the box it is shortened to 0.995 of the way to the first bound it crosses, as TRF does, so
 * iterates stay interior and approach a bound geometrically. A step is accepted when the actual reduction of the
 * cost is at least 1e-4 of the reduction the quadratic model predicts; mu follows Nielsen's update. D is Moré's
 * scaling (running maximum of diag(J^T J)), which makes the method invariant to the scale of each parameter.
 * Stops as scipy does: ftol on the relative cost reduction, xtol on the relative (scaled) step, gtol on
 * max_j |J_j . r| / (||J_j|| ||r||) over free parameters (MINPACK's cosine test), or the evaluation budget.
 * At the end, parameters within 1e-6 (relative) of a bound are set onto it when that does not raise the cost.
 */

export interface LeastSquaresProblem {
  /** Number of residuals. */
  n: number;
  /** Writes the residuals at p into out (length n); non-finite values make the point unacceptable. */
  residuals(p: Float64Array, out: Float64Array): void;
  /** Writes the Jacobian at p into out, row-major n x m (out[i * m + j] = d r_i / d p_j). */
  jacobian(p: Float64Array, out: Float64Array): void;
}

export interface LeastSquaresOptions {
  /** Lower bounds (default -Infinity each). Bounds are closed; pass a small positive number for "> 0". */
  lower?: ArrayLike<number>;
  upper?: ArrayLike<number>;
  /** Defaults as scipy: 1e-8 each. */
  ftol?: number;
  xtol?: number;
  gtol?: number;
  /** Maximum residual evaluations (default 1000 * m). */
  maxNfev?: number;
  /**
   * Also stop ("converged", message "stalled") when `stallWindow` consecutive accepted steps together lowered the
   * cost by less than stallTol (default 1e-7) of it: the objective has converged although parameters may still drift
   * along a flat direction towards infinity (Eq. 9's limits). Default 0 = off, as in scipy.
   */
  stallWindow?: number;
  stallTol?: number;
}

export interface LeastSquaresResult {
  p: Float64Array;
  /** 0.5 * ||r||^2 at p. */
  cost: number;
  residuals: Float64Array;
  jacobian: Float64Array;
  status: "converged" | "max-iterations" | "failed";
  /** Which test stopped it ("ftol", "xtol", "gtol", ...) or why it failed. */
  message: string;
  nfev: number;
  njev: number;
  /** The scaled gradient norm over free parameters at the end. */
  optimality: number;
  /** Which parameters end on a bound. */
  activeMask: boolean[];
}

/** A parameter this close to a bound (relative) with the gradient pushing outward is held there. */
const BOUND_TOL = 1e-10;

function sumSq(r: Float64Array): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += r[i]! * r[i]!;
  return s;
}

function allFinite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
}

/**
 * Solves the symmetric positive definite system M x = b (k x k, row-major) by Cholesky into x (and scratch L);
 * returns false when M is not positive definite.
 */
export function choleskySolveInto(M: Float64Array, b: Float64Array, k: number, x: Float64Array, L: Float64Array): boolean {
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = M[i * k + j]!;
      for (let q = 0; q < j; q++) s -= L[i * k + q]! * L[j * k + q]!;
      if (i === j) {
        if (!(s > 0)) return false;
        L[i * k + i] = Math.sqrt(s);
      } else L[i * k + j] = s / L[j * k + j]!;
    }
  }
  for (let i = 0; i < k; i++) {
    let s = b[i]!;
    for (let q = 0; q < i; q++) s -= L[i * k + q]! * x[q]!;
    x[i] = s / L[i * k + i]!;
  }
  for (let i = k - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let q = i + 1; q < k; q++) s -= L[q * k + i]! * x[q]!;
    x[i] = s / L[i * k + i]!;
  }
  return true;
}

/** Solves M x = b for symmetric positive definite M (k x k, row-major); undefined if not SPD. */
export function choleskySolve(M: Float64Array, b: Float64Array, k: number): Float64Array | undefined {
  const x = new Float64Array(k);
  return choleskySolveInto(M, b, k, x, new Float64Array(k * k)) ? x : undefined;
}

/**
 * Minimises 0.5 ||r(p)||^2 within the box [lower, upper] from p0 (clipped into the box first).
 * Never throws on numerical trouble: a start where the residuals are not finite gives status "failed".
 */
export function leastSquares(problem: LeastSquaresProblem, p0: ArrayLike<number>, options: LeastSquaresOptions = {}): LeastSquaresResult {
  const m = p0.length;
  const n = problem.n;
  const lb = new Float64Array(m);
  const ub = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    lb[j] = options.lower?.[j] ?? -Infinity;
    ub[j] = options.upper?.[j] ?? Infinity;
  }
  const ftol = options.ftol ?? 1e-8;
  const xtol = options.xtol ?? 1e-8;
  const gtol = options.gtol ?? 1e-8;
  const maxNfev = options.maxNfev ?? 1000 * m;
  const stallWindow = options.stallWindow ?? 0;
  const stallTol = options.stallTol ?? 1e-7;
  const history: number[] = [];

  const p = new Float64Array(m);
  for (let j = 0; j < m; j++) p[j] = Math.min(ub[j]!, Math.max(lb[j]!, p0[j]!));
  let r = new Float64Array(n);
  let rTrial = new Float64Array(n);
  const J = new Float64Array(n * m);
  problem.residuals(p, r);
  let nfev = 1;
  let njev = 0;
  const done = (status: LeastSquaresResult["status"], message: string, optimality: number): LeastSquaresResult => ({
    p, cost: 0.5 * sumSq(r), residuals: r, jacobian: J, status, message, nfev, njev, optimality,
    activeMask: Array.from({ length: m }, (_, a) => p[a]! <= lb[a]! || p[a]! >= ub[a]!),
  });
  if (!allFinite(r)) return done("failed", "residuals are not finite at the starting point", NaN);
  let cost = 0.5 * sumSq(r);
  problem.jacobian(p, J);
  njev++;
  if (!allFinite(J)) return done("failed", "Jacobian is not finite at the starting point", NaN);

  const H = new Float64Array(m * m);
  const g = new Float64Array(m);
  const D = new Float64Array(m);
  const colNorm = new Float64Array(m);
  const free = new Int32Array(m);
  let k = 0;
  const M = new Float64Array(m * m);
  const b = new Float64Array(m);
  const d = new Float64Array(m);
  const Lc = new Float64Array(m * m);
  const trial = new Float64Array(m);
  const s = new Float64Array(m);
  let optimality = Infinity;

  const computeNormal = (): void => {
    H.fill(0);
    g.fill(0);
    for (let i = 0; i < n; i++) {
      const row = i * m;
      const ri = r[i]!;
      for (let a = 0; a < m; a++) {
        const ja = J[row + a]!;
        g[a] += ja * ri;
        for (let c = 0; c <= a; c++) H[a * m + c] += ja * J[row + c]!;
      }
    }
    for (let a = 0; a < m; a++) for (let c = 0; c < a; c++) H[c * m + a] = H[a * m + c]!;
    for (let a = 0; a < m; a++) {
      colNorm[a] = Math.sqrt(H[a * m + a]!);
      if (H[a * m + a]! > D[a]!) D[a] = H[a * m + a]!;
    }
  };
  const updateFree = (): void => {
    k = 0;
    const rn = Math.sqrt(2 * cost);
    optimality = 0;
    for (let a = 0; a < m; a++) {
      const tol = BOUND_TOL * (1 + Math.abs(p[a]!));
      if ((p[a]! - lb[a]! <= tol && g[a]! > 0) || (ub[a]! - p[a]! <= tol && g[a]! < 0)) continue;
      free[k++] = a;
      if (colNorm[a]! > 0 && rn > 0) optimality = Math.max(optimality, Math.abs(g[a]!) / (colNorm[a]! * rn));
    }
  };

  computeNormal();
  updateFree();
  let status: LeastSquaresResult["status"] = "max-iterations";
  let message = `maximum number of function evaluations (${maxNfev}) exceeded`;
  if (cost === 0 || optimality <= gtol || k === 0) {
    status = "converged";
    message = cost === 0 ? "exact fit" : k === 0 ? "every parameter held on a bound" : "gtol";
  } else {
    let dmax = 0;
    for (let a = 0; a < m; a++) {
      if (D[a] === 0) D[a] = 1;
      dmax = Math.max(dmax, D[a]!);
    }
    let mu = 1e-3 * dmax;
    let nu = 2;
    outer: while (nfev < maxNfev) {
      if (k === 0) {
        status = "converged";
        message = "every parameter held on a bound";
        break;
      }
      for (;;) {
        for (let i = 0; i < k; i++) {
          const fi = free[i]!;
          b[i] = -g[fi]!;
          for (let j = 0; j < k; j++) M[i * k + j] = H[fi * m + free[j]!]!;
          M[i * k + i] += mu * D[fi]!;
        }
        if (!choleskySolveInto(M, b, k, d, Lc)) {
          mu *= nu;
          nu *= 2;
          if (!(mu < 1e300)) {
            status = "failed";
            message = "damped normal equations stayed singular";
            break outer;
          }
          continue;
        }
        // strictly feasible step, as scipy's TRF: if the full step leaves the box, go 0.995 of the way to the
        // first bound it crosses
        let alpha = 1;
        for (let i = 0; i < k; i++) {
          const a = free[i]!;
          const di = d[i]!;
          if (di < 0 && lb[a]! > -Infinity) alpha = Math.min(alpha, (0.995 * (p[a]! - lb[a]!)) / -di);
          else if (di > 0 && ub[a]! < Infinity) alpha = Math.min(alpha, (0.995 * (ub[a]! - p[a]!)) / di);
        }
        trial.set(p);
        for (let i = 0; i < k; i++) {
          const a = free[i]!;
          trial[a] = Math.min(ub[a]!, Math.max(lb[a]!, p[a]! + alpha * d[i]!));
        }
        let sNorm = 0;
        let pNorm = 0;
        for (let a = 0; a < m; a++) {
          s[a] = trial[a]! - p[a]!;
          sNorm += s[a]! * s[a]! * D[a]!;
          pNorm += p[a]! * p[a]! * D[a]!;
        }
        sNorm = Math.sqrt(sNorm);
        pNorm = Math.sqrt(pNorm);
        // predicted reduction of the cost for step s: -(g.s + 0.5 s'Hs)
        let gs = 0;
        let sHs = 0;
        for (let a = 0; a < m; a++) {
          gs += g[a]! * s[a]!;
          let hs = 0;
          for (let c = 0; c < m; c++) hs += H[a * m + c]! * s[c]!;
          sHs += s[a]! * hs;
        }
        const predicted = -(gs + 0.5 * sHs);
        if (sNorm <= xtol * (xtol + pNorm)) {
          status = "converged";
          message = "xtol";
          break outer;
        }
        if (!(predicted > 0)) {
          mu *= nu;
          nu *= 2;
          if (!(mu < 1e300)) {
            status = "converged";
            message = "xtol";
            break outer;
          }
          continue;
        }
        let costTrial = Infinity;
        if (allFinite(trial)) {
          problem.residuals(trial, rTrial);
          if (allFinite(rTrial)) costTrial = 0.5 * sumSq(rTrial);
        }
        nfev++;
        const actual = cost - costTrial;
        const rho = actual / predicted;
        if (rho > 1e-4) {
          p.set(trial);
          const tmp = r;
          r = rTrial;
          rTrial = tmp;
          const prevCost = cost;
          cost = costTrial;
          const t = 2 * rho - 1;
          mu *= Math.max(1 / 3, 1 - t * t * t);
          nu = 2;
          problem.jacobian(p, J);
          njev++;
          if (!allFinite(J)) {
            status = "failed";
            message = "Jacobian is not finite";
            break outer;
          }
          computeNormal();
          updateFree();
          if (actual <= ftol * prevCost && predicted <= ftol * prevCost) {
            status = "converged";
            message = "ftol";
            break outer;
          }
          if (optimality <= gtol) {
            status = "converged";
            message = "gtol";
            break outer;
          }
          if (stallWindow > 0) {
            history.push(cost);
            if (history.length > stallWindow && history[history.length - 1 - stallWindow]! - cost <= stallTol * cost) {
              status = "converged";
              message = `stalled: the cost fell by less than ${stallTol} of itself over ${stallWindow} steps (parameters may drift along a flat direction)`;
              break outer;
            }
          }
          break;
        }
        mu *= nu;
        nu *= 2;
        if (nfev >= maxNfev) break outer;
      }
    }
  }
  if (status !== "failed") {
    // snap parameters that crept up to a bound onto it when that does not raise the cost (e.g. lambda -> 0)
    for (let a = 0; a < m; a++) {
      const near = (v: number): boolean => Number.isFinite(v) && Math.abs(p[a]! - v) <= 1e-6 * (1 + Math.abs(v));
      const bound = near(lb[a]!) ? lb[a]! : near(ub[a]!) ? ub[a]! : undefined;
      if (bound === undefined || p[a] === bound) continue;
      trial.set(p);
      trial[a] = bound;
      problem.residuals(trial, rTrial);
      nfev++;
      const ct = allFinite(rTrial) ? 0.5 * sumSq(rTrial) : Infinity;
      if (ct <= cost * (1 + 1e-12)) {
        p.set(trial);
        const tmp = r;
        r = rTrial;
        rTrial = tmp;
        cost = ct;
        problem.jacobian(p, J);
        njev++;
      }
    }
  }
  return done(status, message, optimality);
}
