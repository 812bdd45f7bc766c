// Public API of the record stage; re-exported by src/index.ts.
export { MT19937, LegacyRandomState, randomInterval } from "./numpy-random";
export { readEvalSequences, validateSequences, evalSetSha256, chunkTokens, encodePrefix, sequencesFromText, sequencesFromTextFile, UTF8_BYTES_TOKENIZER, type EvalSet, type TextTokenizer } from "./eval-sequences";
export { redPajamaEvalSet, drawRedPajamaDocuments, jsonlRowOffsets, REDPAJAMA_SAMPLE_FILES, REDPAJAMA_SAMPLE_REPO, type RedPajamaOptions } from "./redpajama";
export { selectKth, absStats, lowerMedianIndex, type AbsStats } from "./select";
export { recordCheckpointStats, deviceStats, resolveMedianMethod, planRecording, DEVICE_MEDIAN_MIN_VALUES, type RecordableModel, type RecordStatsOptions, type MedianMethod } from "./stats";
export { recordRun, listLocalCheckpoints, hubCheckpoints, hubSteps, defaultRunName, type CheckpointRef, type RecordRunOptions, type RecordRunSummary } from "./run";
export { recordStreaming, planStreaming, gatherEmbeddingRows, type StreamPlan, type StreamRecordOptions } from "./stream";
export { STREAM_ACTIVATION_BYTES, streamBytesPerSequence, streamChunkSequences } from "./stream-budget";
export { InProcessEngine, WorkerEngine, type RecordEngine, type RecordResult, type EngineOptions } from "./engine";
export { rebuildManifest, readCheckpointRecord, writeCheckpointRecord, arithmeticFields, arithmeticLabel, removeStaleTempFiles, projectVersion, MANIFEST_FILE, RECORDS_DIR, type RunManifest, type CheckpointRecord, type ModelSource, type EvalInfo } from "./manifest";
