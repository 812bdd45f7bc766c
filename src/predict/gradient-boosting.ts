/**
 * Gradient boosting with the squared loss (sklearn.ensemble.GradientBoostingRegressor, loss="squared_error").
 *
 * Objective: minimise sum_i (y_i - F(x_i))^2 / 2 stagewise: F_0 = mean(y); at stage m a CART tree of depth
 * maxDepth is fitted to the residuals r_i = y_i - F_{m-1}(x_i) (optionally on a random subsample of rows without
 * replacement) and F_m = F_{m-1} + learningRate * tree_m.
 */
import { checkXy, type Regressor } from "./estimator";
import { boostSquaredError, TreeEnsembleRegressor } from "./regression-tree";
import { Rng } from "../util/rng";

export interface GradientBoostingOptions {
  /** Boosting stages. Default 100. */
  nEstimators?: number;
  /** Shrinkage. Default 0.1. */
  learningRate?: number;
  /** Default 3. */
  maxDepth?: number;
  /** Default 2. */
  minSamplesSplit?: number;
  /** Default 1. */
  minSamplesLeaf?: number;
  /** Fraction of rows per stage (stochastic gradient boosting). Default 1. */
  subsample?: number;
  seed?: number;
}

export class GradientBoostingRegressor extends TreeEnsembleRegressor implements Regressor {
  protected readonly estimatorName = "GradientBoostingRegressor";
  readonly nEstimators: number;
  readonly learningRate: number;
  readonly maxDepth: number;
  readonly minSamplesSplit: number;
  readonly minSamplesLeaf: number;
  readonly subsample: number;
  readonly seed: number;

  constructor(options: GradientBoostingOptions = {}) {
    super();
    this.nEstimators = options.nEstimators ?? 100;
    this.learningRate = options.learningRate ?? 0.1;
    this.maxDepth = options.maxDepth ?? 3;
    this.minSamplesSplit = options.minSamplesSplit ?? 2;
    this.minSamplesLeaf = options.minSamplesLeaf ?? 1;
    this.subsample = options.subsample ?? 1;
    this.seed = options.seed ?? 0;
    if (!(this.learningRate > 0)) throw new Error(`GradientBoostingRegressor: learningRate must be > 0, got ${this.learningRate}`);
    if (!(this.subsample > 0 && this.subsample <= 1)) throw new Error(`GradientBoostingRegressor: subsample must be in (0, 1], got ${this.subsample}`);
  }

  fit(X: readonly (readonly number[])[], y: readonly number[]): this {
    const p = checkXy("GradientBoostingRegressor", X, y);
    this.ensemble_ = boostSquaredError(X, y, {
      nEstimators: this.nEstimators, learningRate: this.learningRate, subsample: this.subsample, rng: new Rng(this.seed),
      options: () => ({ maxDepth: this.maxDepth, minSamplesSplit: this.minSamplesSplit, minSamplesLeaf: this.minSamplesLeaf, minChildWeight: 0, lambda: 0, gamma: 0 }),
    });
    this.nFeatures_ = p;
    return this;
  }
}
