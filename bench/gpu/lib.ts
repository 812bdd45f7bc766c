/**
 * Shared by the GPU benches: Pythia shapes, random GPT-NeoX weights in Hugging Face naming (host memory), the
 * backend set-up, timing helpers and a JSON result file under bench/out/ (or $OUT on the device machine).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { initBackend, tf, type BackendInfo } from "../../src/backend";
import { rotarySplit } from "../../src/backend-webgpu-attention";
import { parseNeoXConfig, rotaryDims, type NeoXConfig } from "../../src/io/config";
import { rotaryTables } from "../../src/model/rotary";
import type { HostTensor } from "../../src/io/host-tensor";

/**
 * Pythia shapes (hidden, layers, heads; intermediate 4 x hidden); all: rotary_pct 0.25, parallel residual, gelu,
 * vocab 50304 unless given (the larger models' vocabularies are padded further for model parallelism).
 */
export const PYTHIA_SHAPES: Record<string, { hidden: number; layers: number; heads: number; vocab?: number }> = {
  "70m": { hidden: 512, layers: 6, heads: 8 },
  "160m": { hidden: 768, layers: 12, heads: 12 },
  "410m": { hidden: 1024, layers: 24, heads: 16 },
  "1b": { hidden: 2048, layers: 16, heads: 8 },
  "6.9b": { hidden: 4096, layers: 32, heads: 32, vocab: 50432 },
  "12b": { hidden: 5120, layers: 36, heads: 40, vocab: 50688 },
};

/** `shape` is a name of PYTHIA_SHAPES, or `<name>-L<layers>` for that shape cut to fewer layers (e.g. 12b-L8). */
export function pythiaConfigJson(shape: string): Record<string, unknown> {
  const cut = /^(.+)-L(\d+)$/.exec(shape);
  const s = PYTHIA_SHAPES[cut ? cut[1]! : shape];
  if (!s) throw new Error(`unknown Pythia shape '${shape}' (known: ${Object.keys(PYTHIA_SHAPES).join(", ")}, or <shape>-L<layers>)`);
  const layers = cut ? Number(cut[2]) : s.layers;
  return {
    model_type: "gpt_neox", architectures: ["GPTNeoXForCausalLM"], hidden_size: s.hidden, num_hidden_layers: layers,
    num_attention_heads: s.heads, intermediate_size: 4 * s.hidden, vocab_size: s.vocab ?? 50304, max_position_embeddings: 2048,
    rotary_pct: 0.25, rotary_emb_base: 10000, layer_norm_eps: 1e-5, use_parallel_residual: true, hidden_act: "gelu",
    tie_word_embeddings: false, initializer_range: 0.02, torch_dtype: "float32",
  };
}

export function pythiaConfig(shape: string): NeoXConfig {
  return parseNeoXConfig(pythiaConfigJson(shape), `pythia-${shape}`);
}

/** A small fast generator (xorshift32) filling N(0, std)-ish values (sum of 2 uniforms: triangular, unit variance). */
export function fillRandom(a: Float32Array, seed: number, std: number, mean = 0): Float32Array {
  let x = (seed * 2654435761) >>> 0 || 1;
  const k = std * Math.sqrt(6) / 4294967296;
  for (let i = 0; i < a.length; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    const u1 = x;
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    a[i] = mean + (u1 + x - 4294967296) * k;
  }
  return a;
}

/** Random weights for `config` in HF naming (`gpt_neox.*`, `embed_out.weight`), float32, std 0.02 like HF init. */
export function randomNeoXWeights(c: NeoXConfig, seed = 1): Map<string, HostTensor> {
  const m = new Map<string, HostTensor>();
  let s = seed * 1000;
  const t = (shape: number[], std: number, mean = 0): HostTensor => ({
    dtype: "float32", shape, data: fillRandom(new Float32Array(shape.reduce((a, b) => a * b, 1)), ++s, std, mean),
  });
  const h = c.hiddenSize, f = c.intermediateSize;
  m.set("gpt_neox.embed_in.weight", t([c.vocabSize, h], 0.02));
  for (let i = 0; i < c.numLayers; i++) {
    const p = `gpt_neox.layers.${i}.`;
    m.set(`${p}input_layernorm.weight`, t([h], 0.02, 1)); m.set(`${p}input_layernorm.bias`, t([h], 0.02));
    m.set(`${p}post_attention_layernorm.weight`, t([h], 0.02, 1)); m.set(`${p}post_attention_layernorm.bias`, t([h], 0.02));
    m.set(`${p}attention.query_key_value.weight`, t([3 * h, h], 0.02)); m.set(`${p}attention.query_key_value.bias`, t([3 * h], 0.02));
    m.set(`${p}attention.dense.weight`, t([h, h], 0.02)); m.set(`${p}attention.dense.bias`, t([h], 0.02));
    m.set(`${p}mlp.dense_h_to_4h.weight`, t([f, h], 0.02)); m.set(`${p}mlp.dense_h_to_4h.bias`, t([f], 0.02));
    m.set(`${p}mlp.dense_4h_to_h.weight`, t([h, f], 0.02)); m.set(`${p}mlp.dense_4h_to_h.bias`, t([h], 0.02));
  }
  m.set("gpt_neox.final_layer_norm.weight", t([h], 0.02, 1)); m.set("gpt_neox.final_layer_norm.bias", t([h], 0.02));
  m.set("embed_out.weight", t([c.vocabSize, h], 0.02));
  return m;
}

/** Random token ids [batch][seq] below `vocab`. */
export function randomIds(batch: number, seq: number, vocab: number, seed = 7): number[][] {
  let x = seed >>> 0 || 1;
  return Array.from({ length: batch }, () => Array.from({ length: seq }, () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x % vocab;
  }));
}

export async function setup(): Promise<BackendInfo> {
  return initBackend();
}

/** Waits until every queued GPU command has finished (reads one value back). */
export async function sync(t?: tf.Tensor): Promise<void> {
  if (t) {
    const s = tf.tidy(() => tf.sum(tf.slice(tf.reshape(t, [-1]), [0], [1])));
    await s.data();
    s.dispose();
  } else {
    const z = tf.zeros([1]);
    await z.data();
    z.dispose();
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

/** Writes `name`.json under $OUT (device machine) or bench/out/gpu/, returns the path. */
export function writeResult(name: string, value: unknown): string {
  const dir = process.env.OUT ? process.env.OUT : path.join(__dirname, "..", "out", "gpu");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(value, null, 1));
  return file;
}

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

export { webGpuErrorCount } from "../../src/backend-webgpu";
export { tf };

/** ms per call of f (which returns a tensor): median of 3 rounds of `reps` queued calls after a warm-up, one read back per round. */
export async function msPerCall(f: () => tf.Tensor, reps: number): Promise<number> {
  const warm = f(); await sync(warm); warm.dispose();
  const rounds: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    let last: tf.Tensor | undefined;
    for (let i = 0; i < reps; i++) { last?.dispose(); last = f(); }
    await sync(last); last!.dispose();
    rounds.push((performance.now() - t0) / reps);
  }
  return median(rounds);
}

/** One Pythia shape's attention-bench inputs (bench/gpu/attention-f16.ts, attention-tc.ts). */
export interface AttentionBenchInputs {
  config: NeoXConfig;
  /** Heads, head size, rotary dims, layers. */
  H: number; hs: number; rd: number; L: number;
  cos: tf.Tensor2D; sin: tf.Tensor2D;
  /** The fused projection's output [B*T, 3 hidden] (random) and rotarySplit's [3, B*H, T, hs] of it (q scaled). */
  qkv: tf.Tensor2D; heads: tf.Tensor4D;
  /** ms per call of one layer's attention -> ms per forward pass (x layers), 2 decimals. */
  perPass(ms: number): number;
  dispose(): void;
}

/** Random q, k, v with |q.k| / sqrt(hs) of std ~3 (peaked softmax rows, as trained heads have), v of unit scale, for B x T tokens. */
export function attentionBenchInputs(shape: string, B: number, T: number): AttentionBenchInputs {
  const config = pythiaConfig(shape);
  const H = config.numHeads, hs = config.hiddenSize / H, rd = rotaryDims(config), L = config.numLayers;
  const { cos, signedSin } = rotaryTables(T, rd, config.rotaryBase);
  const cosT = tf.tensor2d(cos, [T, rd]), sinT = tf.tensor2d(signedSin, [T, rd]);
  const qkv = tf.tensor2d(fillRandom(new Float32Array(B * T * 3 * config.hiddenSize), 11, Math.sqrt(3)), [B * T, 3 * config.hiddenSize]);
  const heads = rotarySplit(qkv, cosT, sinT, B, T, H, hs, 1 / Math.sqrt(hs));
  return {
    config, H, hs, rd, L, cos: cosT, sin: sinT, qkv, heads,
    perPass: (ms) => Number((ms * L).toFixed(2)),
    dispose: () => tf.dispose([heads, qkv, cosT, sinT]),
  };
}

/** GPU time of f's programs (tfjs's backend.time: timestamp queries around each dispatch), ms; NaN without timestamps. */
export async function gpuMs(f: () => tf.Tensor): Promise<number> {
  let out: tf.Tensor | undefined;
  const timing = await tf.time(() => { out = f(); });
  await sync(out);
  out?.dispose();
  return typeof timing.kernelMs === "number" ? timing.kernelMs : NaN;
}

/** max |a - b| / max |a| (2 significant digits), then a and b are disposed. */
export async function maxRelDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const diff = tf.tidy(() => tf.div(tf.max(tf.abs(tf.sub(a, b))), tf.max(tf.abs(a))));
  const v = ((await diff.data()) as Float32Array)[0]!;
  tf.dispose([a, b, diff]);
  return Number(v.toExponential(2));
}
