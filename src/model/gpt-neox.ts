/**
 * GPT-NeoX (Pythia) forward pass in TensorFlow.js, matching Hugging Face transformers' GPTNeoXForCausalLM in fp32:
 *   x = embed_in[ids]
 *   per layer:  a = attn(ln1(x));  parallel: x = (mlp(ln2(x)) + a) + x;  sequential: r = a + x; x = mlp(ln2(r)) + r
 *   logits = final_layer_norm(x) @ embed_out^T
 * Attention uses the fused per-head [q|k|v] layout, partial rotary embedding (rotate-half convention) on the first
 * rotary_dims of each head, a causal mask and softmax over keys. The MLP uses exact (erf) GELU for `gelu`.
 * Activations are exposed under TransformerLens names (see {@link HOOK_NAMES}); they stay on the backend.
 * On webgpu, LayerNorm, exact GELU and the masked softmax run as single programs (../backend-webgpu-kernels.ts, no
 * gradients: inference only; MASSIVE_WEBGPU_FUSED=off keeps the composite ops, which every other backend uses), and
 * attention as two programs (../backend-webgpu-attention.ts; MASSIVE_WEBGPU_ATTENTION=off keeps the composite ops).
 * Weights are uploaded in the format their products read, and the Linear product dispatches on it: ./decoder-weights.ts.
 * Call `await initBackend()` before {@link GPTNeoX.fromCheckpoint} (GPTNeoX.load does it).
 */
import { initBackend, tf } from "../backend";
import { readCheckpoint, type Checkpoint } from "../io/checkpoint";
import { headSize, rotaryDims, type NeoXConfig } from "../io/config";
import type { HostTensor } from "../io/host-tensor";
import { fusedAdd3, fusedGelu, fusedKernelsAvailable, fusedLayerNorm } from "../backend-webgpu-kernels";
import { requireHalfCompute } from "../backend-webgpu-f16";
import { DEFAULT_FLOAT32_PRODUCT, resolvedFloat32Product, splitProductFor, type Float32Product, type Float32ProductMode, type WeightResidency } from "../backend-webgpu-split";
import { causalMask, headRotaryTables } from "./rotary";
import { attentionBatched, attentionPerHead, batchedAttentionKind, type AttentionImpl, type BatchedAttentionKind, type PositionTables } from "./attention";
import { disposeDecoderLayer, linear, linearWeight, takesHalf, uploadDecoderLayer, vectorParam, type DecoderLayerWeights, type LinearWeightFormat } from "./decoder-weights";
import { selectNeoXParams, type LayerSources } from "./weights";

export type { AttentionImpl };

/** Every activation point, in execution order, for a model with `numLayers` layers. */
export function hookNames(numLayers: number): string[] {
  const names = ["hook_embed"];
  for (let i = 0; i < numLayers; i++) names.push(`blocks.${i}.hook_attn_out`, `blocks.${i}.hook_mlp_out`, `blocks.${i}.hook_resid_post`);
  names.push("ln_final.hook_normalized");
  return names;
}

/** Hook name documentation (shapes with B = batch, T = sequence, C = hidden size). */
export const HOOK_NAMES = {
  hook_embed: "[B, T, C] token embeddings (embed_in)",
  "blocks.<i>.hook_attn_out": "[B, T, C] attention output of layer i (after attention.dense)",
  "blocks.<i>.hook_mlp_out": "[B, T, C] MLP output of layer i",
  "blocks.<i>.hook_resid_post": "[B, T, C] output of decoder layer i (HF hidden_states[i + 1] before the final LayerNorm; the paper's h_l)",
  "ln_final.hook_normalized": "[B, T, C] final_layer_norm output (weight and bias applied)",
} as const;

export interface RunOptions {
  /** Hook names to cache, or a predicate on names; default: every hook. */
  namesFilter?: string[] | ((name: string) => boolean);
  /** Compute logits [B, T, vocab] (default true); false skips the output projection. */
  returnLogits?: boolean;
}

export type { DecoderLayerWeights };

/** Default {@link GPTNeoXOptions.attentionScoreBytes}: 256 MiB. */
export const ATTENTION_SCORE_BYTES = 2 ** 28;
/** Default {@link GPTNeoXOptions.mlpActivationBytes}: 256 MiB. */
export const MLP_ACTIVATION_BYTES = 2 ** 28;

interface ModelTensors {
  embed: tf.Tensor2D;
  layers: DecoderLayerWeights[];
  lnfW: tf.Tensor1D; lnfB: tf.Tensor1D;
  /** [hidden, vocab] */
  unembedT: tf.Tensor2D;
}

export interface GPTNeoXOptions {
  attention?: AttentionImpl;
  /**
   * Batched attention runs on groups of heads whose float32 scores [B, heads, T, T] stay under this many bytes
   * (default {@link ATTENTION_SCORE_BYTES}), so GPU memory does not scale with heads x T^2 of the whole batch.
   */
  attentionScoreBytes?: number;
  /** The MLP runs on pieces of rows whose [rows, intermediate] float32 activations stay under this (default {@link MLP_ACTIVATION_BYTES}). */
  mlpActivationBytes?: number;
  /**
   * `float16`: the Linear layers (qkv, dense, MLP, unembedding) multiply float16 weights, kept as float16 bits on
   * the GPU, with the activations rounded to float16, on the tensor cores with float32 sums (webgpu with Dawn's
   * subgroup matrices only: see src/backend-webgpu-f16.ts and docs/gpu.md; other backends throw). Everything else
   * stays float32. Default `float32`.
   */
  compute?: "float32" | "float16";
  /**
   * Float32 compute's Linear products per way the weights reach the GPU (src/backend-webgpu-split.ts): `resident`
   * for {@link GPTNeoX.loadWeights} (default `auto`: split float16 on the tensor cores where available, else SIMT),
   * `streamed` for {@link GPTNeoX.uploadLayer} (recording; default `simt`): {@link DEFAULT_FLOAT32_PRODUCT}.
   * MASSIVE_WEBGPU_F32_PRODUCT, when set, overrides both (`simt` forces the SIMT kernel everywhere).
   */
  float32Product?: Partial<Record<WeightResidency, Float32ProductMode>>;
}

/**
 * What a model's forward computes with beyond its compute mode ({@link GPTNeoX.arithmetic}): the float32 product that
 * multiplies at least one of its Linear weights (`simt` when none is split, e.g. layers under SPLIT_MIN_WEIGHTS or
 * float16 compute), and its attention program (`per-head` on wasm and cpu by default).
 */
export interface ModelArithmetic {
  compute: "float32" | "float16";
  float32Product: Float32Product;
  attention: BatchedAttentionKind | "per-head";
}

export class GPTNeoX {
  readonly config: NeoXConfig;
  private w: ModelTensors | undefined;
  /** cos, signed sin [T, rotary_dims] and additive causal mask [T, T] for the last sequence length used. */
  private tables: PositionTables | undefined;
  private readonly attentionImpl: AttentionImpl;
  private readonly scoreBytes: number;
  private readonly mlpBytes: number;
  private readonly compute: "float32" | "float16";
  /** Float32 compute's product per residency (split / split-all: weights split for splitLinear, src/backend-webgpu-split.ts); simt in float16 compute. */
  private readonly float32Product: Record<WeightResidency, Float32Product>;

  constructor(config: NeoXConfig, options: GPTNeoXOptions = {}) {
    this.config = config;
    this.attentionImpl = options.attention ?? "auto";
    this.scoreBytes = options.attentionScoreBytes ?? ATTENTION_SCORE_BYTES;
    this.mlpBytes = options.mlpActivationBytes ?? MLP_ACTIVATION_BYTES;
    this.compute = options.compute ?? "float32";
    if (this.compute === "float16") requireHalfCompute();
    const product = (r: WeightResidency): Float32Product => (this.compute === "float32" ? resolvedFloat32Product(options.float32Product?.[r] ?? DEFAULT_FLOAT32_PRODUCT[r]) : "simt");
    this.float32Product = { resident: product("resident"), streamed: product("streamed") };
  }

  /** Builds a model from a checkpoint read by {@link readCheckpoint}; the backend must be initialised. */
  static fromCheckpoint(ckpt: Checkpoint, options: GPTNeoXOptions = {}): GPTNeoX {
    const model = new GPTNeoX(ckpt.config, options);
    model.loadWeights(ckpt.weights, ckpt.dir);
    return model;
  }

  /** Reads a Hugging Face or converted checkpoint folder and builds the model (initialises the backend). */
  static async load(dir: string, options: GPTNeoXOptions = {}): Promise<GPTNeoX> {
    await initBackend();
    return GPTNeoX.fromCheckpoint(await readCheckpoint(dir), options);
  }

  /**
   * Replaces the weights (same architecture), disposing the previous tensors. Every name and shape is checked
   * before anything is replaced; `source` names the weights in errors.
   */
  loadWeights(weights: Map<string, HostTensor>, source = "weights"): void {
    const p = selectNeoXParams(this.config, weights, source);
    this.disposeWeights();
    this.w = {
      embed: tf.tensor2d(p.embed.data, p.embed.shape as [number, number], "float32"),
      layers: p.layers.map((l) => this.uploadLayer(l, "resident")),
      lnfW: vectorParam(p.lnfWeight), lnfB: vectorParam(p.lnfBias),
      unembedT: linearWeight(p.unembed, this.weightFormat("resident")),
    };
  }

  /**
   * Uploads one decoder layer's parameters to the backend (for streaming layer by layer, see
   * {@link GPTNeoX.runLayer}); free them with {@link GPTNeoX.disposeLayer}. `residency` picks the float32 product
   * (GPTNeoXOptions.float32Product): `streamed` unless called by loadWeights.
   */
  uploadLayer(l: LayerSources, residency: WeightResidency = "streamed"): DecoderLayerWeights {
    return uploadDecoderLayer(this.config, l, this.resolvedAttention() === "per-head", this.weightFormat(residency));
  }

  /** Frees a layer's tensors made by {@link GPTNeoX.uploadLayer}. */
  disposeLayer(layer: DecoderLayerWeights): void {
    disposeDecoderLayer(layer);
  }

  /**
   * One decoder layer on the residual stream `x` [B*T, C] of B sequences of T tokens: returns the layer's output
   * (`hook_resid_post`, [B*T, C]) with the same arithmetic as {@link GPTNeoX.runWithCache}. `x` is not disposed;
   * the caller disposes the result. Needs no loaded weights: recording streams layers through this.
   */
  runLayer(x: tf.Tensor2D, layer: DecoderLayerWeights, B: number, T: number): tf.Tensor2D {
    if (x.shape[0] !== B * T || x.shape[1] !== this.config.hiddenSize) throw new Error(`GPTNeoX.runLayer: x has shape [${x.shape.join(", ")}], expected [${B * T}, ${this.config.hiddenSize}]`);
    const tables = this.positionTables(T);
    return tf.tidy(() => this.decoderLayer(x, layer, B, T, tables, () => undefined));
  }

  /**
   * Runs the model on token ids [batch, seq] and returns logits [batch, seq, vocab] (unless `returnLogits: false`)
   * and the requested activations. The caller disposes every returned tensor.
   */
  runWithCache(ids: number[][] | tf.Tensor2D, options: RunOptions = {}): { logits?: tf.Tensor3D; cache: Map<string, tf.Tensor> } {
    const w = this.w;
    if (!w) throw new Error("GPTNeoX.runWithCache: the model has no weights (disposed, or loadWeights never called)");
    const f = options.namesFilter;
    if (Array.isArray(f)) {
      const known = new Set(hookNames(this.config.numLayers));
      const bad = f.find((n) => !known.has(n));
      if (bad !== undefined) throw new Error(`GPTNeoX.runWithCache: unknown hook name '${bad}' in namesFilter (known: hook_embed, blocks.<0..${this.config.numLayers - 1}>.hook_attn_out|hook_mlp_out|hook_resid_post, ln_final.hook_normalized)`);
    }
    const want = f === undefined ? () => true : typeof f === "function" ? f : ((set) => (n: string) => set.has(n))(new Set(f));
    const idsT = this.idsTensor(ids);
    const [B, T] = idsT.shape;
    const C = this.config.hiddenSize;
    const tables = this.positionTables(T);
    const cache = new Map<string, tf.Tensor>();
    const hook = (name: string, x: tf.Tensor2D): void => {
      if (want(name)) cache.set(name, tf.keep(tf.reshape(x, [B, T, C])));
    };
    let x: tf.Tensor2D | undefined;
    try {
      // One tidy per layer, so that each layer's intermediates (attention scores: B x H x T x T) are freed before
      // the next layer runs; only the residual stream and the cached hooks survive.
      x = tf.tidy(() => {
        const e = tf.gather(w.embed, tf.reshape(idsT, [B * T])) as tf.Tensor2D; // (B*T, C)
        hook("hook_embed", e);
        return e;
      });
      for (let i = 0; i < w.layers.length; i++) {
        const l = w.layers[i]!;
        const input: tf.Tensor2D = x;
        x = tf.tidy(() => this.decoderLayer(input, l, B, T, tables, (point, t) => hook(`blocks.${i}.${point}`, t)));
        input.dispose();
      }
      const last: tf.Tensor2D = x;
      const logits = tf.tidy(() => {
        if (options.returnLogits === false && !want("ln_final.hook_normalized")) return undefined; // nothing reads the final LayerNorm
        // float16 bits straight from the LayerNorm for the float16 unembedding, unless the hook wants float32 values.
        const normed = this.layerNorm(last, w.lnfW, w.lnfB, options.returnLogits !== false && !want("ln_final.hook_normalized") && takesHalf(w.unembedT));
        hook("ln_final.hook_normalized", normed);
        if (options.returnLogits === false) return undefined;
        const logits = linear(normed, w.unembedT); // the unembedding has no bias
        return tf.reshape(logits, [B, T, this.config.vocabSize]) as tf.Tensor3D;
      });
      return logits ? { logits, cache } : { cache };
    } catch (err) {
      for (const t of cache.values()) t.dispose();
      throw err;
    } finally {
      x?.dispose();
      if (idsT !== ids) idsT.dispose();
    }
  }

  /** One decoder layer (call inside tf.tidy); `hook` sees hook_attn_out, hook_mlp_out and hook_resid_post. */
  private decoderLayer(input: tf.Tensor2D, l: DecoderLayerWeights, B: number, T: number, tables: PositionTables, hook: (point: string, t: tf.Tensor2D) => void): tf.Tensor2D {
    // Attention and MLP each in their own tidy: their intermediates are freed before the next block allocates.
    const attn = tf.tidy(() => this.attention(this.layerNorm(input, l.ln1w, l.ln1b, takesHalf(l.qkvW)), l, B, T, tables));
    hook("hook_attn_out", attn);
    let out: tf.Tensor2D;
    if (this.config.useParallelResidual) {
      const mlp = tf.tidy(() => this.mlp(this.layerNorm(input, l.ln2w, l.ln2b, takesHalf(l.fc1W)), l));
      hook("hook_mlp_out", mlp);
      out = (fusedKernelsAvailable() ? fusedAdd3(mlp, attn, input) : tf.add(tf.add(mlp, attn), input)) as tf.Tensor2D;
    } else {
      const resid = tf.add(attn, input) as tf.Tensor2D;
      const mlp = tf.tidy(() => this.mlp(this.layerNorm(resid, l.ln2w, l.ln2b, takesHalf(l.fc1W)), l));
      hook("hook_mlp_out", mlp);
      out = tf.add(mlp, resid);
    }
    hook("hook_resid_post", out);
    return out;
  }

  /** Frees every tensor the model holds; the model cannot run until loadWeights is called again. */
  dispose(): void {
    this.disposeWeights();
    if (this.tables) {
      this.disposeTables();
    }
  }

  private disposeWeights(): void {
    if (!this.w) return;
    const w = this.w;
    tf.dispose([w.embed, w.lnfW, w.lnfB, w.unembedT]);
    for (const l of w.layers) this.disposeLayer(l);
    this.w = undefined;
  }

  /** Validates ids and returns an int32 tensor [B, T] (the input itself when it already is one). */
  private idsTensor(ids: number[][] | tf.Tensor2D): tf.Tensor2D {
    const V = this.config.vocabSize;
    if (ids instanceof tf.Tensor) {
      if (ids.rank !== 2 || ids.shape[0] === 0 || ids.shape[1] === 0) throw new Error(`GPTNeoX.runWithCache: argument 'ids' must be a non-empty 2-D tensor [batch, seq], got shape [${ids.shape.join(", ")}]`);
      return ids.dtype === "int32" ? ids : (tf.cast(ids, "int32") as tf.Tensor2D);
    }
    if (!Array.isArray(ids) || ids.length === 0 || !Array.isArray(ids[0]) || ids[0].length === 0) {
      throw new Error("GPTNeoX.runWithCache: argument 'ids' must be a non-empty array of non-empty arrays of token ids [batch][seq]");
    }
    const T = ids[0].length;
    const flat = new Int32Array(ids.length * T);
    ids.forEach((row, b) => {
      if (!Array.isArray(row) || row.length !== T) throw new Error(`GPTNeoX.runWithCache: row ${b} of 'ids' has ${Array.isArray(row) ? row.length : "no"} tokens, expected ${T} (all rows must have the same length)`);
      row.forEach((id, t) => {
        if (!Number.isInteger(id) || id < 0 || id >= V) throw new Error(`GPTNeoX.runWithCache: ids[${b}][${t}] = ${String(id)} is not a token id in [0, ${V})`);
        flat[b * T + t] = id;
      });
    });
    return tf.tensor2d(flat, [ids.length, T], "int32");
  }

  private disposeTables(): void {
    if (!this.tables) return;
    const t = this.tables;
    tf.dispose([t.cos, t.sin, t.cosFull, t.sinFull, t.perm, t.mask]);
    this.tables = undefined;
  }

  private positionTables(T: number): PositionTables {
    if (this.tables?.seqLen === T) return this.tables;
    this.disposeTables();
    const rd = rotaryDims(this.config);
    const hs = headSize(this.config);
    const { cos, signedSin, cosFull, sinFull, perm } = headRotaryTables(T, hs, rd, this.config.rotaryBase);
    const mask = causalMask(T);
    this.tables = {
      seqLen: T,
      cos: tf.tensor2d(cos, [T, rd]),
      sin: tf.tensor2d(signedSin, [T, rd]),
      cosFull: tf.tensor2d(cosFull, [T, hs]),
      sinFull: tf.tensor2d(sinFull, [T, hs]),
      perm: tf.tensor2d(perm, [hs, hs]),
      mask: tf.tensor2d(mask, [T, T]),
    };
    return this.tables;
  }

  /**
   * torch.nn.LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * w + b, biased variance. `half`: the
   * result only feeds a float16 product (see takesHalf), so the fused program may return it as float16 bits.
   */
  private layerNorm(x: tf.Tensor2D, w: tf.Tensor1D, b: tf.Tensor1D, half = false): tf.Tensor2D {
    if (fusedKernelsAvailable()) return fusedLayerNorm(x, w, b, this.config.layerNormEps, half);
    const mean = tf.mean(x, -1, true);
    const xc = tf.sub(x, mean);
    const variance = tf.mean(tf.square(xc), -1, true);
    return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, this.config.layerNormEps))), w), b) as tf.Tensor2D;
  }

  /** The format of this model's Linear weights of one residency (./decoder-weights.ts). */
  private weightFormat(residency: WeightResidency): LinearWeightFormat {
    return { compute: this.compute, product: this.float32Product[residency], residency };
  }

  /**
   * The arithmetic of a forward with weights of `residency` (for records' provenance, src/record/manifest.ts), from
   * the same decisions the upload and the layers take (splitProductFor on each Linear weight's shape, and
   * batchedAttentionKind); read it after the backend is initialised.
   */
  arithmetic(residency: WeightResidency = "streamed"): ModelArithmetic {
    const { hiddenSize: C, intermediateSize: F, vocabSize: V } = this.config;
    const product = this.float32Product[residency], perHead = this.resolvedAttention() === "per-head";
    // [K, N] = [in, out] of dense, fc1, fc2, the fused qkv (float32 per head otherwise) and the unembedding (resident weights only: recording computes no logits).
    const shapes = [[C, C], [C, F], [F, C], ...(perHead ? [] : [[C, 3 * C]]), ...(residency === "resident" ? [[C, V]] : [])];
    const split = shapes.some(([K, N]) => splitProductFor(product, K!, N!));
    const attention = perHead ? "per-head" : batchedAttentionKind(headSize(this.config), rotaryDims(this.config), this.compute);
    return { compute: this.compute, float32Product: split ? product : "simt", attention };
  }

  /** The attention implementation in use (fixed when weights are loaded). */
  resolvedAttention(): "per-head" | "batched" {
    if (this.attentionImpl !== "auto") return this.attentionImpl;
    return ["wasm", "cpu"].includes(tf.getBackend()) ? "per-head" : "batched";
  }

  private attention(xn: tf.Tensor2D, l: DecoderLayerWeights, B: number, T: number, tables: PositionTables): tf.Tensor2D {
    const hs = headSize(this.config);
    const ctx = l.heads
      ? attentionPerHead(xn, l.heads, B, T, hs, tables, linear)
      : attentionBatched(xn, { W: l.qkvW!, b: l.qkvB }, B, T, this.config.numHeads, hs, tables, this.scoreBytes, linear, { compute: this.compute, halfContext: takesHalf(l.denseW) });
    return linear(ctx, l.denseW, l.denseB);
  }

  /** The MLP on xn [N, C], in pieces of rows whose [rows, intermediate] activations fit mlpActivationBytes. */
  private mlp(xn: tf.Tensor2D, l: DecoderLayerWeights): tf.Tensor2D {
    const N = xn.shape[0];
    const maxRows = Math.max(1, Math.floor(this.mlpBytes / (4 * this.config.intermediateSize)));
    // Equal pieces (10240 rows in 2 x 5120, not 8192 + 2048: a small last piece runs the products below their rate).
    const rows = Math.ceil(N / Math.ceil(N / maxRows));
    const piece = (x: tf.Tensor2D): tf.Tensor2D => {
      const h = linear(x, l.fc1W, l.fc1B); // (rows, 4C)
      // The fused GELU has no gradient: the forward path uses it, activation() (shared with training) does not.
      const a = this.config.hiddenAct === "gelu" && fusedKernelsAvailable() ? (fusedGelu(h, takesHalf(l.fc2W)) as tf.Tensor2D) : activation(h, this.config.hiddenAct);
      return linear(a, l.fc2W, l.fc2B);
    };
    if (rows >= N) return piece(xn);
    const parts: tf.Tensor2D[] = [];
    for (let r0 = 0; r0 < N; r0 += rows) parts.push(tf.tidy(() => piece(tf.slice(xn, [r0, 0], [Math.min(rows, N - r0), -1]))));
    const out = tf.concat(parts, 0);
    tf.dispose(parts);
    return out;
  }
}

/** The MLP non-linearity by its transformers name. */
export function activation(x: tf.Tensor2D, name: string): tf.Tensor2D {
  switch (name) {
    case "gelu": // exact: x * 0.5 * (1 + erf(x / sqrt(2))), as torch.nn.functional.gelu
      return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
    case "gelu_new": case "gelu_fast": case "gelu_pytorch_tanh": {
      const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
      return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
    }
    case "relu": return tf.relu(x);
    case "silu": return tf.mul(x, tf.sigmoid(x));
    default: throw new Error(`GPTNeoX: activation '${name}' is not supported`);
  }
}
