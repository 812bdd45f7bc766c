/**
 * CPU-seconds of the prediction stage's parts, each run in this process on one thread (no result cache):
 * `npx tsx bench/pipeline/predict-parts.ts <results-folder> [part ...]` with parts paper, grouped, interpret, nested.
 * The results folder is one that `massive main` wrote (fits in <model>/params/).
 */
import {
  buildParamDataset, fitParamSamples, interpretParamModel, leaveOneModelOutProtocol, loadTrainingModels, nestedCurveEvaluation, paperProtocol,
} from "../../src/predict/index";

const [dir, ...wanted] = process.argv.slice(2);
if (!dir) throw new Error("usage: predict-parts.ts <results-folder> [paper|grouped|interpret|nested ...]");
const parts = wanted.length ? wanted : ["paper", "grouped", "interpret", "nested"];
const cpu = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const timed = <T>(label: string, fn: () => T): T => {
  const [c0, t0] = [cpu(), performance.now()];
  const v = fn();
  process.stdout.write(`${label.padEnd(12)} ${(cpu() - c0).toFixed(2).padStart(7)} CPU-s ${((performance.now() - t0) / 1000).toFixed(2).padStart(7)} s\n`);
  return v;
};
const models = timed("load", () => loadTrainingModels([dir], { onWarning: () => {} }));
const ds = timed("dataset", () => buildParamDataset(models, fitParamSamples(models, { seed: 0 })));
const results: Record<string, unknown> = {};
if (parts.includes("paper")) results.paper = timed("paper", () => paperProtocol(ds, { seed: 0 }));
if (parts.includes("grouped")) results.grouped = timed("grouped", () => leaveOneModelOutProtocol(ds, { seed: 0, outerFolds: 5 }));
if (parts.includes("interpret")) results.interpret = timed("interpret", () => interpretParamModel(ds, "K", "xgboost", { seed: 0 }));
if (parts.includes("nested")) {
  const runs = timed("load all", () => loadTrainingModels([dir], { runs: "all", onWarning: () => {} }));
  results.nested = timed("nested", () => nestedCurveEvaluation(runs, { seed: 0, outerFolds: 5 }));
}
if (process.env.BENCH_JSON) require("node:fs").writeFileSync(process.env.BENCH_JSON, JSON.stringify(results));
