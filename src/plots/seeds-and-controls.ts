/**
 * Figures of the seed and control analysis (src/analysis): each seed's ratio curves per layer inside the seeds' band,
 * the seed-noise ceiling of curve R^2 per run, and a per-layer quantity of hyperparameter variants against the seed
 * range of their base. Inputs are plain numbers, layers 0-based; figures show layers 1-based.
 */
import { requireNonEmpty, requireSameLength, type PlotlyFigure, type PlotlyTrace } from "./figure";
import { AXIS_TITLES, THEME, sequenceColor, stepLogTicks, themedAxis, themedConfig, themedLayout, viridis } from "./theme";
import { subplotGrid, subplotTitle } from "./subplots";

/** Grey band of the seed range (min to max). */
const BAND_FILL = "rgba(120,120,120,0.22)";

/** Two traces that shade between `lower` and `upper` (the upper one invisible, the lower filled up to it). */
function bandTraces(x: number[], lower: number[], upper: number[], axes: { xaxis?: string; yaxis?: string }, name: string, showlegend: boolean): PlotlyTrace[] {
  return [
    { type: "scatter", mode: "lines", name, legendgroup: "band", showlegend: false, x, y: upper, line: { width: 0, color: BAND_FILL }, hoverinfo: "skip", ...axes },
    { type: "scatter", mode: "lines", name, legendgroup: "band", showlegend, x, y: lower, fill: "tonexty", fillcolor: BAND_FILL, line: { width: 0, color: BAND_FILL }, hoverinfo: "skip", ...axes },
  ];
}

export interface SeedCurvesInput {
  /** Base architecture, e.g. "d256-L6-H8". */
  model: string;
  /** Recorded steps shared by the seeds, ascending. */
  steps: number[];
  /** One entry per seed run: ratio[layer][stepIndex] (layer 0-based). */
  runs: { name: string; ratio: number[][] }[];
}

/**
 * Per layer, one panel: each seed's ratio curve, the band between the seeds' minimum and maximum at each step, and
 * the seeds' mean (dashed). The x axis is log(step + 1) labelled with real steps, as in Fig. 4.
 */
export function seedCurvesFigure(input: SeedCurvesInput, options: { columns?: number; title?: string } = {}): PlotlyFigure {
  const fn = "seedCurvesFigure";
  requireNonEmpty(fn, "steps", input.steps);
  requireNonEmpty(fn, "runs", input.runs);
  const numLayers = input.runs[0]!.ratio.length;
  for (const r of input.runs) {
    if (r.ratio.length !== numLayers) throw new Error(`${fn}: run ${r.name} has ${r.ratio.length} layers, ${input.runs[0]!.name} ${numLayers}`);
    r.ratio.forEach((c, l) => requireSameLength(fn, { steps: input.steps, [`${r.name} layer ${l}`]: c }));
  }
  const columns = options.columns ?? Math.min(3, numLayers);
  const rows = Math.ceil(numLayers / columns);
  const cells = subplotGrid(numLayers, columns, { x: 0.08, y: 0.16 });
  const x = input.steps.map((s) => s + 1);
  const data = Array.from({ length: numLayers }, (_, l) => {
    const axes = { xaxis: cells[l]!.xRef, yaxis: cells[l]!.yRef };
    const at = (t: number): number[] => input.runs.map((r) => r.ratio[l]![t]!);
    const lower = input.steps.map((_, t) => Math.min(...at(t)));
    const upper = input.steps.map((_, t) => Math.max(...at(t)));
    const mean = input.steps.map((_, t) => at(t).reduce((a, v) => a + v, 0) / input.runs.length);
    return [
      ...bandTraces(x, lower, upper, axes, "seed range (min..max)", l === 0),
      ...input.runs.map((r, i): PlotlyTrace => ({
        type: "scatter",
        mode: "lines",
        name: r.name,
        legendgroup: r.name,
        showlegend: l === 0,
        x,
        y: r.ratio[l]!,
        customdata: input.steps,
        hovertemplate: `${r.name}<br>layer ${l + 1}<br>step %{customdata}<br>ratio %{y:.4g}<extra></extra>`,
        line: { width: 1.6, color: sequenceColor(i, input.runs.length) },
        ...axes,
      })),
      { type: "scatter", mode: "lines", name: "mean of the seeds", legendgroup: "mean", showlegend: l === 0, x, y: mean, hoverinfo: "skip", line: { width: 1.5, dash: "dash", color: THEME.observedColor }, ...axes },
    ];
  }).flat();
  const axes: Record<string, unknown> = {};
  cells.forEach((c, i) => {
    const bottomRow = Math.floor(i / columns) === rows - 1 || i + columns >= numLayers;
    axes[c.xaxisKey] = themedAxis(bottomRow ? AXIS_TITLES.stepLog : "", { log: true, extra: { domain: c.xDomain, anchor: c.yRef, ...stepLogTicks(Math.max(...input.steps)) } });
    axes[c.yaxisKey] = themedAxis(i % columns === 0 ? "top1 / median (ratio)" : "", { extra: { domain: c.yDomain, anchor: c.xRef } });
  });
  return {
    data,
    layout: themedLayout(options.title ?? `${input.model}: ratio over training, ${input.runs.length} seeds per layer`, {
      ...axes,
      annotations: cells.map((c, l) => subplotTitle(c, `layer ${l + 1}`, 12)),
      width: Math.max(THEME.width, 320 * columns),
      height: 130 + 260 * rows,
      margin: { l: 70, r: 20, t: 90, b: 70 },
      legend: { orientation: "h", x: 1, xanchor: "right", y: 0.99, yanchor: "top", yref: "container", font: { size: 12 } },
    }),
    config: themedConfig(`seed-curves-${input.model}`),
  };
}

export interface SeedCeilingRunInput {
  run: string;
  /** R^2 per 0-based layer. */
  layerR2: number[];
  meanCurveR2: number;
}

/**
 * The seed-noise ceiling: per seed run, a bar at its mean per-layer curve R^2 (each seed predicted by the mean of the
 * others) and one point per layer; a line at the mean over runs. R^2 below the axis floor is drawn at the floor with
 * its value in the hover text, so one very negative layer does not flatten the rest.
 */
export function seedCeilingFigure(runs: SeedCeilingRunInput[], options: { meanCurveR2?: number; floor?: number; title?: string } = {}): PlotlyFigure {
  requireNonEmpty("seedCeilingFigure", "runs", runs);
  const floor = options.floor ?? -1.5;
  const names = runs.map((r) => r.run);
  const clip = (v: number): number => Math.max(floor, v);
  const data: PlotlyTrace[] = [
    {
      type: "bar",
      name: "mean over layers",
      x: names,
      y: runs.map((r) => clip(r.meanCurveR2)),
      customdata: runs.map((r) => r.meanCurveR2),
      hovertemplate: "%{x}<br>mean curve R² %{customdata:.3f}<extra></extra>",
      marker: { color: viridis(0.55), opacity: 0.75 },
    },
    {
      type: "scatter",
      mode: "markers",
      name: "one layer",
      x: runs.flatMap((r) => r.layerR2.map(() => r.run)),
      y: runs.flatMap((r) => r.layerR2.map(clip)),
      customdata: runs.flatMap((r) => r.layerR2.map((v, l) => [l + 1, v])),
      hovertemplate: "%{x}<br>layer %{customdata[0]}<br>R² %{customdata[1]:.3f}<extra></extra>",
      marker: { size: 7, color: THEME.observedColor, symbol: "circle-open" },
    },
  ];
  const shapes = options.meanCurveR2 === undefined ? [] : [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: options.meanCurveR2, y1: options.meanCurveR2, line: { color: "#b2182b", width: 1.5, dash: "dash" } }];
  const annotations = options.meanCurveR2 === undefined ? [] : [{ xref: "paper", x: 1, xanchor: "right", y: options.meanCurveR2, yanchor: "bottom", showarrow: false, text: `mean over runs ${options.meanCurveR2.toFixed(3)}`, font: { size: 12, color: "#b2182b" } }];
  return {
    data,
    layout: themedLayout(options.title ?? "Seed-noise ceiling: each seed's curves predicted by the mean of the other seeds", {
      xaxis: themedAxis("seed run", { extra: { type: "category", tickangle: -30 } }),
      yaxis: themedAxis(`curve R² (unitless; below ${floor} drawn at ${floor})`, { extra: { range: [floor - 0.05, 1.05] } }),
      shapes,
      annotations,
      legend: { x: 0.02, y: 0.02, xanchor: "left", yanchor: "bottom", bgcolor: "rgba(255,255,255,0.8)" },
    }),
    config: themedConfig("seed-noise-ceiling"),
  };
}

export interface ControlsInput {
  /** Base architecture whose seeds make the band. */
  base: string;
  /** What is drawn, with units (axis title). */
  quantity: string;
  /** values[layer] per seed run of the base. */
  seeds: { name: string; values: number[] }[];
  /** values[layer] per variant. */
  variants: { name: string; values: number[] }[];
}

/**
 * One quantity per layer (x, 1-based): the base's seed range as a grey band with the seeds as grey points, and each
 * variant as a coloured line with markers. A variant outside the band has shown an effect; inside, it has not.
 * Non-finite values (a t_peak of Infinity) are left out of the drawing.
 */
export function controlsFigure(input: ControlsInput, options: { logY?: boolean; title?: string } = {}): PlotlyFigure {
  const fn = "controlsFigure";
  requireNonEmpty(fn, "seeds", input.seeds);
  requireNonEmpty(fn, "variants", input.variants);
  const numLayers = input.seeds[0]!.values.length;
  for (const r of [...input.seeds, ...input.variants]) if (r.values.length !== numLayers) throw new Error(`${fn}: ${r.name} has ${r.values.length} layers, expected ${numLayers}`);
  const layers = Array.from({ length: numLayers }, (_, l) => l + 1);
  const finite = (v: number): number | null => (Number.isFinite(v) && (!options.logY || v > 0) ? v : null);
  const col = (l: number): number[] => input.seeds.map((s) => s.values[l]!).filter(Number.isFinite);
  const lower = layers.map((_, l) => Math.min(...col(l)));
  const upper = layers.map((_, l) => Math.max(...col(l)));
  const data: PlotlyTrace[] = [
    ...bandTraces(layers, lower.map(finite) as number[], upper.map(finite) as number[], {}, `${input.base}: seed range`, true),
    {
      type: "scatter",
      mode: "markers",
      name: `${input.base}: seeds`,
      x: input.seeds.flatMap(() => layers),
      y: input.seeds.flatMap((s) => s.values.map(finite)),
      text: input.seeds.flatMap((s) => s.values.map(() => s.name)),
      hovertemplate: "%{text}<br>layer %{x}<br>%{y:.4g}<extra></extra>",
      marker: { size: 6, color: "#777777" },
    },
    ...input.variants.map((v, i): PlotlyTrace => ({
      type: "scatter",
      mode: "lines+markers",
      name: v.name,
      x: layers,
      y: v.values.map(finite),
      hovertemplate: `${v.name}<br>layer %{x}<br>%{y:.4g}<extra></extra>`,
      marker: { size: 7, color: sequenceColor(i, input.variants.length) },
      line: { width: 1.5, color: sequenceColor(i, input.variants.length) },
    })),
  ];
  return {
    data,
    layout: themedLayout(options.title ?? `${input.base} variants against its seed range`, {
      xaxis: themedAxis(AXIS_TITLES.layer, { extra: { tickvals: layers, dtick: 1 } }),
      yaxis: themedAxis(`${input.quantity}${options.logY ? ", log scale" : ""}`, { log: options.logY }),
      legend: { font: { size: 11 } },
      width: THEME.width + 120,
    }),
    config: themedConfig(`controls-${input.base}`),
  };
}
