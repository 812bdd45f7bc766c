/**
 * Reading a run's results folder for figures and the report. Accepted layouts:
 *   - a suite folder (data/mini-pythia, results/ of the main job, the released dataset): one folder per model, each
 *     with `stats/exp2_<name>_step<N>` (or the exp2 files directly), optionally `config.json`,
 *     `params/layer_fit_params_<series>.json` (the released fit format) and `predictions.json`
 *     (`{"steps"?: [...], "layers": [{"layer", "params", "ratio"}]}`, what `massive predict` writes);
 *   - one model folder with the same content.
 * Extra inputs the report shows when present at the top of the folder: `provenance.json` (free-form key/values),
 * `hypotheses.json` (`{"metric"?, "models": [...], "hypotheses": [{"name", "values"}]}`), `predict/shap_<target>.json`
 * (`{"target", "features", "shapValues", "featureValues"}`) and `predict/partial_dependence_<target>.json`
 * (`{"target", "panels": [{"feature", "grid", "values"}]}`) and `predict/table3.json` (`{<name>: {"protocol", "params",
 * "regressors", "cells": {<param>: {<regressor>: {"r2"}}}}}`, what the main job's prediction study writes).
 * What is missing is skipped: stats alone give Figs. 2-5; fits add Figs. 6-8; predictions add their figures.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { exp2StatsFolder, hasExp2Stats, readExp2Series, type Exp2Series } from "../io/exp2-stats";
import { readSkippedCheckpoints, type SkippedCheckpoint } from "../record/manifest";
import { fitParamsToEq9, readFitParams } from "../io/fit-params";
import type { Eq9Params } from "../dynamics/eq9";
import { gptNeoxParameterCount, PYTHIA_ARCHITECTURES } from "./param-count";
import type { HypothesisScores } from "./hypotheses";
import type { PartialDependencePanel, ShapSummaryInput } from "./predict-figures";
import { readJsonFile } from "../util/read-text";
import { readSuiteManifest, type SuiteGroup } from "../io/suite-manifest";

export type FitSeriesName = "ratio" | "top1" | "median";
export const FIT_SERIES: readonly FitSeriesName[] = ["ratio", "top1", "median"];

/** One layer's fitted Eq. 9 parameters (raw step units) and goodness of fit; `params` undefined when the fit failed. */
export interface LayerFitResult {
  params?: Eq9Params;
  /** NaN when the fit failed. */
  r2: number;
  aic?: number;
}

/** What `massive predict` wrote for one model. */
export interface ModelPredictions {
  /** Steps of the predicted ratio values (from the file, else the model's recorded steps). */
  steps: number[];
  layers: { layer: number; params?: Record<string, number>; ratio: number[]; lower?: number[]; upper?: number[] }[];
  /** Coverage aimed at by the band (`bandLevel`), when the file has bands. */
  bandLevel?: number;
}

export interface ModelResults {
  name: string;
  dir: string;
  series: Exp2Series;
  /** Architecture as far as known (config.json, or the Pythia table for pythia_<size> folders). */
  architecture?: { hiddenSize: number; layers: number; heads?: number; vocabSize: number; intermediateSize?: number };
  parameterCount?: number;
  /** Hub checkpoints the audit left out of the recording (record-manifest.json), by step. */
  skippedCheckpoints?: Record<string, SkippedCheckpoint>;
  /** Fits per series, one entry per 0-based layer. */
  fits: Partial<Record<FitSeriesName, LayerFitResult[]>>;
  predictions?: ModelPredictions;
  /** From the folder's suite.json (architecture / seed / hyperparameter); absent when it has none. */
  group?: SuiteGroup;
}

/** Table 3 of one protocol: r2[regressor][param] (NaN where missing). */
export interface Table3Result {
  protocol: string;
  params: string[];
  regressors: string[];
  r2: number[][];
}

/** Reads `predict/table3.json`; entries that do not look like a protocol result are skipped. */
export function readTable3(file: string): Table3Result[] {
  const json = readJsonFile(file);
  if (typeof json !== "object" || json === null) throw new Error(`${file}: expected an object of protocol results`);
  const out: Table3Result[] = [];
  for (const [key, v] of Object.entries(json as Record<string, unknown>)) {
    const r = v as { protocol?: unknown; params?: unknown; regressors?: unknown; cells?: Record<string, Record<string, { r2?: unknown }>> };
    if (!Array.isArray(r?.params) || !Array.isArray(r.regressors) || typeof r.cells !== "object" || r.cells === null) continue;
    const params = r.params.map(String);
    const regressors = r.regressors.map(String);
    out.push({
      protocol: typeof r.protocol === "string" ? r.protocol : key,
      params,
      regressors,
      r2: regressors.map((g) => params.map((p) => {
        const v = r.cells![p]?.[g]?.r2;
        return typeof v === "number" ? v : NaN;
      })),
    });
  }
  return out;
}

export interface RunResults {
  root: string;
  models: ModelResults[];
  provenance: Record<string, unknown>;
  hypotheses?: { metric?: string; models: string[]; hypotheses: HypothesisScores[] };
  shap: ShapSummaryInput[];
  partialDependence: { target: string; panels: PartialDependencePanel[] }[];
  /** Test R^2 of each regressor for each parameter (Table 3), one entry per protocol. */
  table3: Table3Result[];
  /** Evaluation set description when the folder has one (eval_sequences.json). */
  evaluation?: { file: string; sequences: number; tokensPerSequence: number[]; source?: string; encoding?: string };
}

/**
 * Reads `layer_fit_params_<series>.json` (the released format, through src/io's reader): one entry per layer, failed
 * layers (`"original": null`) without parameters and with R^2 NaN. Throws a one-line error naming the file.
 */
export function readLayerFitParams(file: string): LayerFitResult[] {
  return readFitParams(file).map((entry) => {
    const params = fitParamsToEq9(entry);
    return params ? { params, r2: entry.original!.r2, aic: entry.original!.aic } : { r2: NaN };
  });
}

function readArchitecture(dir: string, name: string): ModelResults["architecture"] {
  const file = path.join(dir, "config.json");
  if (fs.existsSync(file)) {
    const c = readJsonFile(file) as Record<string, unknown>;
    const num = (k: string): number | undefined => (typeof c[k] === "number" ? (c[k] as number) : undefined);
    const d = num("hidden_size");
    const L = num("num_hidden_layers");
    const V = num("vocab_size");
    if (d && L && V) return { hiddenSize: d, layers: L, heads: num("num_attention_heads"), vocabSize: V, intermediateSize: num("intermediate_size") };
  }
  const m = /pythia[-_](\d+(?:\.\d+)?[mb])/i.exec(name);
  const p = m ? PYTHIA_ARCHITECTURES[m[1]!.toLowerCase()] : undefined;
  if (p) return { hiddenSize: p.hidden_size, layers: p.num_hidden_layers, heads: p.num_attention_heads, vocabSize: p.vocab_size, intermediateSize: 4 * p.hidden_size };
  return undefined;
}

function readPredictions(file: string, series: Exp2Series): ModelPredictions {
  const json = readJsonFile(file) as { steps?: unknown; layers?: unknown; bandLevel?: unknown };
  if (!Array.isArray(json.layers)) throw new Error(`${file}: expected {"layers": [{"layer", "params", "ratio"}]}`);
  const layers = json.layers.map((l, i) => {
    const e = l as { layer?: unknown; params?: unknown; ratio?: unknown; lower?: unknown; upper?: unknown };
    if (typeof e.layer !== "number" || !Array.isArray(e.ratio)) throw new Error(`${file}: layers[${i}] needs a numeric 'layer' and a 'ratio' list`);
    const band = Array.isArray(e.lower) && Array.isArray(e.upper) ? { lower: e.lower as number[], upper: e.upper as number[] } : {};
    return { layer: e.layer, params: e.params as Record<string, number> | undefined, ratio: e.ratio as number[], ...band };
  });
  const steps = Array.isArray(json.steps) ? (json.steps as number[]) : series.steps;
  for (const l of layers) {
    for (const [key, v] of [["ratio", l.ratio], ["lower", l.lower], ["upper", l.upper]] as const) {
      if (v && v.length !== steps.length) throw new Error(`${file}: layer ${l.layer} has ${v.length} ${key} values for ${steps.length} steps (add a "steps" list)`);
    }
  }
  return { steps, layers, ...(typeof json.bandLevel === "number" ? { bandLevel: json.bandLevel } : {}) };
}

/** Reads one model folder (stats required; config, fits and predictions when present). */
export function loadModelResults(dir: string, options: { onWarning?: (m: string) => void } = {}): ModelResults {
  const series = readExp2Series(dir, { onWarning: options.onWarning });
  const name = series.name;
  const architecture = readArchitecture(dir, path.basename(dir) || name) ?? readArchitecture(dir, name);
  const fits: ModelResults["fits"] = {};
  for (const s of FIT_SERIES) {
    const file = path.join(dir, "params", `layer_fit_params_${s}.json`);
    if (fs.existsSync(file)) fits[s] = readLayerFitParams(file);
  }
  const predFile = path.join(dir, "predictions.json");
  return {
    name,
    dir,
    series,
    architecture,
    parameterCount: architecture
      ? gptNeoxParameterCount({ vocab_size: architecture.vocabSize, hidden_size: architecture.hiddenSize, num_hidden_layers: architecture.layers, intermediate_size: architecture.intermediateSize })
      : undefined,
    fits,
    predictions: fs.existsSync(predFile) ? readPredictions(predFile, series) : undefined,
    skippedCheckpoints: readSkippedCheckpoints(exp2StatsFolder(dir)),
  };
}

function readFolderJsons<T>(dir: string, pattern: RegExp): T[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => pattern.test(f))
    .sort()
    .map((f) => readJsonFile(path.join(dir, f)) as T);
}

/**
 * Reads a results folder (see the file comment). Models are sorted by parameter count (then name). Throws when no
 * model with stats is found.
 */
export function loadRunResults(root: string, options: { onWarning?: (m: string) => void } = {}): RunResults {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new Error(`${root}: not a folder`);
  let modelDirs: string[];
  if (hasExp2Stats(root)) modelDirs = [root];
  else {
    modelDirs = fs
      .readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && hasExp2Stats(path.join(root, e.name)))
      .map((e) => path.join(root, e.name))
      .sort();
  }
  if (modelDirs.length === 0) throw new Error(`${root}: no model folder with stats/exp2_<name>_step<N> files`);
  const manifest = readSuiteManifest(root);
  const models = modelDirs.map((d) => {
    const m = loadModelResults(d, options);
    const group = manifest?.models.find((e) => e.name === path.basename(d))?.group;
    return group ? { ...m, group } : m;
  });
  models.sort((a, b) => (a.parameterCount ?? Infinity) - (b.parameterCount ?? Infinity) || a.name.localeCompare(b.name));
  const provFile = path.join(root, "provenance.json");
  const hypFile = path.join(root, "hypotheses.json");
  const evalFile = path.join(root, "eval_sequences.json");
  let evaluation: RunResults["evaluation"];
  if (fs.existsSync(evalFile)) {
    const json = readJsonFile(evalFile) as unknown[] | { sequences?: unknown; source?: unknown; encoding?: unknown };
    const seqs = Array.isArray(json) ? json : json.sequences;
    const meta = Array.isArray(json) ? {} : json;
    if (Array.isArray(seqs)) {
      evaluation = {
        file: evalFile,
        sequences: seqs.length,
        tokensPerSequence: seqs.map((s) => (Array.isArray(s) ? s.length : 0)),
        ...(typeof meta.source === "string" ? { source: meta.source } : {}),
        ...(typeof meta.encoding === "string" ? { encoding: meta.encoding } : {}),
      };
    }
  }
  return {
    root,
    models,
    provenance: fs.existsSync(provFile) ? (readJsonFile(provFile) as Record<string, unknown>) : {},
    hypotheses: fs.existsSync(hypFile) ? (readJsonFile(hypFile) as RunResults["hypotheses"]) : undefined,
    shap: readFolderJsons<ShapSummaryInput>(path.join(root, "predict"), /^shap_.+\.json$/),
    partialDependence: readFolderJsons(path.join(root, "predict"), /^partial_dependence_.+\.json$/),
    table3: fs.existsSync(path.join(root, "predict", "table3.json")) ? readTable3(path.join(root, "predict", "table3.json")) : [],
    evaluation,
  };
}
