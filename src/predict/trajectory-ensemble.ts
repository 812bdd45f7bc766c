/**
 * The project's trajectory predictor for unseen architectures: a weighted geometric mean (a weighted mean in
 * log-ratio space) of
 *   (1) the functional-PCA + ridge curve model of ./trajectory (smooth in architecture, curve-shaped in time) and
 *   (2) gradient-boosted trees on Table 4 features + log(1 + step) (./trajectory-baseline),
 * with an 80% prediction band per layer and step.
 *
 * Every choice is made inside `fit`, from the explicit candidate list `ENSEMBLE_CANDIDATES`, by cross-validation
 * grouped by model over the training models only: the curve model's components and ridge alpha, the trees' depth,
 * and the blend weight (0 = curve model alone, 1 = trees alone). So evaluating `fit` on held-out architectures
 * (./nested-evaluation) is a nested cross-validation of the whole procedure: no choice ever sees the model it is
 * scored on. The band is the empirical (1-level)/2 and (1+level)/2 quantiles, per training step, of the chosen
 * blend's out-of-fold log residuals log(observed / predicted) pooled over the inner held-out models' layers: the
 * spread a prediction for an unseen architecture showed on architectures it had not seen.
 */
import type { Architecture } from "./architecture";
import { kFold } from "./cross-validation";
import { notFittedError } from "./estimator";
import { commonStepGrid, resampleCurve } from "./step-grid";
import { BaselineTrajectoryPredictor, type TrajectoryModel } from "./trajectory-baseline";
import { TrajectoryPredictor } from "./trajectory";
import { usableCurveScore, usableLayers, type TrainingModel } from "./training-data";

export interface CurveModelCandidate {
  components: number;
  alpha: number;
}
export interface TreeCandidate {
  maxDepth: number;
  nEstimators: number;
  learningRate: number;
}
export interface EnsembleCandidates {
  curveModels: CurveModelCandidate[];
  trees: TreeCandidate[];
  /** Weights of the trees in the log-space blend (the curve model gets 1 - w). */
  treeWeights: number[];
}

/** The candidate list every choice of the shipped predictor is made from: 12 x 2 x 5 = 120 combinations, 86 distinct
 * (at w = 0 the tree setting does not matter, at w = 1 the curve model). */
export const ENSEMBLE_CANDIDATES: EnsembleCandidates = {
  curveModels: [1, 2, 3].flatMap((components) => [1, 3, 10, 30].map((alpha) => ({ components, alpha }))),
  trees: [2, 3].map((maxDepth) => ({ maxDepth, nEstimators: 100, learningRate: 0.1 })),
  treeWeights: [0, 0.25, 0.5, 0.75, 1],
};

export interface EnsembleTrajectoryOptions {
  candidates?: EnsembleCandidates;
  /** Folds of the inner cross-validation, grouped by model. Default 5 (fewer when there are fewer models). */
  innerFolds?: number;
  /** Coverage aimed at by the band. Default 0.8. */
  bandLevel?: number;
  seed?: number;
}

export interface EnsembleSelection {
  curveModel: CurveModelCandidate;
  trees: TreeCandidate;
  treeWeight: number;
  /** Inner cross-validated mean curve R^2 (mean over the inner held-out models of their layer-mean R^2). */
  innerScore: number;
  innerFolds: number;
  /** Combinations tried. */
  tried: number;
}

/** A prediction with its band: [layer][k] at steps[k]. */
export interface TrajectoryBand {
  ratio: number[][];
  lower: number[][];
  upper: number[][];
}

/** Element-wise weighted geometric mean of several [layer][step] predictions (equal weights by default). */
export function combineLogMean(predictions: readonly (readonly (readonly number[])[])[], weights?: readonly number[]): number[][] {
  const w = weights ?? predictions.map(() => 1 / predictions.length);
  if (w.length !== predictions.length) throw new Error(`combineLogMean: ${predictions.length} predictions but ${w.length} weights`);
  return predictions[0]!.map((row, l) => row.map((_, k) => Math.exp(predictions.reduce((a, p, j) => a + (w[j] === 0 ? 0 : w[j]! * Math.log(p[l]![k]!)), 0))));
}

/** The q-quantile of a sample (linear interpolation between order statistics, numpy's default). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

interface OutOfFold {
  model: TrainingModel;
  /** Per candidate, log-predicted ratio [layer][k] at the model's steps. */
  curve: number[][][];
  trees: number[][][];
}

const logOf = (p: number[][]): number[][] => p.map((r) => r.map(Math.log));

function blendLog(curve: number[][], trees: number[][], w: number): number[][] {
  return curve.map((row, l) => row.map((c, k) => (1 - w) * c + w * trees[l]![k]!));
}

export class EnsembleTrajectoryPredictor implements TrajectoryModel {
  readonly candidates: EnsembleCandidates;
  readonly innerFolds: number;
  readonly bandLevel: number;
  readonly seed: number;
  selection_?: EnsembleSelection;
  /** Band edges in log space on `bandGrid_`: log(observed / predicted) quantiles per training step. */
  bandLow_?: number[];
  bandHigh_?: number[];
  bandGrid_?: number[];
  private curveModel_?: TrajectoryPredictor;
  private treeModel_?: BaselineTrajectoryPredictor;

  constructor(options: EnsembleTrajectoryOptions = {}) {
    this.candidates = options.candidates ?? ENSEMBLE_CANDIDATES;
    this.innerFolds = options.innerFolds ?? 5;
    this.bandLevel = options.bandLevel ?? 0.8;
    this.seed = options.seed ?? 0;
    const c = this.candidates;
    if (!c.curveModels.length || !c.trees.length || !c.treeWeights.length) throw new Error("EnsembleTrajectoryPredictor: every candidate list needs at least one entry");
    if (c.treeWeights.some((w) => !(w >= 0 && w <= 1))) throw new Error("EnsembleTrajectoryPredictor: tree weights must lie in [0, 1]");
    if (!(this.bandLevel > 0 && this.bandLevel < 1)) throw new Error(`EnsembleTrajectoryPredictor: bandLevel must be in (0, 1), got ${this.bandLevel}`);
  }

  private makeCurveModel(c: CurveModelCandidate): TrajectoryPredictor {
    return new TrajectoryPredictor({ components: c.components, alphas: [c.alpha], seed: this.seed });
  }

  private makeTrees(t: TreeCandidate): BaselineTrajectoryPredictor {
    return new BaselineTrajectoryPredictor({ ...t, seed: this.seed });
  }

  fit(models: readonly TrainingModel[]): this {
    if (models.length < 2) throw new Error(`EnsembleTrajectoryPredictor.fit: need at least 2 training models, got ${models.length}`);
    const c = this.candidates;
    const folds = Math.min(this.innerFolds, models.length);
    const single = c.curveModels.length === 1 && c.trees.length === 1 && c.treeWeights.length === 1;
    let chosen = { curve: 0, tree: 0, w: c.treeWeights[0]!, score: -Infinity };
    let oof: OutOfFold[] = [];
    if (folds >= 2 && models.length >= 3) {
      // Out-of-fold predictions of every member candidate; blends are computed from them, so each member is fitted
      // once per inner fold whatever the number of weights.
      for (const split of kFold(models.length, folds, this.seed)) {
        const train = split.train.map((i) => models[i]!);
        const curveFits = c.curveModels.map((cm) => this.makeCurveModel(cm).fit(train));
        const needTrees = c.treeWeights.some((w) => w > 0);
        const treeFits = needTrees ? c.trees.map((t) => this.makeTrees(t).fit(train)) : [];
        for (const i of split.test) {
          const m = models[i]!;
          const curve = curveFits.map((f) => logOf(f.predict(m.arch, m.steps)));
          oof.push({ model: m, curve, trees: needTrees ? treeFits.map((f) => logOf(f.predict(m.arch, m.steps))) : [] });
        }
      }
      let tried = 0;
      for (let ci = 0; ci < c.curveModels.length; ci++) {
        for (let ti = 0; ti < c.trees.length; ti++) {
          for (const w of c.treeWeights) {
            // w = 0 ignores the trees and w = 1 the curve model: score those once, not once per unused member
            if ((w === 0 && ti > 0) || (w === 1 && ci > 0)) continue;
            tried++;
            const score = oof.reduce((a, o) => a + scoreBlend(o, ci, ti, w), 0) / oof.length;
            // ties keep the earlier candidate: the list order is the order of preference
            if (score > chosen.score) chosen = { curve: ci, tree: ti, w, score };
          }
        }
      }
      this.selection_ = { curveModel: c.curveModels[chosen.curve]!, trees: c.trees[chosen.tree]!, treeWeight: chosen.w, innerScore: chosen.score, innerFolds: folds, tried };
    } else if (!single) {
      throw new Error(`EnsembleTrajectoryPredictor.fit: choosing among candidates needs at least 3 training models, got ${models.length}; pass a single candidate`);
    } else {
      this.selection_ = { curveModel: c.curveModels[0]!, trees: c.trees[0]!, treeWeight: c.treeWeights[0]!, innerScore: NaN, innerFolds: 0, tried: 1 };
    }
    this.fitBand(oof, chosen, models);
    const s = this.selection_;
    this.curveModel_ = s.treeWeight < 1 ? this.makeCurveModel(s.curveModel).fit(models) : undefined;
    this.treeModel_ = s.treeWeight > 0 ? this.makeTrees(s.trees).fit(models) : undefined;
    return this;
  }

  /** Quantiles of the chosen blend's out-of-fold log residuals per step of the training grid. */
  private fitBand(oof: readonly OutOfFold[], chosen: { curve: number; tree: number; w: number }, models: readonly TrainingModel[]): void {
    const grid = commonStepGrid(models.map((m) => m.steps));
    const residuals: number[][] = grid.map(() => []);
    for (const o of oof) {
      const pred = blendLog(o.curve[chosen.curve]!, o.trees[chosen.tree] ?? o.curve[chosen.curve]!, o.trees.length ? chosen.w : 0);
      for (const l of usableLayers(o.model)) {
        o.model.steps.forEach((s, k) => {
          const g = grid.indexOf(s);
          if (g >= 0) residuals[g]!.push(Math.log(o.model.ratio[l]![k]!) - pred[l]![k]!);
        });
      }
    }
    if (residuals.some((r) => r.length === 0)) {
      this.bandGrid_ = this.bandLow_ = this.bandHigh_ = undefined;
      return;
    }
    this.bandGrid_ = grid;
    this.bandLow_ = residuals.map((r) => quantile(r, (1 - this.bandLevel) / 2));
    this.bandHigh_ = residuals.map((r) => quantile(r, (1 + this.bandLevel) / 2));
  }

  predict(arch: Architecture, steps: readonly number[]): number[][] {
    const s = this.selection_;
    if (!s) throw notFittedError("EnsembleTrajectoryPredictor", "predict");
    const curve = this.curveModel_ ? logOf(this.curveModel_.predict(arch, steps)) : undefined;
    const trees = this.treeModel_ ? logOf(this.treeModel_.predict(arch, steps)) : undefined;
    const log = curve && trees ? blendLog(curve, trees, s.treeWeight) : (curve ?? trees)!;
    return log.map((r) => r.map(Math.exp));
  }

  /** The prediction with its band (`bandLevel` of observed values expected inside); throws when no band was fitted. */
  predictWithBand(arch: Architecture, steps: readonly number[]): TrajectoryBand {
    const ratio = this.predict(arch, steps);
    if (!this.bandGrid_) throw new Error("EnsembleTrajectoryPredictor: no band (it needs an inner cross-validation: at least 3 training models)");
    const lo = resampleCurve(this.bandGrid_, this.bandLow_!, steps);
    const hi = resampleCurve(this.bandGrid_, this.bandHigh_!, steps);
    return {
      ratio,
      lower: ratio.map((r) => r.map((v, k) => v * Math.exp(lo[k]!))),
      upper: ratio.map((r) => r.map((v, k) => v * Math.exp(hi[k]!))),
    };
  }
}

function scoreBlend(o: OutOfFold, ci: number, ti: number, w: number): number {
  const pred = blendLog(o.curve[ci]!, o.trees[ti] ?? o.curve[ci]!, o.trees.length ? w : 0);
  return usableCurveScore(o.model, pred.map((r) => r.map(Math.exp)))?.layerMean ?? 0;
}
