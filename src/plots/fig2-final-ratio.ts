/** Paper Fig. 2: the ratio top1/median at the final checkpoint against model size (parameter count). */
import { requireNonEmpty, type PlotlyFigure } from "./figure";
import { AXIS_TITLES, THEME, logTicks125, themedAxis, themedConfig, themedLayout, viridis } from "./theme";

export interface ModelFinalRatio {
  /** Model name shown beside its marker. */
  name: string;
  /** Total parameter count (see {@link gptNeoxParameterCount}). */
  parameterCount: number;
  /** The final checkpoint's step. */
  finalStep: number;
  /** Ratio top1/median (means over the evaluation sequences) at the final step, per 0-based layer. */
  ratioByLayer: number[];
}

/**
 * Fig. 2: per model, the largest final-step ratio over its layers (the paper's "final ratio": 83 for Pythia-14M) and
 * the mean over layers, against the parameter count on a log axis. Models are sorted by size.
 */
/** Above this many models Fig. 2 draws markers only, without lines or names (names stay in the hover text). */
export const LABELLED_MODELS_MAX = 12;

export function finalRatioFigure(models: ModelFinalRatio[], options: { logY?: boolean; title?: string } = {}): PlotlyFigure {
  requireNonEmpty("finalRatioFigure", "models", models);
  const sorted = [...models].sort((a, b) => a.parameterCount - b.parameterCount);
  for (const m of sorted) requireNonEmpty("finalRatioFigure", `ratioByLayer of ${m.name}`, m.ratioByLayer);
  const x = sorted.map((m) => m.parameterCount);
  const argmax = sorted.map((m) => m.ratioByLayer.reduce((best, v, i, a) => (v > a[best]! ? i : best), 0));
  const maxRatio = sorted.map((m, i) => m.ratioByLayer[argmax[i]!]!);
  const meanRatio = sorted.map((m) => m.ratioByLayer.reduce((s, v) => s + v, 0) / m.ratioByLayer.length);
  // A line through sizes reads as a trend only for a family like Pythia's (one architecture per size); with many
  // architectures of similar size it zigzags and the names overlap, so large suites get markers, names on hover.
  const dense = sorted.length > LABELLED_MODELS_MAX;
  const hover = sorted.map((m, i) => `${m.name}<br>${m.parameterCount.toLocaleString("en-US")} parameters<br>step ${m.finalStep}<br>max at layer ${argmax[i]! + 1}`);
  return {
    data: [
      {
        type: "scatter",
        mode: dense ? "markers" : "lines+markers+text",
        name: "max over layers",
        x,
        y: maxRatio,
        ...(dense ? {} : {
          text: sorted.map((m) => m.name),
          // alternate above/below so the names of neighbouring sizes do not overlap
          textposition: sorted.map((_, i) => (i % 2 === 0 ? "top center" : "bottom center")),
          textfont: { size: 10 },
        }),
        hovertext: hover,
        hoverinfo: "text+y",
        marker: { size: 8, color: viridis(0) },
        line: { color: viridis(0), width: 1.5 },
      },
      {
        type: "scatter",
        mode: dense ? "markers" : "lines+markers",
        name: "mean over layers",
        x,
        y: meanRatio,
        hovertext: hover,
        hoverinfo: "text+y",
        marker: { size: 7, symbol: "square", color: viridis(0.6) },
        line: { color: viridis(0.6), width: 1.5, dash: "dash" },
      },
    ],
    layout: themedLayout(options.title ?? "Final top1/median ratio against model size (Fig. 2)", {
      xaxis: themedAxis(AXIS_TITLES.params, { log: true, extra: logTicks125(Math.min(...x), Math.max(...x)) }),
      yaxis: themedAxis(`final-step ${AXIS_TITLES.ratio}${options.logY ? ", log scale" : ""}`, { log: options.logY }),
      legend: { x: 0.02, y: 0.98, xanchor: "left", yanchor: "top", bgcolor: "rgba(255,255,255,0.8)", font: { size: THEME.tickSize } },
    }),
    config: themedConfig("fig2-final-ratio"),
  };
}
