// Public API of the training stage; re-exported by src/index.ts.
export { TrainableParams, neoxParamSpecs, initialParams, hostParamsFromWeights, OUTPUT_PROJECTION, type ParamSpec, type ParamKind, type HostParams } from "./params";
export { causalLmLoss, lossAndGradients, defaultMicroBatch, positionTables, disposeTables, type PositionTables } from "./forward";
export { AdamW, ADAMW_DEFAULTS, clipByGlobalNorm, learningRateAt, type AdamWSettings, type ScheduleSettings } from "./optimizer";
export { miniPythiaCorpus, heldOutSequences, heldOutStart, textFileCorpus, readBatchesFile, BatchSampler, MINI_PYTHIA_CORPUS_BYTES, HELD_OUT_FRACTION, type Corpus } from "./data";
export { MINI_PYTHIA_RECIPE, defaultSaveSteps, streamSeeds, type TrainRecipe } from "./recipe";
export { saveCheckpoint, loadCheckpoint, resumableSteps, stepDir, TRAINER_STATE, type TrainLogEntry, type TrainerState } from "./checkpoint";
export { trainRun, resolveRecipe, readInitWeights, type TrainOptions, type TrainResult, type TrainData } from "./run";
export { embeddingLookup, matMul, linear, transposeLast2 } from "./ops";
export { registerGradients } from "./gradients";
export { layerNorm, layerNormComposite, causalSoftmax, mlpActivation, trainKernelsActive } from "./fused-ops";
