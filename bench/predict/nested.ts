/**
 * The nested cross-validated score of the shipped trajectory predictor on a suite's architecture runs, with the
 * plain baseline on the same folds, the band coverage and the seed-noise ceiling, and the CPU time it took.
 *   npx tsx bench/predict/nested.ts [--suite data/mini-pythia] [--outer 5|lomo] [--seed 0]
 * The main job runs the same computation with grouped 5-fold outer folds; leave-one-model-out (--outer lomo) is the
 * stricter and about 8x longer variant quoted beside it in docs/predict.md.
 */
import { parseArgs } from "node:util";
import { loadTrainingModels, nestedCurveEvaluation, seedNoiseCeiling, readSuiteManifest } from "../../src/index";
import { formatNestedCurveTable } from "../../src/pipeline/prediction-study";

const { values } = parseArgs({ options: { suite: { type: "string", default: "data/mini-pythia" }, outer: { type: "string", default: "5" }, seed: { type: "string", default: "0" } } });
const outer = values.outer === "lomo" ? "lomo" : Number(values.outer);
const runs = loadTrainingModels([values.suite!], { runs: "all", onWarning: () => {} });
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const r = nestedCurveEvaluation(runs, { outerFolds: outer, seed: Number(values.seed), onProgress: (m) => process.stderr.write(`${m}\n`) });
const cpu = process.cpuUsage(cpu0);
const hasSeeds = readSuiteManifest(values.suite!)?.models.some((m) => m.group === "seed");
const c = hasSeeds ? seedNoiseCeiling(values.suite!) : undefined;
console.log(`date ${new Date().toISOString().slice(0, 10)}, node ${process.version}, suite ${values.suite}, seed ${values.seed}`);
console.log(formatNestedCurveTable(r, c && { meanCurveR2: c.meanCurveR2, runs: c.perRun.length, perRun: [] }));
console.log(`CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, wall ${((performance.now() - t0) / 1000).toFixed(1)} s (one thread)`);
