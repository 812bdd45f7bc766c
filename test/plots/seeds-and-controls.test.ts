// Figure builders of the seed and control analysis: band = the seeds' min..max, layers shown 1-based, one legend
// entry per series, one-line errors on inputs that do not line up.
import { test } from "node:test";
import assert from "node:assert/strict";
import { seedCurvesFigure, seedCeilingFigure, controlsFigure } from "../../src/index";

const steps = [0, 1, 10, 100];
const runs = [
  { name: "m", ratio: [[6, 5, 8, 10], [6, 7, 9, 12]] },
  { name: "m-s1", ratio: [[6, 4, 9, 14], [5, 6, 8, 11]] },
  { name: "m-s2", ratio: [[7, 6, 7, 9], [6, 6, 10, 13]] },
];

test("seedCurvesFigure: one panel per layer, band between the seeds' min and max, mean dashed", () => {
  const fig = seedCurvesFigure({ model: "m", steps, runs });
  // per layer: 2 band traces, 3 seeds, 1 mean
  assert.equal(fig.data.length, 2 * 6);
  const layer2 = fig.data.filter((t) => t.yaxis === "y2");
  assert.deepEqual(layer2[0]!.y, [6, 7, 10, 13], "upper edge = max over seeds");
  assert.deepEqual(layer2[1]!.y, [5, 6, 8, 11], "lower edge = min over seeds");
  assert.equal(layer2[1]!.fill, "tonexty");
  assert.deepEqual(layer2[5]!.y, [17 / 3, 19 / 3, 9, 12], "mean of the seeds");
  assert.deepEqual(layer2[2]!.x, [1, 2, 11, 101], "x is step + 1 on a log axis");
  const titles = (fig.layout.annotations as { text: string }[]).map((a) => a.text);
  assert.deepEqual(titles, ["layer 1", "layer 2"], "layers 1-based");
  assert.equal(fig.data.filter((t) => t.showlegend).length, 5, "band, three seeds, mean: once each");
  assert.throws(() => seedCurvesFigure({ model: "m", steps, runs: [runs[0]!, { name: "bad", ratio: [[1, 2, 3]] }] }), /^Error: seedCurvesFigure: run bad has 1 layers/);
});

test("seedCeilingFigure: bars at each run's mean, points per layer clipped to the floor with the true value in hover", () => {
  const fig = seedCeilingFigure([{ run: "a", layerR2: [0.5, -3], meanCurveR2: -1.25 }, { run: "b", layerR2: [0.9, 0.7], meanCurveR2: 0.8 }], { meanCurveR2: -0.225 });
  assert.deepEqual(fig.data[0]!.y, [-1.25, 0.8]);
  assert.deepEqual(fig.data[1]!.y, [0.5, -1.5, 0.9, 0.7], "-3 drawn at the floor -1.5");
  assert.deepEqual((fig.data[1]!.customdata as number[][])[1], [2, -3], "layer 2 (1-based), true R²");
  assert.equal((fig.layout.shapes as { y0: number }[])[0]!.y0, -0.225);
});

test("controlsFigure: x = layers 1-based, band = seed range, variants as lines; non-finite values left out", () => {
  const fig = controlsFigure({
    base: "m",
    quantity: "final ratio",
    seeds: [{ name: "m", values: [10, 12] }, { name: "m-s1", values: [14, 11] }, { name: "m-s2", values: [9, 13] }],
    variants: [{ name: "wd0", values: [20, Infinity] }],
  });
  assert.deepEqual(fig.data[0]!.x, [1, 2]);
  assert.deepEqual(fig.data[0]!.y, [14, 13], "upper = max of the seeds per layer");
  assert.deepEqual(fig.data[1]!.y, [9, 11], "lower = min");
  assert.deepEqual(fig.data[3]!.y, [20, null], "Infinity is not drawn");
  assert.equal((fig.layout.xaxis as { title: { text: string } }).title.text, "layer (1-based)");
  assert.throws(() => controlsFigure({ base: "m", quantity: "q", seeds: [{ name: "m", values: [1, 2] }], variants: [{ name: "v", values: [1] }] }), /^Error: controlsFigure: v has 1 layers, expected 2$/);
});
