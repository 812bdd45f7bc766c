/**
 * Splits and hyperparameter search: random train/test split, K-fold, leave-one-group-out, and a grid search that
 * picks the options with the best mean validation R^2 (scikit-learn's GridSearchCV default scoring for regressors).
 * Everything random is seeded.
 */
import type { Regressor } from "./estimator";
import { r2Score } from "./metrics";
import { Rng } from "../util/rng";

export interface Split {
  train: number[];
  test: number[];
}

/** A shuffled train/test split of n rows; the test part has round(testFraction * n) rows, at least 1. */
export function trainTestSplit(n: number, testFraction: number, seed: number): Split {
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`trainTestSplit: testFraction must be in (0, 1), got ${testFraction}`);
  const order = new Rng(seed).shuffle(Array.from({ length: n }, (_, i) => i));
  const nTest = Math.max(1, Math.round(testFraction * n));
  return { test: order.slice(0, nTest).sort((a, b) => a - b), train: order.slice(nTest).sort((a, b) => a - b) };
}

/** K folds of n rows after a seeded shuffle (fold sizes differ by at most one, as scikit-learn's KFold). */
export function kFold(n: number, k: number, seed: number): Split[] {
  if (!(k >= 2 && k <= n)) throw new Error(`kFold: need 2 <= k <= n, got k=${k}, n=${n}`);
  const order = new Rng(seed).shuffle(Array.from({ length: n }, (_, i) => i));
  const folds: Split[] = [];
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
    const test = order.slice(start, start + size);
    const inTest = new Set(test);
    folds.push({ test: test.sort((a, b) => a - b), train: order.filter((i) => !inTest.has(i)).sort((a, b) => a - b) });
    start += size;
  }
  return folds;
}

/** One split per distinct group: that group's rows are the test part. Returned in first-appearance order. */
export function leaveOneGroupOut(groups: readonly string[]): (Split & { group: string })[] {
  const names = [...new Set(groups)];
  if (names.length < 2) throw new Error(`leaveOneGroupOut: need at least 2 groups, got ${names.length}`);
  return names.map((group) => ({
    group,
    test: groups.flatMap((g, i) => (g === group ? [i] : [])),
    train: groups.flatMap((g, i) => (g !== group ? [i] : [])),
  }));
}

/**
 * K folds of rows grouped by `groups` (scikit-learn's GroupKFold idea, with a seeded shuffle of the groups): all rows
 * of a group are on the same side, groups are dealt to folds in shuffled order (fold sizes in groups differ by at
 * most one).
 */
export function groupKFold(groups: readonly string[], k: number, seed: number): Split[] {
  const names = [...new Set(groups)];
  return kFold(names.length, k, seed).map((f) => {
    const test = new Set(f.test.map((i) => names[i]!));
    return {
      test: groups.flatMap((g, i) => (test.has(g) ? [i] : [])),
      train: groups.flatMap((g, i) => (test.has(g) ? [] : [i])),
    };
  });
}

/** Rows of a matrix or list by index. */
export function take<T>(items: readonly T[], idx: readonly number[]): T[] {
  return idx.map((i) => items[i]!);
}

/** Every combination of a grid {name: values[]} as a list of option objects. */
export function expandGrid(grid: Record<string, readonly unknown[]>): Record<string, unknown>[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(grid)) out = out.flatMap((o) => values.map((v) => ({ ...o, [key]: v })));
  return out;
}

/** Mean validation R^2 of a regressor built by `make` over the given splits. */
export function crossValScore(make: () => Regressor, X: readonly (readonly number[])[], y: readonly number[], splits: readonly Split[]): number {
  let s = 0;
  for (const sp of splits) {
    const model = make().fit(take(X, sp.train), take(y, sp.train));
    s += r2Score(take(y, sp.test), model.predict(take(X, sp.test)));
  }
  return s / splits.length;
}

export interface GridSearchResult<O> {
  bestOptions: O;
  bestScore: number;
  /** Every candidate with its mean validation R^2. */
  results: { options: O; score: number }[];
}

/** Tries every option set of the grid with `make(options)` and keeps the best mean validation R^2. */
export function gridSearchCV<O extends Record<string, unknown>>(
  make: (options: O) => Regressor,
  grid: Record<string, readonly unknown[]>,
  X: readonly (readonly number[])[],
  y: readonly number[],
  splits: readonly Split[],
): GridSearchResult<O> {
  const results = expandGrid(grid).map((options) => ({ options: options as O, score: crossValScore(() => make(options as O), X, y, splits) }));
  let best = results[0]!;
  for (const r of results) if (r.score > best.score || !Number.isFinite(best.score)) best = r;
  return { bestOptions: best.options, bestScore: best.score, results };
}
