// exportFigures with several pages of one browser: the same PNG bytes as one page draws, and the paths returned in
// the order of the figures and formats (not the order the pages finish in).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { exportFigures, layerSeries, modelPeaks, peakHeatmapsFigure, ratioOverTrainingFigure, readExp2Series } from "../../src/index";

test("exportFigures: two pages write the PNGs one page writes, paths in figure order", async () => {
  const series = readExp2Series("data/mini-pythia/d256-L8-H16", { onWarning: () => undefined });
  const figures = [
    { name: "fig4", figure: ratioOverTrainingFigure({ model: series.name, steps: series.steps, values: layerSeries(series, "ratio") }) },
    { name: "fig5", figure: peakHeatmapsFigure([modelPeaks(series.name, series.steps, layerSeries(series, "ratio"))]) },
    { name: "fig4-again", figure: ratioOverTrainingFigure({ model: series.name, steps: series.steps, values: layerSeries(series, "top1") }) },
  ];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "export-pages-"));
  try {
    const one = await exportFigures(figures, path.join(dir, "one"), ["png"], { pages: 1 });
    const two = await exportFigures(figures, path.join(dir, "two"), ["png"], { pages: 2 });
    assert.deepEqual(two.map((f) => path.basename(f)), ["fig4.png", "fig5.png", "fig4-again.png"]);
    assert.deepEqual(one.map((f) => path.basename(f)), two.map((f) => path.basename(f)));
    for (let k = 0; k < one.length; k++) assert.ok(fs.readFileSync(one[k]!).equals(fs.readFileSync(two[k]!)), `${path.basename(one[k]!)} differs between one and two pages`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
