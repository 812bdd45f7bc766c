/** Paper Table 5 as a chart: mean R^2 (or AIC) of each candidate model of the dynamics, per model size. */
import { requireNonEmpty, requireSameLength, type PlotlyFigure } from "./figure";
import { sequenceColor, themedAxis, themedConfig, themedLayout } from "./theme";

export interface HypothesisScores {
  /** e.g. "Eq. 9", "Eq. 14 (reparametrised)", "first-order step", "second-order step". */
  name: string;
  /** One value per entry of `models`. */
  values: number[];
}

/**
 * Grouped bars: models on x (in the given order), one bar per hypothesis, coloured along viridis. `metric` names the
 * y axis ("mean R² over layers (unitless)" by default; pass e.g. "mean AIC over layers (lower is better)").
 * Negative R^2 (a fit worse than the mean) is drawn below zero, as Table 5 prints it. The same chart serves Table 3
 * (x: the five parameters, bars: the regressors) with `xTitle`.
 */
export function hypothesesFigure(input: { models: string[]; hypotheses: HypothesisScores[] }, options: { metric?: string; title?: string; xTitle?: string; fileName?: string } = {}): PlotlyFigure {
  const fn = "hypothesesFigure";
  requireNonEmpty(fn, "models", input.models);
  requireNonEmpty(fn, "hypotheses", input.hypotheses);
  for (const h of input.hypotheses) requireSameLength(fn, { models: input.models, [`values of ${h.name}`]: h.values });
  const n = input.hypotheses.length;
  return {
    data: input.hypotheses.map((h, i) => ({
      type: "bar",
      name: h.name,
      x: input.models,
      y: h.values,
      marker: { color: sequenceColor(i, n), line: { color: "#000000", width: 0.5 } },
      hovertemplate: `${h.name}<br>%{x}: %{y:.4f}<extra></extra>`,
    })),
    layout: themedLayout(options.title ?? "Candidate models of the dynamics compared (Table 5)", {
      barmode: "group",
      xaxis: themedAxis(options.xTitle ?? "model", { extra: { type: "category", showgrid: false } }),
      yaxis: themedAxis(options.metric ?? "mean R² over layers (unitless)"),
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", font: { size: 11 } },
      margin: { l: 70, r: 20, t: 90, b: 60 },
    }),
    config: themedConfig(options.fileName ?? "table5-hypotheses"),
  };
}
