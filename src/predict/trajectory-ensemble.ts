/**
 * The project's trajectory predictor for unseen architectures: the geometric mean (mean in log-ratio space) of
 * (1) the functional-PCA + ridge model of ./trajectory (smooth in architecture, curve-shaped in time) and
 * (2) gradient-boosted trees on Table 4 features + log(1 + step) (./trajectory-baseline).
 * The two fail on different held-out models (the ridge extrapolates the level linearly in log-size features and
 * overshoots a model with narrow 16-dimensional heads; the trees cut on H/d but mistime the rise), and their
 * mean is better than either under leave-one-model-out on the mini-pythia suite (see docs/predict.md).
 */
import type { Architecture } from "./architecture";
import { notFittedError } from "./estimator";
import { BaselineTrajectoryPredictor, type TrajectoryModel } from "./trajectory-baseline";
import { TrajectoryPredictor } from "./trajectory";
import type { TrainingModel } from "./training-data";

export interface EnsembleTrajectoryOptions {
  /** Members; default [TrajectoryPredictor({components: 2}), BaselineTrajectoryPredictor()] seeded with `seed`. */
  members?: TrajectoryModel[];
  seed?: number;
}

export class EnsembleTrajectoryPredictor implements TrajectoryModel {
  readonly members: TrajectoryModel[];
  readonly seed: number;
  private fitted = false;

  constructor(options: EnsembleTrajectoryOptions = {}) {
    this.seed = options.seed ?? 0;
    this.members = options.members ?? [new TrajectoryPredictor({ components: 2, seed: this.seed }), new BaselineTrajectoryPredictor({ seed: this.seed })];
    if (this.members.length === 0) throw new Error("EnsembleTrajectoryPredictor: needs at least one member");
  }

  fit(models: readonly TrainingModel[]): this {
    for (const m of this.members) m.fit(models);
    this.fitted = true;
    return this;
  }

  predict(arch: Architecture, steps: readonly number[]): number[][] {
    if (!this.fitted) throw notFittedError("EnsembleTrajectoryPredictor", "predict");
    return combineLogMean(this.members.map((m) => m.predict(arch, steps)));
  }
}

/** Element-wise geometric mean of several [layer][step] predictions. */
export function combineLogMean(predictions: readonly (readonly (readonly number[])[])[]): number[][] {
  const first = predictions[0]!;
  return first.map((row, l) => row.map((_, k) => Math.exp(predictions.reduce((a, p) => a + Math.log(p[l]![k]!), 0) / predictions.length)));
}
