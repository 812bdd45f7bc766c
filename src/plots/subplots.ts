/**
 * Manual subplot grids: Plotly's `layout.grid` computes domains at draw time, so subplot titles (annotations) could
 * not be placed; here the domains are computed up front and returned with the axis names.
 */
export interface SubplotCell {
  /** 1-based subplot number: traces use `xaxis: "x<n>"`, `yaxis: "y<n>"` (n = 1 is plain "x"/"y"). */
  index: number;
  xaxisKey: string;
  yaxisKey: string;
  xRef: string;
  yRef: string;
  xDomain: [number, number];
  yDomain: [number, number];
}

/** Cells of a rows x columns grid, filled row by row from the top left; `gap` is the space between cells (0..1). */
export function subplotGrid(count: number, columns: number, gap: { x?: number; y?: number } = {}): SubplotCell[] {
  const cols = Math.max(1, Math.min(columns, count));
  const rows = Math.max(1, Math.ceil(count / cols));
  const gx = gap.x ?? 0.08;
  const gy = gap.y ?? (rows > 1 ? 0.14 : 0);
  const w = (1 - gx * (cols - 1)) / cols;
  const h = (1 - gy * (rows - 1)) / rows;
  return Array.from({ length: count }, (_, i) => {
    const r = Math.floor(i / cols);
    const c = i % cols;
    const n = i + 1;
    const suffix = n === 1 ? "" : String(n);
    const top = 1 - r * (h + gy);
    return {
      index: n,
      xaxisKey: `xaxis${suffix}`,
      yaxisKey: `yaxis${suffix}`,
      xRef: `x${suffix}`,
      yRef: `y${suffix}`,
      xDomain: [round(c * (w + gx)), round(c * (w + gx) + w)],
      yDomain: [round(top - h), round(top)],
    };
  });
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** A subplot title: an annotation centred above the cell. */
export function subplotTitle(cell: SubplotCell, text: string, size = 13): Record<string, unknown> {
  return {
    text,
    xref: "paper",
    yref: "paper",
    x: (cell.xDomain[0] + cell.xDomain[1]) / 2,
    y: cell.yDomain[1],
    xanchor: "center",
    yanchor: "bottom",
    showarrow: false,
    font: { size },
  };
}
