/**
 * Fits Eq. 9 to every layer of a model's exp2 statistics: the series of Eq. 8 (ratio) or the mean top1 / median,
 * with the paper's procedure or the robust multi-start fit, plus the peak analysis and, on request, a bootstrap
 * over the evaluation sequences.
 */
import { layerSeries, type Exp2Series } from "../io/exp2-stats";
import type { Eq9Params } from "./eq9";
import type { FitResult } from "./fit-curve";
import { paperProcedure } from "./paper-procedure";
import { peakAnalysis, type PeakAnalysis } from "./peak";
import { robustFit, type RobustFitOptions } from "./robust-fit";
import { bootstrapLayer, type BootstrapSummary, type SeriesName } from "./bootstrap";

export interface LayerFit {
  /** 0-based layer index. */
  layer: number;
  series: SeriesName;
  method: "paper" | "robust";
  /** The fit of the chosen method (check `fit.status` before using its numbers). */
  fit: FitResult;
  /** The paper procedure's fit, kept for comparison when method is "robust". */
  paper?: FitResult;
  /** Peak analysis of `fit` (absent when the fit failed). */
  peak?: PeakAnalysis;
  bootstrap?: BootstrapSummary;
}

export interface FitSeriesOptions {
  /** Default "robust". */
  method?: "paper" | "robust";
  /** Bootstrap replicates over the evaluation sequences (default 0 = none). */
  bootstrap?: number;
  /** Seed of the robust fit's random starts and of the bootstrap (default 0). */
  seed?: number;
  /** Robust fit only: A >= 0 (see {@link RobustFitOptions.positiveAmplitude}); default false, as in the paper. */
  positiveAmplitude?: boolean;
  /** Also run the paper procedure for comparison when method is "robust" (default true). */
  comparePaper?: boolean;
  /** Called after each layer (progress). */
  onLayer?: (fit: LayerFit) => void;
}

/** One LayerFit per layer, in layer order. */
export function fitSeries(series: Exp2Series, which: SeriesName, options: FitSeriesOptions = {}): LayerFit[] {
  if (!["ratio", "top1", "median"].includes(which)) throw new Error(`fitSeries: argument 'which' must be ratio, top1 or median, got ${String(which)}`);
  const method = options.method ?? "robust";
  if (method !== "paper" && method !== "robust") throw new Error(`fitSeries: option 'method' must be paper or robust, got ${String(method)}`);
  const seed = options.seed ?? 0;
  const Y = layerSeries(series, which);
  const window: [number, number] = [series.steps[0]!, series.steps[series.steps.length - 1]!];
  return Y.map((y, layer) => {
    const paper = method === "paper" || options.comparePaper !== false ? paperProcedure(series.steps, y) : undefined;
    const fit = method === "paper" ? paper! : robustFit(series.steps, y, { seed, positiveAmplitude: options.positiveAmplitude });
    const out: LayerFit = { layer, series: which, method, fit };
    if (method === "robust" && paper) out.paper = paper;
    if (fit.status !== "failed") out.peak = peakAnalysis(fit.params as Eq9Params, window);
    if ((options.bootstrap ?? 0) > 0 && fit.status !== "failed") out.bootstrap = bootstrapLayer(series, layer, which, fit, { replicates: options.bootstrap, seed });
    options.onLayer?.(out);
    return out;
  });
}
