/**
 * The plain baseline for whole-trajectory prediction: gradient-boosted trees (squared loss) on the Table 4
 * features plus log(1 + step), one row per (model, layer, step), predicting log(ratio); the trajectory is
 * exp(prediction). It knows nothing of the curves' shape, so it must learn time and architecture jointly from
 * about 2000 rows of 10 models.
 */
import type { Architecture } from "./architecture";
import { notFittedError } from "./estimator";
import { table4Features } from "./features";
import { GradientBoostingRegressor, type GradientBoostingOptions } from "./gradient-boosting";
import { usableLayers, type TrainingModel } from "./training-data";

export interface TrajectoryModel {
  fit(models: readonly TrainingModel[]): this;
  /** Predicted ratio [layer][k] at steps[k] for every layer of `arch`. */
  predict(arch: Architecture, steps: readonly number[]): number[][];
}

export interface BaselineOptions extends GradientBoostingOptions {}

export class BaselineTrajectoryPredictor implements TrajectoryModel {
  readonly options: BaselineOptions;
  readonly seed: number;
  model_?: GradientBoostingRegressor;

  constructor(options: BaselineOptions = {}) {
    this.options = options;
    this.seed = options.seed ?? 0;
  }

  fit(models: readonly TrainingModel[]): this {
    const X: number[][] = [];
    const y: number[] = [];
    for (const m of models) {
      for (const l of usableLayers(m)) {
        const f = table4Features(m.arch, l);
        m.ratio[l]!.forEach((r, k) => {
          X.push([...f, Math.log1p(m.steps[k]!)]);
          y.push(Math.log(r));
        });
      }
    }
    if (y.length === 0) throw new Error("BaselineTrajectoryPredictor.fit: no layer with a finite positive ratio to learn from");
    this.model_ = new GradientBoostingRegressor({ ...this.options, seed: this.seed }).fit(X, y);
    return this;
  }

  predict(arch: Architecture, steps: readonly number[]): number[][] {
    if (!this.model_) throw notFittedError("BaselineTrajectoryPredictor", "predict");
    return Array.from({ length: arch.numLayers }, (_, l) => {
      const f = table4Features(arch, l);
      return this.model_!.predict(steps.map((s) => [...f, Math.log1p(s)])).map(Math.exp);
    });
  }
}
