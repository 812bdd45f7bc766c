/**
 * The value every figure builder returns: a plain Plotly figure `{data, layout, config}` (JSON-serialisable, no
 * functions), so builders are testable by value and the same object feeds inline display, static export and the report.
 */

/** One Plotly trace (`{type: "scatter", x, y, ...}`); kept loose because plotly.js ships no types here. */
export type PlotlyTrace = { type: string; name?: string } & Record<string, unknown>;

/** A Plotly layout object. */
export type PlotlyLayout = Record<string, unknown>;

/** A Plotly figure as `Plotly.newPlot(div, data, layout, config)` takes it. */
export interface PlotlyFigure {
  data: PlotlyTrace[];
  layout: PlotlyLayout;
  config?: Record<string, unknown>;
}

/** Checks that a builder got at least one value and that `name`'s arrays line up; throws a sentence naming both. */
export function requireSameLength(fn: string, what: Record<string, ArrayLike<unknown>>): void {
  const entries = Object.entries(what);
  const n = entries[0]![1].length;
  for (const [k, v] of entries) {
    if (v.length !== n) {
      throw new Error(`${fn}: '${k}' has ${v.length} values but '${entries[0]![0]}' has ${n}`);
    }
  }
}

/** Throws `${fn}: '${name}' must not be empty` for an empty array. */
export function requireNonEmpty(fn: string, name: string, value: ArrayLike<unknown>): void {
  if (value.length === 0) throw new Error(`${fn}: '${name}' must not be empty`);
}
