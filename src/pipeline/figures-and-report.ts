/** The main job's last stages: every figure a results folder supports, exported, and the HTML report. */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadRunResults, runFigures, exportFigures, buildReportHtml, type RunFiguresOptions } from "../plots/index";
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

export async function writeRunReport(resultsDir: string, file: string, perModel?: RunFiguresOptions["perModel"]): Promise<string> {
  // provenance.json at the top of the folder is read by loadRunResults and shown in the report.
  await writeFileAtomic(file, buildReportHtml(loadRunResults(resultsDir, { onWarning: () => undefined }), { perModel }));
  return file;
}
