/**
 * A GPU reproduction of a suite run (bench/train/gpu.sh repro) against the shipped suite (data/mini-pythia): the
 * issue's two checks, printed as tables, written as JSON and drawn as one figure (PNG and SVG, plotly through the
 * project's exporter):
 *   1. eval loss within 3% (relative) of the suite run's eval_loss.json at every recorded step from 500 on that the
 *      reproduction reached;
 *   2. per-layer ratio top1/median (the paper's ratio, Eq. 8: mean over sequences of top1 / mean of median) at the
 *      reproduction's last step inside the range of the suite's three seeds (the run, -s1, -s2) at that step, widened
 *      by 15%: [0.85 min, 1.15 max].
 *   npx tsx bench/train/compare-repro.ts --run bench/train/gpu-2026-12-02/repro --model d128-L4-H4 \
 *     --figure docs/figures/train-repro-d128-L4-H4
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { layerSeries, readExp2Series } from "../../src/io/exp2-stats";
import { exportFigures } from "../../src/plots/export";
import type { PlotlyFigure, PlotlyTrace } from "../../src/plots/figure";
import { subplotGrid, subplotTitle } from "../../src/plots/subplots";
import { layerLabel, stepLogTicks, themedAxis, themedLayout, sequenceColor } from "../../src/plots/theme";
import { writeFileAtomic } from "../../src/util/atomic-write";

const { values } = parseArgs({ options: {
  run: { type: "string", default: "bench/train/gpu-2026-12-02/repro" },
  suite: { type: "string", default: "data/mini-pythia" },
  model: { type: "string", default: "d128-L4-H4" },
  figure: { type: "string", default: "docs/figures/train-repro-d128-L4-H4" },
  "loss-tolerance": { type: "string", default: "0.03" },
  widen: { type: "string", default: "0.15" },
} });
const lossTol = Number(values["loss-tolerance"]), widen = Number(values.widen);
const seedNames = [values.model!, `${values.model}-s1`, `${values.model}-s2`];

function readEvalLoss(file: string): Map<number, number> {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file}: cannot read eval loss (${(err as Error).message.split("\n")[0]})`);
  }
  if (typeof json !== "object" || json === null) throw new Error(`${file}: not a {step: loss} object`);
  return new Map(Object.entries(json as Record<string, number>).map(([k, v]) => [Number(k), v]));
}

/** Ratio per layer at `step` of a stats folder (undefined when that step was not recorded). */
function ratiosAt(dir: string, step: number): number[] | undefined {
  const series = readExp2Series(dir);
  const t = series.steps.indexOf(step);
  return t < 0 ? undefined : layerSeries(series, "ratio").map((layer) => layer[t]!);
}

(async () => {
  const runDir = values.run!;
  const runLoss = readEvalLoss(path.join(runDir, "eval_loss.json"));
  const suiteLoss = seedNames.map((n) => readEvalLoss(path.join(values.suite!, n, "eval_loss.json")));
  // 1. eval loss
  const lossRows = [...runLoss.keys()].filter((s) => suiteLoss[0]!.has(s)).sort((a, b) => a - b).map((step) => {
    const run = runLoss.get(step)!, suite = suiteLoss[0]!.get(step)!;
    const rel = (run - suite) / suite;
    return { step, run, suite, seeds: suiteLoss.map((l) => l.get(step) ?? null), relative: rel, checked: step >= 500, pass: step < 500 || Math.abs(rel) <= lossTol };
  });
  console.log(`eval loss, ${runDir} against ${values.suite}/${values.model} (checked from step 500: |relative| <= ${lossTol})`);
  console.log("step    run     suite   s1      s2      relative  check");
  for (const r of lossRows) {
    console.log(`${String(r.step).padEnd(7)} ${r.run.toFixed(4)}  ${r.suite.toFixed(4)}  ${(r.seeds[1] ?? NaN).toFixed(4)}  ${(r.seeds[2] ?? NaN).toFixed(4)}  ${(100 * r.relative).toFixed(2).padStart(6)}%   ${r.checked ? (r.pass ? "ok" : "FAIL") : "-"}`);
  }
  // 2. per-layer ratios at the run's last recorded step
  const runSeries = readExp2Series(runDir);
  const last = runSeries.steps[runSeries.steps.length - 1]!;
  const runRatios = layerSeries(runSeries, "ratio").map((l) => l[l.length - 1]!);
  const seedRatios = seedNames.map((n) => ratiosAt(path.join(values.suite!, n), last));
  if (seedRatios.some((r) => r === undefined)) throw new Error(`the suite's seed runs have no stats at step ${last}`);
  const ratioRows = runRatios.map((r, l) => {
    const seeds = seedRatios.map((s) => s![l]!);
    const [lo, hi] = [Math.min(...seeds), Math.max(...seeds)];
    const [wlo, whi] = [(1 - widen) * lo, (1 + widen) * hi];
    return { layer: l + 1, run: r, seeds, min: lo, max: hi, widened: [wlo, whi], inSeedRange: r >= lo && r <= hi, pass: r >= wlo && r <= whi };
  });
  console.log(`\nratio top1/median at step ${last} (check: inside the three seeds' range widened by ${100 * widen}%: [${1 - widen} min, ${1 + widen} max])`);
  console.log("layer  run     seeds (s0, s1, s2)          widened range     check");
  for (const r of ratioRows) {
    console.log(`${String(r.layer).padEnd(6)} ${r.run.toFixed(2).padStart(6)}  ${r.seeds.map((s) => s.toFixed(2).padStart(6)).join(" ")}        [${r.widened[0]!.toFixed(2)}, ${r.widened[1]!.toFixed(2)}]   ${r.pass ? (r.inSeedRange ? "ok (inside the seeds)" : "ok (widened)") : "FAIL"}`);
  }
  const checked = lossRows.filter((r) => r.checked);
  const summary = {
    run: runDir, model: values.model, last_step: last,
    eval_loss: { tolerance: lossTol, steps_checked: checked.map((r) => r.step), all_within: checked.length > 0 && checked.every((r) => r.pass), max_abs_relative: Math.max(...checked.map((r) => Math.abs(r.relative))), rows: lossRows },
    ratios: { step: last, widen, all_within: ratioRows.every((r) => r.pass), rows: ratioRows },
  };
  console.log(`\neval loss within ${100 * lossTol}% at ${checked.filter((r) => r.pass).length}/${checked.length} checked steps; ratios inside the widened seed range for ${ratioRows.filter((r) => r.pass).length}/${ratioRows.length} layers (step ${last}${last < 3000 ? ", not the final step 3000" : ""})`);
  await writeFileAtomic(path.join(runDir, "comparison.json"), `${JSON.stringify(summary, null, 1)}\n`);

  // Figure (x = step + 1 on a log axis, as the project's figures): eval loss over training (reproduction and the three suite seeds), and the per-layer ratios at the last step.
  const [left, right] = subplotGrid(2, 2, { x: 0.1 });
  const lossTraces: PlotlyTrace[] = seedNames.map((n, i) => {
    const pts = [...suiteLoss[i]!.entries()].sort((a, b) => a[0] - b[0]);
    return { type: "scatter", mode: "lines", name: `suite ${n}`, x: pts.map((p) => p[0] + 1), y: pts.map((p) => p[1]), line: { color: sequenceColor(i, 4), width: 1.5 }, xaxis: "x", yaxis: "y" };
  });
  const runPts = [...runLoss.entries()].sort((a, b) => a[0] - b[0]);
  lossTraces.push({ type: "scatter", mode: "lines+markers", name: "this reproduction (TF.js, WebGPU)", x: runPts.map((p) => p[0] + 1), y: runPts.map((p) => p[1]), line: { color: "#d62728", width: 2 }, marker: { size: 5 }, xaxis: "x", yaxis: "y" });
  const layers = ratioRows.map((r) => r.layer);
  const ratioTraces: PlotlyTrace[] = [
    { type: "bar", name: `seed range, widened ${100 * widen}%`, x: layers, base: ratioRows.map((r) => r.widened[0]), y: ratioRows.map((r) => r.widened[1]! - r.widened[0]!), width: 0.5, marker: { color: "rgba(120,120,120,0.18)" }, xaxis: "x2", yaxis: "y2" },
    { type: "bar", name: "seed range", x: layers, base: ratioRows.map((r) => r.min), y: ratioRows.map((r) => r.max - r.min), width: 0.5, marker: { color: "rgba(60,60,60,0.45)" }, xaxis: "x2", yaxis: "y2" },
    { type: "scatter", mode: "markers", name: `reproduction, step ${last}`, x: layers, y: ratioRows.map((r) => r.run), marker: { color: "#d62728", size: 11, symbol: "diamond" }, xaxis: "x2", yaxis: "y2" },
  ];
  const maxStep = Math.max(...runPts.map((p) => p[0]), ...suiteLoss.flatMap((l) => [...l.keys()]));
  const figure: PlotlyFigure = {
    data: [...lossTraces, ...ratioTraces],
    layout: themedLayout(`${values.model}: GPU reproduction (TF.js on WebGPU) against the suite`, {
      barmode: "overlay", width: 1100, height: 460,
      xaxis: { ...themedAxis("training step (log scale, step + 1)", { log: true }), ...stepLogTicks(maxStep), domain: left!.xDomain },
      yaxis: { ...themedAxis("eval loss (nats per token)"), domain: left!.yDomain },
      xaxis2: { ...themedAxis("layer"), tickvals: layers, ticktext: layers.map((l) => layerLabel(l - 1)), domain: right!.xDomain, anchor: "y2" },
      yaxis2: { ...themedAxis(`top1 / median at step ${last}`), domain: right!.yDomain, anchor: "x2" },
      annotations: [subplotTitle(left!, "eval loss over training"), subplotTitle(right!, `per-layer ratio, step ${last}`)],
    }),
  };
  const written = await exportFigures([{ name: path.basename(values.figure!), figure }], path.dirname(values.figure!), ["png", "svg"], { scale: 2 });
  console.log(`wrote ${written.join(", ")} and ${path.join(runDir, "comparison.json")}`);
})().catch((err) => {
  console.error(`compare-repro: ${(err as Error).message}`);
  process.exit(1);
});
