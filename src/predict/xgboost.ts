/**
 * Second-order gradient-boosted trees in the manner of XGBoost (exact greedy split finding, squared error).
 *
 * Objective at round m: minimise sum_i [ g_i f(x_i) + h_i f(x_i)^2 / 2 ] + gamma * T + lambda/2 * sum_j w_j^2
 * over a tree f with T leaves of weights w_j, with g_i = F(x_i) - y_i and h_i = 1 for the squared error; leaf
 * weights w_j = -G_j / (H_j + lambda), split gain as in ./regression-tree, splits need gain > 0 (after gamma) and
 * children with hessian sum >= minChildWeight. F_m = F_{m-1} + eta * f_m; F_0 = mean(y) (XGBoost 2's estimated
 * base_score for squared error). Row subsampling and per-tree column subsampling are seeded.
 * Not ported: histogram/approximate split finding, missing-value default directions, alpha (L1) on leaves.
 */
import { checkFeatureCount, checkXy, notFittedError, type Regressor } from "./estimator";
import { growTree, predictEnsemble, predictTree, type TreeEnsemble } from "./regression-tree";
import { Rng } from "./rng";

export interface XGBoostOptions {
  /** Boosting rounds. Default 100. */
  nEstimators?: number;
  /** Shrinkage eta. Default 0.3 (XGBoost's). */
  learningRate?: number;
  /** Default 6. */
  maxDepth?: number;
  /** L2 penalty on leaf weights. Default 1. */
  lambda?: number;
  /** Minimum split gain (min_split_loss). Default 0. */
  gamma?: number;
  /** Minimum hessian sum in a child. Default 1. */
  minChildWeight?: number;
  /** Row fraction per round. Default 1. */
  subsample?: number;
  /** Column fraction per tree. Default 1. */
  colsampleByTree?: number;
  seed?: number;
}

export class XGBoostRegressor implements Regressor {
  readonly nEstimators: number;
  readonly learningRate: number;
  readonly maxDepth: number;
  readonly lambda: number;
  readonly gamma: number;
  readonly minChildWeight: number;
  readonly subsample: number;
  readonly colsampleByTree: number;
  readonly seed: number;
  ensemble_?: TreeEnsemble;
  nFeatures_?: number;

  constructor(options: XGBoostOptions = {}) {
    this.nEstimators = options.nEstimators ?? 100;
    this.learningRate = options.learningRate ?? 0.3;
    this.maxDepth = options.maxDepth ?? 6;
    this.lambda = options.lambda ?? 1;
    this.gamma = options.gamma ?? 0;
    this.minChildWeight = options.minChildWeight ?? 1;
    this.subsample = options.subsample ?? 1;
    this.colsampleByTree = options.colsampleByTree ?? 1;
    this.seed = options.seed ?? 0;
    if (!(this.learningRate > 0)) throw new Error(`XGBoostRegressor: learningRate must be > 0, got ${this.learningRate}`);
    if (!(this.lambda >= 0) || !(this.gamma >= 0)) throw new Error("XGBoostRegressor: lambda and gamma must be >= 0");
  }

  fit(X: readonly (readonly number[])[], y: readonly number[]): this {
    const p = checkXy("XGBoostRegressor", X, y);
    const n = X.length;
    const rng = new Rng(this.seed);
    const base = y.reduce((a, v) => a + v, 0) / n;
    const F = new Array<number>(n).fill(base);
    const h = new Array<number>(n).fill(1);
    const all = Array.from({ length: n }, (_, i) => i);
    const trees = [];
    for (let m = 0; m < this.nEstimators; m++) {
      const g = F.map((f, i) => f - y[i]!);
      const rows = this.subsample < 1 ? rng.sample(n, Math.max(1, Math.round(this.subsample * n))) : all;
      const allowedFeatures = this.colsampleByTree < 1 ? rng.sample(p, Math.max(1, Math.round(this.colsampleByTree * p))).sort((a, b) => a - b) : undefined;
      const tree = growTree(X, g, h, rows, {
        maxDepth: this.maxDepth, minSamplesSplit: 2, minSamplesLeaf: 1,
        minChildWeight: this.minChildWeight, lambda: this.lambda, gamma: this.gamma, allowedFeatures,
      });
      trees.push(tree);
      for (let i = 0; i < n; i++) F[i]! += this.learningRate * predictTree(tree, X[i]!);
    }
    this.ensemble_ = { base, trees, scales: trees.map(() => this.learningRate) };
    this.nFeatures_ = p;
    return this;
  }

  predict(X: readonly (readonly number[])[]): number[] {
    if (!this.ensemble_) throw notFittedError("XGBoostRegressor", "predict");
    checkFeatureCount("XGBoostRegressor", X, this.nFeatures_!);
    return X.map((x) => predictEnsemble(this.ensemble_!, x));
  }
}
