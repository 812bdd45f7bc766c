/**
 * Publication tweaks on a finished figure (any builder's result): another size, font, font scale, colour scale, or
 * no title (journals put the caption under the figure). Returns a new figure; the input is left unchanged.
 */
import type { PlotlyFigure } from "./figure";
import { THEME } from "./theme";

export interface RestyleOptions {
  /** Figure size in CSS pixels (export multiplies by its scale). */
  width?: number;
  height?: number;
  /** CSS font stack, e.g. '"Liberation Serif", "Times New Roman", serif'. */
  fontFamily?: string;
  /** Base text size; titles, ticks and legends scale with it (the theme's base is 13). */
  fontSize?: number;
  /** false drops the title (and the room it took); a string replaces it. */
  title?: string | false;
  /** Plotly colour scale name or array for every trace that has one (heatmaps, contours, coloured markers). */
  colorscale?: string | [number, string][];
  /** Show or hide the legend. */
  showLegend?: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Multiplies every `font.size` / `tickfont.size` / `titlefont.size` below `node` by `k`. */
function scaleFonts(node: unknown, k: number): void {
  if (Array.isArray(node)) return node.forEach((n) => scaleFonts(n, k));
  if (!isObj(node)) return;
  for (const [key, v] of Object.entries(node)) {
    if (/font$/i.test(key) && isObj(v) && typeof v.size === "number") v.size = Math.round(v.size * k * 10) / 10;
    scaleFonts(v, k);
  }
}

export function restyleFigure(figure: PlotlyFigure, options: RestyleOptions = {}): PlotlyFigure {
  const fig = JSON.parse(JSON.stringify(figure)) as PlotlyFigure;
  const layout = fig.layout as Obj;
  if (options.width !== undefined) layout.width = options.width;
  if (options.height !== undefined) layout.height = options.height;
  const font = (isObj(layout.font) ? layout.font : {}) as Obj;
  if (options.fontFamily !== undefined) font.family = options.fontFamily;
  if (options.fontSize !== undefined) {
    const k = options.fontSize / (typeof font.size === "number" ? font.size : THEME.fontSize);
    scaleFonts(layout, k);
    for (const t of fig.data) scaleFonts(t, k);
    font.size = options.fontSize;
  }
  layout.font = font;
  if (options.title === false) {
    delete layout.title;
    const margin = (isObj(layout.margin) ? layout.margin : {}) as Obj;
    layout.margin = { ...margin, t: 20 };
  } else if (typeof options.title === "string") {
    layout.title = { ...(isObj(layout.title) ? layout.title : {}), text: options.title };
  }
  if (options.showLegend !== undefined) layout.showlegend = options.showLegend;
  if (options.colorscale !== undefined) {
    for (const t of fig.data as Obj[]) {
      if ("colorscale" in t) t.colorscale = options.colorscale;
      if (isObj(t.marker) && "colorscale" in t.marker) t.marker.colorscale = options.colorscale;
    }
  }
  return fig;
}
