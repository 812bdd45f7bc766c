/**
 * The two expensive, independent computations of the prediction stage, as plain functions of a results folder that
 * return JSON-able data, so the stage can run them at once in two worker threads (src/util/worker-call):
 *   - nestedCurvesJob: the nested cross-validation of the shipped trajectory predictor (./prediction-study);
 *   - table3Job: the paper's Table 3 protocol, the grouped protocol beside it (nested: hyperparameters by an inner
 *     grouped CV in every outer fold, never the 80/20 split's), and SHAP / partial dependence of the K model.
 * Each result is cached in the results folder under a key of its inputs and of the project's source code, so a
 * re-run with nothing changed reads it back instead of recomputing; any change of data, options or code recomputes.
 */
import * as path from "node:path";
import {
  buildParamDataset,
  fitParamSamples,
  interpretParamModel,
  leaveOneModelOutProtocol,
  loadTrainingModels,
  nestedCurveEvaluation,
  paperProtocol,
  type NestedCurveResult,
  type OuterFolds,
  type ProtocolResult,
  type TrainingModel,
} from "../predict/index";
import { cachedResult, resultKey } from "../util/result-cache";

export interface NestedCurvesJobOptions {
  seed: number;
  outerFolds: OuterFolds;
}

export interface Table3JobResult {
  paper: ProtocolResult;
  grouped: ProtocolResult;
  shapK: unknown;
  partialDependenceK: unknown;
}

/** k grouped folds need at least k models; with fewer, every model is its own fold (leave one model out). */
function resolveOuterFolds(outer: OuterFolds, models: number): OuterFolds {
  return outer !== "lomo" && outer > models ? "lomo" : outer;
}

/** Key of a job: its name, options and the models' data it reads (and the source code, see util/result-cache). */
function jobKey(job: string, options: unknown, models: readonly TrainingModel[]): string {
  return resultKey(job, options, models.map((m) => [m.name, m.group, m.base, m.arch, m.steps, m.ratio]));
}

function cached<T>(file: string, key: string, compute: () => T): Promise<T> {
  return cachedResult(file, key, compute, () => stderrLog(`[predict] ${path.basename(file)}: inputs and code unchanged, reusing the saved result`));
}

const stderrLog = (l: string): void => {
  process.stderr.write(`${l}\n`);
};

/** Nested CV of EnsembleTrajectoryPredictor over the results folder's architecture runs, variants predicted by the
 * fold that held out their base. */
export async function nestedCurvesJob(resultsDir: string, options: NestedCurvesJobOptions): Promise<NestedCurveResult> {
  const runs = loadTrainingModels([resultsDir], { runs: "all", onWarning: () => {} });
  const key = jobKey("nested-curves", options, runs);
  return cached(path.join(resultsDir, "predict", ".cache-nested-curves.json"), key, () => nestedCurveEvaluation(runs, {
    seed: options.seed,
    outerFolds: resolveOuterFolds(options.outerFolds, runs.filter((m) => m.group === "architecture").length),
    onProgress: (m) => stderrLog(`[predict] nested: ${m}`),
  }));
}

/** Table 3 (paper protocol and nested grouped protocol) and the K model's interpretation data. */
export async function table3Job(resultsDir: string, options: NestedCurvesJobOptions): Promise<Table3JobResult> {
  const models = loadTrainingModels([resultsDir], { onWarning: () => {} });
  const key = jobKey("table3", options, models);
  return cached(path.join(resultsDir, "predict", ".cache-table3.json"), key, () => {
    const ds = buildParamDataset(models, fitParamSamples(models, { seed: options.seed }));
    const log = (m: string): void => stderrLog(`[predict] table 3: ${m}`);
    const paper = paperProtocol(ds, { seed: options.seed, onProgress: log });
    const outerFolds = resolveOuterFolds(options.outerFolds, models.length);
    const grouped = leaveOneModelOutProtocol(ds, { seed: options.seed, outerFolds, onProgress: log });
    const k = interpretParamModel(ds, "K", "xgboost", { seed: options.seed });
    return { paper, grouped, shapK: k.shap, partialDependenceK: k.partialDependence };
  });
}
