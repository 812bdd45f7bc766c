/**
 * The two expensive, independent computations of the prediction stage, as plain functions of a results folder that
 * return JSON-able data, so the stage can run them at once in two worker threads (src/util/worker-call):
 *   - nestedCurvesJob: the nested cross-validation of the shipped trajectory predictor (./prediction-study);
 *   - table3Job: the paper's Table 3 protocol, the grouped protocol beside it (nested: hyperparameters by an inner
 *     grouped CV in every outer fold, never the 80/20 split's), and SHAP / partial dependence of the K model.
 * Each result is cached in the results folder under a key of its inputs and of the project's source code, so a
 * re-run with nothing changed reads it back instead of recomputing; any change of data, options or code recomputes.
 *
 * Table 3 is made of independent parts (each protocol per parameter, the interpretation): table3Job can hand them to
 * a worker pool (table3PartJob) so that they fill the workers beside the nested evaluation; the merged result is the
 * one computed in one piece (the parts share no random state).
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
  PARAM_NAMES,
  type NestedCurveResult,
  type OuterFolds,
  type ParamDataset,
  type ParamName,
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

/** One independent piece of table3Job: a protocol on one parameter, or the K model's interpretation. */
export type Table3Part = { protocol: "paper" | "grouped"; param: ParamName } | { protocol: "interpret" };

export type Table3PartResult = ProtocolResult | Pick<Table3JobResult, "shapK" | "partialDependenceK">;

/** Runs one part of Table 3 on the parameter dataset (worker-callable: plain data in and out); `options.outerFolds`
 * as resolved for the number of models (table3Job does it). */
export function table3PartJob(ds: ParamDataset, options: NestedCurvesJobOptions, part: Table3Part): Table3PartResult {
  const log = (m: string): void => stderrLog(`[predict] table 3: ${m}`);
  if (part.protocol === "interpret") {
    const k = interpretParamModel(ds, "K", "xgboost", { seed: options.seed });
    return { shapK: k.shap, partialDependenceK: k.partialDependence };
  }
  if (part.protocol === "paper") return paperProtocol(ds, { seed: options.seed, params: [part.param], onProgress: log });
  return leaveOneModelOutProtocol(ds, { seed: options.seed, params: [part.param], outerFolds: options.outerFolds, onProgress: log });
}

/** The parts of Table 3, longest first (the grouped protocol refits every candidate in every outer fold). */
export const TABLE3_PARTS: Table3Part[] = [
  ...PARAM_NAMES.map((param) => ({ protocol: "grouped" as const, param })),
  ...PARAM_NAMES.map((param) => ({ protocol: "paper" as const, param })),
  { protocol: "interpret" },
];

/** One protocol's result from its per-parameter parts, as the protocol run on all parameters at once returns it. */
function mergeProtocol(parts: ProtocolResult[]): ProtocolResult {
  return { ...parts[0]!, cells: Object.fromEntries(parts.map((r) => [r.params[0]!, r.cells[r.params[0]!]!])), params: parts.map((r) => r.params[0]!) };
}

/**
 * Table 3 (paper protocol and nested grouped protocol) and the K model's interpretation data. `runPart` runs one
 * part (e.g. on a worker pool); by default each runs here in turn.
 */
export async function table3Job(
  resultsDir: string,
  options: NestedCurvesJobOptions,
  runPart: (ds: ParamDataset, options: NestedCurvesJobOptions, part: Table3Part) => Promise<Table3PartResult> = async (ds, o, part) => table3PartJob(ds, o, part),
): Promise<Table3JobResult> {
  const models = loadTrainingModels([resultsDir], { onWarning: () => {} });
  const key = jobKey("table3", options, models);
  return cached(path.join(resultsDir, "predict", ".cache-table3.json"), key, async () => {
    const ds = buildParamDataset(models, fitParamSamples(models, { seed: options.seed }));
    const partOptions = { ...options, outerFolds: resolveOuterFolds(options.outerFolds, models.length) };
    const results = await Promise.all(TABLE3_PARTS.map((part) => runPart(ds, partOptions, part)));
    const of = (protocol: "paper" | "grouped"): ProtocolResult[] => results.filter((_, i) => TABLE3_PARTS[i]!.protocol === protocol) as ProtocolResult[];
    const interpretation = results[TABLE3_PARTS.findIndex((p) => p.protocol === "interpret")] as Pick<Table3JobResult, "shapK" | "partialDependenceK">;
    return { paper: mergeProtocol(of("paper")), grouped: mergeProtocol(of("grouped")), ...interpretation };
  });
}
