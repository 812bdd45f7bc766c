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
import { checkXy, type Regressor } from "./estimator";
import { boostSquaredError, TreeEnsembleRegressor } from "./regression-tree";
import { Rng } from "../util/rng";

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

export class XGBoostRegressor extends TreeEnsembleRegressor implements Regressor {
  protected readonly estimatorName = "XGBoostRegressor";
  readonly nEstimators: number;
  readonly learningRate: number;
  readonly maxDepth: number;
  readonly lambda: number;
  readonly gamma: number;
  readonly minChildWeight: number;
  readonly subsample: number;
  readonly colsampleByTree: number;
  readonly seed: number;

  constructor(options: XGBoostOptions = {}) {
    super();
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
    const rng = new Rng(this.seed);
    this.ensemble_ = boostSquaredError(X, y, {
      nEstimators: this.nEstimators, learningRate: this.learningRate, subsample: this.subsample, rng,
      options: () => ({
        maxDepth: this.maxDepth, minSamplesSplit: 2, minSamplesLeaf: 1, minChildWeight: this.minChildWeight, lambda: this.lambda, gamma: this.gamma,
        allowedFeatures: this.colsampleByTree < 1 ? rng.sample(p, Math.max(1, Math.round(this.colsampleByTree * p))).sort((a, b) => a - b) : undefined,
      }),
    });
    this.nFeatures_ = p;
    return this;
  }
}
