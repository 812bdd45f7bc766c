/**
 * The public API of the project: notebooks (`import * as massive from "./src/index"`), the CLI and users' scripts
 * use only what is exported here. One re-export per stage of the data's journey:
 * io -> model -> record -> dynamics -> predict -> plots.
 */
export { initBackend, tf, BACKEND_ORDER, type BackendInfo, type BackendName } from "./backend";
export { writeFileAtomic, writeFileAtomicWith, writeFileAtomicSync } from "./util/atomic-write";
export { startProgress, type Progress } from "./util/progress";
export * from "./io/index";
export * from "./model/index";
export * from "./record/index";
export * from "./train/index";
export * from "./dynamics/index";
export * from "./predict/index";
export * from "./analysis/index";
export * from "./plots/index";
export * from "./sweep/index";
export { runMainJob, recordAndCheck, type MainJobOptions, type MainJobSummary, type RecordCheck } from "./pipeline/main-job";
export { readSuite, maxRelativeError, type Suite, type SuiteModel } from "./pipeline/suite";
export { runPredictionStudy, type PredictionStudySummary } from "./pipeline/prediction-study";
export { runReportHtml, seedsAndControlsOf } from "./pipeline/figures-and-report";
