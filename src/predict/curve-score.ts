/**
 * Curve-space scores of predicted ratio trajectories against observed ones, for one model:
 * - layerMean: the mean over the model's layers of each layer's R^2 (its series over steps against the prediction,
 *   around that layer's own mean). Strict: a layer whose ratio barely moves has a tiny denominator, so a small level
 *   error there gives a large negative R^2.
 * - pooled: one R^2 over all (layer, step) points of the model, around the model's grand mean.
 */
import { r2Score } from "./metrics";

export interface CurveScore {
  layerMean: number;
  pooled: number;
  /** R^2 per layer. */
  perLayer: number[];
}

export function curveScore(observed: readonly (readonly number[])[], predicted: readonly (readonly number[])[]): CurveScore {
  if (observed.length !== predicted.length || observed.length === 0) {
    throw new Error(`curveScore: observed has ${observed.length} layers, predicted ${predicted.length}`);
  }
  const perLayer = observed.map((o, l) => r2Score(o, predicted[l]!));
  return {
    perLayer,
    layerMean: perLayer.reduce((a, v) => a + v, 0) / perLayer.length,
    pooled: r2Score(observed.flat(), predicted.flat()),
  };
}
