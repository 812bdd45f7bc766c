/** Paper Fig. 5: heatmaps of each layer's peak magnitude and peak step, layer depth x model. */
import { requireNonEmpty, requireSameLength, type PlotlyFigure } from "./figure";
import { AXIS_TITLES, THEME, themedAxis, themedConfig, themedLayout } from "./theme";
import { subplotGrid, subplotTitle } from "./subplots";

/** The largest value of a series and the step where it first occurs. */
export function seriesPeak(steps: number[], values: number[]): { value: number; step: number; index: number } {
  requireNonEmpty("seriesPeak", "values", values);
  requireSameLength("seriesPeak", { steps, values });
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return { value: values[best]!, step: steps[best]!, index: best };
}

export interface ModelPeaks {
  name: string;
  /** Per 0-based layer: the maximum of the series over training. */
  peakValue: number[];
  /** Per 0-based layer: the step of that maximum. */
  peakStep: number[];
}

/** Per-layer peaks of `values[layer][i]` at `steps[i]`, as {@link ModelPeaks}. */
export function modelPeaks(name: string, steps: number[], values: number[][]): ModelPeaks {
  const peaks = values.map((v) => seriesPeak(steps, v));
  return { name, peakValue: peaks.map((p) => p.value), peakStep: peaks.map((p) => p.step) };
}

/**
 * Fig. 5: two heatmaps side by side, models on x in the given order (pass them sorted by size), layers (1-based) on y;
 * cells of layers a model does not have stay empty. Left: peak value of the ratio over training; right: the step of
 * that peak. Both on viridis (monotone lightness, prints in grey).
 */
export function peakHeatmapsFigure(models: ModelPeaks[], options: { title?: string; seriesLabel?: string } = {}): PlotlyFigure {
  const fn = "peakHeatmapsFigure";
  requireNonEmpty(fn, "models", models);
  for (const m of models) requireSameLength(fn, { [`peakValue of ${m.name}`]: m.peakValue, [`peakStep of ${m.name}`]: m.peakStep });
  const depth = Math.max(...models.map((m) => m.peakValue.length));
  const layers = Array.from({ length: depth }, (_, l) => l + 1);
  const names = models.map((m) => m.name);
  const grid = (pick: (m: ModelPeaks) => number[]) => layers.map((_, l) => models.map((m) => (l < pick(m).length ? pick(m)[l]! : null)));
  const cells = subplotGrid(2, 2, { x: 0.2 });
  const label = options.seriesLabel ?? "top1/median ratio";
  const heat = (i: number, z: (number | null)[][], title: string, colorbarX: number, fmt: string) => ({
    type: "heatmap",
    name: title,
    x: names,
    y: layers,
    z,
    xaxis: cells[i]!.xRef,
    yaxis: cells[i]!.yRef,
    colorscale: THEME.colorscale,
    hoverongaps: false,
    hovertemplate: `%{x}, layer %{y}<br>${title}: %{z:${fmt}}<extra></extra>`,
    colorbar: { title: { text: title, side: "right" }, x: colorbarX, len: 0.9, thickness: 12, tickfont: { size: 11 } },
  });
  const axes: Record<string, unknown> = {};
  cells.forEach((c) => {
    axes[c.xaxisKey] = themedAxis("model (by parameter count)", { extra: { domain: c.xDomain, anchor: c.yRef, type: "category", tickangle: -45, showgrid: false } });
    axes[c.yaxisKey] = themedAxis(AXIS_TITLES.layer, { extra: { domain: c.yDomain, anchor: c.xRef, dtick: depth > 20 ? 4 : 1, showgrid: false } });
  });
  return {
    data: [
      heat(0, grid((m) => m.peakValue), `peak ${label}`, cells[0]!.xDomain[1] + 0.01, ".3g"),
      heat(1, grid((m) => m.peakStep), "peak step (training steps)", 1.01, ".0f"),
    ],
    layout: themedLayout(options.title ?? `Peak magnitude and peak step over depth x model (Fig. 5)`, {
      ...axes,
      width: 960,
      height: 480,
      margin: { l: 70, r: 90, t: 80, b: 110 },
      annotations: [subplotTitle(cells[0]!, `peak ${label}`), subplotTitle(cells[1]!, "step of the peak")],
    }),
    config: themedConfig("fig5-peak-heatmaps"),
  };
}
