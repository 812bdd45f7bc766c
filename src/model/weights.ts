/**
 * Maps a GPT-NeoX state dict (Hugging Face names) onto the model's parameters, checking every shape.
 * Accepted: the `gpt_neox.` prefix of GPTNeoXForCausalLM or none (GPTNeoXModel); the output projection as
 * `embed_out.weight` (Pythia) or `lm_head.weight` (transformers 5), or the input embedding when
 * `tie_word_embeddings`. Extra tensors (Pythia's `attention.bias`, `attention.masked_bias`,
 * `attention.rotary_emb.inv_freq` buffers) are ignored: the rotary frequencies are computed from the config.
 */
import type { NeoXConfig } from "../io/config";
import { toFloat32, type HostTensor } from "../io/host-tensor";

/** One parameter as float32 values with its shape. Linear weights keep torch's [out, in] layout. */
export interface Param {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** A float16 or bfloat16 parameter kept as its raw bits, for uploads that widen on the GPU (../backend-webgpu-kernels.ts). */
export interface HalfParam {
  name: string;
  shape: number[];
  dtype: "float16" | "bfloat16";
  bits: Uint16Array;
}

/** A parameter as float32 values or as float16/bfloat16 bits. */
export type ParamSource = Param | HalfParam;

/** The parameter's float32 values (widened on the host when it holds half bits). */
export function paramValues(q: ParamSource): Float32Array {
  return "bits" in q ? toFloat32({ dtype: q.dtype, shape: q.shape, data: q.bits }, `weight '${q.name}'`) : q.data;
}

/** {@link LayerParams} whose parameters may hold half bits. */
export type LayerSources = { [K in keyof LayerParams]: LayerParams[K] extends Param ? ParamSource : ParamSource | undefined };

export interface LayerParams {
  ln1Weight: Param; ln1Bias: Param;
  /** [3 * hidden, hidden]: rows are per head [q(hs) | k(hs) | v(hs)]. */
  qkvWeight: Param; qkvBias?: Param;
  denseWeight: Param; denseBias?: Param;
  ln2Weight: Param; ln2Bias: Param;
  fc1Weight: Param; fc1Bias: Param;
  fc2Weight: Param; fc2Bias: Param;
}

export interface NeoXParams {
  embed: Param;
  layers: LayerParams[];
  lnfWeight: Param; lnfBias: Param;
  /** [vocab, hidden] */
  unembed: Param;
}

/** The HF tensor names (with `prefix`, e.g. `gpt_neox.`) and shapes a config requires, output projection excluded. */
export function expectedNeoXShapes(c: NeoXConfig, prefix = "gpt_neox."): Map<string, number[]> {
  const h = c.hiddenSize;
  const m = new Map<string, number[]>();
  m.set(`${prefix}embed_in.weight`, [c.vocabSize, h]);
  for (let i = 0; i < c.numLayers; i++) {
    const p = `${prefix}layers.${i}.`;
    m.set(`${p}input_layernorm.weight`, [h]); m.set(`${p}input_layernorm.bias`, [h]);
    m.set(`${p}attention.query_key_value.weight`, [3 * h, h]);
    if (c.attentionBias) m.set(`${p}attention.query_key_value.bias`, [3 * h]);
    m.set(`${p}attention.dense.weight`, [h, h]);
    if (c.attentionBias) m.set(`${p}attention.dense.bias`, [h]);
    m.set(`${p}post_attention_layernorm.weight`, [h]); m.set(`${p}post_attention_layernorm.bias`, [h]);
    m.set(`${p}mlp.dense_h_to_4h.weight`, [c.intermediateSize, h]); m.set(`${p}mlp.dense_h_to_4h.bias`, [c.intermediateSize]);
    m.set(`${p}mlp.dense_4h_to_h.weight`, [h, c.intermediateSize]); m.set(`${p}mlp.dense_4h_to_h.bias`, [h]);
  }
  m.set(`${prefix}final_layer_norm.weight`, [h]); m.set(`${prefix}final_layer_norm.bias`, [h]);
  return m;
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** How a state dict names the model: the `gpt_neox.` prefix or none, and the output projection's name if any. */
export interface NeoXLayout {
  prefix: string;
  outName?: string;
}

/**
 * Checks that every tensor the config requires exists with its shape, from names and shapes alone (no values
 * read); throws one line naming `source` and the missing or mis-shaped tensors.
 */
export function checkNeoXTensors(c: NeoXConfig, shapeOf: (name: string) => readonly number[] | undefined, source: string): NeoXLayout {
  const prefix = shapeOf("gpt_neox.embed_in.weight") || !shapeOf("embed_in.weight") ? "gpt_neox." : "";
  const expected = expectedNeoXShapes(c, prefix);
  const outName = ["embed_out.weight", "lm_head.weight"].find((n) => shapeOf(n));
  if (outName) expected.set(outName, [c.vocabSize, c.hiddenSize]);

  const missing = [...expected.keys()].filter((n) => !shapeOf(n));
  if (!outName && !c.tieWordEmbeddings) missing.push("embed_out.weight (or lm_head.weight)");
  if (missing.length) {
    throw new Error(`${source}: missing ${missing.length} weight(s): ${missing.slice(0, 6).join(", ")}${missing.length > 6 ? `, ... (${missing.length - 6} more)` : ""}`);
  }
  const bad: string[] = [];
  for (const [name, shape] of expected) {
    const s = shapeOf(name)!;
    if (!sameShape(s, shape)) bad.push(`'${name}' has shape [${s.join(", ")}], expected [${shape.join(", ")}]`);
  }
  if (bad.length) throw new Error(`${source}: mis-shaped weight(s): ${bad.slice(0, 4).join("; ")}${bad.length > 4 ? `; ... (${bad.length - 4} more)` : ""}`);
  return outName ? { prefix, outName } : { prefix };
}

/** The state-dict names of decoder layer `i`'s parameters (biases undefined when the config has none). */
export function neoXLayerNames(c: NeoXConfig, prefix: string, i: number): Record<keyof LayerParams, string | undefined> {
  const p = `${prefix}layers.${i}.`;
  return {
    ln1Weight: `${p}input_layernorm.weight`, ln1Bias: `${p}input_layernorm.bias`,
    qkvWeight: `${p}attention.query_key_value.weight`, qkvBias: c.attentionBias ? `${p}attention.query_key_value.bias` : undefined,
    denseWeight: `${p}attention.dense.weight`, denseBias: c.attentionBias ? `${p}attention.dense.bias` : undefined,
    ln2Weight: `${p}post_attention_layernorm.weight`, ln2Bias: `${p}post_attention_layernorm.bias`,
    fc1Weight: `${p}mlp.dense_h_to_4h.weight`, fc1Bias: `${p}mlp.dense_h_to_4h.bias`,
    fc2Weight: `${p}mlp.dense_4h_to_h.weight`, fc2Bias: `${p}mlp.dense_4h_to_h.bias`,
  };
}

/**
 * Decoder layer `i`'s parameters from `weights` (checked beforehand with {@link checkNeoXTensors}): float32, or
 * with `keepHalf` float16/bfloat16 tensors left as their bits ({@link HalfParam}).
 */
export function neoXLayerParams(c: NeoXConfig, prefix: string, i: number, weights: Map<string, HostTensor>, source: string): LayerParams;
export function neoXLayerParams(c: NeoXConfig, prefix: string, i: number, weights: Map<string, HostTensor>, source: string, keepHalf: boolean): LayerSources;
export function neoXLayerParams(c: NeoXConfig, prefix: string, i: number, weights: Map<string, HostTensor>, source: string, keepHalf = false): LayerSources {
  const out: Partial<Record<keyof LayerParams, ParamSource>> = {};
  for (const [key, name] of Object.entries(neoXLayerNames(c, prefix, i)) as [keyof LayerParams, string | undefined][]) {
    if (name === undefined) continue;
    const t = weights.get(name)!;
    out[key] = keepHalf && (t.dtype === "float16" || t.dtype === "bfloat16")
      ? { name, shape: t.shape, dtype: t.dtype, bits: t.data as Uint16Array }
      : toParam(name, t, source);
  }
  return out as LayerSources;
}

function toParam(name: string, t: HostTensor, source: string): Param {
  return { name, shape: t.shape, data: toFloat32(t, `${source}: weight '${name}'`) };
}

/**
 * Picks and checks every parameter; throws one line naming `source` and the missing or mis-shaped tensors.
 */
export function selectNeoXParams(c: NeoXConfig, weights: Map<string, HostTensor>, source: string): NeoXParams {
  const { prefix, outName } = checkNeoXTensors(c, (n) => weights.get(n)?.shape, source);
  const get = (name: string): Param => toParam(name, weights.get(name)!, source);
  const layers = Array.from({ length: c.numLayers }, (_, i) => neoXLayerParams(c, prefix, i, weights, source));
  const embed = get(`${prefix}embed_in.weight`);
  return {
    embed,
    layers,
    lnfWeight: get(`${prefix}final_layer_norm.weight`), lnfBias: get(`${prefix}final_layer_norm.bias`),
    unembed: outName ? get(outName) : embed,
  };
}
