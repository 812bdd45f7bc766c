// Public API of the io stage; re-exported by src/index.ts.
export * from "./exp2-stats";
export { parsePythonNumberList, type PyNested } from "./python-literal";
export * from "./host-tensor";
export { readAt, openForRead } from "./host-tensor-file";
export * from "./safetensors";
export * from "./config";
export { readCheckpoint, readWeights, detectWeights, isSkippedTensor, type Checkpoint, type WeightsFormat } from "./checkpoint";
export { readTorchCheckpoint, openTorchCheckpoint, parseStateDictPickle, TORCH_STORAGE_DTYPES } from "./torch-zip";
export { openCheckpoint, type OpenCheckpoint } from "./open-checkpoint";
export { unpickle, PickleGlobal, type PickleCallable, type PickleOptions } from "./pickle";
export { readZipDirectory, readZipEntry, entryDataOffset, type ZipEntry } from "./zip";
export { writeTfjsWeights, readTfjsWeights, TFJS_MANIFEST, DEFAULT_SHARD_BYTES, type WriteTfjsOptions } from "./tfjs-weights";
export * from "./hub/index";
export { loadTokenizer, ByteTokenizer, type Tokenizer } from "./tokenizer";
export { readFitParams, parseFitParams, writeFitParams, fitParamsEntry, fitParamsFileName, fitParamsToEq9, parsePythonJson, type FitParamsEntry, type FitParamsOriginal } from "./fit-params";
export * from "./suite-manifest";
