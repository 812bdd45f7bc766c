/**
 * Ridge regression (sklearn.linear_model.Ridge with fit_intercept=True).
 *
 * Objective: minimise ||y - X w - b||^2 + alpha * ||w||^2 over w [p] and the unpenalised intercept b.
 * Solved exactly on centred data: (Xc^T Xc + alpha I) w = Xc^T (y - mean(y)), b = mean(y) - mean(X) . w.
 */
import { checkFeatureCount, checkXy, notFittedError, type Regressor } from "./estimator";
import { columnMeans, dot, solveSpd } from "./linalg";

export interface RidgeOptions {
  /** L2 penalty (>= 0). Default 1, as scikit-learn. */
  alpha?: number;
  /** Unused (the solution is deterministic); kept for the common estimator signature. */
  seed?: number;
}

export class Ridge implements Regressor {
  readonly alpha: number;
  readonly seed: number;
  coef_?: number[];
  intercept_?: number;

  constructor(options: RidgeOptions = {}) {
    this.alpha = options.alpha ?? 1;
    this.seed = options.seed ?? 0;
    if (!(this.alpha >= 0)) throw new Error(`Ridge: alpha must be >= 0, got ${this.alpha}`);
  }

  fit(X: readonly (readonly number[])[], y: readonly number[]): this {
    const p = checkXy("Ridge", X, y);
    const mx = columnMeans(X);
    const my = y.reduce((a, v) => a + v, 0) / y.length;
    const G: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    const c = new Array<number>(p).fill(0);
    for (let i = 0; i < X.length; i++) {
      const xi = X[i]!.map((v, j) => v - mx[j]!);
      const yi = y[i]! - my;
      for (let j = 0; j < p; j++) {
        c[j]! += xi[j]! * yi;
        for (let k = 0; k <= j; k++) G[j]![k]! += xi[j]! * xi[k]!;
      }
    }
    for (let j = 0; j < p; j++) {
      for (let k = 0; k < j; k++) G[k]![j] = G[j]![k]!;
      // a tiny jitter keeps alpha = 0 solvable for collinear columns (minimum-norm-like behaviour)
      G[j]![j]! += this.alpha + 1e-12 * (1 + G[j]![j]!);
    }
    this.coef_ = solveSpd(G, c);
    this.intercept_ = my - dot(mx, this.coef_);
    return this;
  }

  predict(X: readonly (readonly number[])[]): number[] {
    if (!this.coef_) throw notFittedError("Ridge", "predict");
    checkFeatureCount("Ridge", X, this.coef_.length);
    return X.map((row) => dot(row, this.coef_!) + this.intercept_!);
  }
}
