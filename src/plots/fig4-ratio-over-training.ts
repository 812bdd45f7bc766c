/** Paper Fig. 4: the ratio top1/median over training, one line per layer. */
import { requireNonEmpty, requireSameLength, type PlotlyFigure } from "./figure";
import { AXIS_TITLES, layerLabel, sequenceColor, stepLogTicks, themedAxis, themedConfig, themedLayout } from "./theme";

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
      hovertemplate: `${layerLabel(l)}<br>step %{customdata}<br>%{y:.3g}<extra></extra>`,
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
