/**
 * Predicted against observed ratio trajectories for several models in one figure: a model dropdown and a layer
 * dropdown ("all layers" or one), drawn by plotly.js alone. Every trace {@link predictedTrajectoriesFigure} draws
 * for a layer (prediction, observation, prediction band) shares that layer's `legendgroup`, so a layer choice
 * brings all of them along.
 */
import { requireNonEmpty, type PlotlyFigure, type PlotlyTrace } from "./figure";
import { layerLabel, themedConfig } from "./theme";
import { choiceFigure, optionsByKey } from "./choices";
import { predictedTrajectoriesFigure, type TrajectoryLayer } from "./predict-figures";

/** Prefixes a trace's hover text with the model's name, so hover says model, layer, step and value. */
function withModelInHover(trace: PlotlyTrace, model: string): PlotlyTrace {
  return typeof trace.hovertemplate === "string" ? { ...trace, hovertemplate: `${model}<br>${trace.hovertemplate}` } : trace;
}

export function predictedTrajectoriesChoiceFigure(models: { model: string; layers: TrajectoryLayer[] }[], options: { activeModel?: string } = {}): PlotlyFigure {
  requireNonEmpty("predictedTrajectoriesChoiceFigure", "models", models);
  const active = options.activeModel === undefined ? 0 : models.findIndex((m) => m.model === options.activeModel);
  if (active < 0) throw new Error(`predictedTrajectoriesChoiceFigure: activeModel '${options.activeModel}' is not among the models`);
  const groups = models.map((m) => {
    const base = predictedTrajectoriesFigure(m);
    const figure = { ...base, data: base.data.map((t) => withModelInHover(t, m.model)) };
    const layerOf = (t: PlotlyTrace) => (typeof t.legendgroup === "string" && /^\d+$/.test(t.legendgroup) ? t.legendgroup : undefined);
    return { label: m.model, figure, options: optionsByKey(figure, layerOf, { allLabel: "all layers", labelOf: (k) => layerLabel(Number(k)) }) };
  });
  const fig = choiceFigure(groups, { groupName: "model", optionName: "layer", activeGroup: active });
  return { ...fig, config: themedConfig("predicted-trajectories") };
}
