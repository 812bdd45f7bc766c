/**
 * Whole-trajectory prediction for an unseen architecture: a functional principal-component model of the log-ratio
 * curves with ridge regression from smooth architecture features to the component scores.
 *
 * Model: for layer l of a model with architecture a, on a step grid t_1..t_T,
 *   log r_l(t) = m(t) + sum_{k<K} s_k(a, l) * phi_k(t),
 * where m is the mean training curve, phi_k the leading right singular vectors of the centred training curves
 * (shapes shared by all layers: the early dip, the rise between steps ~10 and ~300, the plateau), and each score
 * s_k is a ridge regression on the smooth features (log d, log(d/H), log L, relative depth, its square, a last-layer
 * indicator, H/d; standard-scaled). The prediction is therefore always a blend of observed curve shapes (no
 * wild extrapolation in time) and its level varies smoothly with log-size features, which extrapolate sensibly.
 * Objective per score: min_w ||s_k - Z w - b||^2 + alpha ||w||^2 with alpha chosen by leave-one-model-out
 * cross-validation on the training models (mean curve R^2 per layer, see ./curve-score).
 * Off the grid, curves are interpolated in log(1 + step) and held constant past the last training step.
 */
import { Matrix, SVD } from "ml-matrix";
import type { Architecture } from "./architecture";
import { notFittedError, type Regressor } from "./estimator";
import { GradientBoostingRegressor } from "./gradient-boosting";
import { layerFeatures, type FeatureSet } from "./features";
import { ScaledRegressor } from "./pipeline";
import { Ridge } from "./ridge";
import { commonStepGrid, resampleCurve } from "./step-grid";
import type { TrajectoryModel } from "./trajectory-baseline";
import { usableCurveScore, usableLayers, type TrainingModel } from "./training-data";

export interface TrajectoryPredictorOptions {
  /** Principal components of the log-ratio curves. Default 2. */
  components?: number;
  /** Ridge penalties tried by the inner leave-one-model-out CV. Default [1, 3, 10, 30]. */
  alphas?: number[];
  /** Feature set of the score regressions. Default "smooth". */
  features?: FeatureSet;
  /**
   * Regressor of the component scores: "ridge" (alpha by inner CV), "trees" (gradient-boosted trees, depth 2),
   * or "ridge+trees" (the mean of both). Default "ridge".
   */
  scoreModel?: ScoreModel;
  /** Seed of the tree regressor. */
  seed?: number;
}

export type ScoreModel = "ridge" | "trees" | "ridge+trees";

/** The mean of several regressors' predictions. */
class MeanRegressor implements Regressor {
  constructor(readonly parts: Regressor[]) {}
  fit(X: readonly (readonly number[])[], y: readonly number[]): this {
    for (const p of this.parts) p.fit(X, y);
    return this;
  }
  predict(X: readonly (readonly number[])[]): number[] {
    const preds = this.parts.map((p) => p.predict(X));
    return X.map((_, i) => preds.reduce((a, p) => a + p[i]!, 0) / preds.length);
  }
}

function scoreRegressor(kind: ScoreModel, alpha: number, seed: number): Regressor {
  const ridge = (): Regressor => new ScaledRegressor(new Ridge({ alpha }));
  const trees = (): Regressor => new GradientBoostingRegressor({ nEstimators: 100, learningRate: 0.1, maxDepth: 2, seed });
  if (kind === "ridge") return ridge();
  if (kind === "trees") return trees();
  return new MeanRegressor([ridge(), trees()]);
}

interface CurveBasisFit {
  grid: number[];
  mean: number[];
  basis: number[][];
  regressors: Regressor[];
}

function designRows(models: readonly TrainingModel[], features: FeatureSet): number[][] {
  return models.flatMap((m) => usableLayers(m).map((l) => layerFeatures(m.arch, l, features)));
}

function logCurves(models: readonly TrainingModel[], grid: readonly number[]): number[][] {
  return models.flatMap((m) => usableLayers(m).map((l) => resampleCurve(m.steps, m.ratio[l]!, grid).map((v) => Math.log(v))));
}

function fitBasis(models: readonly TrainingModel[], grid: number[], K: number, make: () => Regressor, features: FeatureSet): CurveBasisFit {
  const Y = logCurves(models, grid);
  const X = designRows(models, features);
  if (Y.length < 2) throw new Error(`TrajectoryPredictor.fit: need at least 2 layers with a finite positive ratio, got ${Y.length}`);
  const T = grid.length;
  const mean = new Array<number>(T).fill(0);
  for (const row of Y) for (let t = 0; t < T; t++) mean[t]! += row[t]! / Y.length;
  const centred = Y.map((row) => row.map((v, t) => v - mean[t]!));
  const k = Math.min(K, Y.length - 1, T);
  const V = new SVD(new Matrix(centred), { autoTranspose: true }).rightSingularVectors.to2DArray();
  const basis = Array.from({ length: k }, (_, c) => V.map((r) => r[c]!));
  const regressors = basis.map((phi) => {
    const scores = centred.map((row) => row.reduce((a, v, t) => a + v * phi[t]!, 0));
    return make().fit(X, scores);
  });
  return { grid, mean, basis, regressors };
}

function predictBasis(fit: CurveBasisFit, arch: Architecture, steps: readonly number[], features: FeatureSet): number[][] {
  const X = Array.from({ length: arch.numLayers }, (_, l) => layerFeatures(arch, l, features));
  const scores = fit.regressors.map((r) => r.predict(X));
  return X.map((_, l) => {
    const logCurve = fit.mean.map((m, t) => m + fit.basis.reduce((a, phi, c) => a + scores[c]![l]! * phi[t]!, 0));
    return resampleCurve(fit.grid, logCurve.map(Math.exp), steps);
  });
}

export class TrajectoryPredictor implements TrajectoryModel {
  readonly components: number;
  readonly alphas: number[];
  readonly features: FeatureSet;
  readonly scoreModel: ScoreModel;
  readonly seed: number;
  alpha_?: number;
  /** Inner-CV mean curve R^2 per alpha. */
  cvScores_?: { alpha: number; score: number }[];
  fit_?: CurveBasisFit;

  constructor(options: TrajectoryPredictorOptions = {}) {
    this.components = options.components ?? 2;
    this.alphas = options.alphas ?? [1, 3, 10, 30];
    this.features = options.features ?? "smooth";
    this.scoreModel = options.scoreModel ?? "ridge";
    this.seed = options.seed ?? 0;
    if (!(this.components >= 1)) throw new Error(`TrajectoryPredictor: components must be >= 1, got ${this.components}`);
  }

  fit(models: readonly TrainingModel[]): this {
    if (models.length < 2) throw new Error(`TrajectoryPredictor.fit: need at least 2 training models, got ${models.length}`);
    const grid = commonStepGrid(models.map((m) => m.steps));
    const make = (alpha: number) => () => scoreRegressor(this.scoreModel, alpha, this.seed);
    if (this.alphas.length === 1 || models.length < 3 || this.scoreModel === "trees") {
      this.alpha_ = this.alphas[0]!;
    } else {
      this.cvScores_ = this.alphas.map((alpha) => {
        let s = 0;
        for (const held of models) {
          const rest = models.filter((m) => m !== held);
          const f = fitBasis(rest, grid, this.components, make(alpha), this.features);
          s += usableCurveScore(held, predictBasis(f, held.arch, held.steps, this.features))?.layerMean ?? 0;
        }
        return { alpha, score: s / models.length };
      });
      this.alpha_ = this.cvScores_.reduce((b, c) => (c.score > b.score ? c : b)).alpha;
    }
    this.fit_ = fitBasis(models, grid, this.components, make(this.alpha_), this.features);
    return this;
  }

  predict(arch: Architecture, steps: readonly number[]): number[][] {
    if (!this.fit_) throw notFittedError("TrajectoryPredictor", "predict");
    return predictBasis(this.fit_, arch, steps, this.features);
  }
}
