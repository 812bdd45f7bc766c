/** Paper Fig. 3: per-layer top1 and median of |h| at the first and the last recorded checkpoint. */
import { requireNonEmpty, requireSameLength, type PlotlyFigure } from "./figure";
import { AXIS_TITLES, themedAxis, themedConfig, themedLayout, viridis } from "./theme";

export interface CheckpointMagnitudes {
  step: number;
  /** Mean over the evaluation sequences of top1 of |h|, per 0-based layer. */
  top1: number[];
  /** Mean over the evaluation sequences of the median of |h|, per 0-based layer. */
  median: number[];
}

/**
 * Fig. 3: top1 (circles) and median (squares) of |h| per layer on a log axis, first checkpoint dashed and light, last
 * solid and dark, so the gap that opens between them during training (the massive activations) is visible in grey print.
 */
export function layerMagnitudesFigure(input: { model: string; first: CheckpointMagnitudes; last: CheckpointMagnitudes }, options: { title?: string } = {}): PlotlyFigure {
  const fn = "layerMagnitudesFigure";
  for (const c of [input.first, input.last]) {
    requireNonEmpty(fn, `top1 at step ${c.step}`, c.top1);
    requireSameLength(fn, { [`top1 at step ${c.step}`]: c.top1, [`median at step ${c.step}`]: c.median });
  }
  requireSameLength(fn, { "first.top1": input.first.top1, "last.top1": input.last.top1 });
  const layers = input.first.top1.map((_, l) => l + 1);
  const trace = (c: CheckpointMagnitudes, stat: "top1" | "median", last: boolean) => ({
    type: "scatter",
    mode: "lines+markers",
    name: `${stat}, step ${c.step}`,
    x: layers,
    y: c[stat],
    marker: { symbol: stat === "top1" ? "circle" : "square", size: 7, color: last ? viridis(0) : viridis(0.65) },
    line: { color: last ? viridis(0) : viridis(0.65), width: 1.5, dash: last ? "solid" : "dash" },
  });
  return {
    data: [trace(input.first, "top1", false), trace(input.first, "median", false), trace(input.last, "top1", true), trace(input.last, "median", true)],
    layout: themedLayout(options.title ?? `${input.model}: top1 and median of |h| per layer, first and last step (Fig. 3)`, {
      xaxis: themedAxis(AXIS_TITLES.layer, { extra: { dtick: layers.length > 20 ? 4 : 1 } }),
      yaxis: themedAxis(`${AXIS_TITLES.magnitude}, mean over sequences`, { log: true, extra: { dtick: "D2" } }),
    }),
    config: themedConfig("fig3-layer-magnitudes"),
  };
}
