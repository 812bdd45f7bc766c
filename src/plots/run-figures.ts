/**
 * Every figure a run's results support, built from {@link RunResults}: the list `massive figures` exports and the
 * report shows. Stats alone give Figs. 2-5; fits of the ratio series add Figs. 6-8; predictions, hypotheses, SHAP and
 * partial dependence add their own.
 */
import { layerSeries, meanOverSequences } from "../io/exp2-stats";
import type { PlotlyFigure } from "./figure";
import { finalRatioFigure } from "./fig2-final-ratio";
import { layerMagnitudesFigure, layerMagnitudesOverTrainingFigure } from "./fig3-layer-magnitudes";
import { ratioOverTrainingChoiceFigure, ratioOverTrainingFigure } from "./fig4-ratio-over-training";
import { modelPeaks, peakHeatmapsFigure } from "./fig5-peak-heatmaps";
import { curveSteps, exampleFitsFigure, fitExplorerFigure, type FitPanel } from "./fig6-example-fits";
import { r2PerLayerFigure } from "./fig7-r2";
import { tPeakSurfaceFigure } from "./fig8-t-peak";
import { hypothesesFigure } from "./hypotheses";
import { partialDependenceFigure, predictedTrajectoriesFigure, shapSummaryFigure, type TrajectoryLayer } from "./predict-figures";
import { predictedTrajectoriesChoiceFigure } from "./trajectory-explorer";
import { eq9 } from "../dynamics/eq9";
import { lambertW0 } from "../dynamics/lambert-w";
import type { ModelResults, RunResults } from "./results";

export type FigureSection = "emergence" | "fits" | "peaks" | "prediction" | "seeds";

export interface NamedFigure {
  /** File-name stem, e.g. "fig4-ratio-d256-L8-H16". */
  name: string;
  section: FigureSection;
  /** One or two sentences for the report: what the figure shows and how it was computed. */
  caption: string;
  figure: PlotlyFigure;
  /** The model of a per-model figure (absent for figures over several models). */
  model?: string;
  /** True for figures with dropdowns or sliders (exports show their chosen frame). */
  interactive?: boolean;
}

export interface RunFiguresOptions {
  /**
   * The selection of models that get figures of their own (Fig. 3, Fig. 4, predicted trajectories) and make up Fig.
   * 3's checkpoint slider: "default" (the smallest, a middle and the largest model by parameter count), "all", or a
   * list of names. Every model is in the other interactive figures (model dropdowns) either way.
   */
  perModel?: "default" | "all" | string[];
  /** False leaves out the selection's own figures (the report: its interactive figures cover them). Default true. */
  separatePerModel?: boolean;
}

/** Names of the models that get per-model figures under `choice` (models sorted by parameter count). */
export function perModelSelection(models: ModelResults[], choice: RunFiguresOptions["perModel"] = "default"): string[] {
  if (choice === "all") return models.map((m) => m.name);
  if (Array.isArray(choice)) {
    const unknown = choice.filter((n) => !models.some((m) => m.name === n));
    if (unknown.length) throw new Error(`runFigures: no results for model(s) ${unknown.join(", ")}`);
    return choice;
  }
  // picks among the architecture runs when the suite says which those are: a seed or recipe variant is no "middle size"
  const pool = models.filter((m) => (m.group ?? "architecture") === "architecture");
  const from = pool.length ? pool : models;
  return spread(from.length, 3).map((i) => from[i]!.name);
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, "_");
}

/** Evenly spread picks of `k` indices out of `n` (first and last included). */
function spread(n: number, k: number): number[] {
  if (n <= k) return Array.from({ length: n }, (_, i) => i);
  return [...new Set(Array.from({ length: k }, (_, i) => Math.round((i * (n - 1)) / (k - 1))))];
}

/** Fit panels (observed ratio vs fitted Eq. 9) for one model's chosen layers; `curvePoints` on each fitted curve. */
export function fitPanels(model: ModelResults, layers: number[], series: "ratio" | "top1" | "median" = "ratio", curvePoints = 120): FitPanel[] {
  const fits = model.fits[series];
  if (!fits) return [];
  const values = layerSeries(model.series, series);
  const grid = curveSteps(model.series.steps, curvePoints);
  return layers
    .filter((l) => fits[l]?.params !== undefined && values[l] !== undefined)
    .map((l) => ({
      title: `${model.name}, layer ${l + 1}`,
      layer: l,
      steps: model.series.steps,
      observed: values[l]!,
      fitted: { steps: grid, values: grid.map((t) => eq9(fits[l]!.params!, t)) },
      r2: fits[l]!.r2,
    }));
}

/** All figures for a run, in report order. */
export function runFigures(results: RunResults, options: RunFiguresOptions = {}): NamedFigure[] {
  const out: NamedFigure[] = [];
  const { models } = results;
  // a seed repeat or a recipe variant is not another size: Fig. 2 takes the architecture runs
  const sized = models.filter((m) => m.parameterCount !== undefined && (m.group ?? "architecture") === "architecture");
  if (sized.length > 0) {
    out.push({
      name: "fig2-final-ratio",
      section: "emergence",
      caption:
        "Ratio top1/median of |h| (each the mean over the evaluation sequences) at each model's last recorded step: the largest over layers and the mean over layers, against the parameter count N = 2Vd + L(4d² + 2d·d_ff + 9d + d_ff) + 2d (untied embeddings, biases and LayerNorms included, as Pythia counts). Architecture runs only: the suite's seed and recipe variants are compared with their base in notebook 07.",
      figure: finalRatioFigure(
        sized.map((m) => {
          const r = layerSeries(m.series, "ratio");
          return { name: m.name, parameterCount: m.parameterCount!, finalStep: m.series.steps.at(-1)!, ratioByLayer: r.map((v) => v.at(-1)!) };
        }),
      ),
    });
  }
  const own = new Set(perModelSelection(models, options.perModel));
  const magnitudes = models.map((m) => {
    const top1 = meanOverSequences(m.series, "top1");
    const median = meanOverSequences(m.series, "median");
    return { model: m.name, checkpoints: m.series.steps.map((step, i) => ({ step, top1: top1[i]!, median: median[i]! })) };
  });
  const ratios = models.map((m) => ({ model: m.name, steps: m.series.steps, values: layerSeries(m.series, "ratio") }));
  // The checkpoint slider holds one trace pair per checkpoint and model, so it covers the per-model selection only
  // (every model's traces would make the page tens of MB on a large suite); Fig. 4's dropdowns cover every model.
  const sliderModels = magnitudes.filter((m) => own.has(m.model));
  out.push({
    name: "fig3-layer-magnitudes",
    section: "emergence",
    interactive: true,
    caption: `Top1 and median of |h| per layer (means over the evaluation sequences): the first recorded step (dashed) and the step the slider picks (solid, the last step at first)${sliderModels.length > 1 ? `; the dropdown picks the model (${sliderModels.map((m) => m.model).join(", ")})` : ""}.`,
    figure: layerMagnitudesOverTrainingFigure(sliderModels.length ? sliderModels : magnitudes.slice(0, 1)),
  });
  out.push({
    name: "fig4-ratio-over-training",
    section: "emergence",
    interactive: true,
    caption: `Ratio top1/median per layer over training; the dropdowns pick the model (${models.length}) and one layer or all. x is logarithmic in step + 1 (ticks show the steps).`,
    figure: ratioOverTrainingChoiceFigure(ratios),
  });
  const separate = options.separatePerModel ?? true;
  models.forEach((m, i) => {
    if (!separate || !own.has(m.name)) return;
    const { checkpoints } = magnitudes[i]!;
    out.push({
      name: `fig3-layer-magnitudes-${safeName(m.name)}`,
      section: "emergence",
      model: m.name,
      caption: `${m.name}: top1 and median of |h| per layer (means over ${m.series.numSequences} sequences) at the first (step ${checkpoints[0]!.step}) and last (step ${checkpoints.at(-1)!.step}) recorded checkpoint.`,
      figure: layerMagnitudesFigure({ model: m.name, first: checkpoints[0]!, last: checkpoints.at(-1)! }),
    });
    out.push({
      name: `fig4-ratio-${safeName(m.name)}`,
      section: "emergence",
      model: m.name,
      caption: `${m.name}: ratio top1/median per layer over ${m.series.steps.length} checkpoints; x is logarithmic in step + 1 (ticks show the steps).`,
      figure: ratioOverTrainingFigure(ratios[i]!),
    });
  });
  out.push({
    name: "fig5-peak-heatmaps",
    section: "emergence",
    caption: "Per layer and model: the largest ratio top1/median over the recorded checkpoints (left) and the step where it occurs (right). Models ordered by parameter count; empty cells are layers a model does not have.",
    figure: peakHeatmapsFigure(models.map((m) => modelPeaks(m.name, m.series.steps, layerSeries(m.series, "ratio")))),
  });

  // models with at least one successful ratio fit (a run of very few steps can have none: Eq. 9 needs 5 points)
  const fitted = models.filter((m) => m.fits.ratio?.some((f) => f.params !== undefined));
  if (fitted.length > 0) {
    const picks = fitted.length === 1 ? [fitted[0]!] : [fitted[0]!, fitted.at(-1)!];
    const perModel = picks.length === 1 ? 6 : 3;
    const spreadPanels = picks.flatMap((m) => fitPanels(m, spread(m.fits.ratio!.length, perModel)));
    // the spread picks may all be failed layers: then any fitted layers of the picks
    const panels = spreadPanels.length ? spreadPanels : picks.flatMap((m) => fitPanels(m, m.fits.ratio!.map((_, l) => l))).slice(0, 6);
    out.push({
      name: "fig6-example-fits",
      section: "fits",
      caption: "Observed ratio (points) and the fitted Eq. 9 curve f(t) = A·exp(−λx)·ln(x) + K, x = γt + t0 (line), for the first, a middle and the last layer of the smallest and the largest fitted model.",
      figure: exampleFitsFigure(panels),
    });
    out.push({
      name: "fig6-fit-explorer",
      section: "fits",
      interactive: true,
      caption: `Observed ratio (points) and its Eq. 9 fit (line) for any fitted layer: the dropdowns pick the model (${fitted.length}) and the layer.`,
      figure: fitExplorerFigure(
        fitted.map((m) => ({
          model: m.name,
          // 60 points per curve: smooth on the log axis, and half the bytes of 120 over every layer of the suite
          layers: fitPanels(m, m.fits.ratio!.map((_, l) => l), "ratio", 60).map((p) => ({ ...p, layer: p.layer! })),
        })).filter((m) => m.layers.length > 0),
      ),
    });
    out.push({
      name: "fig7-r2",
      section: "fits",
      caption: "R² of the Eq. 9 fit of the ratio series per layer and model; the dotted line is the paper's mean over all 188 Pythia layers (0.984).",
      figure: r2PerLayerFigure(fitted.map((m) => ({ name: m.name, r2: m.fits.ratio!.map((f) => f.r2) }))),
    });
    const t0s = fitted.flatMap((m) => m.fits.ratio!.map((f) => f.params?.t0 ?? NaN)).filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
    const t0 = t0s.length ? Number(t0s[Math.floor((t0s.length - 1) / 2)]!.toPrecision(3)) : 1;
    out.push({
      name: "fig8-t-peak",
      section: "peaks",
      caption: `Peak step t_peak = (x* − t0)/γ with x* = 1/(λ·W(1/λ)) over (λ, γ) at t0 = ${t0} (the median fitted t0); white where no peak is observable at that t0 (x* ≤ t0). Points are the fitted layers with λ > 0, each of which has its own t0.`,
      figure: tPeakSurfaceFigure({
        t0,
        lambertW: lambertW0,
        points: fitted
          .flatMap((m) => m.fits.ratio!.map((f, l) => (f.params ? { lambda: f.params.lambda, gamma: f.params.gamma, label: `${m.name}, layer ${l + 1}` } : undefined)))
          .filter((p): p is { lambda: number; gamma: number; label: string } => p !== undefined && p.lambda > 0 && p.gamma > 0),
      }),
    });
  }
  if (results.hypotheses) {
    out.push({
      name: "table5-hypotheses",
      section: "fits",
      caption: "Candidate models of the dynamics compared per model (Table 5).",
      figure: hypothesesFigure(results.hypotheses, { metric: results.hypotheses.metric }),
    });
  }
  const predicted = models.filter((x) => x.predictions);
  const trajectories = predicted.map((m) => {
    const observed = layerSeries(m.series, "ratio");
    const layers: TrajectoryLayer[] = m.predictions!.layers.map((l) => ({
      layer: l.layer,
      predicted: { steps: m.predictions!.steps, values: l.ratio },
      ...(l.lower && l.upper ? { band: { lower: l.lower, upper: l.upper, level: m.predictions!.bandLevel } } : {}),
      ...(observed[l.layer] ? { observed: { steps: m.series.steps, values: observed[l.layer]! } } : {}),
    }));
    return { model: m.name, layers };
  });
  if (trajectories.length > 0) {
    out.push({
      name: "predicted-trajectories",
      section: "prediction",
      interactive: true,
      caption: `Ratio trajectories predicted from the architecture alone (lines) against the recorded ones (circles)${trajectories.some((t) => t.layers.some((l) => l.band)) ? "; shaded: the 80% band. Each model's prediction comes from the cross-validation fold that held out its architecture (nested: the predictor's choices were made without it); seed and recipe variants are predicted from their base architecture" : ""}; the dropdowns pick the model (${trajectories.length}) and one layer or all.`,
      figure: predictedTrajectoriesChoiceFigure(trajectories),
    });
  }
  for (const t of trajectories.filter((x) => separate && own.has(x.model))) {
    out.push({
      name: `predicted-trajectories-${safeName(t.model)}`,
      section: "prediction",
      model: t.model,
      caption: `${t.model}: ratio trajectories predicted from the architecture alone (lines) against the recorded ones (circles).`,
      figure: predictedTrajectoriesFigure(t),
    });
  }
  for (const t of results.table3) {
    out.push({
      name: `table3-${safeName(t.protocol)}`,
      section: "prediction",
      caption: `Test R² of each regressor for each Eq. 9 parameter (Table 3), protocol ${t.protocol}${t.protocol.includes("leave-one-model-out") ? " (every layer of the test model held out: the stricter test the paper does not report)" : " (the paper's 80/20 split over layers)"}.`,
      figure: hypothesesFigure(
        { models: t.params, hypotheses: t.regressors.map((g, i) => ({ name: g, values: t.r2[i]! })) },
        { title: `Test R² per parameter and regressor (Table 3), ${t.protocol}`, metric: "test R² (unitless)", xTitle: "Eq. 9 parameter", fileName: `table3-${safeName(t.protocol)}` },
      ),
    });
  }
  for (const s of results.shap) {
    out.push({ name: `shap-${safeName(s.target)}`, section: "prediction", caption: `SHAP values of the architecture features for the prediction of ${s.target}.`, figure: shapSummaryFigure(s) });
  }
  for (const p of results.partialDependence) {
    out.push({ name: `partial-dependence-${safeName(p.target)}`, section: "prediction", caption: `Partial dependence of the predicted ${p.target} on the architecture features.`, figure: partialDependenceFigure(p) });
  }
  return out;
}
