/** Paper Fig. 4: the ratio top1/median over training, one line per layer. */
import { requireNonEmpty, requireSameLength, type PlotlyFigure } from "./figure";
import { AXIS_TITLES, layerLabel, sequenceColor, stepLogTicks, themedAxis, themedConfig, themedLayout } from "./theme";
import { choiceFigure, optionsByKey } from "./choices";

export interface SeriesOverTraining {
  model: string;
  /** Training steps, ascending. */
  steps: number[];
  /** values[layer][i] at steps[i], layer 0-based (as `layerSeries(series, "ratio")` returns). */
  values: number[][];
  /** Which series the values are (axis title). Default "ratio". */
  series?: "ratio" | "top1" | "median";
}

/** Axis title for a series. */
export function seriesAxisTitle(series: "ratio" | "top1" | "median" = "ratio"): string {
  return series === "ratio" ? AXIS_TITLES.ratio : `${series} of |h| (activation units), mean over sequences`;
}

/**
 * Fig. 4: one line per layer coloured by depth (viridis, dark = first layer). The x axis is logarithmic in step + 1
 * so step 0 has a place and the early rise is visible; tick labels show the real steps.
 */
export function ratioOverTrainingFigure(input: SeriesOverTraining, options: { title?: string; logX?: boolean } = {}): PlotlyFigure {
  const fn = "ratioOverTrainingFigure";
  requireNonEmpty(fn, "steps", input.steps);
  requireNonEmpty(fn, "values", input.values);
  input.values.forEach((v, l) => requireSameLength(fn, { steps: input.steps, [`values[${l}]`]: v }));
  const logX = options.logX ?? true;
  const n = input.values.length;
  const x = logX ? input.steps.map((s) => s + 1) : input.steps;
  return {
    data: input.values.map((v, l) => ({
      type: "scatter",
      mode: "lines+markers",
      name: layerLabel(l),
      x,
      y: v,
      customdata: input.steps,
      meta: { layer: l },
      hovertemplate: `${input.model}<br>${layerLabel(l)}<br>step %{customdata}<br>${input.series ?? "ratio"} %{y:.4g}<extra></extra>`,
      marker: { size: 4, color: sequenceColor(l, n) },
      line: { width: 1.5, color: sequenceColor(l, n) },
    })),
    layout: themedLayout(options.title ?? `${input.model}: ${input.series ?? "ratio"} over training per layer (Fig. 4)`, {
      xaxis: logX
        ? themedAxis(AXIS_TITLES.stepLog, { log: true, extra: stepLogTicks(Math.max(...input.steps)) })
        : themedAxis(AXIS_TITLES.step),
      yaxis: themedAxis(seriesAxisTitle(input.series)),
      legend: { title: { text: "layer (1-based)" }, font: { size: 11 } },
    }),
    config: themedConfig("fig4-ratio-over-training"),
  };
}

/**
 * Fig. 4 for several models at once, with a model dropdown and a layer dropdown ("all layers" or one), drawn by
 * plotly.js alone; the static export shows `activeModel` (default the first) with all layers.
 */
export function ratioOverTrainingChoiceFigure(inputs: SeriesOverTraining[], options: { logX?: boolean; activeModel?: string; title?: (model: string) => string } = {}): PlotlyFigure {
  requireNonEmpty("ratioOverTrainingChoiceFigure", "models", inputs);
  const active = options.activeModel === undefined ? 0 : inputs.findIndex((m) => m.model === options.activeModel);
  if (active < 0) throw new Error(`ratioOverTrainingChoiceFigure: activeModel '${options.activeModel}' is not among the models`);
  const groups = inputs.map((input) => {
    const figure = ratioOverTrainingFigure(input, { logX: options.logX, title: options.title?.(input.model) });
    const options_ = optionsByKey(figure, (t) => String((t.meta as { layer: number }).layer), { allLabel: "all layers", labelOf: (k) => layerLabel(Number(k)) });
    return { label: input.model, figure, options: options_ };
  });
  const fig = choiceFigure(groups, { groupName: "model", optionName: "layer", activeGroup: active });
  return { ...fig, config: themedConfig("fig4-ratio-over-training") };
}
