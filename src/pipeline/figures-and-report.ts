/** The main job's last stages: every figure a results folder supports, exported, and the HTML report. */
import * as path from "node:path";
import { loadRunResults, runFigures, exportFigures, buildReportHtml, type RunFiguresOptions } from "../plots/index";
import { writeFileAtomic } from "../util/atomic-write";
import { startProgress } from "../util/progress";

/** `perModel`: the models that get their own per-model figure files ("default": smallest, a middle and largest). */
export async function exportRunFigures(resultsDir: string, outDir: string, formats: ("png" | "svg" | "pdf")[], log: (l: string) => void, perModel?: RunFiguresOptions["perModel"]): Promise<string[]> {
  const figures = runFigures(loadRunResults(resultsDir, { onWarning: (m) => log(`[figures] warning: ${m}`) }), { perModel });
  const progress = startProgress("[main] figures", figures.length * formats.length);
  const written = await exportFigures(figures, outDir, formats, { onProgress: (f) => progress.tick(1, path.basename(f)) });
  progress.done();
  return written;
}

export async function writeRunReport(resultsDir: string, file: string, perModel?: RunFiguresOptions["perModel"]): Promise<string> {
  // provenance.json at the top of the folder is read by loadRunResults and shown in the report.
  await writeFileAtomic(file, buildReportHtml(loadRunResults(resultsDir, { onWarning: () => undefined }), { perModel }));
  return file;
}
