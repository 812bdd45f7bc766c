/**
 * The differentiable GPT-NeoX forward pass and loss used for training, on {@link TrainableParams}.
 * Same arithmetic as the inference model (src/model/gpt-neox.ts, Hugging Face's GPTNeoXForCausalLM in fp32):
 *   x = embed_in[ids];  per layer: a = attn(ln1(x));  parallel: x = (mlp(ln2(x)) + a) + x;
 *                                                     sequential: r = a + x; x = mlp(ln2(r)) + r
 *   logits = final_layer_norm(x) @ embed_out^T;  loss = mean over B x (T - 1) of -log softmax(logits[:, t])[ids[:, t + 1]]
 * (Hugging Face's causal-LM loss: labels = inputs, shifted inside). Products and the embedding lookup carry their own
 * gradients (./ops.ts): TF.js's are slow or missing on wasm.
 */
import { tf } from "../backend";
import { headSize, rotaryDims, type NeoXConfig } from "../io/config";
import { causalMask, headRotaryTables } from "../model/rotary";
import { causalSoftmax, layerNorm, mlpActivation } from "./fused-ops";
import { registerGradients } from "./gradients";
import { embeddingLookup, linear, matMul, transposeLast2 } from "./ops";
import { OUTPUT_PROJECTION, type TrainableParams } from "./params";

/** Position-dependent constants for one sequence length. */
export interface PositionTables {
  seqLen: number;
  /** [T, hs]: cos with 1 and signed sin with 0 on the pass-through dims. */
  cosFull: tf.Tensor2D; sinFull: tf.Tensor2D;
  /** [hs, hs] rotate-half permutation: (x @ perm)[:, i] = x[:, i +- rd/2] on the rotary dims, 0 elsewhere. */
  perm: tf.Tensor2D;
  /** [T, T] additive causal mask. */
  mask: tf.Tensor2D;
}

/** Builds the tables for sequences of `seqLen` tokens (dispose with {@link disposeTables}). */
export function positionTables(config: NeoXConfig, seqLen: number): PositionTables {
  const hs = headSize(config);
  const { cosFull, sinFull, perm } = headRotaryTables(seqLen, hs, rotaryDims(config), config.rotaryBase);
  const mask = causalMask(seqLen);
  return {
    seqLen,
    cosFull: tf.tensor2d(cosFull, [seqLen, hs]),
    sinFull: tf.tensor2d(sinFull, [seqLen, hs]),
    perm: tf.tensor2d(perm, [hs, hs]),
    mask: tf.tensor2d(mask, [seqLen, seqLen]),
  };
}

export function disposeTables(t: PositionTables): void {
  tf.dispose([t.cosFull, t.sinFull, t.perm, t.mask]);
}

/** softmax(q k^T / sqrt(hs) + mask) v for q, k, v [B, H, T, hs], as batched products. */
function attendBatched(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, tables: PositionTables): tf.Tensor4D {
  const hs = q.shape[3];
  const probs = causalSoftmax(matMul(q, transposeLast2(k)), 1 / Math.sqrt(hs), tables.mask); // [B, H, T, T]
  return matMul(probs, v) as tf.Tensor4D;
}

/** Causal self-attention of one layer on xn [B*T, C] (batched [B, H, T, T] matmuls); returns [B*T, C]. */
function attention(p: TrainableParams, prefix: string, xn: tf.Tensor2D, B: number, T: number, tables: PositionTables): tf.Tensor2D {
  const c = p.config;
  const H = c.numHeads;
  const hs = headSize(c);
  const bias = (n: string): tf.Tensor | undefined => (c.attentionBias ? p.get(`${prefix}${n}.bias`) : undefined);
  const qkv = tf.transpose(tf.reshape(linear(xn, p.get(`${prefix}query_key_value.weight`), bias("query_key_value")), [B, T, H, 3 * hs]), [0, 2, 1, 3]);
  const [q, k, v] = tf.split(qkv, 3, 3) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D]; // each [B, H, T, hs]
  // Rotary as x * cos + (x @ perm) * sin: exact (perm is 0/1, pass-through dims get cos 1 and sin 0).
  const rope = (x: tf.Tensor4D): tf.Tensor4D => tf.add(tf.mul(x, tables.cosFull), tf.mul(tf.reshape(matMul(tf.reshape(x, [B * H * T, hs]), tables.perm), [B, H, T, hs]), tables.sinFull)) as tf.Tensor4D;
  // (Batched products: on wasm, per-(sequence, head) 2-D products would be faster, but splitting the activations
  // into pieces costs more there: each slice of a large tensor takes about as long as a pass over all of it.)
  const ctx = attendBatched(rope(q), rope(k), v, tables);
  const merged = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [B * T, H * hs]) as tf.Tensor2D;
  return linear(merged, p.get(`${prefix}dense.weight`), bias("dense"));
}

/** One decoder layer on the residual stream x [B*T, C]. */
function decoderLayer(p: TrainableParams, i: number, x: tf.Tensor2D, B: number, T: number, tables: PositionTables): tf.Tensor2D {
  const c = p.config;
  const pre = `gpt_neox.layers.${i}.`;
  const ln = (y: tf.Tensor2D, n: string): tf.Tensor2D => layerNorm(y, p.get(`${pre}${n}.weight`), p.get(`${pre}${n}.bias`), c.layerNormEps);
  const mlp = (y: tf.Tensor2D): tf.Tensor2D => linear(
    mlpActivation(linear(y, p.get(`${pre}mlp.dense_h_to_4h.weight`), p.get(`${pre}mlp.dense_h_to_4h.bias`)), c.hiddenAct),
    p.get(`${pre}mlp.dense_4h_to_h.weight`), p.get(`${pre}mlp.dense_4h_to_h.bias`));
  const attn = attention(p, `${pre}attention.`, ln(x, "input_layernorm"), B, T, tables);
  if (c.useParallelResidual) return tf.add(tf.add(mlp(ln(x, "post_attention_layernorm")), attn), x) as tf.Tensor2D;
  const resid = tf.add(attn, x) as tf.Tensor2D;
  return tf.add(mlp(ln(resid, "post_attention_layernorm")), resid) as tf.Tensor2D;
}

/**
 * Mean next-token cross-entropy (nats per token) of `ids` [B, T] (int32) under the parameters, as a scalar.
 * Differentiable with respect to every parameter variable.
 */
export function causalLmLoss(p: TrainableParams, ids: tf.Tensor2D, tables: PositionTables): tf.Scalar {
  const c = p.config;
  const [B, T] = ids.shape;
  if (T < 2) throw new Error(`causalLmLoss: sequences need at least 2 tokens, got ${T}`);
  if (tables.seqLen !== T) throw new Error(`causalLmLoss: tables are for ${tables.seqLen} tokens, ids have ${T}`);
  return tf.tidy(() => {
    let x = embeddingLookup(p.get("gpt_neox.embed_in.weight") as tf.Tensor2D, tf.reshape(ids, [B * T]) as tf.Tensor1D);
    for (let i = 0; i < c.numLayers; i++) x = decoderLayer(p, i, x, B, T, tables);
    const normed = layerNorm(x, p.get("gpt_neox.final_layer_norm.weight"), p.get("gpt_neox.final_layer_norm.bias"), c.layerNormEps);
    // Only positions 0 .. T-2 predict a next token: drop the last before the (large) output projection.
    const M = B * (T - 1);
    const kept = tf.reshape(tf.slice(tf.reshape(normed, [B, T, c.hiddenSize]), [0, 0, 0], [B, T - 1, c.hiddenSize]), [M, c.hiddenSize]) as tf.Tensor2D;
    const unembed = c.tieWordEmbeddings ? tf.transpose(p.get("gpt_neox.embed_in.weight")) : p.get(OUTPUT_PROJECTION);
    const logits = matMul(kept, unembed); // [M, V]
    const labels = tf.reshape(tf.slice(ids, [0, 1], [B, T - 1]), [M]) as tf.Tensor1D;
    // (tf.oneHot's dtype argument is ignored by the wasm kernel of tfjs 4.22: int32 bits labelled float32; cast instead)
    const picked = tf.sum(tf.mul(tf.logSoftmax(logits), tf.cast(tf.oneHot(labels, c.vocabSize), "float32")));
    return tf.div(tf.neg(picked), M) as tf.Scalar;
  });
}

/**
 * Sequences per forward/backward pass that keep the pass's saved tensors near `budgetBytes` (attention scores
 * dominate: about 6 H T^2 floats per layer and sequence). The wasm heap is 32-bit (4 GiB at most), so on wasm and cpu
 * the budget is 1 GiB; elsewhere 16 GiB.
 */
export function defaultMicroBatch(config: NeoXConfig, seqLen: number, batch: number, budgetBytes = ["wasm", "cpu"].includes(tf.getBackend()) ? 2 ** 30 : 2 ** 34): number {
  const T = seqLen;
  const perLayer = 6 * config.numHeads * T * T + 24 * T * config.hiddenSize + 4 * T * config.intermediateSize;
  const perSequence = 4 * (config.numLayers * perLayer + 3 * T * config.vocabSize);
  return Math.max(1, Math.min(batch, Math.floor(budgetBytes / perSequence)));
}

/**
 * Loss and gradients (in {@link TrainableParams.list} order) for one batch, in passes of at most `microBatch`
 * sequences whose losses and gradients are summed with weights (sequences in the pass) / B: every sequence has
 * T - 1 predicted positions, so this is the same batch mean (up to float32 summation order). The caller disposes them.
 */
export function lossAndGradients(p: TrainableParams, ids: tf.Tensor2D, tables: PositionTables, microBatch = ids.shape[0]): { loss: tf.Scalar; grads: tf.Tensor[] } {
  registerGradients();
  const vars = p.list();
  const [B, T] = ids.shape;
  const pass = (chunk: tf.Tensor2D, weight: number): { loss: tf.Scalar; grads: tf.Tensor[] } => {
    const { value, grads } = tf.variableGrads(() => (weight === 1 ? causalLmLoss(p, chunk, tables) : tf.mul(causalLmLoss(p, chunk, tables), weight) as tf.Scalar), vars);
    return { loss: value, grads: p.specs.map((s) => grads[p.get(s.name).name]!) };
  };
  if (microBatch >= B) return pass(ids, 1);
  let total: { loss: tf.Scalar; grads: tf.Tensor[] } | undefined;
  for (let start = 0; start < B; start += microBatch) {
    const n = Math.min(microBatch, B - start);
    const chunk = tf.slice(ids, [start, 0], [n, T]);
    const part = pass(chunk, n / B);
    chunk.dispose();
    if (!total) {
      total = part;
      continue;
    }
    const sum: { loss: tf.Scalar; grads: tf.Tensor[] } = { loss: tf.add(total.loss, part.loss), grads: total.grads.map((g, i) => tf.add(g, part.grads[i]!)) };
    tf.dispose([total.loss, part.loss, ...total.grads, ...part.grads]);
    total = sum;
  }
  return total!;
}
