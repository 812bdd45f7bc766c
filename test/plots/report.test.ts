// The HTML report opened in headless Chromium: every plot has drawn data, no console errors, a screenshot in
// test-artifacts/report/. Two runs: stats only (data/mini-pythia itself) and stats + fits + predictions + SHAP.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Browser } from "playwright-core";
import { buildReportHtml, fitSeries, layerSeries, loadRunFamilies, loadRunResults, readExp2Series, readLayerFitParams, runFigures, runReportHtml, seedNoiseCeiling, writeFitParams, type LayerFit } from "../../src/index";
import { ARTIFACTS, checkPlots, launchChromium, openPage } from "./browser";

const outDir = path.join(ARTIFACTS, "report");
let browser: Browser;
let tmp: string;

/** A results folder with three mini-pythia models, their fits, and synthetic predictions, Table 5 scores, SHAP and PD. */
const fitted = new Map<string, LayerFit[]>();
async function makeFullResults(): Promise<string> {
  const root = path.join(tmp, "results");
  const models = ["d128-L4-H4", "d256-L6-H8", "d512-L8-H16"];
  for (const m of models) {
    fs.cpSync(path.join("data/mini-pythia", m, "stats"), path.join(root, m, "stats"), { recursive: true });
    fs.copyFileSync(path.join("data/mini-pythia", m, "config.json"), path.join(root, m, "config.json"));
    const L = Number(/-L(\d+)-/.exec(m)![1]);
    // real fits of the ratio series (src/dynamics), written in the released format (src/io)
    const fits = fitSeries(readExp2Series(path.join(root, m), { onWarning: () => undefined }), "ratio", { comparePaper: false });
    fitted.set(m, fits);
    await writeFitParams(path.join(root, m, "params", "layer_fit_params_ratio.json"), fits);
    const steps = [0, 100, 1000, 3000];
    fs.writeFileSync(
      path.join(root, m, "predictions.json"),
      JSON.stringify({ steps, layers: Array.from({ length: L }, (_, l) => ({ layer: l, params: { K: 7 }, ratio: steps.map((s) => 6 + l + Math.log1p(s)) })) }),
    );
  }
  // Table 5 values as printed (first three models of tables.json)
  fs.writeFileSync(
    path.join(root, "hypotheses.json"),
    JSON.stringify({ models: ["14m", "70m", "160m"], hypotheses: [{ name: "Eq. 9", values: [0.9951, 0.9829, 0.8068] }, { name: "first-order step", values: [0.8008, 0.6177, -0.6833] }] }),
  );
  fs.mkdirSync(path.join(root, "predict"));
  fs.writeFileSync(
    path.join(root, "predict", "shap_K.json"),
    JSON.stringify({ target: "K", features: ["l/L", "H/d", "log(d)"], shapValues: [[0.1, -0.5, 0.02], [0.3, 0.4, -0.01], [-0.2, 0.1, 0.0]], featureValues: [[0.25, 0.03, 4.8], [0.5, 0.06, 5.5], [1, 0.0625, 6.2]] }),
  );
  const cells = (r2: number[]) => Object.fromEntries(["A", "lambda"].map((p, j) => [p, { ridge: { r2: r2[j], bestOptions: {} }, xgboost: { r2: r2[j]! + 0.1, bestOptions: {} } }]));
  fs.writeFileSync(
    path.join(root, "predict", "table3.json"),
    JSON.stringify({
      paper: { protocol: "paper-80-20", params: ["A", "lambda"], regressors: ["ridge", "xgboost"], cells: cells([0.077, 0.031]), nSamples: 18, nTest: 4 },
      leaveOneModelOut: { protocol: "leave-one-model-out", params: ["A", "lambda"], regressors: ["ridge", "xgboost"], cells: cells([-0.5, 0.2]), nSamples: 18, nTest: 18 },
    }),
  );
  fs.writeFileSync(path.join(root, "predict", "partial_dependence_K.json"), JSON.stringify({ target: "K", panels: [{ feature: "H/d", grid: [0.02, 0.04, 0.06], values: [9, 8, 7.5] }] }));
  fs.writeFileSync(path.join(root, "provenance.json"), JSON.stringify({ "evaluation set": "mini-pythia eval_sequences.json (test fixture)" }));
  return root;
}

before(async () => {
  fs.mkdirSync(outDir, { recursive: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "massive-report-"));
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function checkReport(file: string, expectedPlots: number, screenshot: string): Promise<void> {
  const { page, errors } = await openPage(browser, file);
  const plots = await checkPlots(page, expectedPlots);
  await page.screenshot({ path: path.join(outDir, screenshot), fullPage: true });
  await page.close();
  assert.deepEqual(errors, [], "no console errors");
  assert.equal(plots.length, expectedPlots, "every figure became a plot");
  for (const p of plots) assert.ok(p.drawn >= p.traces && p.drawn > 0, `${p.id}: ${p.drawn} drawn marks for ${p.traces} traces`);
}

/** Bytes of a page, and how many times plotly.js's own banner is in it. */
function plotlyCopies(html: string): number {
  return html.split("* plotly.js v").length - 1;
}

test("stats only (a suite folder as it ships, 56 models): Figs. 2-5, contents, one plotly.js, under 10 MB, a note that fits are missing", async () => {
  const results = loadRunResults("data/mini-pythia", { onWarning: () => undefined });
  assert.equal(results.models.length, 56, "data/mini-pythia v2: 56 runs");
  assert.equal(results.models.find((m) => m.name === "d128-L4-H4")!.parameterCount, 858_880);
  const counts = results.models.map((m) => m.parameterCount!);
  assert.deepEqual(counts, [...counts].sort((a, b) => a - b), "sorted by parameter count");
  assert.equal(results.evaluation?.sequences, 10);
  const figures = runFigures(results, { separatePerModel: false });
  assert.deepEqual(figures.map((f) => f.name), ["fig2-final-ratio", "fig3-layer-magnitudes", "fig4-ratio-over-training", "fig5-peak-heatmaps"]);
  // The main job's export: the interactive figures plus three models' own (smallest, middle, largest).
  assert.equal(runFigures(results).length, 4 + 2 * 3);
  const html = buildReportHtml(results);
  assert.match(html, /No fits in this results folder/);
  assert.match(html, /eval_sequences\.json: 10 sequences x 256 tokens/);
  assert.match(html, /plotly\.js 3\.7\.0/);
  assert.match(html, /<nav class="toc" id="contents">/);
  for (const f of figures) assert.ok(html.includes(`<a href="#${f.name}">`) && html.includes(`<figure id="${f.name}">`), `${f.name} in the contents and the page`);
  assert.equal(plotlyCopies(html), 1, "plotly.js inlined exactly once");
  assert.ok(Buffer.byteLength(html) < 10e6, `report is ${(Buffer.byteLength(html) / 1e6).toFixed(2)} MB`);
  assert.doesNotMatch(html, /<script[^>]+src=/, "no external scripts: opens offline");
  const file = path.join(outDir, "report-stats-only.html");
  fs.writeFileSync(file, html);
  await checkReport(file, figures.length, "report-stats-only.png");
});

test("stats + fits + predictions + Table 5 + SHAP: every section drawn", { timeout: 300_000 }, async () => {
  const root = await makeFullResults();
  const results = loadRunResults(root);
  const back = readLayerFitParams(path.join(root, "d128-L4-H4/params/layer_fit_params_ratio.json"));
  const direct = fitted.get("d128-L4-H4")!;
  assert.equal(back.length, 4);
  for (const [l, f] of direct.entries()) {
    assert.equal(back[l]!.params?.lambda, f.fit.status === "failed" ? undefined : f.fit.popt[1], `layer ${l} lambda read back`);
    if (f.fit.status !== "failed") assert.equal(back[l]!.r2, f.fit.r2);
  }
  const names = runFigures(results).map((f) => f.name);
  for (const n of ["fig2-final-ratio", "fig5-peak-heatmaps", "fig6-example-fits", "fig7-r2", "fig8-t-peak", "table5-hypotheses", "predicted-trajectories-d512-L8-H16", "shap-K", "partial-dependence-K", "table3-paper-80-20", "table3-leave-one-model-out"]) {
    assert.ok(names.includes(n), `${n} in ${names.join(", ")}`);
  }
  const html = buildReportHtml(results, { provenance: { command: "test" } });
  assert.equal(plotlyCopies(html), 1, "plotly.js inlined exactly once");
  const inReport = runFigures(results, { separatePerModel: false }).map((f) => f.name);
  for (const n of ["fig3-layer-magnitudes", "fig4-ratio-over-training", "fig6-fit-explorer", "predicted-trajectories"]) assert.ok(inReport.includes(n), `${n} in the report`);
  assert.match(html, /Fitted Eq\. 9 parameters, ratio series/);
  assert.match(html, /mean R² \(ratio fit\)/);
  assert.deepEqual(results.table3[1]!.r2, [[-0.5, 0.2], [-0.4, 0.30000000000000004]]);
  assert.match(html, /Table 3: test R², protocol leave-one-model-out/);
  const observed = layerSeries(results.models[0]!.series, "ratio");
  assert.equal(observed.length, 4);
  const file = path.join(outDir, "report-full.html");
  fs.writeFileSync(file, html);
  await checkReport(file, inReport.length, "report-full.png");
});

test("seeds and controls (data/mini-pythia's suite.json: 3 seed families, 9 variants): ceiling, curves, variants, tables, drawn", { timeout: 300_000 }, async () => {
  const html = runReportHtml("data/mini-pythia");
  assert.match(html, /<h2 id="section-seeds">Seeds and controls: the noise floor<\/h2>/);
  // the ceiling printed is the analysis' own, computed here from the seed families directly
  const ceiling = seedNoiseCeiling(loadRunFamilies("data/mini-pythia", "seed"));
  assert.equal(ceiling.perRun.length, 9, "3 bases x 3 seeds");
  assert.ok(html.includes(`Seed-noise ceiling: mean curve R² ${ceiling.meanCurveR2.toFixed(3)} over 9 seed runs.`));
  const seedFigures = ["seed-noise-ceiling", "seed-curves-d128-L4-H4", "seed-curves-d256-L6-H8", "seed-curves-d512-L6-H8", "controls-finalRatio-d128-L4-H4", "controls-K-d128-L4-H4", "controls-finalRatio-d256-L6-H8", "controls-K-d256-L6-H8"];
  for (const n of seedFigures) assert.ok(html.includes(`<figure id="${n}">`) && html.includes(`<a href="#${n}">`), `${n} in the page and the contents`);
  const section = html.slice(html.indexOf('<h2 id="section-seeds">'));
  // 8 conclusions and 9 variants, one table row each (plus the header rows)
  const tables = section.split("<table").slice(1).map((t) => t.slice(0, t.indexOf("</table>")));
  assert.equal(tables.length, 2);
  assert.equal(tables[0]!.split("<tr").length - 1, 1 + 8);
  assert.equal(tables[1]!.split("<tr").length - 1, 1 + 9);
  // learning rate 3e-3: the last layer's observed final ratio (stats) far above its base's three seeds, every layer above
  const lrRow = tables[1]!.slice(tables[1]!.indexOf("d256-L6-H8-lr0.003</td>"));
  assert.match(lrRow, /^d256-L6-H8-lr0\.003<\/td><td[^>]*>\{"lr":0\.003\}<\/td><td[^>]*>38\.31 \(14\.32\.\.23\.12\)<\/td><td[^>]*>↑↑↑↑↑↑ \(6 above\)<\/td>/);
  // a folder without suite.json has no such section
  assert.doesNotMatch(runReportHtml("data/mini-pythia/d128-L4-H4"), /section-seeds/);
  const file = path.join(outDir, "report-seeds.html");
  fs.writeFileSync(file, html);
  await checkReport(file, 4 + seedFigures.length, "report-seeds.png");
});

test("massive report: writes the page; bad input gives one line and a non-zero exit", () => {
  const out = path.join(tmp, "cli-report.html");
  const ok = spawnSync(process.execPath, ["bin/massive.cjs", "report", "--results", "data/mini-pythia/d128-L4-H4", "--out", out], { encoding: "utf8", env: { ...process.env, MASSIVE_QUIET: "1" } });
  assert.equal(ok.status, 0, ok.stderr);
  assert.ok(fs.statSync(out).size > 4_000_000);
  const bad = spawnSync(process.execPath, ["bin/massive.cjs", "report", "--results", path.join(tmp, "missing"), "--out", out], { encoding: "utf8" });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^massive report: .*missing: not a folder\n$/);
  const usage = spawnSync(process.execPath, ["bin/massive.cjs", "figures", "--results", "data/mini-pythia", "--out", tmp, "--format", "gif"], { encoding: "utf8" });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /'gif' is not one of png, svg, pdf/);
});
