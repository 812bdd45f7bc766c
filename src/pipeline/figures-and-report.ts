/** The main job's last stages: every figure a results folder supports, exported, and the HTML report. */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadRunResults, runFigures, exportFigures, buildReportHtml, type ReportOptions, type RunFiguresOptions } from "../plots/index";
import { analyseSeedsAndControls, type SeedsAndControls } from "../analysis/index";
import { readSuiteManifest } from "../io/suite-manifest";
import { writeFileAtomic } from "../util/atomic-write";
import { resultKey } from "../util/result-cache";
import { startProgress } from "../util/progress";

/**
 * `perModel`: the models that get their own per-model figure files ("default": smallest, a middle and largest).
 * A figure whose Plotly JSON, formats and source code (the key of util/result-cache) are those of its files on disk
 * (`<outDir>/.exported.json`) is not drawn again: Chromium draws each figure once per format, the longest part of a
 * re-run. Files deleted by hand, or any change of data, options or code, draw again.
 */
export async function exportRunFigures(resultsDir: string, outDir: string, formats: ("png" | "svg" | "pdf")[], log: (l: string) => void, perModel?: RunFiguresOptions["perModel"]): Promise<string[]> {
  const figures = runFigures(loadRunResults(resultsDir, { onWarning: (m) => log(`[figures] warning: ${m}`) }), { perModel });
  const ledgerFile = path.join(outDir, ".exported.json");
  const ledger = readExportLedger(ledgerFile);
  const keys = new Map(figures.map((f) => [f.name, resultKey("figure-export", f.figure, formats)]));
  const filesOf = (name: string): string[] => formats.map((format) => path.join(outDir, `${name}.${format}`));
  const toDraw = figures.filter((f) => ledger[f.name] !== keys.get(f.name) || !filesOf(f.name).every((file) => fs.existsSync(file)));
  const kept = figures.length - toDraw.length;
  if (kept > 0) log(`[main] figures: ${kept} of ${figures.length} unchanged since the last export, kept`);
  if (toDraw.length > 0) {
    const progress = startProgress("[main] figures", toDraw.length * formats.length);
    await exportFigures(toDraw, outDir, formats, { onProgress: (f) => progress.tick(1, path.basename(f)) });
    progress.done();
  }
  await writeFileAtomic(ledgerFile, `${JSON.stringify(Object.fromEntries(figures.map((f) => [f.name, keys.get(f.name)])), null, 1)}\n`);
  return figures.flatMap((f) => filesOf(f.name));
}

/** `{figure name: key}` of the last export, or {} when absent or unreadable (everything is then drawn). */
function readExportLedger(file: string): Record<string, string> {
  try {
    const json = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
    return json !== null && typeof json === "object" && !Array.isArray(json) ? (json as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/**
 * The seed and control analysis of a results folder whose suite.json lists seed runs and recipe variants (each run's
 * ratio series fitted again, about 2 CPU-s for mini-pythia), or undefined when it has none (with the reason given to
 * `log` when a suite.json is there).
 */
export function seedsAndControlsOf(resultsDir: string, log: (l: string) => void = () => undefined): SeedsAndControls | undefined {
  const manifest = readSuiteManifest(resultsDir);
  if (!manifest) return undefined; // a folder of models without a suite: nothing to say
  const groups = new Set(manifest.models.map((m) => m.group));
  if (!groups.has("seed") || !groups.has("hyperparameter")) {
    log(`[report] no seeds-and-controls section: ${manifest.file} lists no seed runs or no recipe variants`);
    return undefined;
  }
  try {
    return analyseSeedsAndControls(resultsDir, { onWarning: (m) => log(`[report] warning: ${m}`) });
  } catch (e) {
    // the rest of the report does not depend on it: say why the section is missing rather than lose the page
    log(`[report] no seeds-and-controls section: ${(e as Error).message}`);
    return undefined;
  }
}

/** The report of a results folder (see {@link buildReportHtml}), with the seeds-and-controls section when the suite has seed runs. */
export function runReportHtml(resultsDir: string, options: ReportOptions = {}, log: (l: string) => void = () => undefined): string {
  // provenance.json at the top of the folder is read by loadRunResults and shown in the report.
  const results = loadRunResults(resultsDir, { onWarning: (m) => log(`[report] warning: ${m}`) });
  return buildReportHtml(results, { ...options, seedsAndControls: options.seedsAndControls ?? seedsAndControlsOf(resultsDir, log) });
}

export async function writeRunReport(resultsDir: string, file: string, perModel?: RunFiguresOptions["perModel"], log?: (l: string) => void): Promise<string> {
  await writeFileAtomic(file, runReportHtml(resultsDir, { perModel }, log));
  return file;
}
