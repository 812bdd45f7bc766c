/** The main job's closing table: per model mean R^2 of the Eq. 9 fits, and the paper's Table 1 beside it for scale. */
import * as fs from "node:fs";
import * as path from "node:path";
import type { RecordCheck } from "./record-check";

export interface ModelSummary {
  name: string;
  layers: number;
  steps: number;
  /** Largest layer ratio top1/median at the last step. */
  finalRatioMax: number;
  /** Mean over layers of R^2, robust fit (failed fits left out). */
  meanR2Robust: number;
  /** Mean over layers of R^2, the paper's single-start procedure. */
  meanR2Paper: number;
  failedFits: number;
  /** architecture / seed / hyperparameter (suite.json). */
  group: string;
  /** Nested cross-validated curve R^2 of its predicted trajectories (shipped predictor, architecture held out). */
  nestedCurveR2?: number;
  /** The same for the plain baseline (gradient-boosted trees on Table 4 features + log(1+step)), same folds. */
  baselineCurveR2?: number;
}

/** The paper's Table 1 (mean layer R^2 per Pythia model), from data/paper/tables.json. */
export function paperTable1(file = path.resolve(__dirname, "../../data/paper/tables.json")): Record<string, number> {
  const tables = JSON.parse(fs.readFileSync(file, "utf8")) as { table1_mean_layer_r2: Record<string, number> };
  return tables.table1_mean_layer_r2;
}

const f3 = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? "-" : v.toFixed(3));

/** The headline numbers of the prediction stage, as formatSummaryTable prints them under the table. */
export interface PredictionHeadline {
  scheme: string;
  models: number;
  meanNestedCurveR2: number;
  medianNestedCurveR2: number;
  meanBaselineCurveR2: number;
  bandCoverage: number;
  bandLevel: number;
  seedCeiling?: { meanCurveR2: number; runs: number };
}

/** One line: the nested score with the baseline, the seed-noise ceiling and the band coverage beside it. */
export function formatPredictionHeadline(p: PredictionHeadline): string {
  return `prediction from architecture (${p.models} architectures; ${p.scheme}): mean curve R² ${f3(p.meanNestedCurveR2)} (median ${f3(p.medianNestedCurveR2)}), ` +
    `plain baseline ${f3(p.meanBaselineCurveR2)}, seed-noise ceiling ${p.seedCeiling ? f3(p.seedCeiling.meanCurveR2) : "- (no seed runs)"}, ` +
    `${Math.round(100 * p.bandLevel)}% band coverage ${(100 * p.bandCoverage).toFixed(1)}%`;
}

/** Plain-text table, models of the run on the left and the paper's Table 1 on the right; the headline under it. */
export function formatSummaryTable(models: ModelSummary[], checks: RecordCheck[], table1: Record<string, number>, prediction?: PredictionHeadline): string {
  const left = [
    ["model", "group", "layers", "steps", "final max ratio", "mean R² robust", "mean R² paper proc.", "failed", "nested curve R²", "baseline"],
    ...models.map((m) => [m.name, m.group, String(m.layers), String(m.steps), m.finalRatioMax.toFixed(1), f3(m.meanR2Robust), f3(m.meanR2Paper), String(m.failedFits), f3(m.nestedCurveR2), f3(m.baselineCurveR2)]),
  ];
  // curve scores: the mean over the cross-validated architecture runs (the headline); variants are reported apart
  const arch = models.filter((m) => m.group === "architecture");
  const meanOf = (k: "nestedCurveR2" | "baselineCurveR2"): number | undefined =>
    arch.length && arch.every((m) => m[k] !== undefined) ? arch.reduce((a, m) => a + m[k]!, 0) / arch.length : undefined;
  const mean = (k: "meanR2Robust" | "meanR2Paper"): number => models.reduce((a, m) => a + m[k], 0) / models.length;
  left.push(["mean", "", "", "", "", f3(mean("meanR2Robust")), f3(mean("meanR2Paper")), "", f3(meanOf("nestedCurveR2")), f3(meanOf("baselineCurveR2"))]);
  const right = [["Pythia (paper Table 1)", "mean R²"], ...Object.entries(table1).map(([k, v]) => [k, v.toFixed(4)])];
  const widthsL = left[0]!.map((_, j) => Math.max(...left.map((r) => r[j]!.length)));
  const widthsR = right[0]!.map((_, j) => Math.max(...right.map((r) => r[j]!.length)));
  const rows = Math.max(left.length, right.length);
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const l = left[i] ? left[i]!.map((c, j) => (j === 0 ? c.padEnd(widthsL[j]!) : c.padStart(widthsL[j]!))).join("  ") : widthsL.map((w) => " ".repeat(w)).join("  ");
    const r = right[i] ? right[i]!.map((c, j) => (j === 0 ? c.padEnd(widthsR[j]!) : c.padStart(widthsR[j]!))).join("  ") : "";
    lines.push(`${l}   │ ${r}`.trimEnd());
  }
  for (const c of checks) {
    lines.push(`recorded ${c.model}: ${c.steps.length} checkpoints in ${c.seconds.toFixed(1)} s; max relative error ${c.maxRelErrorVsSuiteStats.toExponential(2)} vs the suite's stats` +
      (c.maxRelErrorVsReference !== undefined ? `, ${c.maxRelErrorVsReference.toExponential(2)} vs reference_stats of these fp16 checkpoints` : ""));
  }
  if (prediction) lines.push(formatPredictionHeadline(prediction));
  return lines.join("\n");
}
