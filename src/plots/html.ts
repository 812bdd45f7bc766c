/**
 * HTML for figures: plotly.js inlined as a <script> (so pages open offline) and a div + script per figure that draws
 * with the page's Plotly. JSON is embedded with `<` escaped, so no data can close the script element.
 */
import * as fs from "node:fs";
import * as zlib from "node:zlib";
import type { PlotlyFigure } from "./figure";
import { THEME } from "./theme";

let plotlySourceCache: string | undefined;

/** The path of the bundled plotly.js (npm plotly.js-dist-min). */
export function plotlyJsPath(): string {
  return require.resolve("plotly.js-dist-min/plotly.min.js");
}

/** The version of the bundled plotly.js. */
export function plotlyJsVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("plotly.js-dist-min/package.json") as { version: string }).version;
}

/** The minified plotly.js source (about 4.8 MB), read once per process. */
export function plotlyJsSource(): string {
  plotlySourceCache ??= fs.readFileSync(plotlyJsPath(), "utf8");
  return plotlySourceCache;
}

/** A <script> element holding all of plotly.js; it defines `window.Plotly`. */
export function plotlyScriptTag(): string {
  const src = plotlyJsSource();
  if (/<\/script/i.test(src)) throw new Error("plotlyScriptTag: plotly.js source contains '</script' and cannot be inlined");
  return `<script type="text/javascript">/* plotly.js ${plotlyJsVersion()} (MIT), inlined so this page opens offline */\n${src}\n</script>`;
}

/**
 * Numbers in a page's figure JSON keep 5 significant digits: more than any axis or hover shows (hovers print 3-4),
 * and under half the bytes of full doubles, which matters for a report over 56 models.
 */
function fiveDigits(_key: string, v: unknown): unknown {
  return typeof v === "number" && !Number.isInteger(v) && Number.isFinite(v) ? Number(v.toPrecision(5)) : v;
}

/** JSON safe to place inside a <script> element; `roundNumbers` keeps 5 significant digits of non-integers. */
export function scriptSafeJson(value: unknown, roundNumbers = false): string {
  return JSON.stringify(value, roundNumbers ? fiveDigits : undefined).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

let idCounter = 0;

/** A fresh element id for a figure div. */
export function newFigureId(prefix = "massive-plot"): string {
  idCounter += 1;
  return `${prefix}-${Date.now().toString(36)}-${idCounter}`;
}

/**
 * A div and a script that draws `figure` into it with the page's Plotly. The plot is responsive: it takes the
 * container's width up to the figure's own (so a wide figure shrinks instead of being clipped in nbconvert's HTML,
 * a notebook cell or the report) and redraws when the window resizes. If Plotly is not loaded yet (a notebook whose
 * first figure output comes later on the page), the script waits for it up to 10 s, then says what to do.
 * `compress` embeds the figure's JSON gzipped and base64-encoded, unpacked by the browser's DecompressionStream
 * (about a third of the bytes for figures over many models; the report uses it, notebooks do not).
 */
export function figureDivHtml(figure: PlotlyFigure, id = newFigureId(), options: { compress?: boolean } = {}): string {
  const width = Number(figure.layout.width ?? THEME.width);
  const height = Number(figure.layout.height ?? THEME.height);
  const { width: _fixed, ...layout } = figure.layout;
  const payload = scriptSafeJson({ data: figure.data, layout: { ...layout, autosize: true }, config: { ...(figure.config ?? {}), responsive: true } }, true);
  const load = options.compress
    ? `function load(k){var b=atob(${JSON.stringify(zlib.gzipSync(payload, { level: 9 }).toString("base64"))});var u=new Uint8Array(b.length);for(var i=0;i<b.length;i++)u[i]=b.charCodeAt(i);` +
      `new Response(new Blob([u]).stream().pipeThrough(new DecompressionStream("gzip"))).text().then(function(t){k(JSON.parse(t));});}`
    : `function load(k){k(${payload});}`;
  return [
    `<div id="${id}" class="massive-plot" style="width:100%;max-width:${width}px;height:${height}px"></div>`,
    `<script type="text/javascript">(function(){var id=${JSON.stringify(id)};${load}`,
    `function draw(){load(function(f){var el=document.getElementById(id);if(el)window.Plotly.newPlot(el,f.data,f.layout,f.config);});}`,
    `if(window.Plotly){draw();}else{var n=0;var t=setInterval(function(){if(window.Plotly){clearInterval(t);draw();}`,
    `else if(++n>200){clearInterval(t);var el=document.getElementById(id);if(el)el.textContent="plotly.js did not load: run the notebook again or export it after a full run";}},50);}})();</script>`,
  ].join("");
}
