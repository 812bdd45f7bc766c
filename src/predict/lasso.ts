/**
 * Lasso by cyclic coordinate descent (sklearn.linear_model.Lasso with fit_intercept=True).
 *
 * Objective: minimise (1 / (2 n)) * ||y - X w - b||^2 + alpha * ||w||_1 over w [p] and the unpenalised intercept b.
 * On centred data each coordinate update is the soft-threshold
 *   w_j <- S(x_j . r_j / n, alpha) / (x_j . x_j / n),  r_j the residual without feature j, S(z, a) = sign(z) max(|z| - a, 0).
 * Stops when the largest coefficient change in a sweep is below tol * max(1, max |w|), or after maxIter sweeps.
 */
import { checkFeatureCount, checkXy, notFittedError, type Regressor } from "./estimator";
import { columnMeans, dot } from "./linalg";

export interface LassoOptions {
  /** L1 penalty (>= 0). Default 1, as scikit-learn. */
  alpha?: number;
  /** Maximum coordinate-descent sweeps. Default 10000. */
  maxIter?: number;
  /** Convergence tolerance on the coefficient change. Default 1e-8. */
  tol?: number;
  /** Unused (cyclic order); kept for the common estimator signature. */
  seed?: number;
}

export class Lasso implements Regressor {
  readonly alpha: number;
  readonly maxIter: number;
  readonly tol: number;
  readonly seed: number;
  coef_?: number[];
  intercept_?: number;
  nIter_?: number;

  constructor(options: LassoOptions = {}) {
    this.alpha = options.alpha ?? 1;
    this.maxIter = options.maxIter ?? 10000;
    this.tol = options.tol ?? 1e-8;
    this.seed = options.seed ?? 0;
    if (!(this.alpha >= 0)) throw new Error(`Lasso: alpha must be >= 0, got ${this.alpha}`);
  }

  fit(X: readonly (readonly number[])[], y: readonly number[]): this {
    const p = checkXy("Lasso", X, y);
    const n = X.length;
    const mx = columnMeans(X);
    const my = y.reduce((a, v) => a + v, 0) / n;
    // column-major centred copy
    const cols = Array.from({ length: p }, (_, j) => X.map((row) => row[j]! - mx[j]!));
    const norm2 = cols.map((c) => dot(c, c) / n);
    const r = y.map((v) => v - my);
    const w = new Array<number>(p).fill(0);
    let sweep = 0;
    for (; sweep < this.maxIter; sweep++) {
      let maxDelta = 0;
      for (let j = 0; j < p; j++) {
        if (norm2[j] === 0) continue;
        const c = cols[j]!;
        const old = w[j]!;
        const rho = dot(c, r) / n + norm2[j]! * old;
        const next = Math.sign(rho) * Math.max(Math.abs(rho) - this.alpha, 0) / norm2[j]!;
        if (next !== old) {
          const delta = next - old;
          for (let i = 0; i < n; i++) r[i]! -= delta * c[i]!;
          w[j] = next;
          maxDelta = Math.max(maxDelta, Math.abs(delta));
        }
      }
      if (maxDelta <= this.tol * Math.max(1, ...w.map(Math.abs))) break;
    }
    this.coef_ = w;
    this.intercept_ = my - dot(mx, w);
    this.nIter_ = sweep + 1;
    return this;
  }

  predict(X: readonly (readonly number[])[]): number[] {
    if (!this.coef_) throw notFittedError("Lasso", "predict");
    checkFeatureCount("Lasso", X, this.coef_.length);
    return X.map((row) => dot(row, this.coef_!) + this.intercept_!);
  }
}
