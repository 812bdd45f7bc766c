/**
 * The main job (README command 1): the whole analysis of the paper on a suite of models, by default the embedded
 * mini-pythia suite, offline.
 *   1. record the bundled checkpoints with our GPT-NeoX and check them against the suite's shipped statistics;
 *   2. copy every model's statistics and config into `<out>/<model>/` (the released dataset's layout);
 *   3. fit Eq. 9 to every model, layer and series (ratio, top1, median) with the robust fit, the paper's procedure
 *      alongside, and write `params/layer_fit_params_<series>.json` (./dynamics-jobs, two worker threads);
 *   4. compare the dynamics hypotheses (Table 5) on the architecture runs;
 *   5. predict the architecture runs' trajectories from architecture alone under nested cross-validation grouped by
 *      model, with 80% bands, the seed-noise ceiling beside the score, the paper's Table 3 protocol and the grouped
 *      one, and SHAP / partial dependence for K (./prediction-study);
 *   6. export the figures and write one self-contained HTML report;
 *   7. print a summary table with the paper's Table 1 beside it for scale.
 * Every stage's output lands on disk before the next starts; a rerun resumes recording where it stopped, and reuses
 * saved fits and predictions while their inputs, options and the code are unchanged (util/result-cache).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { initBackend } from "../backend";
import { readExp2Series, readExp2Stats, exp2FileName, layerSeries, type Exp2Series } from "../io/exp2-stats";
import { formatHypothesisTable, HYPOTHESES } from "../dynamics/index";
import { readEvalSequences, recordRun, listLocalCheckpoints, projectVersion } from "../record/index";
import { writeFileAtomic } from "../util/atomic-write";
import { startWorkerPool } from "../util/worker-call";
import { modelDynamicsJob, meanFitR2, type DynamicsItem, type ModelDynamics } from "./dynamics-jobs";
import { readSuite, maxRelativeError, type SuiteModel } from "./suite";
import { runPredictionStudy, type PredictionStudySummary } from "./prediction-study";
import type { OuterFolds } from "../predict/index";
import { exportRunFigures, writeRunReport } from "./figures-and-report";
import { paperTable1, formatSummaryTable, formatPredictionHeadline, type ModelSummary } from "./summary";
import type { RecordCheck } from "./record-check";

export type SeriesName = "ratio" | "top1" | "median";

export interface MainJobOptions {
  /** Suite folder (default `data/mini-pythia`). */
  suite?: string;
  /** Results folder (default `results`). */
  out?: string;
  /** Series to fit (default all three). */
  series?: SeriesName[];
  /** Figure formats (default png, svg, pdf); empty for none. */
  formats?: ("png" | "svg" | "pdf")[];
  /** Seed of the robust fits and the predictors (default 0). */
  seed?: number;
  /** Worker threads for recording (default: chosen by the record stage). */
  workers?: number;
  /** Models with their own per-model figure files: "default" (smallest, a middle and the largest), "all", or names. */
  perModel?: "default" | "all" | string[];
  /** Outer folds of the nested evaluation of the trajectory predictor: "lomo" or k (default 5). */
  outerFolds?: OuterFolds;
  /** Skip stages (e.g. "record", "predict", "figures"). */
  skip?: ("record" | "hypotheses" | "predict" | "figures" | "report")[];
  log?: (line: string) => void;
}

export type { RecordCheck } from "./record-check";

export interface MainJobSummary {
  out: string;
  models: ModelSummary[];
  recordChecks: RecordCheck[];
  prediction?: PredictionStudySummary;
  figures: string[];
  report?: string;
  seconds: Record<string, number>;
}

/**
 * Records the suite's bundled checkpoints (all, or `options.steps`) into `<out>/<model>/recorded/` and compares with
 * the shipped stats.
 */
export async function recordAndCheck(model: SuiteModel, evalFile: string, out: string, options: { workers?: number; steps?: number[]; log: (l: string) => void }): Promise<RecordCheck> {
  const t0 = performance.now();
  const recordedDir = path.join(out, model.name, "recorded");
  const checkpoints = listLocalCheckpoints(model.checkpointsDir!, options.steps);
  const summary = await recordRun({
    out: recordedDir,
    model: { kind: "local", id: model.checkpointsDir! },
    checkpoints,
    evalSet: readEvalSequences(evalFile),
    name: model.name,
    workers: options.workers,
    log: options.log,
  });
  if (summary.failed.length) throw new Error(`recording ${model.name} failed at step ${summary.failed[0]!.step}: ${summary.failed[0]!.message}`);
  let vsStats = 0;
  let vsReference: number | undefined;
  const referenceDir = path.join(model.checkpointsDir!, "reference_stats");
  for (const c of checkpoints) {
    const ours = readExp2Stats(path.join(recordedDir, exp2FileName(model.name, c.step))).values;
    vsStats = Math.max(vsStats, maxRelativeError(ours, readExp2Stats(path.join(model.statsDir, exp2FileName(model.name, c.step))).values));
    const ref = path.join(referenceDir, exp2FileName(model.name, c.step));
    if (fs.existsSync(ref)) vsReference = Math.max(vsReference ?? 0, maxRelativeError(ours, readExp2Stats(ref).values));
  }
  return {
    model: model.name,
    steps: checkpoints.map((c) => c.step),
    maxRelErrorVsSuiteStats: vsStats,
    ...(vsReference !== undefined ? { maxRelErrorVsReference: vsReference } : {}),
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Copies a model's stats (and config) into `<out>/<name>/` unless identical files are there already. */
export function copyModelInputs(model: SuiteModel, out: string): string {
  const dest = path.join(out, model.name);
  fs.mkdirSync(path.join(dest, "stats"), { recursive: true });
  for (const f of fs.readdirSync(model.statsDir)) {
    fs.copyFileSync(path.join(model.statsDir, f), path.join(dest, "stats", f));
  }
  if (model.configFile) fs.copyFileSync(model.configFile, path.join(dest, "config.json"));
  return dest;
}

/** Runs the main job; see the module comment. */
export async function runMainJob(options: MainJobOptions = {}): Promise<MainJobSummary> {
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const suite = readSuite(options.suite ?? "data/mini-pythia");
  const out = path.resolve(options.out ?? "results");
  const which = options.series ?? ["ratio", "top1", "median"];
  const seed = options.seed ?? 0;
  const skip = new Set(options.skip ?? []);
  const seconds: Record<string, number> = {};
  const timed = async <T>(stage: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    log(`[main] ${stage} ...`);
    try {
      return await fn();
    } finally {
      seconds[stage] = (performance.now() - t0) / 1000;
      // CPU time of the whole process, worker threads included: the figure that does not depend on the machine's load
      const cpu = process.cpuUsage(cpu0);
      log(`[main] ${stage} done in ${seconds[stage]!.toFixed(1)} s (${((cpu.user + cpu.system) / 1e6).toFixed(1)} CPU-s)`);
    }
  };
  fs.mkdirSync(out, { recursive: true });
  log(`[main] suite ${suite.dir}: ${suite.models.length} models; results in ${out}`);

  // 1. record the bundled checkpoints and check them
  const recordChecks: RecordCheck[] = [];
  const backend = skip.has("record") ? undefined : await initBackend();
  if (!skip.has("record") && suite.evalFile) {
    await timed("record", async () => {
      for (const m of suite.models.filter((x) => x.checkpointsDir)) {
        recordChecks.push(await recordAndCheck(m, suite.evalFile!, out, { workers: options.workers, log }));
      }
    });
  }

  // 2. inputs in the released layout
  const modelDirs = suite.models.map((m) => copyModelInputs(m, out));
  if (suite.evalFile) fs.copyFileSync(suite.evalFile, path.join(out, "eval_sequences.json"));
  // the groups travel with the results: predictors read them there (seed and recipe variants are not architectures)
  if (suite.manifest) fs.copyFileSync(suite.manifest.file, path.join(out, "suite.json"));
  else fs.rmSync(path.join(out, "suite.json"), { force: true });

  // 3 and 4. Eq. 9 fits of every series; Table 5's rival hypotheses on the architecture runs' ratio series.
  // Models are dealt one by one to two worker threads (the fits are single-threaded); each model's result is saved and reused
  // while its statistics, the options and the code are unchanged.
  const series = suite.models.map((m) => readExp2Series(m.statsDir, { name: m.name }));
  let dynamics: ModelDynamics[] = [];
  await timed("fit", async () => {
    const items: DynamicsItem[] = suite.models.map((m, i) => ({ name: m.name, statsDir: m.statsDir, modelDir: modelDirs[i]!, hypotheses: !skip.has("hypotheses") && m.group === "architecture" }));
    let parts: ModelDynamics[][];
    if (options.workers === 0 || items.length < 2) parts = [await modelDynamicsJob(items, which, seed)];
    else {
      // one model per call to whichever worker is free, so both finish together
      const pool = startWorkerPool(path.join(__dirname, "dynamics-jobs.ts"), 2);
      try {
        parts = await Promise.all(items.map((item) => pool.call<ModelDynamics[]>("modelDynamicsJob", [[item], which, seed])));
      } finally {
        await pool.close();
      }
    }
    const byName = new Map(parts.flat().map((d) => [d.name, d]));
    dynamics = suite.models.map((m) => byName.get(m.name)!);
  });
  const withHypotheses = dynamics.filter((d) => d.hypotheses);
  if (withHypotheses.length) {
    const rows = withHypotheses.flatMap((d) => d.hypotheses!.map((h) => ({ ...h, name: d.name, meanR2: h.meanR2 ?? NaN, meanAic: h.meanAic ?? NaN, fits: [] })));
    const pick = (h: string, key: "meanR2" | "meanAic"): (number | null)[] => withHypotheses.map((d) => d.hypotheses!.find((r) => r.hypothesis === h)?.[key] ?? null);
    await writeFileAtomic(path.join(out, "hypotheses.json"), `${JSON.stringify({
      metric: "mean R² over layers (ratio series, robust fits; architecture runs)",
      models: withHypotheses.map((d) => d.name),
      hypotheses: HYPOTHESES.map((h) => ({ name: h, values: pick(h, "meanR2"), aic: pick(h, "meanAic") })),
    }, null, 1)}\n`);
    await writeFileAtomic(path.join(out, "hypotheses.txt"), `${formatHypothesisTable(rows)}\n`);
  }

  // 5. predictions
  let prediction: PredictionStudySummary | undefined;
  const withoutConfig = suite.models.filter((m) => !m.configFile).map((m) => m.name);
  if (!skip.has("predict") && withoutConfig.length) {
    log(`[main] predict skipped: no config.json for ${withoutConfig.join(", ")} (the architecture is the predictors' input)`);
  } else if (!skip.has("predict") && suite.models.length >= 3) {
    prediction = await timed("predict", () => runPredictionStudy(out, { seed, log, outerFolds: options.outerFolds }));
  }

  const models: ModelSummary[] = suite.models.map((m, i) => {
    const ratio = dynamics[i]!.fits.ratio;
    const finalRatio = layerSeries(series[i]!, "ratio").map((v) => v[v.length - 1]!);
    return {
      name: m.name,
      layers: series[i]!.numLayers,
      steps: series[i]!.steps.length,
      finalRatioMax: Math.max(...finalRatio),
      meanR2Robust: meanFitR2(ratio, false),
      meanR2Paper: meanFitR2(ratio, true),
      failedFits: (ratio ?? []).filter((x) => x.failed).length,
      group: m.group,
      nestedCurveR2: prediction?.nestedCurveR2[m.name] ?? prediction?.variants.find((v) => v.model === m.name)?.curveR2,
      baselineCurveR2: prediction?.baselineCurveR2[m.name],
    };
  });

  const headline = prediction && {
    scheme: prediction.scheme,
    models: Object.keys(prediction.nestedCurveR2).length,
    meanNestedCurveR2: prediction.meanNestedCurveR2,
    medianNestedCurveR2: prediction.medianNestedCurveR2,
    meanBaselineCurveR2: prediction.meanBaselineCurveR2,
    bandCoverage: prediction.bandCoverage,
    bandLevel: prediction.bandLevel,
    ...(prediction.seedCeiling ? { seedCeiling: prediction.seedCeiling } : {}),
  };
  // provenance before figures/report so the report shows it
  const provenance = {
    project: projectVersion(),
    date: new Date().toISOString(),
    node: process.version,
    backend: backend?.name ?? "not used",
    // models, steps and the evaluation set are read from the results folder itself by the report (loadRunResults)
    suite: path.relative(process.cwd(), suite.dir) || suite.dir,
    fitted: `Eq. 9, robust multi-start fit (paper procedure alongside), series ${which.join(", ")}, seed ${seed}`,
    recorded: recordChecks.map((c) => `${c.model}: ${c.steps.length} checkpoints, max rel. error ${c.maxRelErrorVsSuiteStats.toExponential(2)} vs shipped stats`).join("; ") || "none",
    ...(headline ? { predicted: formatPredictionHeadline(headline) } : {}),
  };
  await writeFileAtomic(path.join(out, "provenance.json"), `${JSON.stringify(provenance, null, 1)}\n`);

  let figures: string[] = [];
  if (!skip.has("figures") && (options.formats ?? ["png", "svg", "pdf"]).length) {
    figures = await timed("figures", () => exportRunFigures(out, path.join(out, "figures"), options.formats ?? ["png", "svg", "pdf"], log, options.perModel));
  }
  let report: string | undefined;
  if (!skip.has("report")) report = await timed("report", () => writeRunReport(out, path.join(out, "report.html"), options.perModel, log));

  const summary: MainJobSummary = { out, models, recordChecks, prediction, figures, report, seconds };
  await writeFileAtomic(path.join(out, "summary.json"), `${JSON.stringify(summary, null, 1)}\n`);
  process.stdout.write(`${formatSummaryTable(models, recordChecks, paperTable1(), headline)}\n`);
  return summary;
}
