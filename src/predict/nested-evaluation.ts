/**
 * The honest score of the shipped trajectory predictor: nested cross-validation grouped by model.
 *
 * Outer loop: the models are split into folds (leave-one-model-out, or grouped k-fold where time demands); for each
 * outer fold a fresh `EnsembleTrajectoryPredictor` is fitted on the other models, and its `fit` makes every choice
 * (members, blend weight, components, alphas, tree depth) by its own inner cross-validation on those models only.
 * The held-out models are then scored by curve R^2 (./curve-score) and their observed points checked against the
 * predicted 80% band. A held-out model's layers never train its predictor nor any choice made for it.
 * The plain baseline (gradient-boosted trees on Table 4 features + log(1+step), fixed settings) runs on the same
 * outer folds, so the two compare directly.
 */
import { kFold } from "./cross-validation";
import type { CurveScore } from "./curve-score";
import { BaselineTrajectoryPredictor } from "./trajectory-baseline";
import { EnsembleTrajectoryPredictor, ENSEMBLE_CANDIDATES, type EnsembleCandidates, type EnsembleSelection, type TrajectoryBand } from "./trajectory-ensemble";
import { usableCurveScore, usableLayers, type TrainingModel } from "./training-data";
import { mean } from "./metrics";

/** "lomo" (leave one model out) or the number of grouped folds. */
export type OuterFolds = "lomo" | number;

export interface NestedCurveOptions {
  outerFolds?: OuterFolds;
  innerFolds?: number;
  candidates?: EnsembleCandidates;
  bandLevel?: number;
  seed?: number;
  /** Also run the plain baseline on the same folds. Default true. */
  baseline?: boolean;
  onProgress?: (message: string) => void;
}

export interface HeldOutCurveResult {
  model: string;
  /** `architecture` for the models of the cross-validation; `seed` / `hyperparameter` for a variant run predicted by
   * the fold that held out its base architecture (never part of any training set). */
  group: TrainingModel["group"];
  /** Index of the outer fold that held this model out. */
  fold: number;
  /** The model's recorded steps: where it is predicted and scored. */
  steps: number[];
  score: CurveScore;
  prediction: TrajectoryBand;
  /** Observed (layer, step) points inside the band / all usable points. */
  coverage: { inside: number; total: number };
  selection: EnsembleSelection;
  trainedOn: string[];
  baselineScore?: CurveScore;
  baseline?: number[][];
}

export interface NestedCurveResult {
  /** e.g. "nested leave-one-model-out (outer 41 folds), inner grouped 5-fold" */
  scheme: string;
  outerFolds: number;
  innerFolds: number;
  combinationsTried: number;
  bandLevel: number;
  seed: number;
  models: string[];
  heldOut: HeldOutCurveResult[];
  /** Mean over held-out models of their layer-mean curve R^2: the headline. */
  meanLayerR2: number;
  medianLayerR2: number;
  meanPooledR2: number;
  /** Fraction of all held-out observed points inside their band. */
  bandCoverage: number;
  baselineMeanLayerR2?: number;
  baselineMeanPooledR2?: number;
  /** Seed and hyperparameter runs, each predicted by the outer fold that held out its base architecture. */
  variants: HeldOutCurveResult[];
}

export function outerSplits(n: number, outer: OuterFolds, seed: number): { train: number[]; test: number[] }[] {
  if (outer === "lomo") return Array.from({ length: n }, (_, i) => ({ test: [i], train: Array.from({ length: n }, (_, j) => j).filter((j) => j !== i) }));
  if (!(Number.isInteger(outer) && outer >= 2 && outer <= n)) throw new Error(`nested evaluation: outer folds must be "lomo" or an integer in [2, ${n}], got ${outer}`);
  // a seed other than the inner folds' so the two partitions are unrelated
  return kFold(n, outer, seed + 1);
}

/** Fraction bookkeeping of one held-out model's observed points inside the band. */
export function bandCoverage(model: TrainingModel, band: TrajectoryBand): { inside: number; total: number } {
  let inside = 0;
  let total = 0;
  for (const l of usableLayers(model)) {
    model.ratio[l]!.forEach((v, k) => {
      total++;
      if (v >= band.lower[l]![k]! && v <= band.upper[l]![k]!) inside++;
    });
  }
  return { inside, total };
}

/** Scores on the usable layers only (a dead layer's ratio is not a curve to score). */
function scoreUsable(model: TrainingModel, predicted: number[][]): CurveScore {
  const score = usableCurveScore(model, predicted);
  if (!score) throw new Error(`${model.name}: no layer with a finite positive ratio to score`);
  return score;
}

/**
 * Runs one outer fold: fits on `train`, scores every model of `test`, and every `variants` run whose base is in
 * `test` (a seed or recipe variant of a held-out architecture). Exposed for worker threads.
 */
export function evaluateOuterFold(
  models: readonly TrainingModel[],
  split: { train: number[]; test: number[] },
  fold: number,
  options: NestedCurveOptions = {},
  variants: readonly TrainingModel[] = [],
): HeldOutCurveResult[] {
  const seed = options.seed ?? 0;
  const train = split.train.map((i) => models[i]!);
  const ensemble = new EnsembleTrajectoryPredictor({ candidates: options.candidates, innerFolds: options.innerFolds, bandLevel: options.bandLevel, seed }).fit(train);
  const baseline = options.baseline === false ? undefined : new BaselineTrajectoryPredictor({ seed }).fit(train);
  const held = split.test.map((i) => models[i]!);
  const heldNames = new Set(held.map((m) => m.name));
  return [...held, ...variants.filter((v) => heldNames.has(v.base))].map((m) => {
    const prediction = ensemble.predictWithBand(m.arch, m.steps);
    const base = baseline?.predict(m.arch, m.steps);
    return {
      model: m.name,
      group: m.group,
      fold,
      steps: m.steps,
      score: scoreUsable(m, prediction.ratio),
      prediction,
      coverage: bandCoverage(m, prediction),
      selection: ensemble.selection_!,
      trainedOn: train.map((t) => t.name),
      ...(base ? { baseline: base, baselineScore: scoreUsable(m, base) } : {}),
    };
  });
}

/** Puts the per-fold results together (in the models' order). */
export function summarizeNested(models: readonly TrainingModel[], results: readonly HeldOutCurveResult[], options: NestedCurveOptions = {}): NestedCurveResult {
  const outer = options.outerFolds ?? "lomo";
  const nOuter = outer === "lomo" ? models.length : outer;
  const innerFolds = results[0]?.selection.innerFolds ?? 0;
  const heldOut = models.map((m) => {
    const r = results.find((x) => x.model === m.name && x.group === "architecture");
    if (!r) throw new Error(`nested evaluation: no result for ${m.name}`);
    return r;
  });
  const layer = heldOut.map((r) => r.score.layerMean);
  const sorted = [...layer].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const inside = heldOut.reduce((a, r) => a + r.coverage.inside, 0);
  const total = heldOut.reduce((a, r) => a + r.coverage.total, 0);
  const withBaseline = heldOut.every((r) => r.baselineScore);
  return {
    scheme: `nested ${outer === "lomo" ? "leave-one-model-out" : `grouped ${outer}-fold`} (outer ${nOuter} folds, grouped by model), inner grouped ${innerFolds}-fold`,
    outerFolds: nOuter,
    innerFolds,
    combinationsTried: heldOut[0]?.selection.tried ?? 0,
    bandLevel: options.bandLevel ?? 0.8,
    seed: options.seed ?? 0,
    models: models.map((m) => m.name),
    heldOut,
    meanLayerR2: mean(layer),
    medianLayerR2: sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2,
    meanPooledR2: mean(heldOut.map((r) => r.score.pooled)),
    bandCoverage: inside / total,
    ...(withBaseline ? {
      baselineMeanLayerR2: mean(heldOut.map((r) => r.baselineScore!.layerMean)),
      baselineMeanPooledR2: mean(heldOut.map((r) => r.baselineScore!.pooled)),
    } : {}),
    variants: results.filter((r) => r.group !== "architecture"),
  };
}

/**
 * Nested cross-validation of EnsembleTrajectoryPredictor on `models` (their `architecture` runs; in one thread).
 * Seed and hyperparameter runs among `models` are not folded in: each is predicted by the fold holding out its base.
 */
export function nestedCurveEvaluation(runs: readonly TrainingModel[], options: NestedCurveOptions = {}): NestedCurveResult {
  const models = runs.filter((m) => m.group === "architecture");
  const variants = runs.filter((m) => m.group !== "architecture");
  if (models.length < 4) throw new Error(`nested evaluation: need at least 4 architecture models, got ${models.length}`);
  const splits = outerSplits(models.length, options.outerFolds ?? "lomo", options.seed ?? 0);
  const results = splits.flatMap((split, f) => {
    options.onProgress?.(`outer fold ${f + 1}/${splits.length}: holding out ${split.test.map((i) => models[i]!.name).join(", ")}`);
    return evaluateOuterFold(models, split, f, options, variants);
  });
  return summarizeNested(models, results, options);
}

/** The candidate count of a list (combinations scored by the inner cross-validation). */
export function candidateCount(c: EnsembleCandidates = ENSEMBLE_CANDIDATES): number {
  let n = 0;
  for (let ci = 0; ci < c.curveModels.length; ci++) for (let ti = 0; ti < c.trees.length; ti++) for (const w of c.treeWeights) if (!((w === 0 && ti > 0) || (w === 1 && ci > 0))) n++;
  return n;
}
