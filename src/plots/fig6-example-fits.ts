/** Paper Fig. 6: example fits, observed series against the fitted Eq. 9 curve, one panel per (model, layer). */
import { requireNonEmpty, requireSameLength, type PlotlyFigure } from "./figure";
import { AXIS_TITLES, THEME, stepLogTicks, themedAxis, themedConfig, themedLayout } from "./theme";
import { subplotGrid, subplotTitle } from "./subplots";
import { seriesAxisTitle } from "./fig4-ratio-over-training";
import { choiceFigure, optionsByKey } from "./choices";

export interface FitPanel {
  /** Panel title, e.g. "d256-L8-H16, layer 1". */
  title: string;
  /** 0-based layer, when the panel is one layer's. */
  layer?: number;
  steps: number[];
  observed: number[];
  /** The fitted curve on a (usually denser) grid of steps. */
  fitted: { steps: number[]; values: number[] };
  r2?: number;
}

/**
 * Steps at which to draw a fitted curve: `n` points evenly spaced in log(step + 1) from the first to the last step,
 * so the curve is smooth on Fig. 4/6's logarithmic axis.
 */
export function curveSteps(steps: number[], n = 120): number[] {
  requireNonEmpty("curveSteps", "steps", steps);
  const a = Math.log(Math.min(...steps) + 1);
  const b = Math.log(Math.max(...steps) + 1);
  return Array.from({ length: n }, (_, i) => Math.exp(a + ((b - a) * i) / Math.max(1, n - 1)) - 1);
}

/**
 * Fig. 6: observed points (dark circles) and the fitted curve (teal line) per panel, x logarithmic in step + 1 with
 * real steps on the ticks, R^2 in the panel title.
 */
export function exampleFitsFigure(panels: FitPanel[], options: { columns?: number; title?: string; series?: "ratio" | "top1" | "median" } = {}): PlotlyFigure {
  const fn = "exampleFitsFigure";
  requireNonEmpty(fn, "panels", panels);
  for (const p of panels) {
    requireSameLength(fn, { [`steps of ${p.title}`]: p.steps, [`observed of ${p.title}`]: p.observed });
    requireSameLength(fn, { [`fitted.steps of ${p.title}`]: p.fitted.steps, [`fitted.values of ${p.title}`]: p.fitted.values });
  }
  const columns = options.columns ?? Math.min(3, panels.length);
  const cells = subplotGrid(panels.length, columns, { x: 0.09, y: 0.2 });
  const rows = Math.ceil(panels.length / columns);
  const data = panels.flatMap((p, i) => [
    {
      type: "scatter",
      mode: "markers",
      name: "observed",
      legendgroup: "observed",
      showlegend: i === 0,
      x: p.steps.map((s) => s + 1),
      y: p.observed,
      customdata: p.steps,
      hovertemplate: "step %{customdata}<br>%{y:.4g}<extra>observed</extra>",
      xaxis: cells[i]!.xRef,
      yaxis: cells[i]!.yRef,
      marker: { size: 5, color: THEME.observedColor },
    },
    {
      type: "scatter",
      mode: "lines",
      name: "Eq. 9 fit",
      legendgroup: "fit",
      showlegend: i === 0,
      x: p.fitted.steps.map((s) => s + 1),
      y: p.fitted.values,
      hoverinfo: "skip",
      xaxis: cells[i]!.xRef,
      yaxis: cells[i]!.yRef,
      line: { color: THEME.fittedColor, width: 2 },
    },
  ]);
  const axes: Record<string, unknown> = {};
  const maxStep = Math.max(...panels.flatMap((p) => p.steps));
  cells.forEach((c, i) => {
    const bottomRow = Math.floor(i / columns) === rows - 1 || i + columns >= panels.length;
    axes[c.xaxisKey] = themedAxis(bottomRow ? AXIS_TITLES.stepLog : "", { log: true, extra: { domain: c.xDomain, anchor: c.yRef, ...stepLogTicks(maxStep) } });
    axes[c.yaxisKey] = themedAxis(i % columns === 0 ? seriesAxisTitle(options.series) : "", { extra: { domain: c.yDomain, anchor: c.xRef } });
  });
  const titled = panels.map((p, i) => subplotTitle(cells[i]!, p.r2 === undefined ? p.title : `${p.title} (R² = ${p.r2.toFixed(3)})`, 12));
  return {
    data,
    layout: themedLayout(options.title ?? "Example fits of Eq. 9 (Fig. 6)", {
      ...axes,
      annotations: titled,
      width: Math.max(THEME.width, 340 * columns),
      height: 130 + 280 * rows,
      margin: { l: 70, r: 20, t: 90, b: 70 },
      legend: { orientation: "h", x: 1, xanchor: "right", y: 1.0, yanchor: "bottom", yref: "container", font: { size: 12 } },
    }),
    config: themedConfig("fig6-example-fits"),
  };
}

/** One model's fitted layers for {@link fitExplorerFigure}. */
export interface ModelFits {
  model: string;
  layers: { layer: number; steps: number[]; observed: number[]; fitted: { steps: number[]; values: number[] }; r2?: number }[];
}

/**
 * Fig. 6 to explore: one panel, a model dropdown and a layer dropdown; each choice shows that layer's observed
 * series (points) and its Eq. 9 fit (line, R² in the legend). The static export shows `activeModel`'s first layer.
 */
export function fitExplorerFigure(models: ModelFits[], options: { series?: "ratio" | "top1" | "median"; activeModel?: string } = {}): PlotlyFigure {
  const fn = "fitExplorerFigure";
  requireNonEmpty(fn, "models", models);
  const series = options.series ?? "ratio";
  const active = options.activeModel === undefined ? 0 : models.findIndex((m) => m.model === options.activeModel);
  if (active < 0) throw new Error(`${fn}: activeModel '${options.activeModel}' is not among the models`);
  const maxStep = Math.max(...models.flatMap((m) => m.layers.flatMap((l) => l.steps)));
  const groups = models.map((m) => {
    requireNonEmpty(fn, `fitted layers of ${m.model}`, m.layers);
    const data = m.layers.flatMap((l) => {
      requireSameLength(fn, { [`steps of ${m.model} layer ${l.layer}`]: l.steps, [`observed of ${m.model} layer ${l.layer}`]: l.observed });
      requireSameLength(fn, { [`fitted.steps of ${m.model} layer ${l.layer}`]: l.fitted.steps, [`fitted.values of ${m.model} layer ${l.layer}`]: l.fitted.values });
      const where = `${m.model}<br>layer ${l.layer + 1}<br>step %{customdata}`;
      return [
        { type: "scatter", mode: "markers", name: `layer ${l.layer + 1}, observed`, meta: { layer: l.layer }, x: l.steps.map((s) => s + 1), y: l.observed, customdata: l.steps, hovertemplate: `${where}<br>observed ${series} %{y:.4g}<extra></extra>`, marker: { size: 6, color: THEME.observedColor } },
        // hover shows whole steps (the curve's grid is fractional in log space)
        { type: "scatter", mode: "lines", name: `Eq. 9 fit${l.r2 === undefined ? "" : ` (R² = ${l.r2.toFixed(3)})`}`, meta: { layer: l.layer }, x: l.fitted.steps.map((s) => s + 1), y: l.fitted.values, customdata: l.fitted.steps.map((s) => Math.round(s)), hovertemplate: `${where}<br>Eq. 9 fit %{y:.4g}<extra></extra>`, line: { color: THEME.fittedColor, width: 2 } },
      ];
    });
    const figure: PlotlyFigure = {
      data,
      layout: themedLayout(`${m.model}: ${series} and its Eq. 9 fit, one layer at a time (Fig. 6)`, {
        xaxis: themedAxis(AXIS_TITLES.stepLog, { log: true, extra: stepLogTicks(maxStep) }),
        yaxis: themedAxis(seriesAxisTitle(series)),
        legend: { font: { size: 12 } },
      }),
    };
    return { label: m.model, figure, options: optionsByKey(figure, (t) => String((t.meta as { layer: number }).layer), { labelOf: (k) => `layer ${Number(k) + 1}` }) };
  });
  const fig = choiceFigure(groups, { groupName: "model", optionName: "layer", activeGroup: active });
  return { ...fig, config: themedConfig("fig6-fit-explorer") };
}
