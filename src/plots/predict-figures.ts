/**
 * Figures of the prediction stage (paper Sec. 5): SHAP summary, partial dependence, predicted against observed ratio
 * trajectories. They take plain arrays so they do not depend on src/predict's internals.
 */
import { requireNonEmpty, requireSameLength, type PlotlyFigure } from "./figure";
import { AXIS_TITLES, THEME, layerLabel, sequenceColor, stepLogTicks, themedAxis, themedConfig, themedLayout } from "./theme";
import { subplotGrid, subplotTitle } from "./subplots";

export interface ShapSummaryInput {
  /** Target the SHAP values explain, e.g. "K". */
  target: string;
  /** Feature names (Table 4), one per column. */
  features: string[];
  /** shapValues[sample][feature]. */
  shapValues: number[][];
  /** featureValues[sample][feature] (raw, before scaling); colours the points. */
  featureValues: number[][];
  /** Show only the most important features (by mean |SHAP|). Default all. */
  maxFeatures?: number;
}

/** Mean |SHAP| per feature (global importance), in feature order. */
export function meanAbsShap(shapValues: number[][], numFeatures: number): number[] {
  const out = new Array<number>(numFeatures).fill(0);
  for (const row of shapValues) for (let j = 0; j < numFeatures; j++) out[j]! += Math.abs(row[j]!) / shapValues.length;
  return out;
}

// Deterministic jitter in [-0.5, 0.5) so the figure is the same on every run.
function jitter(i: number, j: number): number {
  const s = Math.sin(i * 12.9898 + j * 78.233) * 43758.5453;
  return s - Math.floor(s) - 0.5;
}

/**
 * SHAP summary ("beeswarm"): one row per feature, most important on top; each point one sample, at its SHAP value,
 * coloured by the feature's value scaled to its rank within the samples (0 = lowest, 1 = highest) on viridis.
 */
export function shapSummaryFigure(input: ShapSummaryInput, options: { title?: string } = {}): PlotlyFigure {
  const fn = "shapSummaryFigure";
  requireNonEmpty(fn, "features", input.features);
  requireNonEmpty(fn, "shapValues", input.shapValues);
  requireSameLength(fn, { shapValues: input.shapValues, featureValues: input.featureValues });
  input.shapValues.forEach((r, i) => requireSameLength(fn, { features: input.features, [`shapValues[${i}]`]: r, [`featureValues[${i}]`]: input.featureValues[i]! }));
  const p = input.features.length;
  const importance = meanAbsShap(input.shapValues, p);
  const order = importance.map((v, j) => [v, j] as const).sort((a, b) => b[0] - a[0]).slice(0, input.maxFeatures ?? p).map(([, j]) => j);
  const x: number[] = [];
  const y: number[] = [];
  const color: number[] = [];
  const text: string[] = [];
  order.forEach((j, rank) => {
    const col = input.featureValues.map((r) => r[j]!);
    const sorted = [...col].sort((a, b) => a - b);
    const pct = (v: number) => (sorted.length > 1 ? sorted.indexOf(v) / (sorted.length - 1) : 0.5);
    input.shapValues.forEach((r, i) => {
      x.push(r[j]!);
      y.push(order.length - 1 - rank + 0.6 * jitter(i, j));
      color.push(pct(col[i]!));
      text.push(`${input.features[j]} = ${col[i]!.toPrecision(4)}`);
    });
  });
  return {
    data: [
      {
        type: "scatter",
        mode: "markers",
        name: "samples",
        x,
        y,
        text,
        hovertemplate: "%{text}<br>SHAP %{x:.4g}<extra></extra>",
        marker: { size: 5, color, colorscale: THEME.colorscale, cmin: 0, cmax: 1, showscale: true, opacity: 0.85, colorbar: { title: { text: "feature value (rank, low → high)", side: "right" }, thickness: 12, tickvals: [0, 1], ticktext: ["low", "high"] } },
      },
    ],
    layout: themedLayout(options.title ?? `SHAP summary for ${input.target}`, {
      xaxis: themedAxis(`SHAP value (effect on the transformed ${input.target})`, { extra: { zeroline: true, zerolinecolor: "#999999" } }),
      yaxis: themedAxis("feature (by mean |SHAP|)", {
        extra: { tickvals: order.map((_, r) => order.length - 1 - r), ticktext: order.map((j) => input.features[j]!), showgrid: false, range: [-0.7, order.length - 0.3] },
      }),
      showlegend: false,
      height: Math.max(THEME.height, 120 + 34 * order.length),
    }),
    config: themedConfig(`shap-summary-${input.target}`),
  };
}

export interface PartialDependencePanel {
  feature: string;
  /** Feature values at which the dependence was evaluated. */
  grid: number[];
  /** Mean prediction over the samples with the feature set to grid[i]. */
  values: number[];
}

/** Partial dependence of one target on several features, one panel each (y shared in meaning, not in range). */
export function partialDependenceFigure(input: { target: string; panels: PartialDependencePanel[] }, options: { columns?: number; title?: string } = {}): PlotlyFigure {
  const fn = "partialDependenceFigure";
  requireNonEmpty(fn, "panels", input.panels);
  for (const p of input.panels) requireSameLength(fn, { [`grid of ${p.feature}`]: p.grid, [`values of ${p.feature}`]: p.values });
  const columns = options.columns ?? Math.min(3, input.panels.length);
  const cells = subplotGrid(input.panels.length, columns, { x: 0.1, y: 0.22 });
  const rows = Math.ceil(input.panels.length / columns);
  const axes: Record<string, unknown> = {};
  cells.forEach((c, i) => {
    axes[c.xaxisKey] = themedAxis(input.panels[i]!.feature, { extra: { domain: c.xDomain, anchor: c.yRef } });
    axes[c.yaxisKey] = themedAxis(i % columns === 0 ? `predicted ${input.target}` : "", { extra: { domain: c.yDomain, anchor: c.xRef } });
  });
  return {
    data: input.panels.map((p, i) => ({
      type: "scatter",
      mode: "lines+markers",
      name: p.feature,
      x: p.grid,
      y: p.values,
      xaxis: cells[i]!.xRef,
      yaxis: cells[i]!.yRef,
      marker: { size: 4, color: sequenceColor(0, 1) },
      line: { width: 2, color: sequenceColor(0, 1) },
    })),
    layout: themedLayout(options.title ?? `Partial dependence of ${input.target} on the architecture features`, {
      ...axes,
      showlegend: false,
      annotations: input.panels.map((p, i) => subplotTitle(cells[i]!, p.feature, 12)),
      width: Math.max(THEME.width, 320 * columns),
      height: 110 + 260 * rows,
      margin: { l: 70, r: 20, t: 80, b: 60 },
    }),
    config: themedConfig(`partial-dependence-${input.target}`),
  };
}

export interface TrajectoryLayer {
  /** 0-based layer. */
  layer: number;
  /** Observed series (omit when predicting an architecture that was never trained). */
  observed?: { steps: number[]; values: number[] };
  predicted: { steps: number[]; values: number[] };
  /** Prediction band on predicted.steps (e.g. the 80% band of EnsembleTrajectoryPredictor), drawn as a shaded area. */
  band?: { lower: number[]; upper: number[]; level?: number };
}

/** `#rrggbb` or `rgb(r, g, b)` as `rgba(r, g, b, alpha)`. */
function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (hex) return `rgba(${parseInt(hex[1]!, 16)}, ${parseInt(hex[2]!, 16)}, ${parseInt(hex[3]!, 16)}, ${alpha})`;
  const rgb = /^rgb\((.+)\)$/.exec(color);
  return rgb ? `rgba(${rgb[1]}, ${alpha})` : color;
}

/**
 * Predicted (lines) against observed (markers) ratio trajectories per layer, same viridis colour per layer, x
 * logarithmic in step + 1 with real steps on the ticks.
 */
export function predictedTrajectoriesFigure(input: { model: string; layers: TrajectoryLayer[] }, options: { title?: string } = {}): PlotlyFigure {
  const fn = "predictedTrajectoriesFigure";
  requireNonEmpty(fn, "layers", input.layers);
  const n = input.layers.length;
  const data: PlotlyFigure["data"] = [];
  let maxStep = 0;
  input.layers.forEach((l, i) => {
    requireSameLength(fn, { [`predicted.steps of layer ${l.layer}`]: l.predicted.steps, [`predicted.values of layer ${l.layer}`]: l.predicted.values });
    const color = sequenceColor(i, n);
    maxStep = Math.max(maxStep, ...l.predicted.steps);
    if (l.band) {
      requireSameLength(fn, { [`predicted.steps of layer ${l.layer}`]: l.predicted.steps, [`band.lower of layer ${l.layer}`]: l.band.lower, [`band.upper of layer ${l.layer}`]: l.band.upper });
      const level = l.band.level === undefined ? "band" : `${Math.round(l.band.level * 100)}% band`;
      const x = l.predicted.steps.map((s) => s + 1);
      // upper edge first, then the lower edge filled up to it ("tonexty")
      data.push({
        type: "scatter", mode: "lines", name: `${layerLabel(l.layer)} ${level} (upper)`, legendgroup: String(l.layer), showlegend: false,
        x, y: l.band.upper, customdata: l.predicted.steps, line: { width: 0, color },
        hovertemplate: `${layerLabel(l.layer)} ${level} upper<br>step %{customdata}<br>%{y:.3g}<extra></extra>`,
      });
      data.push({
        type: "scatter", mode: "lines", name: `${layerLabel(l.layer)} ${level}`, legendgroup: String(l.layer), showlegend: false,
        x, y: l.band.lower, customdata: l.predicted.steps, line: { width: 0, color }, fill: "tonexty", fillcolor: withAlpha(color, 0.15),
        hovertemplate: `${layerLabel(l.layer)} ${level} lower<br>step %{customdata}<br>%{y:.3g}<extra></extra>`,
      });
    }
    data.push({
      type: "scatter",
      mode: "lines",
      name: layerLabel(l.layer),
      legendgroup: String(l.layer),
      x: l.predicted.steps.map((s) => s + 1),
      y: l.predicted.values,
      customdata: l.predicted.steps,
      hovertemplate: `${layerLabel(l.layer)} predicted<br>step %{customdata}<br>%{y:.3g}<extra></extra>`,
      line: { color, width: 2 },
    });
    if (l.observed) {
      requireSameLength(fn, { [`observed.steps of layer ${l.layer}`]: l.observed.steps, [`observed.values of layer ${l.layer}`]: l.observed.values });
      maxStep = Math.max(maxStep, ...l.observed.steps);
      data.push({
        type: "scatter",
        mode: "markers",
        name: `${layerLabel(l.layer)} observed`,
        legendgroup: String(l.layer),
        showlegend: false, // one legend entry per layer: colour = layer, line = predicted, circles = observed
        x: l.observed.steps.map((s) => s + 1),
        y: l.observed.values,
        customdata: l.observed.steps,
        hovertemplate: `${layerLabel(l.layer)} observed<br>step %{customdata}<br>%{y:.3g}<extra></extra>`,
        marker: { color, size: 5, symbol: "circle-open", line: { width: 1.5, color } },
      });
    }
  });
  return {
    data,
    layout: themedLayout(options.title ?? `${input.model}: predicted (lines${input.layers.some((l) => l.band) ? ", shaded band" : ""}) and observed (circles) ratio trajectories`, {
      xaxis: themedAxis(AXIS_TITLES.stepLog, { log: true, extra: stepLogTicks(maxStep) }),
      yaxis: themedAxis(AXIS_TITLES.ratio),
      legend: { font: { size: 10 } },
    }),
    config: themedConfig("predicted-trajectories"),
  };
}
