/**
 * Causal self-attention for float16 compute built from programs that are verified on their own (FORWARD only):
 *   rotarySplit (./backend-webgpu-attention.ts: [3, B*H, T, hs], rotary on q/k, q scaled, float32)
 *   -> q, k packed to float16 bits, v transposed to [B*H, hs, T] and packed
 *   -> S = q k^T on the tensor cores (halfBatchedMatMul, ./backend-webgpu-f16.ts: float16 products, float32 sums)
 *   -> P = fusedCausalSoftmax(S) (./backend-webgpu-kernels.ts: mask implicit, float32)
 *   -> O = P v on the tensor cores (P rounded to float16 as it is staged) -> merged heads [B*T, H*hs].
 * Unlike the flash kernels it materialises the scores, and computes the masked upper triangle too (the softmax
 * zeroes it): twice the products of a causal kernel, at the product kernel's rate.
 *
 * Memory: per group of (sequence, head) pairs, S and P are [g, T', T'] float32 each, the same two score-sized
 * tensors the composite float32 path (src/model/attention.ts) holds per head group, and groups are chosen the same
 * way (float32 scores of a group within `scoreBytes`, the model's budget, which src/record/stream-budget.ts plans
 * with): recording with this path stays within its plan. T' is T rounded up to 64 (the product's K step), e.g. 1b
 * with 5 x 2048 tokens and 8 heads: 40 x 2048 x 2048 x 4 B = 671 MB per score tensor when the budget holds all heads.
 *
 * Selected by MASSIVE_WEBGPU_ATTENTION_F16=products (see {@link halfAttentionMode}).
 */
import * as tf from "@tensorflow/tfjs-core";
import { fusedAttentionAvailable, rotarySplit } from "./backend-webgpu-attention";
import { halfBatchedMatMul, halfComputeAvailable, packHalfActivations } from "./backend-webgpu-f16";
import { fusedCausalSoftmax } from "./backend-webgpu-kernels";

/**
 * The float16-compute attention used when MASSIVE_WEBGPU_ATTENTION_F16 is not set: "off" keeps the float32 flash
 * kernel. Making this path the default of float16 compute is this one line ("products").
 */
export const DEFAULT_HALF_ATTENTION: HalfAttentionMode = "off";

/**
 * The attentions float16 compute can use: `off` = the float32 flash kernel; `products` = this file (correct on the
 * H200, slower than `off` so far: docs/gpu.md); `flash-experimental` = the flash kernel on subgroup matrices of
 * ./backend-webgpu-attention-f16.ts, which FAILED its device test on 2026-12-02 (kept for its debugging only).
 */
export const HALF_ATTENTION_MODES = ["off", "products", "flash-experimental"] as const;
export type HalfAttentionMode = (typeof HALF_ATTENTION_MODES)[number];

/** MASSIVE_WEBGPU_ATTENTION_F16, else {@link DEFAULT_HALF_ATTENTION}; any other value is refused (a typo must not silently measure something else). */
export function halfAttentionMode(): HalfAttentionMode {
  const mode = process.env.MASSIVE_WEBGPU_ATTENTION_F16 ?? DEFAULT_HALF_ATTENTION;
  if (!(HALF_ATTENTION_MODES as readonly string[]).includes(mode)) throw new Error(`MASSIVE_WEBGPU_ATTENTION_F16 must be one of ${HALF_ATTENTION_MODES.join(", ")} (got '${mode}')`);
  return mode as HalfAttentionMode;
}

/** Keys and queries are padded to a multiple of this (the default tile's K step, so P v needs no fallback tile). */
const KEY_STEP = 64;
/** Head dims of q and k are padded to a multiple of this (the product's smallest K step). */
const HEAD_STEP = 32;

const roundUp = (n: number, step: number): number => Math.ceil(n / step) * step;

/**
 * True when {@link productsCausalAttention} runs for head size hs with rd rotary dims: mode "products", the float32
 * fused attention available (its rotarySplit is reused: webgpu, fused programs, hs % 4 == 0, hs <= 256) and float16 compute.
 */
export function productsAttentionAvailable(hs: number, rd: number): boolean {
  return halfAttentionMode() === "products" && halfComputeAvailable() && fusedAttentionAvailable(hs, rd);
}

/** The largest divisor of `pairs` whose [g, Tp, Tp] float32 scores fit `scoreBytes` (at least 1). */
export function pairsPerGroup(pairs: number, Tp: number, scoreBytes: number): number {
  let g = Math.max(1, Math.min(pairs, Math.floor(scoreBytes / (4 * Tp * Tp))));
  while (pairs % g !== 0) g--;
  return g;
}

/** x [g, rows, cols] float32 zero-padded to [g, rows', cols'] and packed to float16 bits: [g, rows', cols' / 2] int32. */
function padPack(x: tf.Tensor3D, rows: number, cols: number): tf.Tensor3D {
  const [g, r, c] = x.shape;
  const padded = r === rows && c === cols ? x : tf.pad(x, [[0, 0], [0, rows - r], [0, cols - c]]);
  // Reshapes only: int32 bit patterns never pass through tfjs's own (float32) programs.
  return tf.reshape(packHalfActivations(tf.reshape(padded, [g * rows, cols]) as tf.Tensor2D), [g, rows, cols / 2]);
}

/**
 * softmax(q k^T + causal mask) v for one group of (sequence, head) pairs, q, k, v [g, T, hs] float32 (q scaled):
 * [g, T, hs] float32. Zero padding (T -> Tp rows, hs -> a multiple of 32 for q and k) changes nothing kept: padded
 * key rows are masked for every real query, padded head dims add 0 to q k^T, padded query rows are sliced off.
 */
function groupAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D): tf.Tensor3D {
  const [, T, hs] = q.shape;
  const Tp = roundUp(T, KEY_STEP), hp = roundUp(hs, HEAD_STEP);
  const scores = halfBatchedMatMul(padPack(q, Tp, hp), padPack(k, Tp, hp)); // [g, Tp, Tp]
  const probs = fusedCausalSoftmax(scores) as tf.Tensor3D;
  scores.dispose(); // only one score-sized tensor besides P at a time
  const vT = padPack(tf.transpose(v, [0, 2, 1]), hs, Tp); // [g, hs, Tp / 2]: v^T as the right operand's rows
  const out = halfBatchedMatMul(probs, vT); // [g, Tp, hs]; P rounded to float16 as it is staged
  return Tp === T ? out : tf.slice(out, [0, 0, 0], [-1, T, -1]);
}

/**
 * The attention context [B*T, H*hs] of rotarySplit's output [3, B*H, T, hs] (q scaled), in groups of (sequence,
 * head) pairs whose float32 scores fit `scoreBytes` (see the file comment for memory).
 */
export function productsAttentionHeads(heads: tf.Tensor4D, B: number, T: number, H: number, hs: number, scoreBytes: number): tf.Tensor2D {
  return tf.tidy(() => {
    const BH = B * H;
    const g = pairsPerGroup(BH, roundUp(T, KEY_STEP), scoreBytes);
    const part = (which: number, p0: number): tf.Tensor3D => tf.reshape(tf.slice(heads, [which, p0, 0, 0], [1, g, T, hs]), [g, T, hs]);
    const parts: tf.Tensor3D[] = [];
    for (let p0 = 0; p0 < BH; p0 += g) parts.push(tf.tidy(() => groupAttention(part(0, p0), part(1, p0), part(2, p0))));
    const ctx = parts.length === 1 ? parts[0]! : tf.concat(parts, 0); // [B*H, T, hs]
    return tf.reshape(tf.transpose(tf.reshape(ctx, [B, H, T, hs]), [0, 2, 1, 3]), [B * T, H * hs]) as tf.Tensor2D;
  });
}

/**
 * The attention context [B*T, H*hs] of the fused projection output qkv [B*T, H*3*hs] (HF's per-head [q|k|v]) on the
 * tensor cores. Use where {@link productsAttentionAvailable}.
 */
export function productsCausalAttention(qkv: tf.Tensor2D, cos: tf.Tensor2D, signedSin: tf.Tensor2D, B: number, T: number, H: number, hs: number, scoreBytes: number): tf.Tensor2D {
  return tf.tidy(() => productsAttentionHeads(rotarySplit(qkv, cos, signedSin, B, T, H, hs, 1 / Math.sqrt(hs)), B, T, H, hs, scoreBytes));
}
