// Figures with dropdowns and sliders (src/plots/choices.ts): what the controls switch, by value; then the report in
// headless Chromium: moving Fig. 3's checkpoint slider and Fig. 4's model and layer dropdowns changes the drawn data,
// and hover names model, layer, step and value. Screenshots in test-artifacts/interactive/.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import {
  buildReportHtml,
  choiceFigure,
  layerMagnitudesOverTrainingFigure,
  loadRunResults,
  predictedTrajectoriesChoiceFigure,
  ratioOverTrainingChoiceFigure,
  staticFrame,
  tokenActivationsOverTrainingFigure,
  type PlotlyFigure,
} from "../../src/index";
import { ARTIFACTS, launchChromium, openPage } from "./browser";

const outDir = path.join(ARTIFACTS, "interactive");
type Button = { label: string; method: string; args: [Record<string, unknown>, Record<string, unknown> | number[]] };
type Menu = { buttons: Button[]; active: number };
const menus = (f: PlotlyFigure) => (f.layout.updatemenus ?? []) as Menu[];
const visible = (f: PlotlyFigure) => f.data.map((t) => t.visible);

test("choiceFigure: the active group's traces visible, group buttons replace the option control, options restyle their own group only", () => {
  const trace = (name: string) => ({ type: "scatter", name, x: [1], y: [1] });
  const fig = choiceFigure(
    [
      { label: "a", figure: { data: [trace("a-ref"), trace("a1"), trace("a2")], layout: { title: { text: "A" }, height: 400 } }, options: [{ label: "1", traces: [1] }, { label: "2", traces: [2] }], activeOption: 1 },
      { label: "b", figure: { data: [trace("b1"), trace("b2")], layout: { title: { text: "B" }, height: 400 } }, options: [{ label: "1", traces: [0] }, { label: "2", traces: [1] }] },
    ],
    { groupName: "model", optionName: "layer" },
  );
  assert.deepEqual(visible(fig), [true, false, true, false, false], "group a, its option 2 (trace a2) and its always-shown a-ref");
  const [groupMenu, optionMenu] = menus(fig);
  assert.deepEqual(groupMenu!.buttons.map((b) => b.label), ["model: a", "model: b"]);
  assert.deepEqual(groupMenu!.buttons[1]!.args[0], { visible: [false, false, false, true, false] }, "group b with its first option");
  const patch = groupMenu!.buttons[1]!.args[1] as Record<string, unknown>;
  assert.deepEqual(patch.title, { text: "B" });
  assert.deepEqual((patch["updatemenus[1].buttons"] as Button[]).map((b) => b.args), [[{ visible: [true, false] }, [3, 4]], [{ visible: [false, true] }, [3, 4]]]);
  assert.deepEqual(optionMenu!.buttons.map((b) => b.args), [[{ visible: [true, true, false] }, [0, 1, 2]], [{ visible: [true, false, true] }, [0, 1, 2]]]);
  assert.equal(optionMenu!.active, 1);
  assert.equal(fig.layout.height, 400 + 44, "room for the dropdown row");

  const still = staticFrame(fig);
  assert.deepEqual(still.data.map((t) => t.name), ["a-ref", "a2"], "export: the chosen frame only");
  assert.equal(still.layout.updatemenus, undefined);
  assert.equal(still.layout.height, 400, "the controls' room given back");
  assert.equal(still.layout.meta, undefined);
  assert.throws(() => choiceFigure([{ label: "a", figure: { data: [trace("x")], layout: {} }, options: [{ label: "o", traces: [3] }] }], { groupName: "m" }), /option 'o' of group 'a' names trace 3, but the group has 1/);
});

test("Fig. 3 slider: one step per checkpoint, starts at (and exports) the last, first step kept as reference", () => {
  const fig = layerMagnitudesOverTrainingFigure([
    { model: "m", checkpoints: [0, 10, 20].map((step, i) => ({ step, top1: [1 + i, 2 + i], median: [0.1, 0.2] })) },
  ]);
  const slider = (fig.layout.sliders as { steps: Button[]; active: number }[])[0]!;
  assert.deepEqual(slider.steps.map((s) => s.label), ["0", "10", "20"]);
  assert.equal(slider.active, 2);
  const still = staticFrame(fig);
  assert.deepEqual(still.data.map((t) => t.name), ["top1, step 0", "median, step 0", "top1, step 20", "median, step 20"], "the static frame is the paper's Fig. 3");
  assert.deepEqual(still.data[2]!.y, [3, 4]);
  assert.match(String(still.data[2]!.hovertemplate), /^m<br>layer %\{x\}<br>step 20<br>top1 of \|h\| %\{y/);
  assert.equal(still.layout.sliders, undefined);
});

test("token activations slider over checkpoints; trajectory and Fig. 4 dropdowns bring every trace of a layer (bands too)", () => {
  const values = (k: number) => [[k, -2 * k, 0.1], [3 * k, 0.2, 0.1]];
  const tokens = tokenActivationsOverTrainingFigure([0, 1000].map((step, i) => ({ model: "m", step, layer: 1, values: values(i + 1) })), { topDims: 1 });
  assert.deepEqual((tokens.layout.sliders as { steps: Button[] }[])[0]!.steps.map((s) => s.label), ["0", "1000"]);
  assert.deepEqual(staticFrame(tokens).data.map((t) => t.y), [[2, 6], [2, 0.2]], "last checkpoint: dim 0 (|h| 2, 6) and the median over dims");

  const traj = predictedTrajectoriesChoiceFigure([
    { model: "a", layers: [0, 1].map((layer) => ({ layer, predicted: { steps: [0, 9], values: [1, 2] }, observed: { steps: [0, 9], values: [1, 3] } })) },
    { model: "b", layers: [{ layer: 0, predicted: { steps: [0, 9], values: [4, 5] } }] },
  ]);
  const layerMenu = menus(traj)[1]!;
  assert.deepEqual(layerMenu.buttons.map((b) => b.label), ["all layers", "layer 1", "layer 2"]);
  // Layer 2 of model a: its predicted line and its observed circles (and any band trace, which shares the legendgroup).
  const layer2 = layerMenu.buttons[2]!.args[0].visible as boolean[];
  assert.deepEqual(traj.data.slice(0, 4).map((t, i) => [t.legendgroup, layer2[i]]), [["0", false], ["0", false], ["1", true], ["1", true]]);
  assert.match(String(traj.data[0]!.hovertemplate), /^a<br>layer 1 predicted<br>step/);

  const fig4 = ratioOverTrainingChoiceFigure([
    { model: "a", steps: [0, 10], values: [[1, 2], [3, 4]] },
    { model: "b", steps: [0, 10], values: [[5, 6]] },
  ], { activeModel: "b" });
  assert.deepEqual(visible(fig4), [false, false, true]);
  assert.match(String(fig4.data[2]!.hovertemplate), /^b<br>layer 1<br>step %\{customdata\}<br>ratio %\{y/);
  assert.throws(() => ratioOverTrainingChoiceFigure([{ model: "a", steps: [0], values: [[1]] }], { activeModel: "zz" }), /activeModel 'zz' is not among the models/);
});

let browser: Browser;
before(async () => {
  fs.mkdirSync(outDir, { recursive: true });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** The visible traces of a plot (name and y), and the `d` of every drawn scatter path. */
async function drawn(plot: Locator): Promise<{ traces: { name: string; y: number[] }[]; paths: string[] }> {
  return plot.evaluate((div) => {
    const gd = div as unknown as { data: { name: string; y: number[]; visible?: unknown }[] };
    return {
      traces: gd.data.filter((t) => t.visible !== false).map((t) => ({ name: t.name, y: Array.from(t.y) })),
      paths: Array.from(div.querySelectorAll(".scatterlayer .trace path")).map((p) => p.getAttribute("d") ?? "").filter((d) => d.length > 8),
    };
  });
}

async function pick(page: Page, plot: Locator, menu: number, item: number): Promise<void> {
  await plot.locator(".updatemenu-header-group").nth(menu).click();
  await plot.locator(".updatemenu-dropdown-button").nth(item).click();
  await page.waitForTimeout(200);
}

test("the report in Chromium: the slider and the dropdowns change the drawn data; hover names model, layer, step and value", { timeout: 120_000 }, async () => {
  const results = loadRunResults("data/mini-pythia", { onWarning: () => undefined });
  const file = path.join(outDir, "report.html");
  fs.writeFileSync(file, buildReportHtml(results));
  const { page, errors } = await openPage(browser, file);
  await page.waitForFunction(() => document.querySelectorAll(".js-plotly-plot .plot-container").length >= 4, undefined, { timeout: 30_000 });

  const fig3 = page.locator("#fig3-layer-magnitudes .js-plotly-plot");
  await fig3.scrollIntoViewIfNeeded();
  const before3 = await drawn(fig3);
  assert.deepEqual(before3.traces.map((t) => t.name), ["top1, step 0", "median, step 0", "top1, step 3000", "median, step 3000"]);
  const rail = (await fig3.locator(".slider-rail-rect").boundingBox())!;
  await page.mouse.click(rail.x + 2, rail.y + rail.height / 2); // the slider's left end: the first checkpoint
  await page.waitForTimeout(200);
  const after3 = await drawn(fig3);
  assert.deepEqual(after3.traces.map((t) => t.name), ["top1, step 0", "median, step 0", "top1, step 0", "median, step 0"], "slider at step 0");
  assert.notDeepEqual(after3.traces[2]!.y, before3.traces[2]!.y, "other top1 values drawn");
  assert.notDeepEqual(after3.paths, before3.paths, "the SVG changed");
  await page.screenshot({ path: path.join(outDir, "fig3-slider-step0.png"), clip: (await fig3.boundingBox())! });

  const fig4 = page.locator("#fig4-ratio-over-training .js-plotly-plot");
  await fig4.scrollIntoViewIfNeeded();
  const before4 = await drawn(fig4);
  const target = results.models.findIndex((m) => m.series.numLayers >= 4);
  await pick(page, fig4, 0, target);
  const after4 = await drawn(fig4);
  const model = results.models[target]!;
  assert.equal(after4.traces.length, model.series.numLayers, `all ${model.series.numLayers} layers of ${model.name}`);
  assert.notDeepEqual(after4.paths, before4.paths, "the model dropdown redrew the lines");
  assert.equal(await fig4.locator(".gtitle").textContent(), `${model.name}: ratio over training per layer (Fig. 4)`);
  await pick(page, fig4, 1, 3); // "all layers", layer 1, layer 2, layer 3
  const layer3 = await drawn(fig4);
  assert.deepEqual(layer3.traces.map((t) => t.name), ["layer 3"]);
  assert.ok(layer3.paths.length > 0 && layer3.paths.length < after4.paths.length, "one layer drawn");

  // Hover the middle point of the drawn line.
  const point = (await fig4.locator(".scatterlayer .trace .points path").nth(Math.floor(model.series.steps.length / 2)).boundingBox())!;
  await page.mouse.move(point.x + point.width / 2, point.y + point.height / 2);
  const hover = await fig4.locator(".hoverlayer .hovertext").first().textContent({ timeout: 5_000 });
  assert.match(hover ?? "", new RegExp(`^${model.name}layer 3step \\d+ratio \\d`), `hover text: ${hover}`);
  await page.screenshot({ path: path.join(outDir, "fig4-dropdowns.png"), clip: (await fig4.boundingBox())! });

  // Responsive width: in a window narrower than the 720 px figure, the plot shrinks to fit instead of being clipped.
  await page.setViewportSize({ width: 520, height: 900 });
  await page.waitForFunction(() => {
    const svg = document.querySelector("#fig4-ratio-over-training .main-svg");
    return svg !== null && Number(svg.getAttribute("width")) <= 520;
  }, undefined, { timeout: 10_000 });
  const narrow = await fig4.evaluate((div) => ({ svg: Number(div.querySelector(".main-svg")!.getAttribute("width")), box: (div.parentElement as HTMLElement).clientWidth }));
  assert.ok(narrow.svg <= narrow.box, `figure ${narrow.svg} px wide in a ${narrow.box} px container`);
  assert.ok((await drawn(fig4)).paths.length > 0, "still drawn after the resize");
  await page.screenshot({ path: path.join(outDir, "narrow-window.png"), fullPage: false });
  await page.close();
  assert.deepEqual(errors, [], "no console errors");
});
