/** Paper Fig. 7: goodness of fit (R^2) of Eq. 9 per layer, one line per model. */
import { requireNonEmpty, type PlotlyFigure } from "./figure";
import { AXIS_TITLES, sequenceColor, themedAxis, themedConfig, themedLayout } from "./theme";

export interface ModelR2 {
  name: string;
  /** R^2 per 0-based layer. */
  r2: number[];
}

/**
 * Fig. 7: R^2 per layer (1-based) per model, coloured by the order given (pass models sorted by size). A dotted line
 * at the paper's mean over all Pythia layers (0.984) gives scale; the y axis starts just below the lowest R² but not
 * below 0.5, so one bad layer does not squash the others (points below the floor are drawn at it with a hollow marker
 * and their value in the hover). Failed fits (NaN) leave a gap.
 */
export function r2PerLayerFigure(models: ModelR2[], options: { title?: string; floor?: number; reference?: number } = {}): PlotlyFigure {
  requireNonEmpty("r2PerLayerFigure", "models", models);
  const finite = models.flatMap((m) => m.r2.filter(Number.isFinite));
  // default floor: just below the lowest R², but no lower than 0.5 (worse layers are drawn at the floor, hollow)
  const floor = options.floor ?? Math.max(0.5, Math.floor(((finite.length ? Math.min(...finite) : 0.9) - 0.01) * 100) / 100);
  const reference = options.reference ?? 0.984;
  const depth = Math.max(...models.map((m) => m.r2.length));
  return {
    data: [
      ...models.map((m, i) => ({
        type: "scatter",
        mode: "lines+markers",
        name: m.name,
        x: m.r2.map((_, l) => l + 1),
        y: m.r2.map((v) => Math.max(v, floor)),
        customdata: m.r2,
        hovertemplate: `${m.name}, layer %{x}<br>R² %{customdata:.4f}<extra></extra>`,
        marker: { size: 6, color: sequenceColor(i, models.length), symbol: m.r2.map((v) => (v < floor ? "circle-open" : "circle")) },
        line: { width: 1.2, color: sequenceColor(i, models.length) },
      })),
      {
        type: "scatter",
        mode: "lines",
        name: `paper's mean over Pythia layers (${reference})`,
        x: [1, depth],
        y: [reference, reference],
        hoverinfo: "skip",
        line: { color: "#777777", width: 1, dash: "dot" },
      },
    ],
    layout: themedLayout(options.title ?? "R² of the Eq. 9 fit per layer (Fig. 7)", {
      xaxis: themedAxis(AXIS_TITLES.layer, { extra: { dtick: depth > 20 ? 4 : 1 } }),
      yaxis: themedAxis(AXIS_TITLES.r2, { extra: { range: [floor - 0.01 * (1 - floor + 0.01), 1 + 0.02 * (1 - floor + 0.01)] } }),
      legend: { title: { text: "model" }, font: { size: 11 } },
    }),
    config: themedConfig("fig7-r2-per-layer"),
  };
}
