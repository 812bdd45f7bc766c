import { test } from "node:test";
import assert from "node:assert/strict";
import { restyleFigure, peakHeatmapsFigure, modelPeaks, THEME } from "../../src/index";

test("restyleFigure: size, font family and scaled sizes, no title, colour scale; the input is unchanged", () => {
  const fig = peakHeatmapsFigure([modelPeaks("m", [0, 10, 20], [[1, 3, 2], [1, 2, 4]])]);
  const before = JSON.stringify(fig);
  const out = restyleFigure(fig, { width: 500, height: 300, fontFamily: "serif", fontSize: 26, title: false, colorscale: "Greys" });
  assert.equal(JSON.stringify(fig), before);
  const layout = out.layout as Record<string, any>;
  assert.equal(layout.width, 500);
  assert.equal(layout.height, 300);
  assert.equal(layout.font.family, "serif");
  assert.equal(layout.font.size, 26);
  assert.equal(layout.title, undefined);
  assert.equal(layout.margin.t, 20);
  // tick fonts doubled with the base size (13 -> 26)
  assert.equal(layout.xaxis.tickfont.size, THEME.tickSize * 2);
  const heat = out.data.filter((t) => "colorscale" in (t as object)) as unknown as { colorscale: unknown }[];
  assert.ok(heat.length > 0 && heat.every((t) => t.colorscale === "Greys"));
  assert.equal((restyleFigure(fig, { title: "T" }).layout.title as { text: string }).text, "T");
});
