/**
 * Everything `massive predict` does, as one function: train on model folders, then predict for one architecture
 * each layer's whole ratio trajectory at the requested steps (EnsembleTrajectoryPredictor) and its Eq. 9 parameters.
 *
 * `params` are Eq. 9 fitted (the dynamics stage's robust fit) to the predicted trajectory on the training step
 * grid, so they draw the predicted curve. `regressedParams` are the paper's approach, one regressor per parameter
 * (the paper's best kind from Table 3, hyperparameters by 5-fold CV): the parameters are so poorly identified that
 * Eq. 9 evaluated at independently regressed parameters is no usable curve (leave-one-model-out curve R^2 far
 * below zero on the suite), so they are reported for comparison with the paper only. Where the fit of a predicted
 * trajectory fails, `params` falls back to the regressed values and a warning says so.
 * Never returns NaN: parameter predictions are clamped to the range of the transformed training targets before
 * transforming back, trajectories are blends of observed curve shapes; a non-finite value would be a bug and throws.
 */
import { robustFit } from "../dynamics/index";
import type { Architecture } from "./architecture";
import { architectureName } from "./architecture";
import { gridSearchCV, kFold } from "./cross-validation";
import { layerFeatures } from "./features";
import { buildParamDataset, fitParamSamples, PARAM_NAMES, type ParamName } from "./param-dataset";
import { ScaledRegressor } from "./pipeline";
import { PAPER_TRANSFORMS, makeTargetTransform } from "./protocols";
import { REGRESSORS, type RegressorName } from "./regressors";
import { BaselineTrajectoryPredictor, type TrajectoryModel } from "./trajectory-baseline";
import { EnsembleTrajectoryPredictor, type EnsembleSelection, type TrajectoryBand } from "./trajectory-ensemble";
import { commonStepGrid } from "./step-grid";
import { unusableLayerWarnings, type TrainingModel } from "./training-data";

/** The paper's best regressor per parameter (Table 3). */
export const DEFAULT_PARAM_REGRESSORS: Record<ParamName, RegressorName> = { A: "random_forest", lambda: "xgboost", gamma: "ridge", t0: "random_forest", K: "xgboost" };

export interface PredictArchitectureOptions {
  seed?: number;
  paramRegressors?: Partial<Record<ParamName, RegressorName>>;
  onProgress?: (message: string) => void;
  onWarning?: (message: string) => void;
}

export interface ArchitecturePrediction {
  architecture: Architecture & { name: string };
  steps: number[];
  layers: {
    layer: number;
    params: Partial<Record<ParamName, number>>;
    ratio: number[];
    /** The 80% prediction band at the requested steps (EnsembleTrajectoryPredictor; absent with under 3 models). */
    lower?: number[];
    upper?: number[];
    regressedParams: Partial<Record<ParamName, number>>;
  }[];
  /** What the trajectory model's inner cross-validation chose, when it chose. */
  selection?: EnsembleSelection;
  bandLevel?: number;
  /** Training models used. */
  trainedOn: string[];
  method: { params: Partial<Record<ParamName, { regressor: RegressorName; options: Record<string, unknown> }>> & { fit?: string }; trajectory: string; samples: number };
  warnings: string[];
}

/** Warnings for an architecture outside the training models' range (per size feature) and steps past training. */
export function rangeWarnings(models: readonly TrainingModel[], arch: Architecture, steps: readonly number[]): string[] {
  const out: string[] = [];
  const checks: [string, (a: Architecture) => number][] = [
    ["hidden size d", (a) => a.hiddenSize],
    ["layers L", (a) => a.numLayers],
    ["heads H", (a) => a.numHeads],
    ["head width d/H", (a) => a.hiddenSize / a.numHeads],
    ["MLP ratio d_ff/d", (a) => a.intermediateSize / a.hiddenSize],
    ["rotary fraction", (a) => a.rotaryPct],
    ["rotary base", (a) => a.rotaryBase],
  ];
  for (const [name, f] of checks) {
    const vals = models.map((m) => f(m.arch));
    const [lo, hi] = [Math.min(...vals), Math.max(...vals)];
    const v = f(arch);
    if (v < lo || v > hi) out.push(`${name} = ${v} is outside the training range [${lo}, ${hi}]: the prediction extrapolates`);
  }
  const lastStep = Math.min(...models.map((m) => m.steps[m.steps.length - 1]!));
  const beyond = steps.filter((s) => s > lastStep);
  if (beyond.length) out.push(`${beyond.length} requested step(s) above ${lastStep}, the last step all training models share: the ratio is held at its value there`);
  return out;
}

export function predictArchitecture(models: readonly TrainingModel[], arch: Architecture, steps: readonly number[], options: PredictArchitectureOptions = {}): ArchitecturePrediction {
  if (models.length === 0) throw new Error("predictArchitecture: no training models");
  if (steps.length === 0) throw new Error("predictArchitecture: no steps requested");
  const seed = options.seed ?? 0;
  const warnings = [...rangeWarnings(models, arch, steps), ...unusableLayerWarnings(models)];
  const warn = (m: string): void => {
    warnings.push(m);
    options.onWarning?.(m);
  };
  for (const w of warnings) options.onWarning?.(w);

  // Parameters of Eq. 9
  options.onProgress?.(`fitting Eq. 9 to ${models.reduce((a, m) => a + m.arch.numLayers, 0)} layers of ${models.length} model(s)`);
  const samples = fitParamSamples(models, { seed, onWarning: warn, onModel: (m) => options.onProgress?.(`fits of ${m}`) });
  const ds = buildParamDataset(models, samples);
  const Xnew = Array.from({ length: arch.numLayers }, (_, l) => layerFeatures(arch, l, "table4"));
  const params: Partial<Record<ParamName, number>>[] = Xnew.map(() => ({}));
  const method: ArchitecturePrediction["method"] = { params: {}, trajectory: "", samples: samples.length };
  if (samples.length < 2) {
    warn(`only ${samples.length} usable layer fit(s): Eq. 9 parameters are not predicted`);
  } else {
    for (const p of PARAM_NAMES) {
      const name = options.paramRegressors?.[p] ?? DEFAULT_PARAM_REGRESSORS[p];
      const spec = REGRESSORS[name];
      const tr = makeTargetTransform(PAPER_TRANSFORMS[p]).fit(ds.targets[p]);
      const z = tr.transform(ds.targets[p]);
      const chosen = z.length >= 10
        ? gridSearchCV((o) => new ScaledRegressor(spec.make(o, seed)), spec.grid, ds.X, z, kFold(z.length, 5, seed)).bestOptions
        : {};
      const model = new ScaledRegressor(spec.make(chosen, seed)).fit(ds.X, z);
      const [lo, hi] = [Math.min(...z), Math.max(...z)];
      const raw = tr.inverseTransform(model.predict(Xnew).map((v) => Math.min(hi, Math.max(lo, v))));
      raw.forEach((v, l) => {
        if (!Number.isFinite(v)) throw new Error(`predictArchitecture: non-finite ${p} for layer ${l} (bug)`);
        params[l]![p] = v;
      });
      // JSON has no Infinity (unlimited depth): write such options as strings
      method.params[p] = { regressor: name, options: Object.fromEntries(Object.entries(chosen).map(([k, o]) => [k, typeof o === "number" && !Number.isFinite(o) ? String(o) : o])) };
    }
  }

  // Whole trajectories
  let traj: TrajectoryModel;
  let ensemble: EnsembleTrajectoryPredictor | undefined;
  if (models.length >= 3) {
    traj = ensemble = new EnsembleTrajectoryPredictor({ seed });
    method.trajectory = "ensemble: fPCA of log-ratio curves + ridge on smooth features, and gradient-boosted trees on Table 4 features + log(1+step) (weighted geometric mean); components, alpha, tree depth and weight chosen by grouped 5-fold CV from ENSEMBLE_CANDIDATES; 80% band from its out-of-fold residuals";
  } else if (models.length === 2) {
    traj = new EnsembleTrajectoryPredictor({ seed, candidates: { curveModels: [{ components: 2, alpha: 10 }], trees: [{ maxDepth: 3, nEstimators: 100, learningRate: 0.1 }], treeWeights: [0.5] } });
    method.trajectory = "ensemble with fixed settings (components 2, alpha 10, tree depth 3, equal weights): two training models are too few to choose by cross-validation, and give no band";
    warn("only two training models: the trajectory model's settings are fixed, not chosen, and no band is given");
  } else {
    traj = new BaselineTrajectoryPredictor({ seed });
    method.trajectory = "gradient-boosted trees on Table 4 features + log(1+step) (one training model: the curve-basis model needs two)";
    warn("only one training model: the trajectory cannot learn how architecture changes the curves");
  }
  options.onProgress?.("fitting the trajectory model");
  traj.fit(models);
  const band: TrajectoryBand | undefined = ensemble?.bandGrid_ ? ensemble.predictWithBand(arch, steps) : undefined;
  const ratio = band?.ratio ?? traj.predict(arch, steps);
  ratio.forEach((row, l) => row.forEach((v, k) => {
    if (!Number.isFinite(v)) throw new Error(`predictArchitecture: non-finite ratio for layer ${l} at step ${steps[k]} (bug)`);
  }));
  // Eq. 9 drawn through each predicted trajectory
  options.onProgress?.("fitting Eq. 9 to the predicted trajectories");
  const grid = commonStepGrid(models.map((m) => m.steps));
  const onGrid = traj.predict(arch, grid);
  const fitted = onGrid.map((curve, l) => {
    const f = robustFit(grid, curve, { seed });
    const p = f.params as Partial<Record<ParamName, number>>;
    if (f.status === "failed" || !PARAM_NAMES.every((k) => Number.isFinite(p[k]))) {
      warn(`layer ${l}: Eq. 9 does not fit the predicted trajectory (${f.message}); params are the regressed ones`);
      return params[l]!;
    }
    return Object.fromEntries(PARAM_NAMES.map((k) => [k, p[k]!])) as Partial<Record<ParamName, number>>;
  });
  method.params.fit = "Eq. 9 fitted to each predicted trajectory (robust fit) on the training step grid";
  return {
    architecture: { name: architectureName(arch), ...arch },
    steps: [...steps],
    layers: ratio.map((r, l) => ({ layer: l, params: fitted[l]!, ratio: r, ...(band ? { lower: band.lower[l]!, upper: band.upper[l]! } : {}), regressedParams: params[l]! })),
    ...(ensemble?.selection_ ? { selection: ensemble.selection_ } : {}),
    ...(band ? { bandLevel: ensemble!.bandLevel } : {}),
    trainedOn: models.map((m) => m.name),
    method,
    warnings,
  };
}
