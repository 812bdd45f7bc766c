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
  /** Traces in the figure's data. */
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
      return { id: div.id, traces: ((div as unknown as { data?: unknown[] }).data ?? []).length, drawn };
    }),
  );
}
