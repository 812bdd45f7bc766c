/** The main job's last stages: every figure a results folder supports, exported, and the HTML report. */
import * as path from "node:path";
import { loadRunResults, runFigures, exportFigures, buildReportHtml } from "../plots/index";
import { writeFileAtomic } from "../util/atomic-write";
import { startProgress } from "../util/progress";

export async function exportRunFigures(resultsDir: string, outDir: string, formats: ("png" | "svg" | "pdf")[], log: (l: string) => void): Promise<string[]> {
  const figures = runFigures(loadRunResults(resultsDir, { onWarning: (m) => log(`[figures] warning: ${m}`) }));
  const progress = startProgress("[main] figures", figures.length * formats.length);
  const written = await exportFigures(figures, outDir, formats, { onProgress: (f) => progress.tick(1, path.basename(f)) });
  progress.done();
  return written;
}

export async function writeRunReport(resultsDir: string, file: string): Promise<string> {
  // provenance.json at the top of the folder is read by loadRunResults and shown in the report.
  await writeFileAtomic(file, buildReportHtml(loadRunResults(resultsDir, { onWarning: () => undefined })));
  return file;
}
