/**
 * GPT-NeoX causal self-attention up to the merged heads (the output projection `attention.dense` is the caller's):
 * q, k, v from the fused per-head [q|k|v] projection, partial rotary embedding (rotate-half convention) on the first
 * rotary_dims of each head, softmax(q k^T / sqrt(hs) + causal mask) v. Two implementations of the same arithmetic
 * ({@link AttentionImpl}), and on webgpu a fused pair of programs (../backend-webgpu-attention.ts) in place of the
 * batched one. The products go through the caller's `linear` so that float16 compute (../backend-webgpu-f16.ts)
 * applies to the q/k/v projections too.
 */
import { tf } from "../backend";
import { fusedAttentionAvailable, fusedCausalAttention } from "../backend-webgpu-attention";
import { fusedCausalAttentionHalf, halfAttentionAvailable } from "../backend-webgpu-attention-f16";
import { productsAttentionAvailable, productsCausalAttention } from "../backend-webgpu-attention-tc";
import { fusedCausalSoftmax, fusedKernelsAvailable } from "../backend-webgpu-kernels";

/**
 * How attention runs. `per-head`: 2-D matmuls per (sequence, head) sliced straight from the fused qkv output, with
 * the rotary embedding as x * cos + (x @ P) * sin (P a 0/1 permutation matrix, so exact); fastest on wasm, whose
 * batched matmul is several times slower than its 2-D one. `batched`: [B, H, T, T] batched matmuls, fewest ops
 * (GPU backends). `auto` (default): per-head on wasm and cpu, batched elsewhere.
 */
export type AttentionImpl = "auto" | "per-head" | "batched";

/** One head's [C, hs] projections (per-head attention). */
export interface HeadTensors {
  qW: tf.Tensor2D; kW: tf.Tensor2D; vW: tf.Tensor2D;
  qB?: tf.Tensor1D; kB?: tf.Tensor1D; vB?: tf.Tensor1D;
}

/** Rotary tables and mask for sequences of `seqLen` tokens (made once per length by the model). */
export interface PositionTables {
  seqLen: number;
  /** [T, rd] cos and signed sin (batched path). */
  cos: tf.Tensor2D; sin: tf.Tensor2D;
  /** [T, hs]: cos with 1 and signed sin with 0 on the pass-through dims; [hs, hs] rotate-half permutation (per-head path). */
  cosFull: tf.Tensor2D; sinFull: tf.Tensor2D; perm: tf.Tensor2D;
  /** [T, T] additive causal mask. */
  mask: tf.Tensor2D;
}

/** torch.nn.Linear as the model runs it: x [N, in] @ Wt [in, out] + b. */
export type LinearFn = (x: tf.Tensor2D, Wt: tf.Tensor2D, b?: tf.Tensor1D) => tf.Tensor2D;

/** Rotary embedding on the first rd dims of x [B, H, T, hs]: x_rot * cos + rotate_half(x_rot) * sin. */
function rotary(x: tf.Tensor4D, cos: tf.Tensor2D, sin: tf.Tensor2D): tf.Tensor4D {
  const rd = cos.shape[1];
  const hs = x.shape[3];
  const half = rd / 2;
  const rot = rd === hs ? x : tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, rd]); // (B, H, T, rd)
  const swapped = tf.concat([tf.slice(rot, [0, 0, 0, half], [-1, -1, -1, half]), tf.slice(rot, [0, 0, 0, 0], [-1, -1, -1, half])], 3);
  const embedded = tf.add(tf.mul(rot, cos), tf.mul(swapped, sin)) as tf.Tensor4D;
  return rd === hs ? embedded : tf.concat([embedded, tf.slice(x, [0, 0, 0, rd], [-1, -1, -1, hs - rd])], 3);
}

/**
 * Attention as 2-D matmuls per (sequence, head), see {@link AttentionImpl}: xn [B*T, C] -> merged heads [B*T, C].
 * Each head's q, k, v come from its own [C, hs] slice of the fused projection: slicing activations on wasm copies the
 * whole input per slice.
 */
export function attentionPerHead(xn: tf.Tensor2D, heads: HeadTensors[], B: number, T: number, hs: number, tables: PositionTables, linear: LinearFn): tf.Tensor2D {
  const scale = 1 / Math.sqrt(hs);
  // Rotary: x * cos + rotate_half(x) * sin == x * cosFull + (x @ perm) * sinFull, exactly (perm is 0/1).
  const rope = (x: tf.Tensor2D): tf.Tensor2D => tf.add(tf.mul(x, tables.cosFull), tf.mul(tf.matMul(x, tables.perm), tables.sinFull)) as tf.Tensor2D;
  const rows = (x: tf.Tensor2D, b: number): tf.Tensor2D => (B === 1 ? x : tf.slice(x, [b * T, 0], [T, hs]));
  const perHead = heads.map((hw) => tf.tidy(() => {
    const q = linear(xn, hw.qW, hw.qB); // (B*T, hs)
    const k = linear(xn, hw.kW, hw.kB);
    const v = linear(xn, hw.vW, hw.vB);
    const out: tf.Tensor2D[] = [];
    for (let b = 0; b < B; b++) {
      const qr = tf.mul(rope(rows(q, b)), scale); // (T, hs)
      const kT = tf.transpose(rope(rows(k, b))); // (hs, T)
      const scores = tf.add(tf.matMul(qr, kT), tables.mask); // (T, T)
      out.push(tf.matMul(tf.softmax(scores), rows(v, b))); // (T, hs)
    }
    return B === 1 ? out[0]! : (tf.concat(out, 0) as tf.Tensor2D); // (B*T, hs)
  }));
  const merged = tf.concat(perHead, 1) as tf.Tensor2D; // (B*T, C), heads in order as HF merges them
  tf.dispose(perHead);
  return merged;
}

/**
 * How {@link attentionBatched} computes: the model's compute mode, passed down by the caller (GPTNeoXOptions.compute;
 * not guessed from the qkv weight's dtype: float16 bits and split float32 weights are both int32), and what its
 * output feeds.
 */
export interface BatchedAttentionMode {
  /** `float16`: the tensor-core attentions where they apply (see attentionBatched); `float32`: float32 throughout. */
  compute: "float32" | "float16";
  /** The caller's output projection is a float16 product (halfLinear): the attention (float32 flash or tensor-core products) may return float16 bits [B*T, C / 2]. */
  halfContext?: boolean;
}

/**
 * Which program {@link attentionBatched} runs: `products` (float16 compute, scores and P v on the tensor cores,
 * ../backend-webgpu-attention-tc.ts: MASSIVE_WEBGPU_ATTENTION_F16 `products`, or `auto` for heads of >=
 * AUTO_PRODUCTS_MIN_HEAD dims), `flash-f16` (float16 compute: the two-pass flash attention on the tensor cores,
 * ../backend-webgpu-attention-f16.ts; MASSIVE_WEBGPU_ATTENTION_F16 `flash`, or `auto` for smaller heads), `flash-f32` (the float32 flash attention, ../backend-webgpu-attention.ts: webgpu
 * with fused programs), `composite` (batched tfjs ops, every other backend). One decision, read by attentionBatched
 * and by the records' provenance (GPTNeoX.arithmetic), so that a record says what ran.
 */
export type BatchedAttentionKind = "products" | "flash-f16" | "flash-f32" | "composite";

/** The {@link BatchedAttentionKind} for heads of hs dims with rd rotary dims in the given compute mode. */
export function batchedAttentionKind(hs: number, rd: number, compute: "float32" | "float16"): BatchedAttentionKind {
  if (!fusedAttentionAvailable(hs, rd)) return "composite";
  if (compute === "float16" && productsAttentionAvailable(hs, rd)) return "products";
  // float16 compute: the tensor-core flash attention where it fits and the mode chooses it.
  if (compute === "float16" && halfAttentionAvailable(hs, rd)) return "flash-f16";
  return "flash-f32";
}

/**
 * Attention as batched [B, H, T, T] matmuls (see {@link AttentionImpl}) on groups of heads whose float32 scores stay
 * under `scoreBytes`: xn [B*T, C] -> merged heads [B*T, C]. On webgpu a rotary + split program and a flash attention
 * (two programs, no [B, H, T, T] scores in memory) replace it where they apply; `mode` says which.
 */
export function attentionBatched(xn: tf.Tensor2D, qkv: { W: tf.Tensor2D; b?: tf.Tensor1D }, B: number, T: number, H: number, hs: number, tables: PositionTables, scoreBytes: number, linear: LinearFn, mode: BatchedAttentionMode = { compute: "float32" }): tf.Tensor2D {
  const kind = batchedAttentionKind(hs, tables.cos.shape[1], mode.compute);
  if (kind === "products") return productsCausalAttention(linear(xn, qkv.W, qkv.b), tables.cos, tables.sin, B, T, H, hs, scoreBytes, mode.halfContext ?? false);
  if (kind === "flash-f16") return fusedCausalAttentionHalf(linear(xn, qkv.W, qkv.b), tables.cos, tables.sin, B, T, H, hs, mode.halfContext ?? false);
  if (kind === "flash-f32") return fusedCausalAttention(linear(xn, qkv.W, qkv.b), tables.cos, tables.sin, B, T, H, hs, mode.halfContext ?? false);
  const heads = tf.transpose(tf.reshape(linear(xn, qkv.W, qkv.b), [B, T, H, 3 * hs]), [0, 2, 1, 3]); // (B, H, T, 3hs)
  const [q, k, v] = tf.split(heads, 3, 3) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D]; // each (B, H, T, hs)
  // Scaling q by 1/sqrt(hs) before q k^T (cheaper than scaling the T x T scores) is exact when 1/sqrt(hs) is a power
  // of two (hs = 16, 64, 256); otherwise (Pythia's hs = 128) it differs from HF by rounding only.
  const qr = tf.mul(rotary(q, tables.cos, tables.sin), 1 / Math.sqrt(hs));
  const kr = rotary(k, tables.cos, tables.sin);
  // The largest divisor of H within the budget: groups of equal size reuse the same pooled GPU buffers.
  const maxPerGroup = Math.max(1, Math.floor(scoreBytes / (4 * B * T * T)));
  let headsPerGroup = Math.min(H, maxPerGroup);
  while (H % headsPerGroup !== 0) headsPerGroup--;
  const scaled = (qh: tf.Tensor4D, kh: tf.Tensor4D, vh: tf.Tensor4D): tf.Tensor4D => {
    const kT = tf.transpose(kh, [0, 1, 3, 2]); // (B, h, hs, T)
    const scores = tf.matMul(qh, kT); // (B, h, T, T)
    // The causal mask is implicit in the fused softmax (webgpu); added as a tensor elsewhere.
    const probs = fusedKernelsAvailable() ? fusedCausalSoftmax(scores) : tf.softmax(tf.add(scores, tables.mask));
    return tf.matMul(probs, vh); // (B, h, T, hs)
  };
  let ctx: tf.Tensor4D;
  if (headsPerGroup >= H) ctx = scaled(qr as tf.Tensor4D, kr, v);
  else {
    // Groups of heads, each in its own tidy: only one group's [B, h, T, T] scores exist at a time.
    const parts: tf.Tensor4D[] = [];
    for (let h0 = 0; h0 < H; h0 += headsPerGroup) {
      const g = Math.min(headsPerGroup, H - h0);
      const part = (t: tf.Tensor4D): tf.Tensor4D => tf.slice(t, [0, h0, 0, 0], [B, g, T, hs]);
      parts.push(tf.tidy(() => scaled(part(qr as tf.Tensor4D), part(kr), part(v))));
    }
    ctx = tf.concat(parts, 1);
    tf.dispose(parts);
  }
  return tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [B * T, H * hs]) as tf.Tensor2D; // (B*T, C)
}
