// Static export through headless Chromium: PNG at a chosen scale, SVG with trace paths, one-page vector PDF sized to
// the figure (rendered back with pdftoppm); every file is checked non-blank. Copies land in test-artifacts/export/.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import { FigureExporter, layerSeries, modelPeaks, parseFormats, peakHeatmapsFigure, ratioOverTrainingFigure, readExp2Series } from "../../src/index";
import { ARTIFACTS, imageStats, launchChromium } from "./browser";

const series = readExp2Series("data/mini-pythia/d256-L8-H16", { onWarning: () => undefined });
const fig4 = ratioOverTrainingFigure({ model: series.name, steps: series.steps, values: layerSeries(series, "ratio") });
const fig5 = peakHeatmapsFigure([modelPeaks(series.name, series.steps, layerSeries(series, "ratio"))]);
const outDir = path.join(ARTIFACTS, "export");

let exporter: FigureExporter;
let browser: Browser;
let page: Page;
before(async () => {
  fs.mkdirSync(outDir, { recursive: true });
  exporter = await FigureExporter.launch();
  browser = await launchChromium();
  page = await browser.newPage();
});
after(async () => {
  await exporter?.close();
  await browser?.close();
});

test("parseFormats accepts png,svg,pdf and names a bad one", () => {
  assert.deepEqual(parseFormats("png, SVG,pdf,png"), ["png", "svg", "pdf"]);
  assert.throws(() => parseFormats("png,jpg"), /'jpg' is not one of png, svg, pdf/);
});

test("PNG: scale multiplies the layout size and the image is not blank", async () => {
  const png = await exporter.png(fig4, { scale: 2 });
  fs.writeFileSync(path.join(outDir, "fig4.png"), png);
  assert.equal(png.subarray(1, 4).toString("latin1"), "PNG");
  const s = await imageStats(page, png);
  assert.equal(s.width, 720 * 2);
  assert.equal(s.height, 460 * 2);
  assert.ok(s.variance > 100, `grey-level variance ${s.variance}`);
  assert.ok(s.nonWhite > 0.01 && s.nonWhite < 0.6, `non-white share ${s.nonWhite}`);
  const heat = await exporter.png(fig5, { scale: 1 });
  fs.writeFileSync(path.join(outDir, "fig5.png"), heat);
  const h = await imageStats(page, heat);
  assert.equal(h.width, 960);
  assert.ok(h.nonWhite > 0.1, `heatmap non-white share ${h.nonWhite}`);
});

test("SVG: a document with one line path per layer and text in Liberation Sans", async () => {
  const svg = await exporter.svg(fig4);
  fs.writeFileSync(path.join(outDir, "fig4.svg"), svg);
  assert.match(svg, /^<svg[^>]*width="720"[^>]*height="460"/);
  // trace lines (legend swatches are also js-line paths, but of one segment)
  const linePaths = [...svg.matchAll(/<path class="js-line" d="(M[^"]+)"/g)].map((m) => m[1]!).filter((d) => d.split("L").length > 10);
  assert.equal(linePaths.length, series.numLayers, `${linePaths.length} trace lines for ${series.numLayers} layers`);
  assert.match(svg, /Liberation Sans/);
  assert.match(svg, /layer \(1-based\)/);
});

test("PDF: one vector page of the figure's size, non-blank when rendered with pdftoppm", async () => {
  const pdf = await exporter.pdf(fig5);
  const file = path.join(outDir, "fig5.pdf");
  fs.writeFileSync(file, pdf);
  assert.equal(pdf.subarray(0, 5).toString("latin1"), "%PDF-");
  const info = execFileSync("pdfinfo", [file]).toString();
  assert.match(info, /Pages:\s+1\n/);
  const size = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(info)!;
  assert.ok(Math.abs(Number(size[1]) - 960 * 0.75) < 1.5 && Math.abs(Number(size[2]) - 480 * 0.75) < 1.5, `page ${size[0]}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "massive-pdf-"));
  execFileSync("pdftoppm", ["-png", "-r", "72", "-singlefile", file, path.join(tmp, "page")]);
  const rendered = fs.readFileSync(path.join(tmp, "page.png"));
  fs.writeFileSync(path.join(outDir, "fig5-pdf-page.png"), rendered);
  fs.rmSync(tmp, { recursive: true, force: true });
  const s = await imageStats(page, rendered);
  assert.ok(s.variance > 100, `grey-level variance ${s.variance}`);
  assert.ok(s.nonWhite > 0.1, `non-white share ${s.nonWhite}`);
  // vector: the axis labels are text in the PDF, not pixels
  assert.match(execFileSync("pdftotext", [file, "-"]).toString(), /layer \(1-based\)/);
});

test("write() puts <base>.<format> files for every format", async () => {
  const files = await exporter.write(fig4, path.join(outDir, "batch", "fig4"), ["png", "svg", "pdf"], { scale: 1 });
  assert.deepEqual(files.map((f) => path.basename(f)), ["fig4.png", "fig4.svg", "fig4.pdf"]);
  for (const f of files) assert.ok(fs.statSync(f).size > 5000, `${f} has ${fs.statSync(f).size} bytes`);
});

test("massive figures: exports the chosen figures of a results folder", () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "massive-figures-"));
  const r = spawnSync(process.execPath, ["bin/massive.cjs", "figures", "--results", "data/mini-pythia/d128-L4-H4", "--out", out, "--format", "svg,png", "--scale", "1", "--only", "fig4"], {
    encoding: "utf8",
    env: { ...process.env, MASSIVE_QUIET: "1" },
  });
  assert.equal(r.status, 0, r.stderr);
  // the model's own Fig. 4 and the interactive one (layer dropdown), exported as its chosen frame: all layers, no menu
  assert.deepEqual(fs.readdirSync(out).sort(), ["fig4-ratio-d128-L4-H4.png", "fig4-ratio-d128-L4-H4.svg", "fig4-ratio-over-training.png", "fig4-ratio-over-training.svg"]);
  const own = fs.readFileSync(path.join(out, "fig4-ratio-d128-L4-H4.svg"), "utf8");
  assert.match(own, /d128-L4-H4: ratio over training per layer/);
  const frame = fs.readFileSync(path.join(out, "fig4-ratio-over-training.svg"), "utf8");
  assert.doesNotMatch(frame, /updatemenu/, "no dropdown in the exported file");
  assert.equal(own.match(/class="js-line"/g)?.length, 8, "4 layers: a line in the plot and one in the legend each");
  assert.equal(frame.match(/class="js-line"/g)?.length, 8, "the same 4 layers in the exported frame");
  fs.rmSync(out, { recursive: true, force: true });
});
