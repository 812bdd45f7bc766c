/** Paper Fig. 8: the step of the peak, t_peak, over (lambda, gamma) at a fixed t0. */
import { requireNonEmpty, type PlotlyFigure } from "./figure";
import { AXIS_TITLES, THEME, themedAxis, themedConfig, themedLayout } from "./theme";
import { lambertW0 } from "../dynamics/lambert-w";

/**
 * Peak step of Eq. 9: the derivative vanishes at x* = exp(W(1/lambda)) = 1/(lambda W(1/lambda)), so
 * t_peak = (x* - t0) / gamma. Returns NaN when the peak is not observable (x* <= t0, i.e. before step 0) or lambda <= 0
 * (pure log growth has no peak).
 */
export function tPeak(lambda: number, gamma: number, t0: number, lambertW: (x: number) => number = lambertW0): number {
  if (!(lambda > 0) || !(gamma > 0)) return NaN;
  const xStar = 1 / (lambda * lambertW(1 / lambda));
  return xStar > t0 ? (xStar - t0) / gamma : NaN;
}

/** `n` values evenly spaced in log10 from `lo` to `hi` (both > 0). */
export function logSpace(lo: number, hi: number, n: number): number[] {
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  return Array.from({ length: n }, (_, i) => 10 ** (a + ((b - a) * i) / Math.max(1, n - 1)));
}

/**
 * Whole decades around the middle half of `values` (positive ones) plus one decade each side, clipped to `bounds`
 * and at least two decades wide;
 * `fallback` when there are no values. Keeps a few degenerate fits (lambda ~ 1e-10: pure log growth) from stretching
 * the map over twenty decades.
 */
function decadeRange(values: number[], fallback: [number, number], bounds: [number, number]): [number, number] {
  const v = values.filter((x) => x > 0 && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return fallback;
  const q = (p: number) => v[Math.min(v.length - 1, Math.max(0, Math.round(p * (v.length - 1))))]!;
  let lo = Math.max(Math.log10(bounds[0]), Math.floor(Math.log10(q(0.25))) - 1);
  let hi = Math.min(Math.log10(bounds[1]), Math.ceil(Math.log10(q(0.75))) + 1);
  if (hi - lo < 2) {
    const mid = (lo + hi) / 2;
    lo = Math.max(Math.log10(bounds[0]), Math.floor(mid - 1));
    hi = Math.min(Math.log10(bounds[1]), Math.ceil(mid + 1));
  }
  return [10 ** lo, 10 ** hi];
}

export interface TPeakSurfaceInput {
  /** Grid of lambda values (> 0). Default 60 values from 1e-3 to 10, or whole decades around the points' lambdas. */
  lambda?: number[];
  /** Grid of gamma values (> 0, per step). Default 60 values from 1e-5 to 1e-1, or around the points' gammas. */
  gamma?: number[];
  /** The fixed time offset t0. Default 1 (the paper's initial guess). */
  t0?: number;
  /** Lambert W (principal branch). Default src/dynamics' lambertW0. */
  lambertW?: (x: number) => number;
  /** Fitted (lambda, gamma) points to overlay, e.g. every layer's fit. */
  points?: { lambda: number; gamma: number; label: string }[];
}

/**
 * Fig. 8 as a filled contour map (2D, so it prints and exports as vector and every trace is SVG): colour is
 * log10(t_peak) in training steps, both axes logarithmic; white where no peak is observable (x* <= t0). Fitted points
 * outside the grid are left out and counted in the legend.
 */
export function tPeakSurfaceFigure(input: TPeakSurfaceInput = {}, options: { title?: string } = {}): PlotlyFigure {
  const pts = input.points ?? [];
  const lambda = input.lambda ?? logSpace(...decadeRange(pts.map((p) => p.lambda), [1e-3, 10], [1e-4, 1e3]), 60);
  const gamma = input.gamma ?? logSpace(...decadeRange(pts.map((p) => p.gamma), [1e-5, 1e-1], [1e-7, 1e3]), 60);
  requireNonEmpty("tPeakSurfaceFigure", "lambda", lambda);
  requireNonEmpty("tPeakSurfaceFigure", "gamma", gamma);
  const t0 = input.t0 ?? 1;
  const z = gamma.map((g) =>
    lambda.map((l) => {
      const t = tPeak(l, g, t0, input.lambertW);
      return Number.isFinite(t) && t > 0 ? Math.log10(t) : null;
    }),
  );
  const data: PlotlyFigure["data"] = [
    {
      type: "contour",
      name: "log10 t_peak",
      x: lambda,
      y: gamma,
      z,
      colorscale: THEME.colorscale,
      connectgaps: false,
      contours: { coloring: "heatmap", showlabels: true, labelfont: { size: 10, color: "#ffffff" } },
      line: { width: 0.5, color: "rgba(255,255,255,0.6)" },
      hovertemplate: "λ %{x:.3g}, γ %{y:.3g}<br>log10 t_peak %{z:.2f}<extra></extra>",
      colorbar: { title: { text: "log10 t_peak (training steps)", side: "right" }, thickness: 14 },
    },
  ];
  const [lMin, lMax] = [Math.min(...lambda), Math.max(...lambda)];
  const [gMin, gMax] = [Math.min(...gamma), Math.max(...gamma)];
  const inside = pts.filter((p) => p.lambda >= lMin && p.lambda <= lMax && p.gamma >= gMin && p.gamma <= gMax);
  if (pts.length) {
    data.push({
      type: "scatter",
      mode: "markers",
      name: `fitted layers (each at its own t0)${inside.length === pts.length ? "" : `; ${pts.length - inside.length} of ${pts.length} outside the range shown`}`,
      x: inside.map((p) => p.lambda),
      y: inside.map((p) => p.gamma),
      text: inside.map((p) => p.label),
      hoverinfo: "text",
      marker: { size: 7, color: "#ffffff", line: { color: "#000000", width: 1.2 } },
    });
  }
  return {
    data,
    layout: themedLayout(options.title ?? `Peak step t_peak = (x* − t0)/γ over (λ, γ) at t0 = ${t0} (Fig. 8)`, {
      xaxis: themedAxis(AXIS_TITLES.lambda, { log: true, extra: { showgrid: false, exponentformat: "power", range: [Math.log10(lMin), Math.log10(lMax)] } }),
      yaxis: themedAxis(AXIS_TITLES.gamma, { log: true, extra: { showgrid: false, exponentformat: "power", range: [Math.log10(gMin), Math.log10(gMax)] } }),
      showlegend: pts.length > 0,
      legend: { x: 0, y: -0.22, yanchor: "top", orientation: "h" },
      margin: { l: 80, r: 20, t: 60, b: 100 },
    }),
    config: themedConfig("fig8-t-peak"),
  };
}
