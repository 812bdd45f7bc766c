/**
 * The prediction stage of the main job, on a results folder whose models have config.json and stats/ (and the
 * suite's suite.json, whose groups decide what a predictor may learn from):
 *   - the shipped trajectory predictor scored honestly: nested cross-validation grouped by model over the
 *     architecture runs (./prediction-jobs, nestedCurvesJob), every choice made inside each outer fold; each model's
 *     held-out prediction with its 80% band written as `<model>/predictions.json`, the band's coverage measured;
 *     seed and hyperparameter runs predicted by the fold that held out their base, never trained on;
 *   - the seed-noise ceiling of curve R^2 beside every trajectory score (analysis/seed-ceiling): how well a seed's
 *     curves are predicted by the other seeds of the same architecture, the best any predictor from architecture
 *     can be expected to do;
 *   - the paper's Table 3 protocol (80/20 split over layers) and the grouped nested protocol beside it,
 *     `predict/table3.json` and `predict/table3.txt`; SHAP values and partial dependence of the K model.
 */
import * as path from "node:path";
import { readSuiteManifest } from "../io/suite-manifest";
import { seedNoiseCeiling } from "../analysis/index";
import { formatTable3, type NestedCurveResult, type OuterFolds, type ProtocolResult } from "../predict/index";
import { writeFileAtomic } from "../util/atomic-write";
import { startWorkerPool } from "../util/worker-call";
import { nestedCurvesJob, table3Job, type NestedCurvesJobOptions, type Table3JobResult, type Table3PartResult } from "./prediction-jobs";

export interface PredictionStudyOptions {
  seed?: number;
  /** Outer folds of the nested evaluation: "lomo" or k grouped folds. Default 5 (time; "lomo" is about 8x longer). */
  outerFolds?: OuterFolds;
  /** Run the nested evaluation and the parts of Table 3 on two worker threads at once. Default true. */
  workers?: boolean;
  log?: (line: string) => void;
}

export interface SeedCeilingSummary {
  meanCurveR2: number;
  runs: number;
  perRun: { run: string; base: string; meanCurveR2: number }[];
}

export interface PredictionStudySummary {
  /** How the headline was computed, in words (outer and inner folds, candidates). */
  scheme: string;
  /** Held-out model -> layer-mean curve R^2 of its nested held-out prediction (the shipped predictor). */
  nestedCurveR2: Record<string, number>;
  /** The headline: mean over the architecture models of nestedCurveR2. */
  meanNestedCurveR2: number;
  medianNestedCurveR2: number;
  meanNestedPooledR2: number;
  /** The plain baseline on the same outer folds. */
  baselineCurveR2: Record<string, number>;
  meanBaselineCurveR2: number;
  /** Observed held-out points inside their predicted band, and the level aimed at. */
  bandCoverage: number;
  bandLevel: number;
  /** The seed-noise ceiling, when the suite has seed runs. */
  seedCeiling?: SeedCeilingSummary;
  /** Seed / hyperparameter runs predicted by the fold that held out their base: curve R^2 and band coverage. */
  variants: { model: string; group: string; curveR2: number; bandCoverage: number }[];
  table3: { paper: ProtocolResult; grouped: ProtocolResult };
  table3Text: string;
  curveText: string;
}

const json = (v: unknown): string => `${JSON.stringify(v, null, 1)}\n`;
const f3 = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? "-" : v.toFixed(3));

/** The per-model table of the nested scores with the baseline, the ceiling and the coverage under it. */
export function formatNestedCurveTable(r: NestedCurveResult, ceiling?: SeedCeilingSummary): string {
  const w = Math.max(14, ...r.models.map((m) => m.length), ...r.variants.map((v) => v.model.length + 2));
  const cov = (c: { inside: number; total: number }): string => `${((100 * c.inside) / c.total).toFixed(0)}%`;
  const lines = [
    `Curve R^2 of predicted ratio trajectories for held-out architectures (mean over a model's layers of each layer's R^2 over steps); ${r.scheme}`,
    `${"held-out model".padEnd(w)}  ${"ensemble".padStart(9)}  ${"baseline".padStart(9)}  ${"in band".padStart(8)}  chosen (components, alpha, tree depth, tree weight)`,
    ...r.heldOut.map((h) => `${h.model.padEnd(w)}  ${f3(h.score.layerMean).padStart(9)}  ${f3(h.baselineScore?.layerMean).padStart(9)}  ${cov(h.coverage).padStart(8)}  ` +
      `${h.selection.curveModel.components}, ${h.selection.curveModel.alpha}, ${h.selection.trees.maxDepth}, ${h.selection.treeWeight}`),
    `${"mean".padEnd(w)}  ${f3(r.meanLayerR2).padStart(9)}  ${f3(r.baselineMeanLayerR2).padStart(9)}  ${`${(100 * r.bandCoverage).toFixed(1)}%`.padStart(8)}  (band aimed at ${(100 * r.bandLevel).toFixed(0)}%)`,
    `${"median".padEnd(w)}  ${f3(r.medianLayerR2).padStart(9)}`,
    `${"mean pooled".padEnd(w)}  ${f3(r.meanPooledR2).padStart(9)}  ${f3(r.baselineMeanPooledR2).padStart(9)}`,
  ];
  if (ceiling) lines.push(`seed-noise ceiling: ${f3(ceiling.meanCurveR2)} (each seed run predicted by the mean of its architecture's other seeds, ${ceiling.runs} runs)`);
  if (r.variants.length) {
    lines.push("seed and hyperparameter runs, predicted by the fold that held out their base architecture (never trained on):");
    for (const v of r.variants) lines.push(`  ${v.model.padEnd(w - 2)}  ${f3(v.score.layerMean).padStart(9)}  ${f3(v.baselineScore?.layerMean).padStart(9)}  ${cov(v.coverage).padStart(8)}`);
  }
  return lines.join("\n");
}

export async function runPredictionStudy(resultsDir: string, options: PredictionStudyOptions = {}): Promise<PredictionStudySummary> {
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const jobOptions: NestedCurvesJobOptions = { seed: options.seed ?? 0, outerFolds: options.outerFolds ?? 5 };
  log(`[predict] nested ${jobOptions.outerFolds === "lomo" ? "leave-one-model-out" : `grouped ${jobOptions.outerFolds}-fold`} evaluation of the trajectory predictor and Table 3${options.workers === false ? "" : " (two worker threads)"}`);
  let nested: NestedCurveResult;
  let t3: Table3JobResult;
  if (options.workers === false) [nested, t3] = [await nestedCurvesJob(resultsDir, jobOptions), await table3Job(resultsDir, jobOptions)];
  else {
    // the nested evaluation first, then Table 3's parts, longest first, to whichever worker is free: both finish together
    const pool = startWorkerPool(path.join(__dirname, "prediction-jobs.ts"), 2);
    try {
      [nested, t3] = await Promise.all([
        pool.call<NestedCurveResult>("nestedCurvesJob", [resultsDir, jobOptions]),
        table3Job(resultsDir, jobOptions, (ds, o, part) => pool.call<Table3PartResult>("table3PartJob", [ds, o, part])),
      ]);
    } finally {
      await pool.close();
    }
  }

  let seedCeiling: SeedCeilingSummary | undefined;
  if (readSuiteManifest(resultsDir)?.models.some((m) => m.group === "seed")) {
    const c = seedNoiseCeiling(resultsDir);
    seedCeiling = { meanCurveR2: c.meanCurveR2, runs: c.perRun.length, perRun: c.perRun.map((r) => ({ run: r.run, base: r.base, meanCurveR2: r.meanCurveR2 })) };
  }

  for (const h of [...nested.heldOut, ...nested.variants]) {
    await writeFileAtomic(path.join(resultsDir, h.model, "predictions.json"), json({
      steps: h.steps,
      heldOut: true,
      method: `${nested.scheme}: EnsembleTrajectoryPredictor fitted without this model's architecture (outer fold ${h.fold + 1}); choices made by its inner CV`,
      group: h.group,
      trainedOn: h.trainedOn,
      selection: h.selection,
      curveR2: h.score,
      baselineCurveR2: h.baselineScore,
      bandLevel: nested.bandLevel,
      bandCoverage: h.coverage.inside / h.coverage.total,
      layers: h.prediction.ratio.map((r, layer) => ({ layer, ratio: r, lower: h.prediction.lower[layer], upper: h.prediction.upper[layer], baselineRatio: h.baseline?.[layer] })),
    }));
  }
  await writeFileAtomic(path.join(resultsDir, "predict", "nested_curves.json"), json({
    scheme: nested.scheme,
    meanLayerR2: nested.meanLayerR2,
    medianLayerR2: nested.medianLayerR2,
    meanPooledR2: nested.meanPooledR2,
    baselineMeanLayerR2: nested.baselineMeanLayerR2,
    bandLevel: nested.bandLevel,
    bandCoverage: nested.bandCoverage,
    seedCeiling,
    perModel: nested.heldOut.map((h) => ({ model: h.model, fold: h.fold, curveR2: h.score.layerMean, pooledR2: h.score.pooled, baselineCurveR2: h.baselineScore?.layerMean, coverage: h.coverage, selection: h.selection })),
    variants: nested.variants.map((h) => ({ model: h.model, group: h.group, curveR2: h.score.layerMean, baselineCurveR2: h.baselineScore?.layerMean, coverage: h.coverage })),
  }));
  const curveText = formatNestedCurveTable(nested, seedCeiling);
  await writeFileAtomic(path.join(resultsDir, "predict", "nested_curves.txt"), `${curveText}\n`);

  const table3Text = formatTable3(t3.paper, t3.grouped);
  await writeFileAtomic(path.join(resultsDir, "predict", "table3.json"), json({ paper: t3.paper, grouped: t3.grouped }));
  await writeFileAtomic(path.join(resultsDir, "predict", "table3.txt"), `${table3Text}\n`);
  await writeFileAtomic(path.join(resultsDir, "predict", "shap_K.json"), json(t3.shapK));
  await writeFileAtomic(path.join(resultsDir, "predict", "partial_dependence_K.json"), json(t3.partialDependenceK));

  const byModel = (pick: (h: NestedCurveResult["heldOut"][number]) => number | undefined): Record<string, number> =>
    Object.fromEntries(nested.heldOut.map((h) => [h.model, pick(h) ?? NaN]));
  return {
    scheme: nested.scheme,
    nestedCurveR2: byModel((h) => h.score.layerMean),
    meanNestedCurveR2: nested.meanLayerR2,
    medianNestedCurveR2: nested.medianLayerR2,
    meanNestedPooledR2: nested.meanPooledR2,
    baselineCurveR2: byModel((h) => h.baselineScore?.layerMean),
    meanBaselineCurveR2: nested.baselineMeanLayerR2 ?? NaN,
    bandCoverage: nested.bandCoverage,
    bandLevel: nested.bandLevel,
    ...(seedCeiling ? { seedCeiling } : {}),
    variants: nested.variants.map((v) => ({ model: v.model, group: v.group, curveR2: v.score.layerMean, bandCoverage: v.coverage.inside / v.coverage.total })),
    table3: { paper: t3.paper, grouped: t3.grouped },
    table3Text,
    curveText,
  };
}
