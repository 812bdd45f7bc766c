/**
 * Leave-one-model-out evaluation of trajectory predictors: for each model, every predictor is fitted on the other
 * models and scored on the held-out model's observed ratio curves (./curve-score). All predictors see the same
 * splits, so their scores compare directly.
 */
import { curveScore, type CurveScore } from "./curve-score";
import type { TrajectoryModel } from "./trajectory-baseline";
import type { TrainingModel } from "./training-data";

export interface LomoCurveResult {
  /** predictor name -> held-out model name -> score */
  scores: Record<string, Record<string, CurveScore>>;
  /** predictor name -> mean over models of the per-model layerMean R^2 (the headline number) */
  meanLayerR2: Record<string, number>;
  /** predictor name -> mean over models of the pooled R^2 */
  meanPooledR2: Record<string, number>;
  models: string[];
  /** predictor name -> held-out model name -> predicted ratio [layers][steps] at that model's steps */
  predictions: Record<string, Record<string, number[][]>>;
}

/**
 * @deprecated Scores fixed predictors only: any choice made by looking at its result is not nested. Use
 * nestedCurveEvaluation (./nested-evaluation), which scores EnsembleTrajectoryPredictor with all its choices made
 * inside each outer fold.
 * Runs leave-one-model-out for the given predictor factories. `combine` may add derived predictors built from the
 * others' predictions on the same fold (e.g. an ensemble that reuses already-fitted members).
 */
export function leaveOneModelOutCurves(
  models: readonly TrainingModel[],
  factories: Record<string, () => TrajectoryModel>,
  combine: Record<string, (preds: Record<string, number[][]>) => number[][]> = {},
  onProgress?: (message: string) => void,
): LomoCurveResult {
  if (models.length < 3) throw new Error(`leaveOneModelOutCurves: need at least 3 models, got ${models.length}`);
  const names = [...Object.keys(factories), ...Object.keys(combine)];
  const scores: Record<string, Record<string, CurveScore>> = Object.fromEntries(names.map((n) => [n, {}]));
  const predictions: Record<string, Record<string, number[][]>> = Object.fromEntries(names.map((n) => [n, {}]));
  for (const held of models) {
    onProgress?.(`leave-one-model-out: holding out ${held.name}`);
    const rest = models.filter((m) => m !== held);
    const preds: Record<string, number[][]> = {};
    for (const [name, make] of Object.entries(factories)) preds[name] = make().fit(rest).predict(held.arch, held.steps);
    for (const [name, fn] of Object.entries(combine)) preds[name] = fn(preds);
    for (const name of names) {
      scores[name]![held.name] = curveScore(held.ratio, preds[name]!);
      predictions[name]![held.name] = preds[name]!;
    }
  }
  const avg = (name: string, key: "layerMean" | "pooled"): number => models.reduce((a, m) => a + scores[name]![m.name]![key], 0) / models.length;
  return {
    scores,
    meanLayerR2: Object.fromEntries(names.map((n) => [n, avg(n, "layerMean")])),
    meanPooledR2: Object.fromEntries(names.map((n) => [n, avg(n, "pooled")])),
    models: models.map((m) => m.name),
    predictions,
  };
}

/** A text table: one row per model, one column per predictor (layer-mean curve R^2), then the means. */
export function formatLomoCurveTable(r: LomoCurveResult): string {
  const names = Object.keys(r.scores);
  const w = Math.max(12, ...r.models.map((m) => m.length));
  const head = `${"held-out model".padEnd(w)}  ${names.map((n) => n.padStart(10)).join("  ")}`;
  const rows = r.models.map((m) => `${m.padEnd(w)}  ${names.map((n) => r.scores[n]![m]!.layerMean.toFixed(3).padStart(10)).join("  ")}`);
  const mean = `${"mean".padEnd(w)}  ${names.map((n) => r.meanLayerR2[n]!.toFixed(3).padStart(10)).join("  ")}`;
  const pooled = `${"mean pooled".padEnd(w)}  ${names.map((n) => r.meanPooledR2[n]!.toFixed(3).padStart(10)).join("  ")}`;
  return ["curve R^2 per held-out model (mean over its layers of each layer's R^2 over steps)", head, ...rows, mean, pooled].join("\n");
}
