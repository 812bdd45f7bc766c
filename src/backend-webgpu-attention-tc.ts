/**
 * Causal self-attention for float16 compute on the tensor cores (FORWARD only), from the fused projection output
 * qkv [B*T, H*3*hs] (HF's per-head [q | k | v]) to the merged context [B*T, H*hs], in four kinds of programs:
 *   1. {@link packAttentionHalf}, one program: rotary on q and k (the float32 arithmetic of rotarySplit,
 *      ./backend-webgpu-attention.ts, q scaled), written as float16 bits [B*H, T', hp / 2] (two halves per int32
 *      word), and v transposed through workgroup memory to float16 v^T [B*H, hs, T' / 2] (the right operand's rows);
 *   2. S = q k^T on the tensor cores (halfAttentionProduct, ./backend-webgpu-f16.ts: float16 products, float32 sums),
 *      result tiles entirely above the diagonal skipped;
 *   3. {@link causalSoftmaxHalf}: softmax over keys <= query in float32, probabilities written as float16 bits,
 *      zero up to the end of the row's P v tile;
 *   4. O = P v on the tensor cores, the K loop stopped at the diagonal tile, stored straight into [B*T, H*hs].
 * T' is T rounded up to 64 (the product's K step), hp is hs rounded up to 32; padded rows and columns are zero.
 *
 * Memory: per group of (sequence, head) pairs, S [g, T', T'] float32 and P [g, T', T'] float16, 6 bytes per score:
 * groups are sized so that both fit twice `scoreBytes` (what the composite float32 path holds per head group: two
 * float32 score tensors of `scoreBytes`, the model's budget that src/record/stream-budget.ts plans with), and S fits
 * one 2 GiB storage binding. 1b with 5 x 2048 tokens: 40 pairs, 1 GiB in one group, 2 groups of 20 in 2 x 256 MiB.
 *
 * Float16 compute uses it by default for heads of 256 dims and more (MASSIVE_WEBGPU_ATTENTION_F16 unset or `auto`; see {@link AUTO_PRODUCTS_MIN_HEAD}),
 * for every head size with `products`; `flash` takes the float16 flash kernel, `off` the float32 one (see {@link halfAttentionMode}).
 */
import * as tf from "@tensorflow/tfjs-core";
import { fusedAttentionAvailable } from "./backend-webgpu-attention";
import { attentionProductTile, halfAttentionProduct, halfComputeAvailable, halfMatrixConfig } from "./backend-webgpu-f16";
import { HALF_TILES, HalfTile, halfMatMulLayout } from "./backend-webgpu-f16-code";
import { FlatProgram, Uniform, runFlatProgram } from "./backend-webgpu-program";

/**
 * The float16-compute attention used when MASSIVE_WEBGPU_ATTENTION_F16 is not set (since 2026-12-02): "auto", this
 * file's products for heads of at least {@link AUTO_PRODUCTS_MIN_HEAD} dims, the float16 flash kernel below.
 */
export const DEFAULT_HALF_ATTENTION: HalfAttentionMode = "auto";

/**
 * The attentions float16 compute can use: `off` = the float32 flash kernel (./backend-webgpu-attention.ts);
 * `products` = this file; `flash` = the float16 flash kernel on subgroup matrices (./backend-webgpu-attention-f16.ts);
 * `auto` (the default) = this file for heads of at least {@link AUTO_PRODUCTS_MIN_HEAD} dims, the float16 flash
 * kernel below where it applies (head sizes multiples of 16), else the float32 flash kernel (where each measured
 * faster: docs/gpu.md). `flash-experimental`, the float16 flash kernel's name while it failed its test, is read as `flash`.
 */
export const HALF_ATTENTION_MODES = ["off", "products", "auto", "flash"] as const;
export type HalfAttentionMode = (typeof HALF_ATTENTION_MODES)[number];

/**
 * `auto` takes the products for head sizes from here up, the float16 flash kernel below. H200, 2026-12-02 session 8
 * (bench/gpu/attention-f16.ts, whole attention per 5 x 2048-token pass, wall / GPU ms; raw outputs
 * bench/gpu/h200-2026-12-02-s8/round-1,2/F): 70m (hs 64) float16 flash 8.30 / 3.54 and 7.05 / 3.54, products
 * 10.83 / 5.51 and 9.54 / 5.11; one 12b layer (hs 128, R2) float16 flash 4.37 / 4.06, products 6.21 / 5.37; 1b (hs
 * 256) a tie on the GPU (float16 flash 23.07 and 24.12, products 24.12 and 23.07, one timestamp step per layer apart)
 * with the products ahead in wall time (27.39 and 29.53 against 29.28 and 72.14): the products stay from 256 dims.
 * Earlier (session 7): the products against the float32 flash kernel won 1b (32 against 83 ms).
 */
export const AUTO_PRODUCTS_MIN_HEAD = 256;

/** MASSIVE_WEBGPU_ATTENTION_F16, else {@link DEFAULT_HALF_ATTENTION}; any other value is refused (a typo must not silently measure something else). */
export function halfAttentionMode(): HalfAttentionMode {
  const set = process.env.MASSIVE_WEBGPU_ATTENTION_F16;
  const mode = set === "flash-experimental" ? "flash" : set ?? DEFAULT_HALF_ATTENTION;
  if (!(HALF_ATTENTION_MODES as readonly string[]).includes(mode)) throw new Error(`MASSIVE_WEBGPU_ATTENTION_F16 must be one of ${HALF_ATTENTION_MODES.join(", ")} (got '${mode}')`);
  return mode as HalfAttentionMode;
}

/** Whether the mode asks for the float16 flash kernel for heads of hs dims: "flash", or "auto" with hs < {@link AUTO_PRODUCTS_MIN_HEAD} (./backend-webgpu-attention-f16.ts checks that it fits). */
export function flashHalfWanted(hs: number): boolean {
  const mode = halfAttentionMode();
  return mode === "flash" || (mode === "auto" && hs < AUTO_PRODUCTS_MIN_HEAD);
}

/** Keys and queries are padded to a multiple of this (the default tile's K step, so P v needs no fallback tile). */
const KEY_STEP = 64;
/** Head dims of q and k are padded to a multiple of this (the product's smallest K step). */
const HEAD_STEP = 32;
/** Largest storage binding (the H200's maxStorageBufferBindingSize, 2 GiB): S of one group must fit it. */
const MAX_BINDING_BYTES = 2 ** 31 - 4;

const roundUp = (n: number, step: number): number => Math.ceil(n / step) * step;

/**
 * True when {@link productsCausalAttention} runs for head size hs with rd rotary dims: mode "products" (or "auto"
 * with hs >= {@link AUTO_PRODUCTS_MIN_HEAD}), the float32
 * fused attention available (the same conditions: webgpu, fused programs, hs % 4 == 0, hs <= 256) and float16 compute.
 */
export function productsAttentionAvailable(hs: number, rd: number): boolean {
  return productsAttentionWanted(hs) && halfComputeAvailable() && fusedAttentionAvailable(hs, rd);
}

/** Whether the mode asks for the products for heads of hs dims: "products", or "auto" with hs >= {@link AUTO_PRODUCTS_MIN_HEAD}. */
export function productsAttentionWanted(hs: number): boolean {
  const mode = halfAttentionMode();
  return mode === "products" || (mode === "auto" && hs >= AUTO_PRODUCTS_MIN_HEAD);
}

/**
 * The largest divisor g of `pairs` whose scores S (float32) and P (float16), 6 g Tp^2 bytes, fit 2 x scoreBytes, with
 * S (4 g Tp^2) within one storage binding; at least 1. Equal groups reuse the same pooled GPU buffers.
 */
export function pairsPerGroup(pairs: number, Tp: number, scoreBytes: number): number {
  const fit = Math.min(Math.floor((2 * scoreBytes) / (6 * Tp * Tp)), Math.floor(MAX_BINDING_BYTES / (4 * Tp * Tp)));
  let g = Math.max(1, Math.min(pairs, fit));
  while (pairs % g !== 0) g--;
  return g;
}

/** int32 uniforms as runFlatProgram takes them. */
const ints = (values: number[]): Uniform[] => values.map((v) => ({ type: "int32", data: [v] }));

/** Where q, k and v^T lie in {@link packAttentionHalf}'s output, in int32 words, and the words per pair of each. */
export interface PackedAttentionLayout { kAt: number; vAt: number; words: number; qkPerPair: number; vPerPair: number }

export function packedAttentionLayout(BH: number, hs: number, Tp: number, hp: number): PackedAttentionLayout {
  const qkPerPair = (Tp * hp) / 2, vPerPair = (hs * Tp) / 2;
  return { kAt: BH * qkPerPair, vAt: 2 * BH * qkPerPair, words: BH * (2 * qkPerPair + vPerPair), qkPerPair, vPerPair };
}

/** Workgroup size of the packing program. */
const PACK_THREADS = 256;

/**
 * q, k and v of the fused projection output qkv [B*T, H*3*hs] as float16 bits in one int32 tensor (one dispatch),
 * laid out as {@link packedAttentionLayout} says: q (times 1/sqrt(hs)) and k rotated on their first rd dims (cos,
 * signedSin [T, rd]) with rotarySplit's float32 arithmetic, [B*H, Tp, hp / 2] each, then v transposed, v^T
 * [B*H, hs, Tp / 2]; zero past T and hs. The first workgroups write q and k one word per thread; the others move v
 * in tiles of 64 tokens x 32 dims through workgroup memory, so that both their reads (along dims) and writes (along
 * tokens) are contiguous.
 */
export function packAttentionHalf(qkv: tf.Tensor2D, cos: tf.Tensor2D, signedSin: tf.Tensor2D, B: number, T: number, H: number, hs: number, Tp: number, hp: number): tf.Tensor1D {
  const rd = cos.shape[1], BH = B * H;
  const { kAt, vAt, words } = packedAttentionLayout(BH, hs, Tp, hp);
  const qkGroups = Math.ceil(vAt / PACK_THREADS), dTiles = Math.ceil(hs / 32), tiles = BH * (Tp / 64) * dTiles;
  const program = new FlatProgram({
    key: `massivePackAttentionHalf_${hs}_${rd}_${hp}`, outputShape: [words], variableNames: ["QKV", "Cos", "Sin"],
    uniforms: "seqLen : i32, heads : i32, padT : i32, qkGroups : i32, tiles : i32, kAt : i32, vAt : i32,", threads: PACK_THREADS, workgroups: qkGroups + tiles,
    code: `enable f16;
  var<workgroup> tile : array<f32, ${64 * 33}>;
  var<workgroup> kindShared : i32;
  fn massiveRotated(base : i32, t : i32, d : i32, scale : f32) -> f32 {
    if (d >= ${hs}) { return 0.0; }
    var v = QKV[base + d];
    if (d < ${rd}) {
      let partner = select(d - ${rd / 2}, d + ${rd / 2}, d < ${rd / 2});
      let rotated = v * Cos[t * ${rd} + d];
      let swapped = QKV[base + partner] * Sin[t * ${rd} + d];
      v = rotated + swapped;
    }
    return v * scale;
  }
  fn main(index : i32) {
    let li = i32(localIndex % ${PACK_THREADS}u);
    let wg = index / ${PACK_THREADS};
    let H = uniforms.heads;
    let T = uniforms.seqLen;
    // Which part this workgroup does, through workgroup memory so that the branch holding a barrier is uniform.
    if (li == 0) { kindShared = select(1, 0, wg < uniforms.qkGroups); }
    let kind = workgroupUniformLoad(&kindShared);
    if (kind == 0) {
      if (index < uniforms.vAt) {
        let which = index / uniforms.kAt;
        let w = index % ${hp / 2};
        let t = (index / ${hp / 2}) % uniforms.padT;
        let bh = (index % uniforms.kAt) / (${hp / 2} * uniforms.padT);
        var p = vec2<f32>(0.0);
        if (t < T) {
          let base = ((bh / H) * T + t) * (3 * H * ${hs}) + (bh % H) * ${3 * hs} + which * ${hs};
          let scale = select(1.0, ${(1 / Math.sqrt(hs)).toPrecision(17)}, which == 0);
          p = vec2<f32>(massiveRotated(base, t, 2 * w, scale), massiveRotated(base, t, 2 * w + 1, scale));
        }
        result[index] = bitcast<i32>(vec2<f16>(p));
      }
      return;
    }
    let vt = min(wg - uniforms.qkGroups, uniforms.tiles - 1); // extra workgroups of a folded dispatch redo the last tile
    let dt = vt % ${dTiles};
    let tt = (vt / ${dTiles}) % (uniforms.padT / 64);
    let bh = vt / (${dTiles} * (uniforms.padT / 64));
    let d = dt * 32 + li % 32;
    for (var i = 0; i < 8; i++) {
      let tl = i * 8 + li / 32;
      let t = tt * 64 + tl;
      var v = 0.0;
      if (t < T && d < ${hs}) { v = QKV[((bh / H) * T + t) * (3 * H * ${hs}) + (bh % H) * ${3 * hs} + ${2 * hs} + d]; }
      tile[tl * 33 + li % 32] = v;
    }
    workgroupBarrier();
    for (var i = 0; i < 4; i++) {
      let dl = i * 8 + li / 32;
      let wl = li % 32;
      if (dt * 32 + dl < ${hs}) {
        let pair = vec2<f16>(f16(tile[2 * wl * 33 + dl]), f16(tile[(2 * wl + 1) * 33 + dl]));
        result[uniforms.vAt + (bh * ${hs} + dt * 32 + dl) * (uniforms.padT / 2) + tt * 32 + wl] = bitcast<i32>(pair);
      }
    }
  }`,
  });
  return runFlatProgram(program, [qkv, cos, signedSin], "int32", ints([T, H, Tp, qkGroups, tiles, kAt, vAt])) as tf.Tensor1D;
}

/** Threads per softmax row (a power of two): 64 measured fastest of 64 / 128 / 256 (H200, 1b: 7.6 / 9.8 / 9.1 ms per pass). */
const SOFTMAX_THREADS = 64;

/**
 * Causal softmax of scores S [g, Tp, Tp] float32 (row t = query t mod Tp sees keys <= min(t, T - 1); only those are
 * read, so tiles above the diagonal may hold anything) as float16 bits P [g, Tp, Tp / 2] int32, written up to
 * column min(Tp, roundUp(t + 1, zeroTo)) (zero past the row's keys): the part P v reads with its K loop stopped
 * at the diagonal tile of `zeroTo` rows. One workgroup per row: per-thread running max and sum (rescaled when the
 * max grows), one tree reduction of the (max, sum) pairs, then exp(s - max) / sum rounded to float16.
 */
export function causalSoftmaxHalf(scores: tf.Tensor3D, T: number, zeroTo: number, threads = SOFTMAX_THREADS): tf.Tensor3D {
  const [g, Tp] = scores.shape;
  const rows = g * Tp, n = threads;
  const program = new FlatProgram({
    key: `massiveCausalSoftmaxHalf_${zeroTo}_${n}`, outputShape: [g, Tp, Tp / 2], variableNames: ["S"],
    uniforms: "rows : i32, seqLen : i32, padT : i32,", threads: n, workgroups: rows,
    code: `enable f16;
  var<workgroup> redMax : array<f32, ${n}>;
  var<workgroup> redSum : array<f32, ${n}>;
  fn main(index : i32) {
    let row = min(index / ${n}, uniforms.rows - 1); // extra workgroups of a folded dispatch redo the last row
    let tid = i32(localIndex % ${n}u);
    let Tp = uniforms.padT;
    let t = row % Tp;
    let last = min(t, uniforms.seqLen - 1);
    let base = row * Tp;
    var m = -3.0e38;
    var l = 0.0;
    for (var c = tid; c <= last; c += ${n}) {
      let s = S[base + c];
      if (s > m) { l = l * exp(m - s) + 1.0; m = s; } else { l += exp(s - m); }
    }
    redMax[tid] = m;
    redSum[tid] = l;
    workgroupBarrier();
    for (var size = ${n / 2}; size > 0; size = size >> 1) {
      if (tid < size) {
        let m1 = redMax[tid];
        let m2 = redMax[tid + size];
        let mn = max(m1, m2);
        redSum[tid] = redSum[tid] * exp(m1 - mn) + redSum[tid + size] * exp(m2 - mn);
        redMax[tid] = mn;
      }
      workgroupBarrier();
    }
    let rowMax = redMax[0];
    let rowSum = redSum[0];
    let words = min(Tp, (t / ${zeroTo} + 1) * ${zeroTo}) / 2;
    for (var w = tid; w < words; w += ${n}) {
      let c = 2 * w;
      var p = vec2<f32>(0.0);
      if (c <= last) { p.x = exp(S[base + c] - rowMax) / rowSum; }
      if (c + 1 <= last) { p.y = exp(S[base + c + 1] - rowMax) / rowSum; }
      result[row * (Tp / 2) + w] = bitcast<i32>(vec2<f16>(p));
    }
  }`,
  });
  return runFlatProgram(program, [scores], "int32", ints([rows, T, Tp])) as tf.Tensor3D;
}

/** The P v tile for hs columns: 128 x 64 where hs is a multiple of 64 but not of 128 (half of a 128 x 128 tile would idle). */
export function pvTile(hs: number): HalfTile | undefined {
  return hs % 128 !== 0 && hs % 64 === 0 ? HALF_TILES["128x64-128t-bk64"] : undefined;
}

/**
 * The attention context [B*T, H*hs] of the fused projection output qkv [B*T, H*3*hs] (HF's per-head [q|k|v]) on the
 * tensor cores, in groups of (sequence, head) pairs (see the file comment for memory); with `half` its float16 bits
 * [B*T, H*hs / 2] int32 for float16 compute's output projection (halfLinear: no packing pass). Use where
 * {@link productsAttentionAvailable}.
 */
export function productsCausalAttention(qkv: tf.Tensor2D, cos: tf.Tensor2D, signedSin: tf.Tensor2D, B: number, T: number, H: number, hs: number, scoreBytes: number, half = false): tf.Tensor2D {
  const BH = B * H, Tp = roundUp(T, KEY_STEP), hp = roundUp(hs, HEAD_STEP);
  const cfg = halfMatrixConfig();
  if (!cfg) throw new Error("productsCausalAttention: float16 compute is not available");
  const tile = pvTile(hs);
  const zeroTo = halfMatMulLayout(cfg, attentionProductTile(cfg, Tp, hs, Tp, tile)).bm; // P v's rows per tile
  const { kAt, vAt, qkPerPair, vPerPair } = packedAttentionLayout(BH, hs, Tp, hp);
  const packed = packAttentionHalf(qkv, cos, signedSin, B, T, H, hs, Tp, hp);
  const g = pairsPerGroup(BH, Tp, scoreBytes);
  let ctx: tf.Tensor2D | undefined;
  try {
    for (let p0 = 0; p0 < BH; p0 += g) {
      const group = { count: g, pair0: p0, B, T, H };
      const scores = halfAttentionProduct(packed, packed, { ...group, M: Tp, N: Tp, K: hp, aWords: p0 * qkPerPair, wWords: kAt + p0 * qkPerPair, causal: "scores", merged: false }) as tf.Tensor3D; // [g, Tp, Tp]
      const probs = causalSoftmaxHalf(scores, T, zeroTo); // [g, Tp, Tp / 2]
      scores.dispose();
      ctx = halfAttentionProduct(probs, packed, { ...group, M: Tp, N: hs, K: Tp, aWords: 0, wWords: vAt + p0 * vPerPair, causal: "pv", merged: true, half, output: ctx }, tile) as tf.Tensor2D;
      probs.dispose();
    }
  } finally {
    packed.dispose();
  }
  return ctx!;
}
