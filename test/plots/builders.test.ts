// Figure builders checked by value: traces, axes (1-based layers, log axes, titles with units) and the numbers.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  finalRatioFigure,
  gptNeoxParameterCount,
  layerMagnitudesFigure,
  ratioOverTrainingFigure,
  peakHeatmapsFigure,
  modelPeaks,
  seriesPeak,
  exampleFitsFigure,
  curveSteps,
  r2PerLayerFigure,
  tPeakSurfaceFigure,
  tPeak,
  hypothesesFigure,
  shapSummaryFigure,
  meanAbsShap,
  partialDependenceFigure,
  predictedTrajectoriesFigure,
  viridis,
  sequenceColor,
  stepLogTicks,
  logTicks125,
  figureMimeBundle,
  tableMimeBundle,
  type PlotlyFigure,
} from "../../src/index";

const axis = (fig: PlotlyFigure, key = "xaxis") => fig.layout[key] as { type: string; title: { text: string }; tickvals?: number[]; ticktext?: string[] };
const close = (a: number, b: number, rel = 1e-12) => assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test("parameter count matches Pythia's published totals", () => {
  // Pythia README "total params": 70m 70,426,624; 160m 162,322,944; 12b 11,846,072,320 (vocab 50688).
  assert.equal(gptNeoxParameterCount({ vocab_size: 50304, hidden_size: 512, num_hidden_layers: 6, intermediate_size: 2048 }), 70_426_624);
  assert.equal(gptNeoxParameterCount({ vocab_size: 50304, hidden_size: 768, num_hidden_layers: 12 }), 162_322_944);
  assert.equal(gptNeoxParameterCount({ vocab_size: 50688, hidden_size: 5120, num_hidden_layers: 36 }), 11_846_072_320);
  // mini-pythia d256-L8-H16: 2*256*256 + 8*(4*256^2 + 2*256*1024 + 9*256 + 1024) + 2*256
  assert.equal(gptNeoxParameterCount({ vocab_size: 256, hidden_size: 256, num_hidden_layers: 8, intermediate_size: 1024 }), 6_449_664);
  assert.throws(() => gptNeoxParameterCount({ vocab_size: 0, hidden_size: 8, num_hidden_layers: 1 }), /vocab_size must be a positive integer/);
});

test("theme: viridis ends, sequence colours, ticks", () => {
  assert.equal(viridis(0), "rgb(68,1,84)");
  assert.equal(viridis(1), "rgb(253,231,37)");
  assert.equal(viridis(0.5), "rgb(33,145,140)");
  assert.equal(sequenceColor(0, 5), viridis(0));
  assert.equal(sequenceColor(4, 5), viridis(0.85));
  assert.deepEqual(stepLogTicks(3000), { tickvals: [1, 2, 11, 101, 1001], ticktext: ["0", "1", "10", "100", "1000"] });
  assert.deepEqual(logTicks125(858_880, 25_482_240).ticktext, ["1M", "2M", "5M", "10M", "20M"]);
});

test("Fig. 2: max and mean over layers at the final step, sorted by size, log x", () => {
  const fig = finalRatioFigure([
    { name: "big", parameterCount: 2e7, finalStep: 3000, ratioByLayer: [10, 40, 20] },
    { name: "small", parameterCount: 1e6, finalStep: 3000, ratioByLayer: [5, 7] },
  ]);
  assert.equal(fig.data.length, 2);
  assert.deepEqual(fig.data[0]!.x, [1e6, 2e7]);
  assert.deepEqual(fig.data[0]!.y, [7, 40]);
  assert.deepEqual(fig.data[1]!.y, [6, 70 / 3]);
  assert.deepEqual(fig.data[0]!.text, ["small", "big"]);
  assert.equal(axis(fig).type, "log");
  assert.match(axis(fig).title.text, /parameter count/);
  assert.match(axis(fig, "yaxis").title.text, /top1 \/ median/);
  assert.throws(() => finalRatioFigure([]), /finalRatioFigure: 'models' must not be empty/);
  // a suite of many architectures (mini-pythia v2: 41): markers only, names in the hover text, no overlapping labels
  const many = Array.from({ length: 13 }, (_, i) => ({ name: `m${i}`, parameterCount: 1e6 * (i + 1), finalStep: 3000, ratioByLayer: [5 + i] }));
  const dense = finalRatioFigure(many);
  assert.equal(dense.data[0]!.mode, "markers");
  assert.equal(dense.data[0]!.text, undefined);
  assert.match(String((dense.data[0]!.hovertext as string[])[12]), /^m12<br>/);
  assert.equal(finalRatioFigure(many.slice(0, 12)).data[0]!.mode, "lines+markers+text");
});

test("Fig. 3: four traces, layers 1-based, log y", () => {
  const fig = layerMagnitudesFigure({ model: "m", first: { step: 0, top1: [1, 2], median: [0.1, 0.2] }, last: { step: 9, top1: [30, 40], median: [0.3, 0.4] } });
  assert.deepEqual(fig.data.map((t) => t.name), ["top1, step 0", "median, step 0", "top1, step 9", "median, step 9"]);
  assert.deepEqual(fig.data[0]!.x, [1, 2]);
  assert.deepEqual(fig.data[2]!.y, [30, 40]);
  assert.equal(axis(fig, "yaxis").type, "log");
  assert.equal(axis(fig).title.text, "layer (1-based)");
  assert.throws(() => layerMagnitudesFigure({ model: "m", first: { step: 0, top1: [1], median: [1, 2] }, last: { step: 1, top1: [1], median: [1] } }), /has 2 values/);
});

test("Fig. 4: one trace per layer, x = step + 1 on a log axis labelled with real steps", () => {
  const fig = ratioOverTrainingFigure({ model: "m", steps: [0, 10, 100], values: [[1, 2, 3], [4, 5, 6]] });
  assert.equal(fig.data.length, 2);
  assert.deepEqual(fig.data[1]!.x, [1, 11, 101]);
  assert.deepEqual(fig.data[1]!.customdata, [0, 10, 100]);
  assert.equal(fig.data[0]!.name, "layer 1");
  assert.equal(axis(fig).type, "log");
  assert.deepEqual(axis(fig).ticktext, ["0", "1", "10", "100"]);
  assert.match(axis(fig).title.text, /step \+ 1/);
  assert.throws(() => ratioOverTrainingFigure({ model: "m", steps: [0, 1], values: [[1]] }), /'values\[0\]' has 1 values but 'steps' has 2/);
});

test("Fig. 5: peaks per layer and two heatmaps with gaps for missing layers", () => {
  assert.deepEqual(seriesPeak([0, 10, 20], [1, 5, 5]), { value: 5, step: 10, index: 1 });
  const a = modelPeaks("a", [0, 10, 20], [[1, 3, 2], [4, 1, 0]]);
  assert.deepEqual(a, { name: "a", peakValue: [3, 4], peakStep: [10, 0] });
  const b = modelPeaks("b", [0, 10], [[2, 1]]);
  const fig = peakHeatmapsFigure([a, b]);
  assert.equal(fig.data.length, 2);
  assert.deepEqual(fig.data[0]!.z, [[3, 2], [4, null]]);
  assert.deepEqual(fig.data[1]!.z, [[10, 0], [0, null]]);
  assert.deepEqual(fig.data[0]!.y, [1, 2]);
  assert.equal(fig.data[1]!.xaxis, "x2");
  assert.equal((fig.layout.yaxis as { title: { text: string } }).title.text, "layer (1-based)");
});

test("Fig. 6: observed and fitted traces per panel with R² in the title", () => {
  const grid = curveSteps([0, 99], 3);
  close(grid[0]!, 0);
  close(grid[1]!, 9); // exp(ln(100)/2) - 1
  close(grid[2]!, 99);
  const fig = exampleFitsFigure([
    { title: "m, layer 1", steps: [0, 10], observed: [1, 2], fitted: { steps: [0, 5, 10], values: [1, 1.5, 2] }, r2: 0.98765 },
    { title: "m, layer 2", steps: [0, 10], observed: [3, 4], fitted: { steps: [0, 10], values: [3, 4] } },
  ]);
  assert.equal(fig.data.length, 4);
  assert.deepEqual(fig.data[2]!.x, [1, 11]);
  assert.equal(fig.data[3]!.xaxis, "x2");
  const ann = fig.layout.annotations as { text: string }[];
  assert.equal(ann[0]!.text, "m, layer 1 (R² = 0.988)");
  assert.equal(axis(fig, "xaxis2").type, "log");
});

test("Fig. 7: R² per layer with a floor and the paper's reference line", () => {
  const fig = r2PerLayerFigure([{ name: "m", r2: [0.99, 0.5, 0.97] }], { floor: 0.8 });
  assert.deepEqual(fig.data[0]!.x, [1, 2, 3]);
  assert.deepEqual(fig.data[0]!.y, [0.99, 0.8, 0.97]);
  assert.deepEqual(fig.data[0]!.customdata, [0.99, 0.5, 0.97]);
  assert.deepEqual(fig.data[1]!.y, [0.984, 0.984]);
  const auto = r2PerLayerFigure([{ name: "m", r2: [0.991, 0.9655, NaN] }, { name: "n", r2: [0.2] }]);
  assert.deepEqual((auto.data[0]!.y as number[]).slice(0, 2), [0.991, 0.9655]);
  assert.equal((auto.data[1]!.y as number[])[0], 0.5, "floor at 0.5 when a layer is worse");
  const tight = r2PerLayerFigure([{ name: "m", r2: [0.991, 0.9655] }]);
  assert.deepEqual(((tight.layout.yaxis as { range: number[] }).range[0]! * 1000).toFixed(0), "949", "floor 0.95 just below the lowest R² (range starts 0.01 x span lower)");
});

test("Fig. 8: t_peak = (x* - t0)/gamma with x* = 1/(lambda W(1/lambda)), masked where unobservable", () => {
  // python: l,g,t0=0.5,0.001,1; xs=1/(l*lambertw(1/l).real); (xs-t0)/g -> 1345.7507549227657 (numeric argmax 1345.751)
  close(tPeak(0.5, 0.001, 1), 1345.7507549227657, 1e-12);
  assert.ok(Number.isNaN(tPeak(0.5, 0.001, 5))); // x* = 2.35 < t0
  assert.ok(Number.isNaN(tPeak(0, 0.001, 1)));
  const fig = tPeakSurfaceFigure({ lambda: [0.5, 1], gamma: [0.001, 0.01], t0: 1, points: [{ lambda: 0.5, gamma: 0.001, label: "p" }] });
  const z = fig.data[0]!.z as (number | null)[][];
  close(z[0]![0]!, Math.log10(1345.7507549227657), 1e-12);
  close(z[1]![0]!, Math.log10(134.57507549227657), 1e-12);
  assert.equal(fig.data[0]!.type, "contour");
  assert.equal(axis(fig).type, "log");
  assert.equal(axis(fig, "yaxis").type, "log");
  assert.equal(fig.data[1]!.type, "scatter");
  const masked = tPeakSurfaceFigure({ lambda: [0.5], gamma: [0.001], t0: 5 });
  assert.deepEqual(masked.data[0]!.z, [[null]]);
});

test("Table 5 chart: grouped bars, one per hypothesis", () => {
  const fig = hypothesesFigure({ models: ["14m", "70m"], hypotheses: [{ name: "Eq. 9", values: [0.9951, 0.9829] }, { name: "first-order step", values: [0.8008, 0.6177] }] });
  assert.equal(fig.layout.barmode, "group");
  assert.deepEqual(fig.data.map((t) => t.type), ["bar", "bar"]);
  assert.deepEqual(fig.data[1]!.y, [0.8008, 0.6177]);
  assert.throws(() => hypothesesFigure({ models: ["a"], hypotheses: [{ name: "h", values: [1, 2] }] }), /'values of h' has 2 values/);
});

test("SHAP summary, partial dependence, predicted trajectories", () => {
  assert.deepEqual(meanAbsShap([[1, -2], [-3, 0]], 2), [2, 1]);
  const shap = shapSummaryFigure({ target: "K", features: ["l/L", "H/d"], shapValues: [[1, -2], [-3, 0]], featureValues: [[0.1, 5], [0.9, 1]] });
  const tr = shap.data[0]!;
  assert.deepEqual(tr.x, [1, -3, -2, 0]); // most important feature (l/L, mean |SHAP| 2) first
  assert.deepEqual((tr.marker as { color: number[] }).color, [0, 1, 1, 0]);
  assert.deepEqual((shap.layout.yaxis as { ticktext: string[] }).ticktext, ["l/L", "H/d"]);
  const pd = partialDependenceFigure({ target: "K", panels: [{ feature: "H/d", grid: [0.01, 0.02], values: [3, 2] }] });
  assert.deepEqual(pd.data[0]!.y, [3, 2]);
  const traj = predictedTrajectoriesFigure({ model: "m", layers: [{ layer: 2, predicted: { steps: [0, 9], values: [1, 2] }, observed: { steps: [0, 9], values: [1.1, 2.1] } }] });
  assert.deepEqual(traj.data.map((t) => t.name), ["layer 3", "layer 3 observed"]);
  assert.deepEqual(traj.data[1]!.x, [1, 10]);
});

test("mime bundles: Plotly JSON object, self-contained HTML, plain text; tables as HTML and text", () => {
  const fig = ratioOverTrainingFigure({ model: "m", steps: [0, 1], values: [[1, 2]] });
  const withJs = figureMimeBundle(fig, { includePlotly: true });
  const plain = figureMimeBundle(fig);
  const json = withJs["application/vnd.plotly.v1+json"] as PlotlyFigure;
  assert.deepEqual(json.data, fig.data);
  assert.deepEqual(json.layout, fig.layout);
  assert.ok(String(withJs["text/html"]).length > 3_000_000, "plotly.js inlined");
  assert.ok(String(plain["text/html"]).length < 20_000, "later figures reuse the loaded Plotly");
  assert.match(String(plain["text/html"]), /window\.Plotly\.newPlot/);
  assert.match(String(plain["text/plain"]), /^Plotly figure: m: ratio over training per layer/);
  const t = tableMimeBundle([{ model: "a", layer: 1, r2: 0.987654321 }]);
  assert.match(String(t["text/html"]), /<table>.*<td[^>]*>1<\/td><td[^>]*>0\.9877<\/td>/s);
  assert.match(String(t["text/plain"]), /\|model\|layer\|r2\|\n[^\n]*\n\|a\|1\|0\.9877\|/);
});

test("Fig. 8: the grid follows the fitted points, outliers counted in the legend", () => {
  const points = [0.02, 0.05, 0.1, 0.3, 1e-10].map((lambda, i) => ({ lambda, gamma: 10 ** (-3 + 0.1 * i), label: `p${i}` }));
  const fig = tPeakSurfaceFigure({ t0: 1, points });
  const x = fig.data[0]!.x as number[];
  close(x[0]!, 1e-3, 1e-12); // quartiles of lambda (0.02 .. 0.1) -> decades 1e-2 .. 1e-1, one more each side
  close(x.at(-1)!, 1, 1e-12);
  assert.equal(fig.data[1]!.name, "fitted layers (each at its own t0); 1 of 5 outside the range shown");
  assert.deepEqual(fig.data[1]!.text, ["p0", "p1", "p2", "p3"]);
});
