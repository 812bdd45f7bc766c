// The tree grower's shortcuts must grow the very trees of the plain path: rows ranked once per forest (a counting
// sort per tree instead of a comparison sort) and the training rows' leaf weights taken while growing (instead of
// walking the tree). Equality is exact (deepEqual on the arrays): the shortcuts change no arithmetic.
import { test } from "node:test";
import assert from "node:assert/strict";
import { growTree, predictTree, rankFeatures, type TreeGrowOptions } from "../../src/predict/regression-tree";
import { Rng } from "../../src/util/rng";

// 60 rows, 4 features with many ties (rounded values, a constant-ish column), a bootstrap sample with repeats
function data(seed: number): { X: number[][]; g: number[]; h: number[]; rows: number[] } {
  const rng = new Rng(seed);
  const X = Array.from({ length: 60 }, () => [Math.round(rng.next() * 5), rng.next(), Math.round(rng.next() * 2) / 2, 7]);
  const g = X.map((x) => -(x[0]! * 0.3 + Math.sin(6 * x[1]!) + rng.next() * 0.1));
  const h = X.map(() => 1);
  const rows = Array.from({ length: X.length }, () => rng.int(X.length));
  return { X, g, h, rows };
}

const base = (rng?: Rng): TreeGrowOptions => ({ maxDepth: Infinity, minSamplesSplit: 2, minSamplesLeaf: 1, minChildWeight: 0, lambda: 0, gamma: 0, ...(rng ? { maxFeatures: 2, rng } : {}) });

test("a tree grown from ranked rows equals the one grown by sorting (bootstrap repeats, ties, random features)", () => {
  for (const seed of [1, 2, 3]) {
    const { X, g, h, rows } = data(seed);
    const ranks = rankFeatures(X, [0, 1, 2, 3]);
    assert.deepEqual(growTree(X, g, h, rows, { ...base(), ranks }), growTree(X, g, h, rows, base()));
    // with features drawn per node, the same draws happen in the same order
    assert.deepEqual(growTree(X, g, h, rows, { ...base(new Rng(seed)), ranks }), growTree(X, g, h, rows, base(new Rng(seed))));
  }
});

test("rankFeatures gives equal values one rank and orders the ranks by value", () => {
  const X = [[3, 0], [1, 0], [3, -1], [2, 0]];
  assert.deepEqual(rankFeatures(X, [0, 1]).map((r) => Array.from(r)), [[2, 0, 2, 1], [1, 1, 0, 1]]);
});

test("leafValues holds each training row's prediction (the leaf the tree walk reaches)", () => {
  const { X, g, h } = data(4);
  const all = X.map((_, i) => i);
  const leafValues = new Float64Array(X.length);
  const tree = growTree(X, g, h, all, { ...base(), maxDepth: 3, leafValues });
  assert.deepEqual(Array.from(leafValues), X.map((x) => predictTree(tree, x)));
});
