/**
 * Float16-compute attention from verified parts (src/backend-webgpu-attention-tc.ts) and its batched product
 * (halfBatchedMatMul, src/backend-webgpu-f16.ts). On the GPU machine (webgpu with float16 subgroup matrices):
 *   - halfBatchedMatMul against tfjs's float32 matMul of the same float16-rounded inputs (batch 3; ragged and whole
 *     tiles; A float32 and A packed): only the summation order differs, <= 2 K 2^-24 sum_k |a_k w_k| per output
 *     (helper H's bound of test/backend/webgpu-f16.test.ts with the activations' rounding term gone: both sides
 *     multiply the same float16 values, exactly, in float32 accumulators);
 *   - the attention (from the fused qkv: rotary, float16 packing, causal tile skipping, merged heads) against the
 *     composite float32 arithmetic on rotarySplit's q, k, v (q k^T, fusedCausalSoftmax, P v in float32) with the
 *     bound derived below; hs 16 (padded), 64, 128, 256; T 1 to 2048 (padded rows and keys, tiles past the diagonal);
 *     B*H up to 40; groups of pairs, one straddling sequences;
 *   - the context as float16 bits (`half`, for float16 compute's output projection) bit for bit against packing the
 *     float32 context;
 *   - the tiny-neox float16 forward with MASSIVE_WEBGPU_ATTENTION_F16=products, as webgpu-f16.test.ts checks it.
 * Derivation of the attention bound (u = 2^-11 float16's unit roundoff, e = 2^-24 float32's), per query t:
 *   scores: s'_j = fl16(q).fl16(k_j) summed in float32, |s'_j - s_j| <= D_t = (2u + u^2 + 2 hp e) max_{j<=t} sum_i |q_ti k_ji|
 *     (hp the padded head size; q and k are rotated in float32 and then rounded, so their u terms always count);
 *   softmax: shifting each s_j by at most D_t scales each p_j by a factor in [e^-2D_t, e^2D_t]; both softmaxes round
 *     their sums of T exps (T/64 terms per thread, then a tree of 6 levels) and exps: + 2 (T/64 + 8) e relative;
 *     together |p'_j - p_j| <= r_t p_j, r_t = e^{2 D_t} - 1 + 2 (T/64 + 8) e;
 *   P v: p' and v rounded to float16 (u each, 0 for v already float16; p' below float16's normal range 2^-14 rounds
 *     to a subnormal with an absolute error <= 2^-25 instead), float32 sums in both (2 Tp e):
 *     |O'_td - O_td| <= sum_j p_j |v_jd| ((1 + r_t)(1 + u)(1 + uv) - 1 + 2 Tp e) + 2^-25 sum_{j<=t} |v_jd|.
 * Everywhere: the group size rule and the default mode; with the optional package webgpu and tsx (CPU machines),
 * tfjs's assembled WGSL of every program here validated on Dawn's Null backend (bench/gpu/null-tfjs.ts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { tf } from "../../src/backend";
import { rotarySplit } from "../../src/backend-webgpu-attention";
import { DEFAULT_HALF_ATTENTION, causalSoftmaxHalf, flashHalfWanted, halfAttentionMode, productsAttentionWanted, packAttentionHalf, packedAttentionLayout, pairsPerGroup, productsCausalAttention } from "../../src/backend-webgpu-attention-tc";
import { rotaryTables } from "../../src/model/rotary";
import { halfAttentionProduct, halfBatchedMatMul, packHalfActivations } from "../../src/backend-webgpu-f16";
import { fusedCausalSoftmax } from "../../src/backend-webgpu-kernels";
import { float32ToHalf, halfToFloat32 } from "../../src/io/host-tensor";
import { E32, U16, assertHalfForwardParity, halfComputeSkip, uniformValues } from "../helpers/half-checks";
import { REPO_ROOT, resolvable } from "../helpers/resolvable";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";

const NULL_SCRIPT = path.join(REPO_ROOT, "bench", "gpu", "null-tfjs.ts");
test("tfjs's own WGSL of the batched product, the attention and the model's hook validates on Dawn's Null backend (CPU)", { skip: !(resolvable("webgpu") && resolvable("tsx") && fs.existsSync(NULL_SCRIPT)) && "needs the optional package webgpu, tsx and the sources (not in a bundle)" }, () => {
  // bench/gpu/null-tfjs.ts runs halfLinear, halfBatchedMatMul (ragged, whole tiles, float32 A), productsAttentionHeads
  // (hs 16/64/256, padded T) and the tiny-neox float16 forward with MASSIVE_WEBGPU_ATTENTION_F16=products through
  // tfjs-backend-webgpu on Null: every shader tfjs assembles is validated (Null executes nothing, so no values here).
  const r = spawnSync(process.execPath, ["--import", "tsx", NULL_SCRIPT], { cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
  assert.match(r.stdout, /^0 problems$/m);
  assert.match(r.stdout, /tiny-neox-a float16 forward with products attention: [1-9]\d* batched product pipelines/);
});

const skip = halfComputeSkip();

const values = uniformValues;
const rounded16 = (x: Float32Array): Float32Array => halfToFloat32(float32ToHalf(x));

test("pairsPerGroup: all (sequence, head) pairs when S (float32) and P (float16) fit twice the budget and S one 2 GiB binding, else the largest divisor that fits, at least 1", () => {
  assert.equal(pairsPerGroup(40, 2048, 2 ** 30), 40); // 1b, 5 x 2048: 40 x 24 MiB = 960 MiB <= 2 GiB, S 640 MiB
  assert.equal(pairsPerGroup(40, 2048, 2 ** 28), 20); // the model's 256 MiB: 21 fit 512 MiB, 20 divides 40
  assert.equal(pairsPerGroup(40, 2048, 2 ** 32), 40); // S of 40 pairs 640 MiB: within one binding
  assert.equal(pairsPerGroup(160, 2048, 2 ** 34), 80); // S of 128 pairs would reach 2 GiB: 127 fit, 80 divides 160
  assert.equal(pairsPerGroup(7, 2048, 2 ** 25), 1); // 2 fit, 7 is prime
  assert.equal(pairsPerGroup(12, 4096, 1), 1);
});

test("the float16 attention mode: MASSIVE_WEBGPU_ATTENTION_F16 when set, else the default (auto: the products for heads of >= 256 dims, float16 flash below)", () => {
  const saved = process.env.MASSIVE_WEBGPU_ATTENTION_F16;
  try {
    delete process.env.MASSIVE_WEBGPU_ATTENTION_F16;
    assert.equal(DEFAULT_HALF_ATTENTION, "auto");
    assert.equal(halfAttentionMode(), "auto");
    assert.deepEqual([32, 64, 128, 256].map(productsAttentionWanted), [false, false, false, true]); // (none) / Pythia 70m / 6.9b / 1b
    assert.deepEqual([32, 64, 128, 256].map(flashHalfWanted), [true, true, true, false]);
    process.env.MASSIVE_WEBGPU_ATTENTION_F16 = "off";
    assert.deepEqual([64, 256].map(productsAttentionWanted), [false, false]);
    assert.deepEqual([64, 256].map(flashHalfWanted), [false, false]);
    process.env.MASSIVE_WEBGPU_ATTENTION_F16 = "flash";
    assert.deepEqual([16, 64, 256].map(flashHalfWanted), [true, true, true]);
    assert.deepEqual([16, 64, 256].map(productsAttentionWanted), [false, false, false]);
    process.env.MASSIVE_WEBGPU_ATTENTION_F16 = "flash-experimental"; // its name while it failed its test: read as flash
    assert.equal(halfAttentionMode(), "flash");
    process.env.MASSIVE_WEBGPU_ATTENTION_F16 = "products";
    assert.equal(halfAttentionMode(), "products");
    process.env.MASSIVE_WEBGPU_ATTENTION_F16 = "on"; // the old name of the experimental flash kernel: refused, not ignored
    assert.throws(() => halfAttentionMode(), /MASSIVE_WEBGPU_ATTENTION_F16 must be one of off, products, auto, flash \(got 'on'\)/);
    process.env.MASSIVE_WEBGPU_ATTENTION_F16 = "auto"; // the products for heads of 256 dims and more (1b), float16 flash below (70m: 64, 6.9b/12b: 128)
    assert.equal(halfAttentionMode(), "auto");
    assert.deepEqual([16, 48, 64, 80, 128, 256].map(productsAttentionWanted), [false, false, false, false, false, true]);
    process.env.MASSIVE_WEBGPU_ATTENTION_F16 = "products";
    assert.deepEqual([16, 64, 256].map(productsAttentionWanted), [true, true, true]);
    assert.deepEqual([16, 64, 256].map(flashHalfWanted), [false, false, false]);
  } finally {
    if (saved === undefined) delete process.env.MASSIVE_WEBGPU_ATTENTION_F16;
    else process.env.MASSIVE_WEBGPU_ATTENTION_F16 = saved;
  }
});

/** halfBatchedMatMul of [batch, M, K] x [batch, N, K]^T against tf.matMul of the same float16 values. */
async function checkBatched(batch: number, M: number, K: number, N: number, packA: boolean): Promise<void> {
  const a = rounded16(values(batch * M * K, M + K, 2));
  const wBits = float32ToHalf(values(batch * N * K, N + 1, 1 / Math.sqrt(K)));
  const w = halfToFloat32(wBits);
  const aT = tf.tensor3d(a, [batch, M, K]);
  const wT = tf.tensor3d(w, [batch, N, K]);
  const wPacked = tf.tensor3d(new Int32Array(wBits.buffer, wBits.byteOffset, (batch * N * K) / 2), [batch, N, K / 2], "int32");
  const aIn = packA ? tf.tidy(() => tf.reshape(packHalfActivations(tf.reshape(aT, [batch * M, K]) as tf.Tensor2D), [batch, M, K / 2]) as tf.Tensor3D) : aT;
  const [gotT, refT, magT] = tf.tidy(() => [halfBatchedMatMul(aIn, wPacked), tf.matMul(aT, wT, false, true), tf.matMul(tf.abs(aT), tf.abs(wT), false, true)]);
  const got = (await gotT!.data()) as Float32Array, ref = (await refT!.data()) as Float32Array, mag = (await magT!.data()) as Float32Array;
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - ref[i]!) / mag[i]!);
  console.log(`  batch ${batch} ${M}x${K}x${N} A ${packA ? "packed" : "float32"}: max |err| / sum|a w| ${worst.toExponential(2)} (bound ${(2 * K * E32).toExponential(2)})`);
  assert.ok(worst <= 2 * K * E32, `batch ${batch} ${M}x${K}x${N}: ${worst} > ${2 * K * E32}`);
  tf.dispose([aT, wT, wPacked, aIn, gotT!, refT!, magT!]);
}

test("halfBatchedMatMul matches tf.matMul of the same float16 values within 2K 2^-24 sum|a w| per output (batch 3)", async (t) => {
  if (skip()) return t.skip(skip() as string);
  // Ragged (guarded path; K 96 takes the K-32 tile), whole 128 x 128 tiles (exact path), ragged N with K 2048.
  for (const [M, K, N] of [[130, 96, 68], [256, 128, 256], [200, 2048, 132], [384, 64, 128]] as const) {
    for (const packA of [true, false]) await checkBatched(3, M, K, N, packA);
  }
});

/**
 * The attention's programs one by one on a ragged case (T 130 -> 192, hs 64) and a whole-tile one (T 256, hs 256),
 * against host arithmetic on the GPU's own inputs, so that a failure names its program: the q/k packing against
 * rotarySplit's float32 values rounded to float16 (at most 1 float16 ulp apart: the two programs' float32 rotary
 * may round differently where the compiler fuses a multiply-add; zeros past T and hs), v^T bit-exact; S = q k^T on
 * and below the diagonal within 2 hp 2^-24 sum|q k| of the float64 product of the packed halves; P within
 * (2^-11 + f)(1 + f) p + 2^-25 of the float64 softmax of the GPU's S (float16 rounding of p, relative or, below
 * float16's normal range, absolute; f = (3 + 3|s - max|) ulps for the float32 difference and exp, WGSL's accuracy, plus the sums
 * and the division), and zero past the query up to the end of its 128-row tile.
 */
async function checkPrograms(B: number, H: number, T: number, hs: number, rd: number): Promise<void> {
  const BH = B * H, Tp = Math.ceil(T / 64) * 64, hp = Math.ceil(hs / 32) * 32;
  const qkv = tf.tensor2d(values(B * T * H * 3 * hs, 5 + T, 2), [B * T, H * 3 * hs]);
  const tables = rotaryTables(T, rd, 10000);
  const cos = tf.tensor2d(tables.cos, [T, rd]), sin = tf.tensor2d(tables.signedSin, [T, rd]);
  const heads = rotarySplit(qkv, cos, sin, B, T, H, hs, 1 / Math.sqrt(hs));
  const ref = (await heads.data()) as Float32Array; // [3, BH, T, hs]
  const bits = async (x: tf.Tensor): Promise<Uint16Array> => { const d = (await x.data()) as Int32Array; return new Uint16Array(d.buffer, d.byteOffset, d.length * 2); };
  const { kAt, vAt } = packedAttentionLayout(BH, hs, Tp, hp);
  const packed = packAttentionHalf(qkv, cos, sin, B, T, H, hs, Tp, hp);
  const all = await bits(packed); // halves: q [BH, Tp, hp], k the same, v^T [BH, hs, Tp]
  const qkBits = [all.subarray(0, 2 * kAt), all.subarray(2 * kAt, 2 * vAt)], vBits = all.subarray(2 * vAt);
  let ulp1 = 0;
  for (const which of [0, 1]) {
    const want = float32ToHalf(ref.subarray(which * BH * T * hs, (which + 1) * BH * T * hs));
    for (let p = 0; p < BH; p++) for (let t = 0; t < Tp; t++) for (let d = 0; d < hp; d++) {
      const got = qkBits[which]![(p * Tp + t) * hp + d]!;
      const w = t < T && d < hs ? want[(p * T + t) * hs + d]! : 0;
      const apart = Math.abs(got - w); // adjacent float16 values of one sign differ by 1 in their bits
      if (apart === 1 && (got & 0x8000) === (w & 0x8000)) ulp1++;
      else assert.equal(got, w, `${which ? "k" : "q"} pair ${p} t ${t} d ${d}: bits ${got.toString(16)}, want ${w.toString(16)}`);
    }
  }
  const vWant = float32ToHalf(ref.subarray(2 * BH * T * hs));
  for (let p = 0; p < BH; p++) for (let d = 0; d < hs; d++) for (let t = 0; t < Tp; t++) {
    const w = t < T ? vWant[(p * T + t) * hs + d]! : 0;
    assert.equal(vBits[(p * hs + d) * Tp + t], w, `v^T pair ${p} d ${d} t ${t}`);
  }
  const scores = halfAttentionProduct(packed, packed, { M: Tp, N: Tp, K: hp, count: BH, pair0: 0, aWords: 0, wWords: kAt, B, T, H, causal: "scores", merged: false }) as tf.Tensor3D;
  const S = (await scores.data()) as Float32Array;
  const probs = causalSoftmaxHalf(scores, T, 128);
  const P = halfToFloat32(await bits(probs)); // [BH, Tp, Tp]
  const q16 = qkBits.map((b) => halfToFloat32(b));
  let worstS = 0, worstP = 0;
  for (let p = 0; p < BH; p++) for (let t = 0; t < Tp; t++) {
    const last = Math.min(t, T - 1), row = (p * Tp + t) * Tp;
    const exact: number[] = [];
    for (let j = 0; j <= last; j++) {
      let dot = 0, mag = 0;
      for (let d = 0; d < hp; d++) { const x = q16[0]![(p * Tp + t) * hp + d]! * q16[1]![(p * Tp + j) * hp + d]!; dot += x; mag += Math.abs(x); }
      worstS = Math.max(worstS, Math.abs(S[row + j]! - dot) / (2 * hp * E32 * mag + 1e-30));
      exact.push(S[row + j]!);
    }
    const m = Math.max(...exact);
    const sum = exact.reduce((a, x) => a + Math.exp(x - m), 0);
    for (let j = 0; j < Math.min(Tp, (Math.floor(t / 128) + 1) * 128); j++) {
      const want = j <= last ? Math.exp(exact[j]! - m) / sum : 0;
      // float32 before the rounding: s - max rounded (|x| ulps), exp within (3 + 2|x|) ulps (WGSL's accuracy), sums of T/64 terms per thread and 6 levels, the division.
      const f32 = (3 + 3 * Math.abs(j <= last ? exact[j]! - m : 0) + 2 * (T / 64 + 8) + 1) * E32;
      worstP = Math.max(worstP, Math.abs(P[row + j]! - want) / ((U16 + f32) * (1 + f32) * want + 2 ** -25));
    }
  }
  console.log(`  programs B ${B} H ${H} T ${T} hs ${hs}: q/k ${ulp1} of ${2 * BH * T * hs} values 1 float16 ulp off rotarySplit's (rest exact), v^T exact, S max |err| / bound ${worstS.toFixed(3)}, P max |err| / bound ${worstP.toFixed(3)}`);
  tf.dispose([qkv, cos, sin, heads, packed, scores, probs]);
  assert.ok(ulp1 <= 0.01 * 2 * BH * T * hs, `${ulp1} q/k values 1 ulp off`);
  assert.ok(worstS <= 1, `S error ${worstS} x the bound`);
  assert.ok(worstP <= 1, `P error ${worstP} x the bound`);
}

test("the attention's programs one by one: q/k/v^T packing (one program), causal scores, float16 softmax (names the failing program)", async (t) => {
  if (skip()) return t.skip(skip() as string);
  await checkPrograms(2, 3, 130, 64, 16);
  await checkPrograms(1, 2, 256, 256, 64);
});

/**
 * productsCausalAttention on a random fused projection output qkv [B*T, H*3*hs] against the composite float32
 * arithmetic on rotarySplit's q, k, v (the verified float32 rotary), within the bound of the file comment. q and k
 * are rotated in float32 and then rounded to float16 (their u terms always count); `half`: qkv already float16
 * values, so v's rounding term drops out. `scoreBytes` small enough makes several groups (context written in place).
 */
async function checkAttention(B: number, H: number, T: number, hs: number, rd: number, half: boolean, scoreBytes = 2 ** 30): Promise<void> {
  const BH = B * H;
  // Scores of std ~3 (as a trained model's): q uniform in +-9 (scaled by 1/sqrt(hs) in the attention), k, v in +-1.
  const raw = values(B * T * H * 3 * hs, hs + T + 7 * B, 1);
  for (let i = 0; i < raw.length; i++) if (Math.floor(i / hs) % 3 === 0) raw[i] = raw[i]! * 9; // per head [q | k | v]
  const qkv = tf.tensor2d(half ? rounded16(raw) : raw, [B * T, H * 3 * hs]);
  const tables = rotaryTables(T, rd, 10000);
  const cos = tf.tensor2d(tables.cos, [T, rd]), sin = tf.tensor2d(tables.signedSin, [T, rd]);
  const heads = rotarySplit(qkv, cos, sin, B, T, H, hs, 1 / Math.sqrt(hs));
  const [q, k, v] = tf.unstack(heads) as tf.Tensor3D[];
  const got = productsCausalAttention(qkv, cos, sin, B, T, H, hs, scoreBytes); // [B*T, H*hs]
  const gotHeads = tf.reshape(tf.transpose(tf.reshape(got, [B, T, H, hs]), [0, 2, 1, 3]), [BH, T, hs]);
  const Tp = Math.ceil(T / 64) * 64, hp = Math.ceil(hs / 32) * 32;
  const uV = half ? 0 : U16;
  const bound = tf.tidy(() => {
    const causal = tf.tensor2d(Float32Array.from({ length: T * T }, (_, i) => (i % T <= Math.floor(i / T) ? 1 : 0)), [T, T]); // 1 where key j <= query t
    const qkMag = tf.max(tf.mul(tf.matMul(tf.abs(q!), tf.abs(k!), false, true), causal), 2); // [BH, T]
    const D = tf.mul(qkMag, 2 * U16 + U16 * U16 + 2 * hp * E32);
    const r = tf.add(tf.sub(tf.exp(tf.mul(D, 2)), 1), 2 * (T / 64 + 8) * E32);
    const factor = tf.add(tf.sub(tf.mul(tf.add(r, 1), (1 + U16) * (1 + uV)), 1), 2 * Tp * E32); // [BH, T]
    const probs = fusedCausalSoftmax(tf.matMul(q!, k!, false, true));
    // + 2^-25 sum_{j<=t} |v_jd|: p below float16's normal range rounds to a subnormal, absolutely (<= 2^-25), not relatively.
    return tf.add(tf.mul(tf.matMul(probs, tf.abs(v!)), tf.expandDims(factor, 2)), tf.mul(tf.cumsum(tf.abs(v!), 1), 2 ** -25)); // [BH, T, hs]
  });
  const ref = tf.tidy(() => tf.matMul(fusedCausalSoftmax(tf.matMul(q!, k!, false, true)) as tf.Tensor3D, v!)); // the composite path's arithmetic
  const [ratioT, absT, nonFiniteT] = tf.tidy(() => {
    const err = tf.abs(tf.sub(gotHeads, ref));
    return [tf.max(tf.div(err, bound)), tf.max(err), tf.sum(tf.cast(tf.logicalNot(tf.isFinite(got)), "int32"))];
  });
  const worstRatio = (await ratioT!.data())[0]!, worstAbs = (await absT!.data())[0]!, nonFinite = (await nonFiniteT!.data())[0]!;
  const groups = BH / pairsPerGroup(BH, Tp, scoreBytes);
  console.log(`  B ${B} H ${H} T ${T} hs ${hs} rd ${rd} ${half ? "float16 qkv" : "float32 qkv"}, ${groups} group(s): max |err| ${worstAbs.toExponential(2)}, max |err| / bound ${worstRatio.toFixed(3)}`);
  tf.dispose([qkv, cos, sin, heads, q!, k!, v!, got, gotHeads, bound, ref, ratioT!, absT!, nonFiniteT!]);
  assert.equal(nonFinite, 0, "non-finite outputs");
  assert.ok(worstRatio <= 1, `B ${B} H ${H} T ${T} hs ${hs}: error ${worstRatio} x the bound`);
}

test("tensor-core attention at the causal edges: T of 1, 63, 64, 65, 127, 128, 129 and 200 tokens (tiles past the diagonal, padded rows and keys)", async (t) => {
  if (skip()) return t.skip(skip() as string);
  for (const T of [1, 63, 64, 65, 127, 128, 129, 200]) await checkAttention(2, 3, T, 64, 16, false);
  await checkAttention(1, 2, 200, 256, 64, false);
});

test("tensor-core attention in groups of (sequence, head) pairs: every group's rows land in the merged context", async (t) => {
  if (skip()) return t.skip(skip() as string);
  // 12 pairs with [256, 256] scores: a budget for 3 pairs (6 bytes per score in 2 x scoreBytes) -> 4 groups of 3.
  await checkAttention(3, 4, 256, 64, 16, true, 3 * 256 * 256 * 3);
  // Padded T (T' 192), 5 groups of 2 pairs over 2 sequences of 5 heads: groups straddle sequences.
  await checkAttention(2, 5, 130, 128, 32, false, 2 * 192 * 192 * 3);
});

test("tensor-core attention with half writes packHalfActivations' bits of its float32 context (whole tiles, padded rows, groups)", async (t) => {
  if (skip()) return t.skip(skip() as string);
  // The same accumulators either way: stored as float32 (straight from the matrices on whole tiles) or through
  // workgroup memory and rounded to float16 there (the half context): the bits must be those of packing the first.
  for (const [B, H, T, hs, rd, scoreBytes] of [[2, 4, 256, 64, 16, 2 ** 30], [2, 5, 130, 128, 32, 2 * 192 * 192 * 3], [1, 2, 256, 256, 64, 2 ** 30]] as const) {
    const qkv = tf.tensor2d(values(B * T * H * 3 * hs, 31 + hs, 2), [B * T, H * 3 * hs]);
    const tables = rotaryTables(T, rd, 10000);
    const cos = tf.tensor2d(tables.cos, [T, rd]), sin = tf.tensor2d(tables.signedSin, [T, rd]);
    const f32 = productsCausalAttention(qkv, cos, sin, B, T, H, hs, scoreBytes) as tf.Tensor2D;
    const half = productsCausalAttention(qkv, cos, sin, B, T, H, hs, scoreBytes, true);
    const ref = packHalfActivations(f32);
    assert.deepEqual(half.shape, ref.shape);
    assert.equal(half.dtype, "int32");
    const [x, y] = [(await half.data()) as Int32Array, (await ref.data()) as Int32Array];
    let differ = 0;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) differ++;
    console.log(`  half context B ${B} H ${H} T ${T} hs ${hs}: ${differ} of ${x.length} words differ from packHalfActivations of the float32 context`);
    tf.dispose([qkv, cos, sin, f32, half, ref]);
    assert.equal(differ, 0, `B ${B} H ${H} T ${T} hs ${hs}: ${differ} words differ`);
  }
});

test("tensor-core attention matches the composite float32 attention within the derived float16 bound", async (t) => {
  if (skip()) return t.skip(skip() as string);
  // hs 16 (padded to 32), 64 (the 128 x 64 P v tile), 128, 256; T 130 (padded, ragged tiles) and 2048 (whole tiles);
  // the Pythia 70m and 1b shapes (5 x 2048, 8 heads of 64 / 256).
  for (const [B, H, T, hs, rd] of [[2, 2, 130, 16, 4], [2, 3, 130, 64, 16], [1, 4, 130, 256, 64], [2, 4, 2048, 128, 32], [5, 8, 2048, 256, 64], [5, 8, 2048, 64, 16]] as const) {
    for (const half of [true, false]) await checkAttention(B, H, T, hs, rd, half);
  }
});

test("GPT-NeoX forward in float16 compute with MASSIVE_WEBGPU_ATTENTION_F16=products stays within 2^-11 * 32 of each output's largest |value|", async (t) => {
  if (skip()) return t.skip(skip() as string);
  // The same check (and the same reasoning for its room) as webgpu-f16.test.ts's float16 forward.
  const saved = process.env.MASSIVE_WEBGPU_ATTENTION_F16;
  process.env.MASSIVE_WEBGPU_ATTENTION_F16 = "products";
  try {
    await assertHalfForwardParity();
  } finally {
    if (saved === undefined) delete process.env.MASSIVE_WEBGPU_ATTENTION_F16;
    else process.env.MASSIVE_WEBGPU_ATTENTION_F16 = saved;
  }
});
