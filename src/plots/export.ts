/**
 * Static export of figures through plotly.js in headless Chromium (driven by playwright-core): PNG at a chosen scale
 * and SVG through `Plotly.toImage`, vector PDF through Chromium's printer (`page.pdf`) on a page sized to the figure.
 * One browser and one page serve a whole batch; plotly.js is loaded into the page once. Figures with dropdowns or
 * sliders are exported as their chosen frame ({@link staticFrame}). Fonts come from the system
 * (Liberation Sans from Debian's fonts-liberation2, installed by scripts/setup.sh).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import type { PlotlyFigure } from "./figure";
import { staticFrame } from "./choices";
import { plotlyJsSource } from "./html";
import { THEME } from "./theme";
import { writeFileAtomic } from "../util/atomic-write";

export type ExportFormat = "png" | "svg" | "pdf";
export const EXPORT_FORMATS: readonly ExportFormat[] = ["png", "svg", "pdf"];

/** Chromium flags for a quiet, sandbox-free headless run (containers, CI). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The Chromium to drive: $CHROMIUM_PATH, else the first of the usual system paths that exists. */
export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  const candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable", "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new Error("no Chromium found for figure export: install Debian's chromium (scripts/setup.sh does as root) or set CHROMIUM_PATH");
  return found;
}

/** Parses "png,svg,pdf" into formats; throws a sentence naming a bad one. */
export function parseFormats(text: string): ExportFormat[] {
  const out = text.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (out.length === 0) throw new Error("--format: no format given (use png, svg, pdf or a comma-separated list)");
  for (const f of out) if (!EXPORT_FORMATS.includes(f as ExportFormat)) throw new Error(`--format: '${f}' is not one of png, svg, pdf`);
  return [...new Set(out)] as ExportFormat[];
}

/**
 * The browser globals the page functions below use, typed here because tslab compiles src/ without the DOM library
 * (those functions run inside Chromium, not in Node).
 */
interface PageElement {
  style: Record<string, string>;
}
interface PageGlobals {
  Plotly?: {
    purge(el: PageElement): void;
    newPlot(el: PageElement, data: unknown, layout: unknown, config: unknown): Promise<unknown>;
    toImage(figure: unknown, options: unknown): Promise<string>;
  };
  document: { getElementById(id: string): PageElement | null; fonts: { ready: Promise<unknown> } };
}

function figureSize(figure: PlotlyFigure): { width: number; height: number } {
  return { width: Math.round(Number(figure.layout.width ?? THEME.width)), height: Math.round(Number(figure.layout.height ?? THEME.height)) };
}

/** A headless Chromium with plotly.js loaded, reused for many figures. Close it when done. */
export class FigureExporter {
  private constructor(
    private readonly browser: Browser,
    private readonly page: Page,
    /** The exporter that launched the browser closes it; those of {@link another} close only their page. */
    private readonly ownsBrowser: boolean,
  ) {}

  /** Starts Chromium (fresh temporary profile) and loads plotly.js into a blank page. */
  static async launch(options: { executablePath?: string } = {}): Promise<FigureExporter> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { chromium } = require("playwright-core") as typeof import("playwright-core");
    const browser = await chromium.launch({ executablePath: options.executablePath ?? findChromium(), args: CHROMIUM_ARGS, headless: true });
    try {
      return new FigureExporter(browser, await FigureExporter.plotlyPage(browser), true);
    } catch (err) {
      await browser.close();
      throw err;
    }
  }

  /** A second exporter on its own page of the same browser, to export figures side by side (close it first). */
  async another(): Promise<FigureExporter> {
    return new FigureExporter(this.browser, await FigureExporter.plotlyPage(this.browser), false);
  }

  private static async plotlyPage(browser: Browser): Promise<Page> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.setContent('<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;padding:0;background:#fff}#fig{overflow:hidden}</style></head><body><div id="fig"></div></body></html>');
    await page.addScriptTag({ content: plotlyJsSource() });
    const ok = await page.evaluate(() => typeof (globalThis as unknown as PageGlobals).Plotly === "object");
    if (!ok) throw new Error(`plotly.js did not load in Chromium${errors.length ? `: ${errors[0]}` : ""}`);
    return page;
  }

  /** The figure as PNG bytes at `scale` x its layout size (default 2, about 190 dpi at the default width). */
  async png(figure: PlotlyFigure, options: { scale?: number } = {}): Promise<Buffer> {
    const url = await this.toImage(figure, "png", options.scale ?? 2);
    return Buffer.from(url.slice(url.indexOf(",") + 1), "base64");
  }

  /** The figure as an SVG document. */
  async svg(figure: PlotlyFigure): Promise<string> {
    const url = await this.toImage(figure, "svg", 1);
    const body = url.slice(url.indexOf(",") + 1);
    return url.slice(0, url.indexOf(",")).endsWith(";base64") ? Buffer.from(body, "base64").toString("utf8") : decodeURIComponent(body);
  }

  /** The figure as a one-page vector PDF whose page is exactly the figure's size. */
  async pdf(interactive: PlotlyFigure): Promise<Buffer> {
    const figure = staticFrame(interactive);
    const { width, height } = figureSize(figure);
    await this.page.setViewportSize({ width, height });
    await this.page.evaluate(
      async ({ fig, width, height }) => {
        const g = globalThis as unknown as PageGlobals;
        const el = g.document.getElementById("fig")!;
        g.Plotly!.purge(el);
        el.style.width = `${width}px`;
        el.style.height = `${height}px`;
        await g.Plotly!.newPlot(el, fig.data, { ...fig.layout, width, height }, { ...(fig.config ?? {}), staticPlot: true });
        await g.document.fonts.ready;
      },
      { fig: figure, width, height },
    );
    return this.page.pdf({ width: `${width}px`, height: `${height}px`, printBackground: true, margin: { top: "0", right: "0", bottom: "0", left: "0" }, pageRanges: "1" });
  }

  /** Writes `<base>.<format>` for each format; returns the paths written. */
  async write(figure: PlotlyFigure, base: string, formats: readonly ExportFormat[], options: { scale?: number } = {}): Promise<string[]> {
    const written: string[] = [];
    await fs.promises.mkdir(path.dirname(base), { recursive: true });
    for (const format of formats) {
      const file = `${base}.${format}`;
      const bytes = format === "png" ? await this.png(figure, options) : format === "svg" ? await this.svg(figure) : await this.pdf(figure);
      await writeFileAtomic(file, bytes);
      written.push(file);
    }
    return written;
  }

  async close(): Promise<void> {
    if (this.ownsBrowser) await this.browser.close();
    else await this.page.close();
  }

  private async toImage(interactive: PlotlyFigure, format: "png" | "svg", scale: number): Promise<string> {
    // A file shows one chosen frame: the figure's dropdowns and sliders need a live page.
    const figure = staticFrame(interactive);
    const { width, height } = figureSize(figure);
    return this.page.evaluate(
      ({ fig, format, width, height, scale }) => {
        const P = (globalThis as unknown as PageGlobals).Plotly!;
        return P.toImage({ data: fig.data, layout: { ...fig.layout, width, height }, config: fig.config ?? {} }, { format, width, height, scale });
      },
      { fig: figure, format, width, height, scale },
    );
  }
}

/**
 * Exports named figures to `<outDir>/<name>.<format>` with one browser; `onProgress` hears each file written.
 * `pages` figures are drawn at once, each on its own page of the browser (default 1: on the shared 2-core machine
 * two pages were slower, 35-41 s against 29-31 s for the suite's PNGs, 2026-12-02; more may pay on idle cores).
 * Returns every path written, in the order of `figures` and `formats`.
 */
export async function exportFigures(
  figures: { name: string; figure: PlotlyFigure }[],
  outDir: string,
  formats: readonly ExportFormat[],
  options: { scale?: number; executablePath?: string; pages?: number; onProgress?: (file: string) => void } = {},
): Promise<string[]> {
  const first = await FigureExporter.launch({ executablePath: options.executablePath });
  const exporters = [first];
  const written: string[][] = [];
  try {
    const pages = Math.max(1, Math.min(options.pages ?? 1, figures.length));
    while (exporters.length < pages) exporters.push(await first.another());
    let next = 0;
    await Promise.all(exporters.map(async (exporter) => {
      for (let k = next++; k < figures.length; k = next++) {
        const { name, figure } = figures[k]!;
        written[k] = [];
        for (const file of await exporter.write(figure, path.join(outDir, name), formats, options)) {
          written[k]!.push(file);
          options.onProgress?.(file);
        }
      }
    }));
  } finally {
    for (const e of exporters.slice(1)) await e.close().catch(() => undefined);
    await first.close();
  }
  return written.flat();
}
