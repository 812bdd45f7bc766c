// Public API of the training stage; re-exported by src/index.ts.
export { TrainableParams, neoxParamSpecs, initialParams, hostParamsFromWeights, OUTPUT_PROJECTION, type ParamSpec, type ParamKind, type HostParams } from "./params";
export { causalLmLoss, lossAndGradients, embeddingLookup, layerNorm, positionTables, disposeTables, type PositionTables } from "./forward";
export { AdamW, ADAMW_DEFAULTS, clipByGlobalNorm, learningRateAt, type AdamWSettings, type ScheduleSettings } from "./optimizer";
