/**
 * Exact Shapley values of any model over a few features (interventional): the value of a coalition S for row x is
 * the mean prediction over a background set with the features in S set to x's values. Exact by enumerating all 2^p
 * coalitions, so only for p up to about 12 (the Table 4 set has 10).
 *   phi_j = sum_{S not containing j} |S|! (p - |S| - 1)! / p! * [v(S + j) - v(S)]
 */
import type { ShapResult } from "./tree-shap";

export function exactShapley(predict: (X: number[][]) => number[], X: readonly (readonly number[])[], background: readonly (readonly number[])[], maxFeatures = 12): ShapResult {
  if (X.length === 0 || background.length === 0) throw new Error("exactShapley: X and background must be non-empty");
  const p = X[0]!.length;
  if (p > maxFeatures) throw new Error(`exactShapley: ${p} features means 2^${p} coalitions; pass at most ${maxFeatures} or use treeShap for trees`);
  const fact = [1];
  for (let i = 1; i <= p; i++) fact.push(fact[i - 1]! * i);
  const expectedValue = predict(background.map((r) => r.slice())).reduce((a, v) => a + v, 0) / background.length;
  const shapValues = X.map((x) => {
    const v = new Array<number>(1 << p);
    for (let mask = 0; mask < 1 << p; mask++) {
      const rows = background.map((b) => b.map((bv, j) => (mask & (1 << j) ? x[j]! : bv)));
      v[mask] = predict(rows).reduce((a, y) => a + y, 0) / rows.length;
    }
    const phi = new Array<number>(p).fill(0);
    for (let mask = 0; mask < 1 << p; mask++) {
      let size = 0;
      for (let j = 0; j < p; j++) if (mask & (1 << j)) size++;
      const weight = (fact[size]! * fact[p - size - 1]!) / fact[p]!;
      for (let j = 0; j < p; j++) if (!(mask & (1 << j))) phi[j]! += weight * (v[mask | (1 << j)]! - v[mask]!);
    }
    return phi;
  });
  return { expectedValue, shapValues };
}
