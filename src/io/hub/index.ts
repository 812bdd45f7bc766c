// The Hugging Face hub client and cache (re-exported by src/io/index.ts).
export { HubClient, readIndexShards, type HubClientOptions, type HubTreeEntry, type HubRef, type HubSnapshot, type DownloadOptions, type DownloadFilesOptions, type WeightFileDigest } from "./client";
export { pickWeightFiles, readShardIndex, chooseWeightEntry, isWeightFileName, WEIGHT_INDEXES, WEIGHT_FILE_CANDIDATES, type ShardIndex } from "../weight-files";
export { hashFile } from "./hashing";
export { type DownloadProgress } from "./progress-text";
export { type HubFileMetadata } from "./transport";
export { HubCache } from "./cache";
export { HttpError } from "./http";
export { hubSettingsFromEnv, hfHome, parseRepo, repoFolderName, resolveUrl, repoLabel, type HubRepo, type HubSettings, type RepoType } from "./settings";
export { pullReleasedData, RELEASED_DATASET, PYTHIA_SIZES, type ReleasedData } from "./released";
export { auditRepo, readCachedAudit, auditCacheDir, scheduleOf, stepBranchSteps, gateStepsByAudit, AUDIT_MAX_AGE_MS, type AuditOptions, type AuditGate } from "./audit";
export { auditFindings, skipDecisions, summarizeFindings, AUDIT_FORMAT, type AuditReport, type AuditBranch, type AuditFile, type AuditFinding, type AuditFindingKind, type SkipDecision } from "./audit-findings";
export {
  recognizeSuiteModel, revisionOfStep, stepsAtCheckpointIndices, parseCheckpointIndexList, PYTHIA_CHECKPOINT_STEPS, PYTHIA_V0_CHECKPOINT_STEPS,
  PYTHIA_SUITE_SIZES, PYTHIA_DEDUPED_SIZES, POLYPYTHIAS_SIZES, POLYPYTHIAS_SEEDS, type SuiteModel, type SuiteFamily,
} from "./suites";
