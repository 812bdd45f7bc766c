// Test helpers: one headless Chromium per test file, opening HTML pages and checking that every Plotly plot drew data.
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import { CHROMIUM_ARGS, findChromium } from "../../src/plots/export";

export const ARTIFACTS = path.resolve(__dirname, "../../test-artifacts");

export async function launchChromium(): Promise<Browser> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { chromium } = require("playwright-core") as typeof import("playwright-core");
  return chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, headless: true });
}

export interface PlotCheck {
  id: string;
  /** Traces in the figure's data that are shown (not hidden by a dropdown or slider). */
  traces: number;
  /** SVG paths with a non-trivial `d` and raster images (heatmaps) drawn inside the plot container. */
  drawn: number;
}

/** Opens `file` and returns the page with the console errors and page errors it produced while loading. */
export async function openPage(browser: Browser, file: string, viewport = { width: 1100, height: 900 }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(`file://${path.resolve(file)}`, { waitUntil: "load", timeout: 60_000 });
  return { page, errors };
}

/** Waits until `expected` plots exist (or 20 s), then counts drawn marks per plot. */
export async function checkPlots(page: Page, expected: number): Promise<PlotCheck[]> {
  await page.waitForFunction((n) => document.querySelectorAll(".js-plotly-plot .plot-container").length >= n, expected, { timeout: 20_000 }).catch(() => undefined);
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>(".js-plotly-plot")).map((div) => {
      const container = div.querySelector(".plot-container");
      const marks = container
        ? Array.from(container.querySelectorAll(".scatterlayer .trace path, .barlayer .trace path, .contourlayer path, .heatmaplayer image, .contourlayer image"))
        : [];
      const drawn = marks.filter((el) =>
        el.tagName.toLowerCase() === "image"
          ? (el.getAttribute("href") ?? el.getAttribute("xlink:href") ?? "").length > 100
          : /[0-9]/.test(el.getAttribute("d") ?? "") && (el.getAttribute("d") ?? "").length > 8,
      ).length;
      // traces hidden by a figure's dropdown or slider (visible: false) draw nothing until chosen
      const traces = ((div as unknown as { data?: { visible?: unknown }[] }).data ?? []).filter((t) => t.visible !== false).length;
      return { id: div.id, traces, drawn };
    }),
  );
}

/** Pixel statistics of an image file (PNG), decoded by the browser: size, variance of grey level, share of non-white pixels. */
export async function imageStats(page: Page, bytes: Buffer, mime = "image/png"): Promise<{ width: number; height: number; variance: number; nonWhite: number }> {
  const url = `data:${mime};base64,${bytes.toString("base64")}`;
  return page.evaluate(async (src) => {
    const img = new Image();
    img.src = src;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext("2d")!;
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let sum = 0;
    let sum2 = 0;
    let nonWhite = 0;
    const n = d.length / 4;
    for (let i = 0; i < d.length; i += 4) {
      const g = 0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!;
      sum += g;
      sum2 += g * g;
      if (g < 245) nonWhite++;
    }
    const mean = sum / n;
    return { width: canvas.width, height: canvas.height, variance: sum2 / n - mean * mean, nonWhite: nonWhite / n };
  }, url);
}
