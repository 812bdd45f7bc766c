/**
 * Partial dependence (sklearn.inspection.partial_dependence, kind="average", brute force): the mean prediction over
 * the samples with one feature set to each grid value. The grid spans the 5th to 95th percentile in `resolution`
 * equal steps, or the feature's distinct values when there are fewer of them (as scikit-learn does).
 * The output matches the plots module's PartialDependencePanel ({feature, grid, values}).
 */
import type { Regressor } from "./estimator";

export interface PartialDependence {
  feature: string;
  grid: number[];
  values: number[];
}

function percentile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function partialDependence(model: Regressor, X: readonly (readonly number[])[], featureIndex: number, featureName: string, resolution = 20): PartialDependence {
  if (X.length === 0) throw new Error("partialDependence: X is empty");
  if (featureIndex < 0 || featureIndex >= X[0]!.length) throw new Error(`partialDependence: feature index ${featureIndex} outside 0..${X[0]!.length - 1}`);
  const column = X.map((r) => r[featureIndex]!).sort((a, b) => a - b);
  const distinct = [...new Set(column)];
  const grid = distinct.length <= resolution
    ? distinct
    : Array.from({ length: resolution }, (_, i) => {
        const [lo, hi] = [percentile(column, 0.05), percentile(column, 0.95)];
        return lo + ((hi - lo) * i) / (resolution - 1);
      });
  const values = grid.map((g) => {
    const preds = model.predict(X.map((r) => r.map((v, j) => (j === featureIndex ? g : v))));
    return preds.reduce((a, v) => a + v, 0) / preds.length;
  });
  return { feature: featureName, grid, values };
}
