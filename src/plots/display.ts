/**
 * Inline display in notebooks (tslab kernel): figures go out as one mime bundle, as plotly.py sends them, so they
 * render in JupyterLab, Notebook, VS Code and nbconvert's HTML export:
 *   - `application/vnd.plotly.v1+json`: the figure object `{data, layout, config}` (VS Code, JupyterLab with the
 *     Plotly extension render this);
 *   - `text/html`: a div + script; plotly.js itself is inlined in the first figure of the kernel session (or every
 *     figure with `setPlotlyInlining("always")`), later figures use the already loaded `window.Plotly`;
 *   - `text/plain`: a one-line summary.
 * Tables (arquero) go out as `text/html` + `text/plain`. Outside a kernel the text/plain part is printed instead.
 */
import * as aq from "arquero";
import type { PlotlyFigure } from "./figure";
import { figureDivHtml, plotlyScriptTag } from "./html";

export type MimeBundle = Record<string, unknown>;

type WriteDisplayData = (content: { data: MimeBundle; metadata: Record<string, unknown>; transient: Record<string, unknown> }, update: boolean) => void;

let inlining: "once" | "always" = "once";
let plotlySentThisSession = false;

/**
 * "once" (default): plotly.js goes into the first figure's text/html of the kernel session only, keeping notebooks
 * small; "always": into every figure, so each output cell renders alone (e.g. when cells are copied elsewhere).
 */
export function setPlotlyInlining(mode: "once" | "always"): void {
  inlining = mode;
}

/** tslab's writer of display_data messages when this process is a tslab kernel running a cell, else undefined. */
export function tslabDisplayWriter(): WriteDisplayData | undefined {
  // Look tslab up in the require cache rather than requiring it: outside a kernel, loading it would start nothing useful.
  const key = Object.keys(require.cache).find((k) => /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(k));
  const mod = key ? (require.cache[key]?.exports as { lastWriteDisplayData?: WriteDisplayData } | undefined) : undefined;
  return typeof mod?.lastWriteDisplayData === "function" ? mod.lastWriteDisplayData : undefined;
}

/** True for a value shaped like a Plotly figure. */
export function isPlotlyFigure(value: unknown): value is PlotlyFigure {
  return typeof value === "object" && value !== null && Array.isArray((value as PlotlyFigure).data) && typeof (value as PlotlyFigure).layout === "object";
}

/** The text/plain summary of a figure. */
export function figureSummary(figure: PlotlyFigure): string {
  const title = (figure.layout.title as { text?: string } | undefined)?.text ?? "untitled";
  const types = [...new Set(figure.data.map((t) => t.type))].join(", ");
  return `Plotly figure: ${title} (${figure.data.length} traces: ${types})`;
}

/** The mime bundle for a figure; `includePlotly` puts plotly.js into its text/html. */
export function figureMimeBundle(figure: PlotlyFigure, options: { includePlotly?: boolean } = {}): MimeBundle {
  const html = figureDivHtml(figure);
  return {
    "application/vnd.plotly.v1+json": { data: figure.data, layout: figure.layout, config: figure.config ?? {} },
    "text/html": options.includePlotly ? `${plotlyScriptTag()}\n${html}` : html,
    "text/plain": figureSummary(figure),
  };
}

/** Anything arquero's `table`-like API prints: an arquero table or an array of row objects. */
export type TableLike = aq.ColumnTable | Record<string, unknown>[];

function asTable(t: TableLike): aq.ColumnTable {
  return Array.isArray(t) ? aq.from(t) : t;
}

/** The mime bundle for a table: arquero's HTML and its Markdown as plain text. */
export function tableMimeBundle(table: TableLike, options: { limit?: number; digits?: number } = {}): MimeBundle {
  const t = asTable(table);
  const limit = options.limit ?? 50;
  const digits = options.digits ?? 4;
  const format: Record<string, unknown> = {};
  const n = Math.min(t.numRows(), limit);
  for (const name of t.columnNames()) {
    // fixed digits for columns with fractional numbers; integer columns (layers, steps, counts) stay as they are
    const values = Array.from({ length: n }, (_, i) => t.get(name, i));
    if (values.some((v) => typeof v === "number" && !Number.isInteger(v))) format[name] = { digits };
  }
  return {
    "text/html": t.toHTML({ limit, format: format as never }),
    "text/plain": t.toMarkdown({ limit, format: format as never }),
  };
}

function isArqueroTable(value: unknown): value is aq.ColumnTable {
  return typeof value === "object" && value !== null && typeof (value as aq.ColumnTable).toHTML === "function" && typeof (value as aq.ColumnTable).columnNames === "function";
}

/** Sends a bundle to the notebook (or prints its text/plain outside one). */
export function displayBundle(bundle: MimeBundle): void {
  const write = tslabDisplayWriter();
  if (write) write({ data: bundle, metadata: {}, transient: {} }, false);
  else process.stdout.write(`${String(bundle["text/plain"] ?? "")}\n`);
}

/**
 * Shows a Plotly figure, an arquero table or an array of row objects inline in the notebook (mime bundle, see the
 * file comment). Returns nothing, so tslab does not print the bundle as the cell's value.
 */
export function display(value: PlotlyFigure | TableLike, options: { limit?: number; digits?: number } = {}): void {
  if (isPlotlyFigure(value)) {
    const inKernel = tslabDisplayWriter() !== undefined;
    const includePlotly = inlining === "always" || !plotlySentThisSession;
    const bundle = figureMimeBundle(value, { includePlotly });
    if (inKernel && includePlotly) plotlySentThisSession = true;
    return displayBundle(bundle);
  }
  if (Array.isArray(value) || isArqueroTable(value)) return displayBundle(tableMimeBundle(value, options));
  throw new Error("display: expected a Plotly figure {data, layout}, an arquero table or an array of row objects");
}

/** Alias of {@link display} for figures, named as plotly.py's `fig.show()`. */
export function show(figure: PlotlyFigure): void {
  display(figure);
}
