/**
 * One regression tree grown greedily on gradient statistics, shared by the forest and both boosters.
 *
 * With gradients g_i and hessians h_i (second-order boosting, XGBoost's formulation) a leaf's weight is
 * w = -G / (H + lambda) and a split's gain is
 *   gain = 1/2 * [ G_L^2 / (H_L + lambda) + G_R^2 / (H_R + lambda) - G^2 / (H + lambda) ] - gamma,
 * with G, H the sums over the node's samples. Splits with gain <= 0 are not made; children must keep at least
 * minSamplesLeaf samples and a hessian sum of at least minChildWeight. A plain CART tree on the squared error of a
 * target y is the special case g = -y, h = 1, lambda = gamma = 0: the leaf weight is the mean of y and the gain is
 * half the reduction of the sum of squared errors. Thresholds sit midway between consecutive distinct values and
 * x <= threshold goes left (scikit-learn's convention).
 */
import { checkFeatureCount, notFittedError } from "./estimator";
import type { Rng } from "../util/rng";

/** A fitted tree as flat arrays; node 0 is the root; leaves have feature -1. */
export interface TreeArrays {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  /** Leaf weight (for internal nodes, the weight the node would have as a leaf). */
  value: number[];
  /** Hessian sum of the training samples reaching the node (their count when h = 1): TreeSHAP's cover. */
  cover: number[];
}

export interface TreeGrowOptions {
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  minChildWeight: number;
  lambda: number;
  gamma: number;
  /** Features tried at each node: all when undefined, else this many drawn at random (needs rng). */
  maxFeatures?: number;
  /** Restricts the candidate features for the whole tree (XGBoost's colsample_bytree). */
  allowedFeatures?: number[];
  rng?: Rng;
  /**
   * Row positions sorted by each feature of `allowedFeatures` (or all features), for `rows` = 0..n-1 exactly.
   * Boosting grows every tree on the same X, so sorting once instead of once per tree saves most of a fit's time
   * (the splits are identical: the same stable order).
   */
  presorted?: readonly Int32Array[];
  /** Columns of X for those features (same condition as presorted): copied once per fit instead of per tree. */
  columns?: readonly Float64Array[];
  /**
   * Dense rank of every row of X by each feature of `allowedFeatures` (or all features), from rankFeatures: for any
   * `rows` (a forest's bootstrap samples), the root's sorted lists come from a counting sort by rank instead of a
   * comparison sort per tree; the order is the same (by value, ties by position), so the tree is identical.
   */
  ranks?: readonly Int32Array[];
  /** When given (length rows.length): receives the leaf weight each position lands in, i.e. the tree's prediction
   * for the training rows, so boosting need not walk the tree again for them. */
  leafValues?: Float64Array;
}

/** Column j of X as a typed array (a plain loop: Float64Array.from with a map function is many times slower). */
function column(X: readonly (readonly number[])[], rows: readonly number[], f: number): Float64Array {
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = X[rows[k]!]![f]!;
  return out;
}

function gather(v: readonly number[], rows: readonly number[]): Float64Array {
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = v[rows[k]!]!;
  return out;
}

/** Positions 0..n-1 sorted by each given feature of X (stable), for TreeGrowOptions.presorted. */
export function presortFeatures(X: readonly (readonly number[])[], features: readonly number[]): Int32Array[] {
  return features.map((f) => {
    const col = column(X, Array.from({ length: X.length }, (_, i) => i), f);
    return Int32Array.from({ length: X.length }, (_, k) => k).sort((a, b) => col[a]! - col[b]! || a - b);
  });
}

/** Dense rank of every row of X by each given feature (equal values share a rank), for TreeGrowOptions.ranks. */
export function rankFeatures(X: readonly (readonly number[])[], features: readonly number[]): Int32Array[] {
  return presortFeatures(X, features).map((order, s) => {
    const f = features[s]!;
    const rank = new Int32Array(X.length);
    let r = -1;
    let previous = NaN;
    for (const i of order) {
      const v = X[i]![f]!;
      if (!(v - previous === 0)) r++; // the comparison sort's notion of equal values
      rank[i] = r;
      previous = v;
    }
    return rank;
  });
}

/** Positions 0..rows.length-1 ordered by the rank of their row, ties by position (a stable counting sort). */
function sortPositionsByRank(rank: Int32Array, rows: readonly number[]): Int32Array {
  const start = new Int32Array(rank.length + 1);
  for (let k = 0; k < rows.length; k++) start[rank[rows[k]!]! + 1]!++;
  for (let r = 1; r <= rank.length; r++) start[r]! += start[r - 1]!;
  const out = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[start[rank[rows[k]!]!]!++] = k;
  return out;
}

/**
 * Grows one tree on rows `rows` of X (repeats allowed: a bootstrap sample) with per-row g and h.
 */
export function growTree(X: readonly (readonly number[])[], g: readonly number[], h: readonly number[], rows: readonly number[], o: TreeGrowOptions): TreeArrays {
  const t: TreeArrays = { feature: [], threshold: [], left: [], right: [], value: [], cover: [] };
  const p = X[0]!.length;
  const features = o.allowedFeatures ?? Array.from({ length: p }, (_, j) => j);
  // Rows are sorted once per feature; each split partitions these lists stably, so no node sorts again.
  // Positions index `rows` (which may repeat a row: a bootstrap sample); values are copied per position.
  const nPos = rows.length;
  const gp = gather(g, rows);
  const hp = gather(h, rows);
  const xp = o.columns ?? features.map((f) => column(X, rows, f));
  const sortedRoot = o.presorted
    ? o.presorted.map((list) => list.slice())
    : o.ranks
      ? o.ranks.map((rank) => sortPositionsByRank(rank, rows))
      : xp.map((col) => Int32Array.from({ length: nPos }, (_, k) => k).sort((a, b) => col[a]! - col[b]! || a - b));
  const goesLeft = new Uint8Array(nPos);
  // Each node owns the segment [lo, hi) of every feature's sorted list; a split partitions the segments stably in
  // place (the right part through `spill`), so growing allocates nothing per node and the order is the one separate
  // lists per node had.
  const spill = new Int32Array(nPos);
  const { minSamplesLeaf, minChildWeight, lambda, gamma } = o;
  const leafValues = o.leafValues;

  const grow = (lo: number, hi: number, depth: number): number => {
    const members = sortedRoot[0]!;
    const n = hi - lo;
    let G = 0;
    let H = 0;
    for (let q = lo; q < hi; q++) {
      G += gp[members[q]!]!;
      H += hp[members[q]!]!;
    }
    const node = t.feature.length;
    const value = -G / (H + lambda);
    t.feature.push(-1);
    t.threshold.push(0);
    t.left.push(-1);
    t.right.push(-1);
    t.value.push(value);
    t.cover.push(H);
    const leaf = (): number => {
      if (leafValues) for (let q = lo; q < hi; q++) leafValues[members[q]!] = value;
      return node;
    };
    if (depth >= o.maxDepth || n < o.minSamplesSplit || n < 2 * minSamplesLeaf) return leaf();

    const parentScore = (G * G) / (H + lambda);
    const minGain = 1e-12 * Math.abs(parentScore);
    let bestGain = 0;
    let bestSlot = -1;
    let bestThreshold = 0;
    let slots = features.map((_, s) => s);
    if (o.maxFeatures !== undefined && o.maxFeatures < features.length) {
      if (!o.rng) throw new Error("growTree: maxFeatures needs an rng");
      slots = o.rng.sample(features.length, o.maxFeatures);
    }
    for (const s of slots) {
      const col = xp[s]!;
      const list = sortedRoot[s]!;
      let GL = 0;
      let HL = 0;
      for (let q = lo; q < hi - 1; q++) {
        const i = list[q]!;
        GL += gp[i]!;
        HL += hp[i]!;
        const xa = col[i]!;
        const xb = col[list[q + 1]!]!;
        if (xa === xb) continue;
        const nL = q - lo + 1;
        if (nL < minSamplesLeaf || n - nL < minSamplesLeaf) continue;
        const GR = G - GL;
        const HR = H - HL;
        if (HL < minChildWeight || HR < minChildWeight) continue;
        const gain = 0.5 * ((GL * GL) / (HL + lambda) + (GR * GR) / (HR + lambda) - parentScore) - gamma;
        if (gain > bestGain + minGain) {
          let thr = xa + (xb - xa) / 2;
          if (thr === xb) thr = xa; // midpoint rounded up to xb: keep x <= thr on the left side
          bestGain = gain;
          bestSlot = s;
          bestThreshold = thr;
        }
      }
    }
    if (bestSlot < 0) return leaf();
    const col = xp[bestSlot]!;
    let nLeft = 0;
    for (let q = lo; q < hi; q++) {
      const k = members[q]!;
      goesLeft[k] = col[k]! <= bestThreshold ? 1 : 0;
      nLeft += goesLeft[k]!;
    }
    for (const list of sortedRoot) {
      let a = lo;
      let b = 0;
      for (let q = lo; q < hi; q++) {
        const k = list[q]!;
        if (goesLeft[k] === 1) list[a++] = k;
        else spill[b++] = k;
      }
      list.set(spill.subarray(0, b), a);
    }
    t.feature[node] = features[bestSlot]!;
    t.threshold[node] = bestThreshold;
    const l = grow(lo, lo + nLeft, depth + 1);
    const r = grow(lo + nLeft, hi, depth + 1);
    t.left[node] = l;
    t.right[node] = r;
    return node;
  };
  grow(0, nPos, 0);
  return t;
}

/** The leaf weight a tree gives to one row. */
export function predictTree(t: TreeArrays, x: readonly number[]): number {
  let n = 0;
  while (t.feature[n]! >= 0) n = x[t.feature[n]!]! <= t.threshold[n]! ? t.left[n]! : t.right[n]!;
  return t.value[n]!;
}

/** A sum of scaled trees plus a constant: prediction = base + sum_k scale_k * tree_k(x). */
export interface TreeEnsemble {
  base: number;
  trees: TreeArrays[];
  scales: number[];
}

export function predictEnsemble(e: TreeEnsemble, x: readonly number[]): number {
  let s = e.base;
  for (let k = 0; k < e.trees.length; k++) s += e.scales[k]! * predictTree(e.trees[k]!, x);
  return s;
}

/**
 * Stagewise boosting of squared error shared by GradientBoostingRegressor and XGBoostRegressor:
 * F_0 = mean(y); each round grows a tree on g_i = F(x_i) - y_i, h_i = 1 over (optionally) a row subsample, and
 * adds learningRate * tree. `grow` supplies the tree options of the round (it may draw column subsets from rng).
 */
export function boostSquaredError(
  X: readonly (readonly number[])[],
  y: readonly number[],
  o: { nEstimators: number; learningRate: number; subsample: number; rng: Rng; options: () => TreeGrowOptions },
): TreeEnsemble {
  const n = X.length;
  const base = y.reduce((a, v) => a + v, 0) / n;
  const F = new Array<number>(n).fill(base);
  const h = new Array<number>(n).fill(1);
  const all = Array.from({ length: n }, (_, i) => i);
  const trees: TreeArrays[] = [];
  const p = X[0]!.length;
  const allFeatures = Array.from({ length: p }, (_, j) => j);
  const presortedAll = o.subsample < 1 ? undefined : presortFeatures(X, allFeatures);
  const columnsAll = presortedAll && allFeatures.map((f) => column(X, all, f));
  for (let m = 0; m < o.nEstimators; m++) {
    const g = F.map((f, i) => f - y[i]!);
    const rows = o.subsample < 1 ? o.rng.sample(n, Math.max(1, Math.round(o.subsample * n))) : all;
    const options = o.options();
    const pick = <T>(all: T[]): T[] => (options.allowedFeatures ? options.allowedFeatures.map((f) => all[f]!) : all);
    // on all rows, the tree's training predictions come out of growing it (the same leaf the walk would reach)
    const leafValues = rows === all ? new Float64Array(n) : undefined;
    const tree = growTree(X, g, h, rows, { ...options, ...(presortedAll && columnsAll ? { presorted: pick(presortedAll), columns: pick(columnsAll) } : {}), leafValues });
    trees.push(tree);
    for (let i = 0; i < n; i++) F[i]! += o.learningRate * (leafValues ? leafValues[i]! : predictTree(tree, X[i]!));
  }
  return { base, trees, scales: trees.map(() => o.learningRate) };
}

/** Shared state and predict of the tree-ensemble regressors (forest and boosters). */
export abstract class TreeEnsembleRegressor {
  ensemble_?: TreeEnsemble;
  nFeatures_?: number;
  protected abstract readonly estimatorName: string;

  predict(X: readonly (readonly number[])[]): number[] {
    if (!this.ensemble_) throw notFittedError(this.estimatorName, "predict");
    checkFeatureCount(this.estimatorName, X, this.nFeatures_!);
    return X.map((x) => predictEnsemble(this.ensemble_!, x));
  }
}
