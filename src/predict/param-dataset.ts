/**
 * The paper's prediction dataset: one sample per (model, layer) with the layer's fitted Eq. 9 parameters
 * (A, lambda, gamma, t0, K of the ratio series) as targets and architecture features as inputs.
 *
 * Fits come from `<model>/params/layer_fit_params_ratio.json` when the folder has one (the released layout, as
 * `massive fit` writes it), else from fitting now with the dynamics stage's robust fit
 * (`fitSeries(series, "ratio", {method: "robust"})`). Layers whose fit failed or whose parameters are not finite
 * are left out with a warning.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fitSeries, type Eq9Params } from "../dynamics/index";
import { fitParamsToEq9, readFitParams } from "../io/fit-params";
import { CORE_FEATURES, coreFeatures, featureNames, layerFeatures, type FeatureSet } from "./features";
import type { TrainingModel } from "./training-data";

export const PARAM_NAMES = ["A", "lambda", "gamma", "t0", "K"] as const;
export type ParamName = (typeof PARAM_NAMES)[number];

export interface ParamSample {
  model: string;
  /** 0-based layer index. */
  layer: number;
  params: Eq9Params;
  /** R^2 of the fit (NaN when read from a file without it). */
  r2: number;
  source: "file" | "fitted";
}

export interface FitSamplesOptions {
  /** Use params/layer_fit_params_ratio.json when present. Default true. */
  useSavedFits?: boolean;
  /** Seed of the robust fit. Default 0. */
  seed?: number;
  onWarning?: (message: string) => void;
  onModel?: (model: string) => void;
}

/** The fitted Eq. 9 parameters of every layer of every model (see the module comment). */
export function fitParamSamples(models: readonly TrainingModel[], options: FitSamplesOptions = {}): ParamSample[] {
  const warn = options.onWarning ?? ((m: string) => process.stderr.write(`warning: ${m}\n`));
  const out: ParamSample[] = [];
  for (const m of models) {
    options.onModel?.(m.name);
    const file = path.join(m.dir, "params", "layer_fit_params_ratio.json");
    let layers: { params?: Eq9Params; r2: number; source: "file" | "fitted" }[];
    if ((options.useSavedFits ?? true) && fs.existsSync(file)) {
      const entries = readFitParams(file);
      if (entries.length !== m.arch.numLayers) throw new Error(`${file}: ${entries.length} layers, config.json says ${m.arch.numLayers}`);
      layers = entries.map((e) => ({ params: fitParamsToEq9(e), r2: e.original?.r2 ?? NaN, source: "file" }));
    } else {
      layers = fitSeries(m.series, "ratio", { method: "robust", seed: options.seed ?? 0, comparePaper: false }).map((f) => ({
        params: f.fit.status === "failed" ? undefined : (f.fit.params as Eq9Params),
        r2: f.fit.r2,
        source: "fitted",
      }));
    }
    layers.forEach((l, layer) => {
      const p = l.params;
      if (!p || !PARAM_NAMES.every((k) => Number.isFinite(p[k]))) {
        warn(`${m.name} layer ${layer}: no usable fit (failed or non-finite parameters); left out of the parameter dataset`);
        return;
      }
      out.push({ model: m.name, layer, params: { A: p.A, lambda: p.lambda, gamma: p.gamma, t0: p.t0, K: p.K }, r2: l.r2, source: l.source });
    });
  }
  return out;
}

export interface ParamDataset {
  featureNames: string[];
  /** X[sample][feature], raw (unscaled). */
  X: number[][];
  /** The core features of each sample's model (CORE_FEATURES: d, L, H, d_ff, rotary base, rotary fraction). */
  core: number[][];
  coreFeatureNames: string[];
  /** targets[param][sample], raw. */
  targets: Record<ParamName, number[]>;
  /** The model of each sample (for grouped evaluation). */
  groups: string[];
  samples: ParamSample[];
}

/**
 * Features X (default: the Table 4 set the paper's protocol uses; "table4+core" appends the core ones) and targets
 * of the samples, plus each sample's core features for reference; `models` supplies each sample's architecture.
 */
export function buildParamDataset(models: readonly TrainingModel[], samples: readonly ParamSample[], set: FeatureSet = "table4"): ParamDataset {
  const byName = new Map(models.map((m) => [m.name, m]));
  const X = samples.map((s) => {
    const m = byName.get(s.model);
    if (!m) throw new Error(`buildParamDataset: sample of unknown model ${s.model}`);
    return layerFeatures(m.arch, s.layer, set);
  });
  const targets = Object.fromEntries(PARAM_NAMES.map((k) => [k, samples.map((s) => s.params[k])])) as Record<ParamName, number[]>;
  const core = samples.map((s) => coreFeatures(byName.get(s.model)!.arch));
  return { featureNames: featureNames(set), X, core, coreFeatureNames: [...CORE_FEATURES], targets, groups: samples.map((s) => s.model), samples: [...samples] };
}
