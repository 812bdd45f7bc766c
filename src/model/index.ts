// Public API of the model stage; re-exported by src/index.ts.
export { GPTNeoX, hookNames, HOOK_NAMES, activation, type RunOptions, type AttentionImpl, type GPTNeoXOptions, type DecoderLayerWeights } from "./gpt-neox";
export { rotaryInvFreq, rotaryTables, headRotaryTables, causalMask, CAUSAL_MASK_VALUE } from "./rotary";
export { selectNeoXParams, expectedNeoXShapes, checkNeoXTensors, neoXLayerNames, neoXLayerParams, type NeoXParams, type LayerParams, type Param, type NeoXLayout } from "./weights";
export { readCheckpoint, type Checkpoint } from "../io/checkpoint";
export { readNeoXConfig, parseNeoXConfig, type NeoXConfig } from "../io/config";
export type { HostTensor, HostDType } from "../io/host-tensor";
export { convertCheckpoint, type ConvertResult } from "./convert";
export { loadTokenizer, ByteTokenizer, type Tokenizer } from "../io/tokenizer";
