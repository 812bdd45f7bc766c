/**
 * Float16-compute attention from verified parts (src/backend-webgpu-attention-tc.ts) and its batched product
 * (halfBatchedMatMul, src/backend-webgpu-f16.ts). On the GPU machine (webgpu with float16 subgroup matrices):
 *   - halfBatchedMatMul against tfjs's float32 matMul of the same float16-rounded inputs (batch 3; ragged and whole
 *     tiles; A float32 and A packed): only the summation order differs, <= 2 K 2^-24 sum_k |a_k w_k| per output
 *     (helper H's bound of test/backend/webgpu-f16.test.ts with the activations' rounding term gone: both sides
 *     multiply the same float16 values, exactly, in float32 accumulators);
 *   - the attention against the composite float32 arithmetic (q k^T, fusedCausalSoftmax, P v in float32) with the
 *     bound derived below; hs 16 (padded), 64, 128, 256; T 130 (padded) and 2048; B*H up to 40; one grouped case;
 *   - the tiny-neox float16 forward with MASSIVE_WEBGPU_ATTENTION_F16=products, as webgpu-f16.test.ts checks it.
 * Derivation of the attention bound (u = 2^-11 float16's unit roundoff, e = 2^-24 float32's), per query t:
 *   scores: s'_j = fl16(q).fl16(k_j) summed in float32, |s'_j - s_j| <= D_t = (2u + u^2 + 2 hp e) max_{j<=t} sum_i |q_ti k_ji|
 *     (the u terms vanish when q, k are already float16 values; hp the padded head size);
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
import { DEFAULT_HALF_ATTENTION, halfAttentionMode, pairsPerGroup, productsAttentionHeads } from "../../src/backend-webgpu-attention-tc";
import { halfBatchedMatMul, packHalfActivations } from "../../src/backend-webgpu-f16";
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

test("pairsPerGroup: all (sequence, head) pairs when their scores fit, else the largest divisor that fits, at least 1", () => {
  assert.equal(pairsPerGroup(40, 2048, 2 ** 30), 40); // 1b, 5 x 2048: 671 MB of scores within the 1 GiB GPU budget
  assert.equal(pairsPerGroup(40, 2048, 2 ** 28), 10); // 16 fit; 10 is the largest divisor of 40 up to 16
  assert.equal(pairsPerGroup(7, 2048, 2 ** 25), 1); // 2 fit, 7 is prime
  assert.equal(pairsPerGroup(12, 4096, 1), 1);
});

test("the float16 attention mode: MASSIVE_WEBGPU_ATTENTION_F16 when set, else the default (off: the float32 flash kernel)", () => {
  const saved = process.env.MASSIVE_WEBGPU_ATTENTION_F16;
  try {
    delete process.env.MASSIVE_WEBGPU_ATTENTION_F16;
    assert.equal(halfAttentionMode(), DEFAULT_HALF_ATTENTION);
    process.env.MASSIVE_WEBGPU_ATTENTION_F16 = "products";
    assert.equal(halfAttentionMode(), "products");
    process.env.MASSIVE_WEBGPU_ATTENTION_F16 = "on"; // the old name of the experimental flash kernel: refused, not ignored
    assert.throws(() => halfAttentionMode(), /MASSIVE_WEBGPU_ATTENTION_F16 must be one of off, products, flash-experimental \(got 'on'\)/);
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
 * productsAttentionHeads on random q, k, v against the composite float32 arithmetic, within the bound of the file
 * comment; `half`: q, k, v already float16 values (their rounding terms drop out, the bound tightens to P's rounding).
 */
async function checkAttention(B: number, H: number, T: number, hs: number, half: boolean, scoreBytes = 2 ** 30): Promise<void> {
  const BH = B * H, n = BH * T * hs;
  // Scores of std ~3 (as a trained model's): q uniform in +-9/sqrt(hs) (already scaled), k, v in +-1.
  const raw = [values(n, hs + T, 9 / Math.sqrt(hs)), values(n, hs + 2 * T, 1), values(n, hs + 3 * T, 1)];
  const [q, k, v] = raw.map((x) => tf.tensor3d(half ? rounded16(x) : x, [BH, T, hs]));
  const heads = tf.stack([q!, k!, v!]) as tf.Tensor4D;
  const got = productsAttentionHeads(heads, B, T, H, hs, scoreBytes); // [B*T, H*hs]
  const gotHeads = tf.reshape(tf.transpose(tf.reshape(got, [B, T, H, hs]), [0, 2, 1, 3]), [BH, T, hs]);
  const Tp = Math.ceil(T / 64) * 64, hp = Math.ceil(hs / 32) * 32;
  const uIn = half ? 0 : U16;
  const bound = tf.tidy(() => {
    const causal = tf.tensor2d(Float32Array.from({ length: T * T }, (_, i) => (i % T <= Math.floor(i / T) ? 1 : 0)), [T, T]); // 1 where key j <= query t
    const qkMag = tf.max(tf.mul(tf.matMul(tf.abs(q!), tf.abs(k!), false, true), causal), 2); // [BH, T]
    const D = tf.mul(qkMag, 2 * uIn + uIn * uIn + 2 * hp * E32);
    const r = tf.add(tf.sub(tf.exp(tf.mul(D, 2)), 1), 2 * (T / 64 + 8) * E32);
    const factor = tf.add(tf.sub(tf.mul(tf.add(r, 1), (1 + U16) * (1 + uIn)), 1), 2 * Tp * E32); // [BH, T]
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
  console.log(`  B*H ${BH} T ${T} hs ${hs} ${half ? "float16 inputs" : "float32 inputs"}: max |err| ${worstAbs.toExponential(2)}, max |err| / bound ${worstRatio.toFixed(3)}`);
  tf.dispose([q!, k!, v!, heads, got, gotHeads, bound, ref, ratioT!, absT!, nonFiniteT!]);
  assert.equal(nonFinite, 0, "non-finite outputs");
  assert.ok(worstRatio <= 1, `B*H ${BH} T ${T} hs ${hs}: error ${worstRatio} x the bound`);
}

test("tensor-core attention matches the composite float32 attention within the derived float16 bound", async (t) => {
  if (skip()) return t.skip(skip() as string);
  for (const [B, H, T, hs] of [[2, 2, 130, 16], [2, 3, 130, 64], [1, 4, 130, 256], [2, 8, 2048, 128], [5, 8, 2048, 256], [3, 4, 2048, 64]] as const) {
    for (const half of [true, false]) await checkAttention(B, H, T, hs, half);
  }
  // Groups of pairs: 12 pairs of [192, 192] scores in a 3-pair budget -> 4 groups of 3.
  await checkAttention(3, 4, 130, 64, true, 3 * 4 * 192 * 192);
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
