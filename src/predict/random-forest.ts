/**
 * Random forest regression (sklearn.ensemble.RandomForestRegressor).
 *
 * Objective: each tree minimises the squared error sum_i (y_i - tree(x_i))^2 greedily on a bootstrap sample,
 * trying maxFeatures random features per split; the forest predicts the mean of the trees.
 */
import { checkXy, type Regressor } from "./estimator";
import { growTree, rankFeatures, TreeEnsembleRegressor } from "./regression-tree";
import { Rng } from "../util/rng";

export interface RandomForestOptions {
  /** Trees. Default 100. */
  nEstimators?: number;
  /** Depth limit. Default unlimited. */
  maxDepth?: number;
  /** Default 2. */
  minSamplesSplit?: number;
  /** Default 1. */
  minSamplesLeaf?: number;
  /** Features per split: a count, or a fraction in (0, 1] of the features. Default 1.0 (all, scikit-learn's regressor default). */
  maxFeatures?: number;
  /** Bootstrap rows per tree. Default true. */
  bootstrap?: boolean;
  seed?: number;
}

export class RandomForestRegressor extends TreeEnsembleRegressor implements Regressor {
  protected readonly estimatorName = "RandomForestRegressor";
  readonly nEstimators: number;
  readonly maxDepth: number;
  readonly minSamplesSplit: number;
  readonly minSamplesLeaf: number;
  readonly maxFeatures: number;
  readonly bootstrap: boolean;
  readonly seed: number;

  constructor(options: RandomForestOptions = {}) {
    super();
    this.nEstimators = options.nEstimators ?? 100;
    this.maxDepth = options.maxDepth ?? Infinity;
    this.minSamplesSplit = options.minSamplesSplit ?? 2;
    this.minSamplesLeaf = options.minSamplesLeaf ?? 1;
    this.maxFeatures = options.maxFeatures ?? 1.0;
    this.bootstrap = options.bootstrap ?? true;
    this.seed = options.seed ?? 0;
    if (!(this.nEstimators >= 1)) throw new Error(`RandomForestRegressor: nEstimators must be >= 1, got ${this.nEstimators}`);
  }

  fit(X: readonly (readonly number[])[], y: readonly number[]): this {
    const p = checkXy("RandomForestRegressor", X, y);
    const n = X.length;
    const rng = new Rng(this.seed);
    const k = this.maxFeatures <= 1 ? Math.max(1, Math.round(this.maxFeatures * p)) : Math.min(p, Math.floor(this.maxFeatures));
    const g = y.map((v) => -v);
    const h = new Array<number>(n).fill(1);
    const trees = [];
    // rows ranked by each feature once per fit: each tree's sorted lists then cost a counting sort
    const ranks = rankFeatures(X, Array.from({ length: p }, (_, j) => j));
    for (let t = 0; t < this.nEstimators; t++) {
      const rows = this.bootstrap ? Array.from({ length: n }, () => rng.int(n)) : Array.from({ length: n }, (_, i) => i);
      trees.push(growTree(X, g, h, rows, {
        maxDepth: this.maxDepth, minSamplesSplit: this.minSamplesSplit, minSamplesLeaf: this.minSamplesLeaf,
        minChildWeight: 0, lambda: 0, gamma: 0, maxFeatures: k, rng, ranks,
      }));
    }
    this.ensemble_ = { base: 0, trees, scales: trees.map(() => 1 / trees.length) };
    this.nFeatures_ = p;
    return this;
  }
}
