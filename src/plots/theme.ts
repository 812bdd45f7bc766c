/**
 * The one publication theme every figure builder uses: Liberation Sans (metric-compatible with Arial, installed by
 * scripts/setup.sh as fonts-liberation2) at sizes that stay legible at one-column width, a white background with
 * outside ticks, and viridis, a colour scale whose lightness rises monotonically so it still reads when printed in grey.
 * Layers are 0-based in code and files and shown 1-based in figures; every axis title that shows layers says so.
 */
import type { PlotlyLayout } from "./figure";

export const THEME = {
  /** CSS font stack: Liberation Sans first (installed), then Arial-compatible fallbacks. */
  fontFamily: '"Liberation Sans", Arial, Helvetica, sans-serif',
  fontSize: 13,
  titleSize: 15,
  tickSize: 12,
  textColor: "#111111",
  axisColor: "#333333",
  gridColor: "#e6e6e6",
  /** Default size of one figure in CSS pixels (export scales it). */
  width: 720,
  height: 460,
  /** Plotly's built-in name for the continuous colour scale. */
  colorscale: "Viridis",
  /** Colour of observed data when one series is drawn against a model (fits, predictions). */
  observedColor: "#222222",
  fittedColor: "#21918c",
} as const;

/** Axis titles used across figures, with units; layers 1-based. */
export const AXIS_TITLES = {
  layer: "layer (1-based)",
  step: "training step",
  stepLog: "training step (log scale of step + 1)",
  ratio: "top1 / median of |h| (ratio, unitless)",
  magnitude: "|h| (activation units, log scale)",
  params: "parameter count (log scale)",
  r2: "R² of the Eq. 9 fit (unitless)",
  lambda: "λ, decay rate (per unit of x, log scale)",
  gamma: "γ, time scaling (per training step, log scale)",
} as const;

// matplotlib's viridis at 0, 0.1, ..., 1.
const VIRIDIS = ["#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c", "#22a884", "#44bf70", "#7ad151", "#bddf26", "#fde725"];

function hexToRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * The viridis colour at `u` in [0, 1] as `rgb(r,g,b)` (linear interpolation between matplotlib's tenth samples).
 * @example viridis(0) // => "rgb(68,1,84)"
 */
export function viridis(u: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(u) ? u : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = hexToRgb(VIRIDIS[i]!);
  const b = hexToRgb(VIRIDIS[i + 1]!);
  const c = a.map((v, k) => Math.round(v + (b[k]! - v) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/**
 * Colour of item `i` of `n` (layers by depth, models by size): viridis from dark purple to yellow-green, stopping at
 * 0.85 so the last line stays visible on white paper.
 */
export function sequenceColor(i: number, n: number): string {
  return viridis(n <= 1 ? 0 : (0.85 * i) / (n - 1));
}

/** Label of a 0-based layer index as figures show it: `layer 3` for index 2. */
export function layerLabel(layer0: number): string {
  return `layer ${layer0 + 1}`;
}

/** A Plotly axis in the theme's style; `log` makes it logarithmic. */
export function themedAxis(title: string, options: { log?: boolean; extra?: Record<string, unknown> } = {}): Record<string, unknown> {
  return {
    title: { text: title, font: { size: THEME.fontSize } },
    type: options.log ? "log" : "linear",
    showline: true,
    linecolor: THEME.axisColor,
    linewidth: 1,
    mirror: true,
    ticks: "outside",
    tickcolor: THEME.axisColor,
    tickfont: { size: THEME.tickSize },
    showgrid: true,
    gridcolor: THEME.gridColor,
    zeroline: false,
    automargin: true,
    ...(options.extra ?? {}),
  };
}

/** Base layout: title, fonts, white background, legend outside the plot on the right. */
export function themedLayout(title: string, extra: PlotlyLayout = {}): PlotlyLayout {
  return {
    title: { text: title, font: { size: THEME.titleSize }, x: 0.02, xanchor: "left" },
    font: { family: THEME.fontFamily, size: THEME.fontSize, color: THEME.textColor },
    paper_bgcolor: "#ffffff",
    plot_bgcolor: "#ffffff",
    width: THEME.width,
    height: THEME.height,
    margin: { l: 70, r: 20, t: 60, b: 60 },
    legend: { font: { size: THEME.tickSize }, bgcolor: "rgba(255,255,255,0.8)" },
    ...extra,
  };
}

/**
 * Ticks for an axis that shows `step + 1` on a log scale but labels the real steps (0, 1, 10, 100, ...), so readers see
 * training steps while step 0 still has a place on the axis.
 */
export function stepLogTicks(maxStep: number): { tickvals: number[]; ticktext: string[] } {
  const steps = [0, 1];
  for (let s = 10; s <= Math.max(10, maxStep * 1.001); s *= 10) steps.push(s);
  return { tickvals: steps.map((s) => s + 1), ticktext: steps.map((s) => (s >= 10000 ? `${s / 1000}k` : String(s))) };
}

/** Formats a positive number with an SI suffix: 2500000 -> "2.5M". */
export function siLabel(v: number): string {
  const units: [number, string][] = [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "k"]];
  for (const [u, s] of units) if (Math.abs(v) >= u) return `${Number((v / u).toPrecision(3))}${s}`;
  return String(Number(v.toPrecision(3)));
}

/**
 * Ticks at 1, 2 and 5 times the powers of ten between `min` and `max` (both > 0) with SI labels, for log axes that
 * span a few decades (parameter counts), so no minor-digit labels clutter the axis.
 */
export function logTicks125(min: number, max: number): { tickvals: number[]; ticktext: string[] } {
  const vals: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= min / 1.5 && v <= max * 1.5) vals.push(v);
    }
  }
  return { tickvals: vals, ticktext: vals.map(siLabel) };
}

/** Plotly config used everywhere: no logo, static-export button names the file. */
export function themedConfig(fileName = "figure"): Record<string, unknown> {
  return { displaylogo: false, responsive: false, toImageButtonOptions: { format: "svg", filename: fileName, scale: 1 } };
}
