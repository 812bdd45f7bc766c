/**
 * The dynamics stages of the main job per model: Eq. 9 fitted to every layer of the requested series (written as
 * `params/layer_fit_params_<series>.json`) and, for architecture runs, the rival hypotheses of Table 5. A plain
 * function of model folders returning JSON-able summaries, so the main job can split the suite over two worker
 * threads; each model's result is saved beside its fits under a key of its statistics, the options and the source
 * code (util/result-cache), so a re-run with nothing changed reads it back.
 *
 * Table 5's Eq. 9 row reuses the ratio series' robust Eq. 9 fit (the same fit, same seed) instead of fitting it again.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readExp2Series, layerSeries } from "../io/exp2-stats";
import { writeFitParams } from "../io/fit-params";
import { compareHypotheses, fitSeries, HYPOTHESES, type FitResult, type Hypothesis, type LayerFit } from "../dynamics/index";
import { mean } from "../util/statistics";
import { cachedResult, resultKey } from "../util/result-cache";

export type SeriesName = "ratio" | "top1" | "median";

export interface DynamicsItem {
  name: string;
  statsDir: string;
  /** `<results>/<model>`: fits are written to its params/ folder. */
  modelDir: string;
  /** Also compare the dynamics hypotheses (Table 5) on the ratio series. */
  hypotheses: boolean;
}

/** One layer's fit as the summary needs it; R^2 null where not finite (JSON has no NaN). */
export interface LayerFitBrief {
  r2: number | null;
  failed: boolean;
  paperR2: number | null;
  paperFailed: boolean;
}

export interface HypothesisBrief {
  hypothesis: Hypothesis;
  meanR2: number | null;
  meanAic: number | null;
  layers: number;
  failed: number;
}

export interface ModelDynamics {
  name: string;
  fits: Partial<Record<SeriesName, LayerFitBrief[]>>;
  hypotheses?: HypothesisBrief[];
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

function brief(f: LayerFit): LayerFitBrief {
  const paper = f.paper ?? f.fit;
  return { r2: finite(f.fit.r2), failed: f.fit.status === "failed", paperR2: finite(paper.r2), paperFailed: paper.status === "failed" };
}

function hypothesisRow(hypothesis: Hypothesis, fits: readonly FitResult[]): HypothesisBrief {
  const ok = fits.filter((f) => f.status !== "failed");
  return { hypothesis, meanR2: finite(mean(ok.map((f) => f.r2))), meanAic: finite(mean(ok.map((f) => f.aic))), layers: fits.length, failed: fits.length - ok.length };
}

async function modelDynamics(item: DynamicsItem, which: readonly SeriesName[], seed: number): Promise<ModelDynamics> {
  const series = readExp2Series(item.statsDir, { name: item.name });
  const paramsDir = path.join(item.modelDir, "params");
  const files = which.map((s) => path.join(paramsDir, `layer_fit_params_${s}.json`));
  const key = resultKey("model-dynamics", { which, seed, hypotheses: item.hypotheses }, series.steps, series.checkpoints.map((c) => c.values));
  const cacheFile = path.join(paramsDir, ".cache-dynamics.json");
  // the fit files are part of the result: a missing one means recompute
  if (!files.every((f) => fs.existsSync(f))) fs.rmSync(cacheFile, { force: true });
  return cachedResult(cacheFile, key, async () => {
    const fits: Record<string, LayerFit[]> = {};
    for (let i = 0; i < which.length; i++) {
      fits[which[i]!] = fitSeries(series, which[i]!, { method: "robust", seed });
      await writeFitParams(files[i]!, fits[which[i]!]!);
    }
    const out: ModelDynamics = { name: item.name, fits: Object.fromEntries(Object.entries(fits).map(([s, f]) => [s, f.map(brief)])) };
    if (item.hypotheses) {
      const ratioFits = fits.ratio ?? fitSeries(series, "ratio", { method: "robust", seed });
      const rivals = HYPOTHESES.filter((h) => h !== "original_eq9");
      const rows = compareHypotheses([{ name: item.name, steps: series.steps, layers: layerSeries(series, "ratio") }], { method: "robust", seed, hypotheses: rivals });
      out.hypotheses = [hypothesisRow("original_eq9", ratioFits.map((f) => f.fit)), ...rows.map((r) => hypothesisRow(r.hypothesis, r.fits))];
    }
    return out;
  });
}

/** Fits (and hypotheses) of several models in turn; `onModel` after each. Worker-callable (plain data in and out). */
export async function modelDynamicsJob(items: readonly DynamicsItem[], which: readonly SeriesName[], seed: number): Promise<ModelDynamics[]> {
  const out: ModelDynamics[] = [];
  for (const item of items) {
    out.push(await modelDynamics(item, which, seed));
    process.stderr.write(`[main] dynamics: ${item.name} done\n`);
  }
  return out;
}

/** The mean R^2 over a model's layers of one series, robust or the paper's procedure (failed fits left out). */
export function meanFitR2(fits: readonly LayerFitBrief[] | undefined, paper: boolean): number {
  return mean((fits ?? []).filter((f) => !(paper ? f.paperFailed : f.failed)).map((f) => (paper ? f.paperR2 : f.r2) ?? NaN));
}
