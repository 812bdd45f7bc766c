/**
 * GPT-NeoX `config.json` in both spellings: Pythia's legacy keys (`rotary_pct`, `rotary_emb_base`) and current
 * transformers' (`rope_parameters: {partial_rotary_factor, rope_theta, rope_type}`, or top-level
 * `partial_rotary_factor` / `rope_theta`). Only the plain ("default") rotary embedding is supported.
 */
import { describeValue } from "../util/one-line";
import { readJsonFile } from "../util/read-text";

export interface NeoXConfig {
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  vocabSize: number;
  maxPositionEmbeddings: number;
  /** Fraction of each head's dimensions that get the rotary embedding (Pythia: 0.25). */
  rotaryPct: number;
  /** Rotary base theta (Pythia: 10000). */
  rotaryBase: number;
  layerNormEps: number;
  /** Pythia: true (x + attn(ln1(x)) + mlp(ln2(x))). */
  useParallelResidual: boolean;
  /** `gelu` (exact, erf), `gelu_new` / `gelu_fast` / `gelu_pytorch_tanh` (tanh approximation), `relu`, `silu`. */
  hiddenAct: string;
  tieWordEmbeddings: boolean;
  /** query_key_value and attention.dense carry biases (transformers' `attention_bias`, default true). */
  attentionBias: boolean;
  /** The parsed JSON as it was. */
  raw: Record<string, unknown>;
}

export const SUPPORTED_ACTIVATIONS = ["gelu", "gelu_new", "gelu_fast", "gelu_pytorch_tanh", "relu", "silu"] as const;

/** Dimensions per head. */
export function headSize(c: NeoXConfig): number {
  return c.hiddenSize / c.numHeads;
}

/** Rotary dimensions per head, as transformers computes them: int(head_size * rotary_pct). */
export function rotaryDims(c: NeoXConfig): number {
  return Math.floor(headSize(c) * c.rotaryPct);
}

/** Parses a config object; `file` names the source in errors. */
export function parseNeoXConfig(json: unknown, file: string): NeoXConfig {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error(`${file}: config is not a JSON object`);
  const raw = json as Record<string, unknown>;
  const modelType = raw.model_type;
  if (modelType !== undefined && modelType !== "gpt_neox") throw new Error(`${file}: model_type is '${describeValue(modelType)}', expected 'gpt_neox'`);

  const int = (key: string, fallback?: number): number => {
    const v = raw[key] ?? fallback;
    if (v === undefined) throw new Error(`${file}: missing '${key}'`);
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0) throw new Error(`${file}: '${key}' must be a positive integer, got ${JSON.stringify(v)}`);
    return v;
  };
  const num = (key: string, v: unknown): number => {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${file}: '${key}' must be a number, got ${JSON.stringify(v)}`);
    return v;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = raw[key] ?? fallback;
    if (typeof v !== "boolean") throw new Error(`${file}: '${key}' must be true or false, got ${JSON.stringify(v)}`);
    return v;
  };

  const rope = (raw.rope_parameters ?? raw.rope_scaling ?? null) as Record<string, unknown> | null;
  if (rope !== null && (typeof rope !== "object" || Array.isArray(rope))) throw new Error(`${file}: 'rope_parameters' must be an object`);
  const ropeType = rope?.rope_type ?? rope?.type ?? "default";
  if (ropeType !== "default") throw new Error(`${file}: rope type '${describeValue(ropeType)}' is not supported (only 'default')`);

  const pctRaw = rope?.partial_rotary_factor ?? raw.partial_rotary_factor ?? raw.rotary_pct;
  if (pctRaw === undefined) throw new Error(`${file}: missing the rotary fraction ('rotary_pct' or 'rope_parameters.partial_rotary_factor')`);
  const rotaryPct = num("rotary_pct", pctRaw);
  if (rotaryPct <= 0 || rotaryPct > 1) throw new Error(`${file}: rotary fraction must be in (0, 1], got ${rotaryPct}`);
  const rotaryBase = num("rotary_emb_base", rope?.rope_theta ?? raw.rope_theta ?? raw.rotary_emb_base ?? 10000);
  if (rotaryBase <= 0) throw new Error(`${file}: rotary base must be positive, got ${rotaryBase}`);

  const hiddenAct = String(raw.hidden_act ?? "gelu");
  if (!(SUPPORTED_ACTIVATIONS as readonly string[]).includes(hiddenAct)) {
    throw new Error(`${file}: hidden_act '${describeValue(raw.hidden_act)}' is not supported (supported: ${SUPPORTED_ACTIVATIONS.join(", ")})`);
  }
  const config: NeoXConfig = {
    hiddenSize: int("hidden_size"),
    numLayers: int("num_hidden_layers"),
    numHeads: int("num_attention_heads"),
    intermediateSize: int("intermediate_size"),
    vocabSize: int("vocab_size"),
    maxPositionEmbeddings: int("max_position_embeddings", 2048),
    rotaryPct,
    rotaryBase,
    layerNormEps: num("layer_norm_eps", raw.layer_norm_eps ?? 1e-5),
    useParallelResidual: bool("use_parallel_residual", true),
    hiddenAct,
    tieWordEmbeddings: bool("tie_word_embeddings", false),
    attentionBias: bool("attention_bias", true),
    raw,
  };
  if (config.hiddenSize % config.numHeads !== 0) {
    throw new Error(`${file}: hidden_size ${config.hiddenSize} is not divisible by num_attention_heads ${config.numHeads}`);
  }
  const rd = rotaryDims(config);
  if (rd % 2 !== 0 || rd === 0) throw new Error(`${file}: rotary dimensions per head int(${headSize(config)} * ${rotaryPct}) = ${rd} must be even and positive`);
  return config;
}

/** Reads and parses `config.json`; one-line errors name the file. */
export function readNeoXConfig(file: string): NeoXConfig {
  return parseNeoXConfig(readJsonFile(file), file);
}
