/**
 * Paper Fig. 3: per-layer top1 and median of |h| at the first and the last recorded checkpoint; and the same with a
 * slider over every checkpoint (and a dropdown over models) that needs no kernel.
 */
import { requireNonEmpty, requireSameLength, type PlotlyFigure, type PlotlyTrace } from "./figure";
import { AXIS_TITLES, themedAxis, themedConfig, themedLayout, viridis } from "./theme";
import { choiceFigure, framesGroup, type ChoiceGroup } from "./choices";

export interface CheckpointMagnitudes {
  step: number;
  /** Mean over the evaluation sequences of top1 of |h|, per 0-based layer. */
  top1: number[];
  /** Mean over the evaluation sequences of the median of |h|, per 0-based layer. */
  median: number[];
}

/** One model's magnitudes at every recorded checkpoint (ascending steps). */
export interface MagnitudesOverTraining {
  model: string;
  checkpoints: CheckpointMagnitudes[];
}

function checkCheckpoint(fn: string, c: CheckpointMagnitudes, layers: number): void {
  requireNonEmpty(fn, `top1 at step ${c.step}`, c.top1);
  requireSameLength(fn, { [`top1 at step ${c.step}`]: c.top1, [`median at step ${c.step}`]: c.median });
  if (c.top1.length !== layers) throw new Error(`${fn}: step ${c.step} has ${c.top1.length} layers but the first checkpoint has ${layers}`);
}

/** top1 (circles) or median (squares) of one checkpoint; light and dashed for the first step, dark and solid else. */
function magnitudeTrace(model: string, c: CheckpointMagnitudes, stat: "top1" | "median", reference: boolean): PlotlyTrace {
  const color = reference ? viridis(0.65) : viridis(0);
  return {
    type: "scatter",
    mode: "lines+markers",
    name: `${stat}, step ${c.step}`,
    x: c[stat].map((_, l) => l + 1),
    y: c[stat],
    hovertemplate: `${model}<br>layer %{x}<br>step ${c.step}<br>${stat} of |h| %{y:.4g}<extra></extra>`,
    marker: { symbol: stat === "top1" ? "circle" : "square", size: 7, color },
    line: { color, width: 1.5, dash: reference ? "dash" : "solid" },
  };
}

function magnitudesLayout(model: string, layers: number, title: string | undefined, yRange?: [number, number]) {
  return themedLayout(title ?? `${model}: top1 and median of |h| per layer, first and last step (Fig. 3)`, {
    xaxis: themedAxis(AXIS_TITLES.layer, { extra: { dtick: layers > 20 ? 4 : 1 } }),
    yaxis: themedAxis(`${AXIS_TITLES.magnitude}, mean over sequences`, { log: true, extra: { dtick: "D2", ...(yRange ? { range: yRange, autorange: false } : {}) } }),
  });
}

/**
 * Fig. 3: top1 (circles) and median (squares) of |h| per layer on a log axis, first checkpoint dashed and light, last
 * solid and dark, so the gap that opens between them during training (the massive activations) is visible in grey print.
 */
export function layerMagnitudesFigure(input: { model: string; first: CheckpointMagnitudes; last: CheckpointMagnitudes }, options: { title?: string } = {}): PlotlyFigure {
  const fn = "layerMagnitudesFigure";
  checkCheckpoint(fn, input.first, input.first.top1.length);
  checkCheckpoint(fn, input.last, input.first.top1.length);
  const { model, first, last } = input;
  return {
    data: [magnitudeTrace(model, first, "top1", true), magnitudeTrace(model, first, "median", true), magnitudeTrace(model, last, "top1", false), magnitudeTrace(model, last, "median", false)],
    layout: magnitudesLayout(model, first.top1.length, options.title),
    config: themedConfig("fig3-layer-magnitudes"),
  };
}

/** One model's Fig. 3 as a group whose options are its checkpoints (first step always shown for reference). */
function magnitudesGroup(input: MagnitudesOverTraining, title?: string): ChoiceGroup {
  const fn = "layerMagnitudesOverTrainingFigure";
  requireNonEmpty(fn, `checkpoints of ${input.model}`, input.checkpoints);
  const first = input.checkpoints[0]!;
  input.checkpoints.forEach((c) => checkCheckpoint(fn, c, first.top1.length));
  // One y range for every checkpoint, so moving the slider moves the markers, not the axis.
  const all = input.checkpoints.flatMap((c) => [...c.top1, ...c.median]).filter((v) => v > 0);
  const lo = Math.log10(Math.min(...all));
  const hi = Math.log10(Math.max(...all));
  const pad = 0.05 * Math.max(hi - lo, 0.1);
  const layout = magnitudesLayout(input.model, first.top1.length, title ?? `${input.model}: top1 and median of |h| per layer, first and chosen step (Fig. 3)`, [lo - pad, hi + pad]);
  return framesGroup(
    input.model,
    input.checkpoints.map((c) => ({ label: String(c.step), figure: { data: [magnitudeTrace(input.model, c, "top1", false), magnitudeTrace(input.model, c, "median", false)], layout } })),
    { shared: [magnitudeTrace(input.model, first, "top1", true), magnitudeTrace(input.model, first, "median", true)], layout },
  );
}

/**
 * Fig. 3 with a slider over the recorded checkpoints (and a model dropdown when given several models): the first
 * step stays as the dashed reference, the slider picks the solid one; it starts at the last step, which is also what
 * a static export shows, so the exported frame is the paper's Fig. 3.
 */
export function layerMagnitudesOverTrainingFigure(inputs: MagnitudesOverTraining[], options: { title?: string; activeModel?: string } = {}): PlotlyFigure {
  requireNonEmpty("layerMagnitudesOverTrainingFigure", "models", inputs);
  const active = options.activeModel === undefined ? 0 : inputs.findIndex((m) => m.model === options.activeModel);
  if (active < 0) throw new Error(`layerMagnitudesOverTrainingFigure: activeModel '${options.activeModel}' is not among the models`);
  const fig = choiceFigure(inputs.map((m) => magnitudesGroup(m, options.title)), { groupName: "model", optionName: "step", optionControl: "slider", activeGroup: active });
  return { ...fig, config: themedConfig("fig3-layer-magnitudes") };
}
