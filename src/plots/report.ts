/**
 * One self-contained HTML report of a run: a table of contents, plotly.js inlined once in the head (the page opens
 * offline), every figure {@link runFigures} finds for the results, the tables (models, fits) and the provenance
 * (models, steps, evaluation set, versions). Sections adapt to what exists: stats only; stats and fits; and
 * predictions. Figures over many models are the interactive ones (model and layer dropdowns, checkpoint sliders)
 * rather than one figure per model, so the page stays a few MB whatever the suite's size.
 */
import * as aq from "arquero";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { layerSeries } from "../io/exp2-stats";
import { describeSkippedCheckpoints } from "../record/manifest";
import { figureDivHtml, plotlyJsVersion, plotlyScriptTag } from "./html";
import { modelPeaks } from "./fig5-peak-heatmaps";
import { runFigures, type FigureSection, type NamedFigure, type RunFiguresOptions } from "./run-figures";
import { conclusionRows, seedsAndControlsFigures, variantEffectRows } from "./seeds-report";
import type { SeedsAndControls } from "../analysis/index";
import type { RunResults } from "./results";

const SECTIONS: { id: FigureSection; title: string; intro: string }[] = [
  {
    id: "emergence",
    title: "Emergence of massive activations (Figs. 2-5)",
    intro: "Per layer l, the ratio r_l(t) = mean top1 / mean median of |h_l| over the evaluation sequences (Eq. 8), across the recorded checkpoints.",
  },
  { id: "fits", title: "Fitting the dynamics (Figs. 6-7, Table 5)", intro: "Eq. 9, f(t) = A·exp(−λx)·ln(x) + K with x = γt + t0, fitted to each layer's ratio series." },
  { id: "peaks", title: "Peak analysis (Fig. 8)", intro: "Where Eq. 9 peaks: x* = 1/(λ·W(1/λ)), t_peak = (x* − t0)/γ, observable when x* > t0." },
  { id: "prediction", title: "Predicting the dynamics from the architecture", intro: "Parameters of Eq. 9 predicted from Table 4's architecture features; trajectories follow from them." },
  {
    id: "seeds",
    title: "Seeds and controls: the noise floor",
    intro:
      "Runs that differ only by seed say how much of a trajectory is noise: the seed-noise ceiling is what a prediction from the architecture is read against, " +
      "the paper's conclusions are checked against the seed spread, and each recipe variant is compared with its base's seed range per layer (robust Eq. 9 fits of the ratio series, seed 0).",
  },
];

/** Escapes text for HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function tableHtml(rows: Record<string, unknown>[], digits = 4): string {
  if (rows.length === 0) return "<p><em>none</em></p>";
  const t = aq.from(rows);
  const format: Record<string, { digits: number }> = {};
  for (const c of t.columnNames()) if (rows.some((r) => typeof r[c] === "number" && !Number.isInteger(r[c]))) format[c] = { digits };
  return t.toHTML({ limit: Infinity, format: format as never });
}

function projectVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require("../../package.json") as { version: string }).version;
  } catch {
    return "unknown";
  }
}

function gitCommit(): string | undefined {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: path.resolve(__dirname, "../.."), stdio: ["ignore", "pipe", "ignore"] }).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Rows of the models table: architecture, checkpoints, final and peak ratio, mean R^2 when fitted. */
export function modelsTable(results: RunResults): Record<string, unknown>[] {
  return results.models.map((m) => {
    const ratio = layerSeries(m.series, "ratio");
    const finals = ratio.map((r) => r.at(-1)!);
    const peaks = modelPeaks(m.name, m.series.steps, ratio);
    const pl = peaks.peakValue.reduce((b, v, i, a) => (v > a[b]! ? i : b), 0);
    const r2 = m.fits.ratio?.map((f) => f.r2).filter((v) => Number.isFinite(v));
    return {
      model: m.name,
      parameters: m.parameterCount !== undefined ? m.parameterCount.toLocaleString("en-US") : "",
      layers: m.series.numLayers,
      d: m.architecture?.hiddenSize ?? null,
      heads: m.architecture?.heads ?? null,
      checkpoints: m.series.steps.length,
      steps: `${m.series.steps[0]} to ${m.series.steps.at(-1)}`,
      ...(m.skippedCheckpoints ? { "skipped (hub audit)": describeSkippedCheckpoints(m.skippedCheckpoints) } : {}),
      "final ratio (max over layers)": Math.max(...finals),
      "peak ratio": peaks.peakValue[pl]!,
      "peak at (layer 1-based, step)": `${pl + 1}, ${peaks.peakStep[pl]}`,
      ...(r2 ? { "mean R² (ratio fit)": r2.length ? r2.reduce((s, v) => s + v, 0) / r2.length : "all fits failed" } : {}),
    };
  });
}

/** Rows of the fitted-parameters table for one series (every model and layer). */
export function fitsTable(results: RunResults, series: "ratio" | "top1" | "median" = "ratio"): Record<string, unknown>[] {
  return results.models.flatMap((m) =>
    (m.fits[series] ?? []).map((f, l) => ({
      model: m.name,
      "layer (1-based)": l + 1,
      A: f.params?.A ?? "failed",
      λ: f.params?.lambda ?? "",
      γ: f.params?.gamma ?? "",
      t0: f.params?.t0 ?? "",
      K: f.params?.K ?? "",
      "R²": f.params ? f.r2 : "",
      AIC: f.aic ?? "",
    })),
  );
}

/** Provenance rows: what was run, on what, with which versions. */
export function provenanceRows(results: RunResults, extra: Record<string, unknown> = {}): { item: string; value: string }[] {
  const rows: { item: string; value: string }[] = [
    { item: "results folder", value: path.resolve(results.root) },
    { item: "models", value: `${results.models.length}: ${results.models.map((m) => m.name).join(", ")}` },
    {
      item: "checkpoints",
      value: [...new Set(results.models.map((m) => `${m.series.steps.length} steps (${m.series.steps[0]}…${m.series.steps.at(-1)})`))].join("; "),
    },
    { item: "evaluation sequences per checkpoint", value: [...new Set(results.models.map((m) => m.series.numSequences))].join(", ") },
  ];
  if (results.evaluation) {
    const lens = [...new Set(results.evaluation.tokensPerSequence)].join("/");
    rows.push({
      item: "evaluation set",
      value: `${path.basename(results.evaluation.file)}: ${results.evaluation.sequences} sequences x ${lens} tokens${results.evaluation.encoding ? `, ${results.evaluation.encoding}` : ""}${results.evaluation.source ? `; ${results.evaluation.source}` : ""}`,
    });
  }
  const fitted = (["ratio", "top1", "median"] as const).filter((s) => results.models.some((m) => m.fits[s]));
  rows.push({ item: "fits found", value: fitted.length ? fitted.map((s) => `${s} (${results.models.filter((m) => m.fits[s]).length} models)`).join(", ") : "none (stats only)" });
  rows.push({ item: "predictions found", value: String(results.models.filter((m) => m.predictions).length) + " models" });
  for (const [k, v] of Object.entries({ ...results.provenance, ...extra })) rows.push({ item: k, value: typeof v === "string" ? v : JSON.stringify(v) });
  const commit = gitCommit();
  rows.push({
    item: "versions",
    value: `massive-activations ${projectVersion()}${commit ? ` (git ${commit})` : ""}, Node.js ${process.version}, plotly.js ${plotlyJsVersion()}`,
  });
  return rows;
}

const CSS = `
body{font-family:"Liberation Sans",Arial,Helvetica,sans-serif;color:#111;margin:24px auto;max-width:1040px;padding:0 16px;line-height:1.45}
h1{font-size:26px;margin-bottom:4px} h2{font-size:20px;margin-top:36px;border-bottom:1px solid #ccc;padding-bottom:4px} h3{font-size:16px}
table{border-collapse:collapse;font-size:13px;margin:8px 0} th,td{border-bottom:1px solid #e3e3e3;padding:3px 8px} th{background:#f5f5f5}
figure{margin:18px 0 28px 0} figcaption{font-size:13px;color:#333;max-width:900px;margin-top:4px}
.note{color:#555;font-size:13px} details summary{cursor:pointer;font-size:14px}
nav.toc{background:#f7f7f7;border:1px solid #e3e3e3;padding:8px 16px;font-size:14px} nav.toc ul{margin:4px 0;padding-left:20px}
.massive-plot{overflow:hidden}
`;

function figureBlock(f: NamedFigure, index: number): string {
  return `<figure id="${escapeHtml(f.name)}">${figureDivHtml(f.figure, `plot-${index}`, { compress: true })}<figcaption><strong>${escapeHtml(f.name)}.</strong> ${escapeHtml(f.caption)}</figcaption></figure>`;
}

export interface ReportOptions {
  title?: string;
  /** Extra provenance entries (e.g. the command line). */
  provenance?: Record<string, unknown>;
  /** Figures to show instead of {@link runFigures}'s. */
  figures?: NamedFigure[];
  /** Fig. 3's slider models (see {@link RunFiguresOptions}); the report shows no separate per-model figures. */
  perModel?: RunFiguresOptions["perModel"];
  /** The seed and control analysis of the same folder: adds the section "Seeds and controls" (figures and tables). */
  seedsAndControls?: SeedsAndControls;
}

/** Table of contents: the fixed sections, then each figure section with its figures. */
function tableOfContents(entries: { id: string; title: string; figures: NamedFigure[] }[]): string {
  const items = entries.map((e) => {
    const sub = e.figures.length ? `<ul>${e.figures.map((f) => `<li><a href="#${escapeHtml(f.name)}">${escapeHtml(f.name)}</a></li>`).join("")}</ul>` : "";
    return `<li><a href="#${escapeHtml(e.id)}">${escapeHtml(e.title)}</a>${sub}</li>`;
  });
  return `<nav class="toc" id="contents"><strong>Contents</strong><ul>${items.join("")}</ul></nav>`;
}

/** The report's HTML (one string, plotly.js inlined). */
export function buildReportHtml(results: RunResults, options: ReportOptions = {}): string {
  const seeds = options.seedsAndControls;
  const figures = [...(options.figures ?? runFigures(results, { perModel: options.perModel, separatePerModel: false })), ...(seeds ? seedsAndControlsFigures(seeds) : [])];
  const title = options.title ?? "Massive activations: run report";
  const hasFits = results.models.some((m) => m.fits.ratio);
  const shown = SECTIONS.filter((s) => s.id === "fits" || figures.some((f) => f.section === s.id));
  const parts: string[] = [];
  parts.push(`<h1>${escapeHtml(title)}</h1>`);
  parts.push(
    `<p class="note">Companion to “Hidden Dynamics of Massive Activations in Transformer Training” (arXiv:2508.03616). Generated ${escapeHtml(new Date().toISOString())}. Layers are 0-based in files and 1-based in every figure and table. Figures with dropdowns and sliders redraw in the page, no kernel needed; hover names model, layer, step and value.</p>`,
  );
  parts.push(
    tableOfContents([
      { id: "provenance", title: "Provenance", figures: [] },
      { id: "models", title: "Models", figures: [] },
      ...shown.map((s) => ({ id: `section-${s.id}`, title: s.title, figures: figures.filter((f) => f.section === s.id) })),
    ]),
  );
  parts.push(`<h2 id="provenance">Provenance</h2>`, tableHtml(provenanceRows(results, options.provenance)));
  parts.push(`<h2 id="models">Models</h2>`, tableHtml(modelsTable(results)));
  let index = 0;
  for (const s of shown) {
    const inSection = figures.filter((f) => f.section === s.id);
    parts.push(`<h2 id="section-${s.id}">${escapeHtml(s.title)}</h2>`, `<p>${escapeHtml(s.intro)}</p>`);
    if (s.id === "fits" && !hasFits) {
      parts.push(`<p class="note">No fits in this results folder (params/layer_fit_params_ratio.json per model): run <code>npx massive fit</code> or the main job to add Figs. 6-8.</p>`);
    }
    if (s.id === "seeds" && seeds) {
      const headline = typeof results.provenance.predicted === "string" ? ` For comparison, this run's ${results.provenance.predicted}.` : "";
      parts.push(`<p class="note">Seed-noise ceiling: mean curve R² ${seeds.ceiling.meanCurveR2.toFixed(3)} over ${seeds.ceiling.perRun.length} seed runs.${escapeHtml(headline)}</p>`);
    }
    for (const f of inSection) parts.push(figureBlock(f, index++));
    if (s.id === "prediction") {
      for (const t of results.table3) {
        const rows = t.regressors.map((g, i) => ({ regressor: g, ...Object.fromEntries(t.params.map((p, j) => [`test R² ${p}`, t.r2[i]![j]!])) }));
        parts.push(`<h3>Table 3: test R², protocol ${escapeHtml(t.protocol)}</h3>`, tableHtml(rows, 3));
      }
    }
    if (s.id === "seeds" && seeds) {
      parts.push(`<h3>The paper's conclusions against the seed spread</h3>`, tableHtml(conclusionRows(seeds)));
      parts.push(`<h3>Recipe variants against their base's seed range (↑ above the maximum, ↓ below the minimum, · inside: no effect shown)</h3>`, tableHtml(variantEffectRows(seeds)));
    }
    if (s.id === "fits" && hasFits) {
      for (const series of ["ratio", "top1", "median"] as const) {
        const rows = fitsTable(results, series);
        if (rows.length) parts.push(`<details><summary>Fitted Eq. 9 parameters, ${series} series (raw step units; ${rows.length} layers)</summary>${tableHtml(rows)}</details>`);
      }
    }
  }
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>`,
    `<style>${CSS}</style>`,
    plotlyScriptTag(),
    "</head><body>",
    ...parts,
    "</body></html>",
    "",
  ].join("\n");
}
