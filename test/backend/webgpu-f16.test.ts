/**
 * Float16 compute (src/backend-webgpu-f16.ts). On the GPU machine (webgpu with Dawn's float16 subgroup matrices):
 *   - packHalfActivations bit for bit against the host's float32 -> float16 rounding (src/io/host-tensor.ts);
 *   - halfLinear against tfjs's float32 matMul of the same float16 weights (widened) and against a float64 host
 *     reference, on shapes that are and are not multiples of the 128 x 128 tile, with and without bias, with the
 *     default tile; then every named tile of bench/gpu/f16-probe.ts on a whole-tile and a ragged product;
 *   - fusedLayerNorm's, fusedGelu's and the float32 flash attention's float16 output (`half`) against
 *     packHalfActivations of their float32 output
 *     (within one float16 step: see the test), and halfLinear on those bits equal to halfLinear on float32 input;
 *   - the GPT-NeoX forward with compute "float16" against transformers' float32 outputs (tiny-neox-a).
 * Tolerances, derived (u = 2^-11, float16's unit roundoff; e = 2^-24, float32's): W is float16 in both products, so
 * they differ by rounding each activation a_k to float16, |a_k - fl16(a_k)| <= u |a_k|, and by float32 summation
 * order, <= K e sum_k |a_k w_k| for each: |halfLinear - float32| <= (u + 2 K e) sum_k |a_k w_k| per output. Against the
 * float64 product of the rounded activations only the summation remains: <= 2 K e sum_k |a_k w_k| (the float16
 * products are exact in the float32 accumulator).
 * Elsewhere (CPU, wasm): directive hoisting, the tile choice, every tile's workgroup memory within the H200's limit, and
 * that compute "float16" refuses to build on a backend without it (the WGSL compiles: ./webgpu-f16-wgsl.test.ts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { tf } from "../../src/backend";
import { halfMatMulCode } from "../../src/backend-webgpu-f16-code";
import { DEFAULT_HALF_TILE, HALF_TILES, HalfTile, LINEAR_HALF_TILE, STAGED_HALF_TILE, halfMatMulDispatch, halfMatMulLayout } from "../../src/backend-webgpu-f16-tiles";
import { halfLinear, halfTileFor, hoistDirectives, packHalfActivations, packHalfWeight } from "../../src/backend-webgpu-f16";
import { fusedAttentionAvailable, fusedCausalAttention } from "../../src/backend-webgpu-attention";
import { fusedGelu, fusedLayerNorm } from "../../src/backend-webgpu-kernels";
import { float32ToHalf, halfToFloat32 } from "../../src/io/host-tensor";
import { readCheckpoint } from "../../src/io/checkpoint";
import { GPTNeoX } from "../../src/model/gpt-neox";
import { TINY_DIR } from "../model/parity-helpers";
import { E32, U16, assertHalfForwardParity, halfComputeSkip, uniformValues } from "../helpers/half-checks";

const skip = halfComputeSkip();

const values = uniformValues;

test("hoistDirectives moves enable/diagnostic lines to the top once each and leaves other shaders alone", () => {
  const plain = "struct U { a : f32 };\nfn main() {}";
  assert.equal(hoistDirectives(plain), plain);
  const code = "struct U { a : f32 };\nenable f16;\n  enable chromium_experimental_subgroup_matrix;\ndiagnostic(off, chromium.subgroup_matrix_uniformity);\nenable f16;\nfn main() {}";
  assert.equal(hoistDirectives(code), "enable f16;\nenable chromium_experimental_subgroup_matrix;\ndiagnostic(off, chromium.subgroup_matrix_uniformity);\nstruct U { a : f32 };\nfn main() {}");
});

const CFG16 = { M: 16, N: 16, K: 16 }; // the H200's f16 x f16 -> f32 configuration

test("halfTileFor: the default tile, the K-32 staged tile where K is not a multiple of the step, direct operands only on whole tiles of float16 A", () => {
  const saved = process.env.MASSIVE_WEBGPU_F16_TILE;
  try {
    delete process.env.MASSIVE_WEBGPU_F16_TILE;
    assert.deepEqual(halfTileFor(CFG16, 10240, 2048, 8192, true), DEFAULT_HALF_TILE); // batched
    assert.deepEqual(halfTileFor(CFG16, 10240, 2048, 8192, true, undefined, true), LINEAR_HALF_TILE); // halfLinear's
    assert.deepEqual(halfTileFor(CFG16, 100, 50304, 32 * 3, true), STAGED_HALF_TILE); // K = 96: only the K-32 step divides it
    process.env.MASSIVE_WEBGPU_F16_TILE = "128x128-256t-bk32-d-aw";
    assert.equal(halfTileFor(CFG16, 256, 512, 256, true).direct, "aw"); // whole 128 x 128 tiles
    assert.equal(halfTileFor(CFG16, 200, 512, 256, true).direct, ""); // ragged M: staged, same tile otherwise
    assert.equal(halfTileFor(CFG16, 200, 512, 256, true).bk, 32);
    assert.equal(halfTileFor(CFG16, 256, 512, 256, false).direct, ""); // float32 A cannot be read as float16
    // [column tiles, row tiles, batch], in the grouped order too.
    assert.deepEqual(halfMatMulDispatch(CFG16, HALF_TILES["128x128-128t-bk64-g8"]!, 10240, 50304), [393, 80, 1]);
    assert.deepEqual(halfMatMulDispatch(CFG16, DEFAULT_HALF_TILE, 10240, 50304, 3), [393, 80, 3]);
    // Per shape (K x N) entries for plain products, a bare name for the rest.
    process.env.MASSIVE_WEBGPU_F16_TILE = "512x512:128x128-128t-bk64-g8, 2048x512:128x128-256t-bk64,128x128-256t-bk32";
    assert.deepEqual(halfTileFor(CFG16, 10240, 512, 512, true, undefined, true), HALF_TILES["128x128-128t-bk64-g8"]);
    assert.deepEqual(halfTileFor(CFG16, 10240, 512, 2048, true, undefined, true), HALF_TILES["128x128-256t-bk64"]);
    assert.deepEqual(halfTileFor(CFG16, 10240, 1536, 512, true, undefined, true), HALF_TILES["128x128-256t-bk32"]);
    assert.deepEqual(halfTileFor(CFG16, 10240, 512, 512, true), HALF_TILES["128x128-256t-bk32"]); // batched
    process.env.MASSIVE_WEBGPU_F16_TILE = "512x512:no-such-tile";
    assert.throws(() => halfTileFor(CFG16, 256, 512, 256, true), /MASSIVE_WEBGPU_F16_TILE=512x512:no-such-tile: not one of/);
    process.env.MASSIVE_WEBGPU_F16_TILE = "no-such-tile";
    assert.throws(() => halfTileFor(CFG16, 256, 512, 256, true), /MASSIVE_WEBGPU_F16_TILE=no-such-tile: not one of/);
  } finally {
    if (saved === undefined) delete process.env.MASSIVE_WEBGPU_F16_TILE;
    else process.env.MASSIVE_WEBGPU_F16_TILE = saved;
  }
});

test("every named tile fits the H200's 48 KiB of workgroup memory and 1024 invocations, in each of its code paths", () => {
  // maxComputeWorkgroupStorageSize 49152 and maxComputeInvocationsPerWorkgroup 1024: the H200's adapter limits as Dawn
  // reports them (bench/gpu/h200-2026-12-02b-f16/call2/probe.log).
  for (const [name, tile] of Object.entries(HALF_TILES)) {
    assert.ok(halfMatMulLayout(CFG16, tile).threads <= 1024, `${name}: too many threads`);
    for (const exact of [false, true]) for (const bias of [false, true]) {
      if (tile.direct && !exact) continue;
      const code = halfMatMulCode(CFG16, tile, { bias, aHalf: true, exact });
      const units = /var<workgroup> Sm : array<vec4<i32>, (\d+)>;/.exec(code);
      const bytes = units ? Number(units[1]) * 16 : 0;
      assert.ok(bytes <= 49152, `${name} exact=${exact} bias=${bias}: ${bytes} bytes of workgroup memory`);
      // The deprecated form takes col_major as a bool argument (Dawn warns at every call): none left.
      assert.ok(!/subgroupMatrix(Load|Store)\b.*\b(true|false)\s*,/.test(code), `${name}: the deprecated load/store form`);
      assert.ok(/subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>/.test(code), `${name}: no left-matrix load`);
    }
  }
  assert.throws(() => halfMatMulCode(CFG16, HALF_TILES["128x128-256t-bk32-d-aw"]!, { bias: false, aHalf: true, exact: false }), /direct operands need whole tiles/);
});

test("compute float16 refuses to build a model where float16 subgroup matrices are missing", async (t) => {
  if (!skip()) return t.skip("float16 compute is available here");
  const ckpt = await readCheckpoint(TINY_DIR);
  assert.throws(() => GPTNeoX.fromCheckpoint(ckpt, { compute: "float16" }), /compute float16 needs the webgpu backend/);
});

test("packHalfActivations rounds float32 to float16 bits exactly as the host does (normal and subnormal values)", async (t) => {
  if (skip()) return t.skip(skip() as string);
  const normal = values(4096, 3, 100);
  const small = values(1024, 4, 1e-4); // float16 subnormals below 6.1e-5
  // (Beyond float16's range WGSL leaves f16() of a runtime value indeterminate: not compared.)
  const edge = Float32Array.from([0, -0, 65504, -65504, 1e-8, 2 ** -24, 2 ** -25, 3 * 2 ** -26, 1 + 2 ** -11, 1 + 3 * 2 ** -11]);
  const all = new Float32Array(normal.length + small.length + edge.length + 2);
  all.set(normal); all.set(small, normal.length); all.set(edge, normal.length + small.length);
  const x = tf.tensor2d(all, [2, all.length / 2]);
  const packed = packHalfActivations(x);
  const got = new Uint16Array(((await packed.data()) as Int32Array).buffer);
  const want = float32ToHalf(all);
  let mismatches = 0;
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) { if (mismatches++ < 5) console.log(`  element ${i}: ${all[i]} -> 0x${got[i]!.toString(16)}, host 0x${want[i]!.toString(16)}`); }
  tf.dispose([x, packed]);
  assert.equal(mismatches, 0, `${mismatches} of ${want.length} values rounded differently`);
});

/** float16 bit patterns of two int32 tensors of packed pairs: how many differ, and the largest step between two that do (same sign). */
async function halfBitSteps(a: tf.Tensor, b: tf.Tensor): Promise<{ differ: number; maxStep: number }> {
  const x = new Uint16Array(((await a.data()) as Int32Array).slice().buffer), y = new Uint16Array(((await b.data()) as Int32Array).slice().buffer);
  let differ = 0, maxStep = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] === y[i]) continue;
    differ++;
    maxStep = Math.max(maxStep, (x[i]! ^ y[i]!) & 0x8000 ? Infinity : Math.abs(x[i]! - y[i]!));
  }
  return { differ, maxStep };
}

test("fusedLayerNorm, fusedGelu and fusedCausalAttention with half write packHalfActivations' bits of their float32 result (within one float16 step); halfLinear takes them as they are", async (t) => {
  if (skip()) return t.skip(skip() as string);
  // The two programs evaluate the same float32 expression; only the compiler's contraction into fma may differ
  // (<= 1 float32 ulp), which moves a value across a float16 rounding boundary rarely and by one step at most.
  const [rows, C] = [300, 512];
  const x = tf.tensor2d(values(rows * C, 11, 3), [rows, C]), w = tf.tensor1d(values(C, 12, 1)), b = tf.tensor1d(values(C, 13, 0.5));
  const wBits = float32ToHalf(values(256 * C, 14, 1 / Math.sqrt(C)));
  const packedW = packHalfWeight(wBits, [256, C]);
  const cases: [string, tf.Tensor2D, tf.Tensor2D][] = [
    ["fusedLayerNorm", fusedLayerNorm(x, w, b, 1e-5), fusedLayerNorm(x, w, b, 1e-5, true)],
    ["fusedGelu", fusedGelu(x) as tf.Tensor2D, fusedGelu(x, true) as tf.Tensor2D],
  ];
  // Attention: 2 sequences of 150 tokens (a partial key block), 8 heads of 64 dims (C = 512), 16 rotary dims.
  const [B, T, H, hs, rd] = [2, 150, 8, 64, 16];
  const qkv = tf.tensor2d(values(B * T * 3 * H * hs, 15, 2), [B * T, 3 * H * hs]);
  const cos = tf.tensor2d(values(T * rd, 16, 1), [T, rd]), sin = tf.tensor2d(values(T * rd, 17, 1), [T, rd]);
  if (fusedAttentionAvailable(hs, rd)) cases.push(["fusedCausalAttention", fusedCausalAttention(qkv, cos, sin, B, T, H, hs), fusedCausalAttention(qkv, cos, sin, B, T, H, hs, true)]);
  tf.dispose([qkv, cos, sin]);
  for (const [name, f32, half] of cases) {
    assert.deepEqual(half.shape, [f32.shape[0], C / 2]);
    assert.equal(half.dtype, "int32");
    const ref = packHalfActivations(f32);
    const { differ, maxStep } = await halfBitSteps(half, ref);
    console.log(`  ${name} half: ${differ} of ${f32.size} float16 values differ from packHalfActivations of the float32 output, by at most ${maxStep} step`);
    assert.ok(maxStep <= 1 && differ <= f32.size * 1e-3, `${name}: ${differ} values differ, up to ${maxStep} steps`);
    // halfLinear on the packed bits is the same program as on float32 input (which packs first): the same bits.
    const [fromBits, fromFloat] = [halfLinear(ref, packedW), halfLinear(f32, packedW)];
    const [p, q] = [(await fromBits.data()) as Float32Array, (await fromFloat.data()) as Float32Array];
    let same = 0;
    for (let i = 0; i < p.length; i++) if (p[i] === q[i]) same++;
    assert.equal(same, p.length, `${name}: halfLinear on packed input differs in ${p.length - same} outputs`);
    tf.dispose([f32, half, ref, fromBits, fromFloat]);
  }
  tf.dispose([x, w, b, packedW]);
});

/**
 * halfLinear of one product against tfjs's float32 matMul and the float64 product of the rounded activations, within
 * the bounds derived above; with `twoStagings`, also the activations converted in every workgroup (same bits).
 */
async function checkProduct(M: number, K: number, N: number, bias: boolean, tile: HalfTile | undefined, label: string, twoStagings: boolean): Promise<void> {
  const a = values(M * K, M + K, 2);
  const wBits = float32ToHalf(values(N * K, N, 1 / Math.sqrt(K)));
  const w = halfToFloat32(wBits); // [N, K]
  const b = bias ? values(N, 7, 0.5) : undefined;
  const x = tf.tensor2d(a, [M, K]);
  const packed = packHalfWeight(wBits, [N, K]);
  const bT = b ? tf.tensor1d(b) : undefined;
  const wT = tf.transpose(tf.tensor2d(w, [N, K]));
  const got = (await halfLinear(x, packed, bT as tf.Tensor1D | undefined, tile).data()) as Float32Array;
  if (twoStagings) {
    // The other staging (activations converted in every workgroup) must give the same bits.
    process.env.MASSIVE_WEBGPU_F16_A = "float32";
    const staged = (await halfLinear(x, packed, bT as tf.Tensor1D | undefined, tile).data()) as Float32Array;
    delete process.env.MASSIVE_WEBGPU_F16_A;
    let differ = 0;
    for (let i = 0; i < got.length; i++) if (got[i] !== staged[i]) differ++;
    assert.equal(differ, 0, `${label} ${M}x${K}x${N}: ${differ} outputs differ between the two stagings`);
  }
  const ref32 = (await tf.fused.matMul({ a: x, b: wT as tf.Tensor2D, bias: bT }).data()) as Float32Array;
  const aHalf = halfToFloat32(float32ToHalf(a));
  let worst32 = 0, worst64 = 0;
  for (let r = 0; r < M; r++) {
    for (let c = 0; c < N; c++) {
      let s = b ? b[c]! : 0, mag = Math.abs(s);
      for (let k = 0; k < K; k++) {
        s += aHalf[r * K + k]! * w[c * K + k]!;
        mag += Math.abs(a[r * K + k]! * w[c * K + k]!);
      }
      const g = got[r * N + c]!;
      worst32 = Math.max(worst32, Math.abs(g - ref32[r * N + c]!) / mag);
      worst64 = Math.max(worst64, Math.abs(g - s) / mag);
    }
  }
  console.log(`  ${label} ${M}x${K}x${N}${bias ? " +bias" : ""}: max |err| / sum|a w|: ${worst32.toExponential(2)} vs float32 matMul, ${worst64.toExponential(2)} vs float64 of rounded inputs`);
  assert.ok(worst32 <= U16 + 2 * K * E32, `${label} ${M}x${K}x${N}: vs float32 ${worst32} > ${U16 + 2 * K * E32}`);
  assert.ok(worst64 <= 2 * K * E32, `${label} ${M}x${K}x${N}: vs float64 ${worst64} > ${2 * K * E32}`);
  tf.dispose([x, packed, wT, ...(bT ? [bT] : [])]);
}

test("halfLinear matches tfjs float32 matMul within (2^-11 + 2K 2^-24) sum|a w| and the rounded float64 product within 2K 2^-24 sum|a w|", async (t) => {
  if (skip()) return t.skip(skip() as string);
  // Ragged shapes (guarded path) and whole 128 x 128 tiles (exact path: bias as the accumulators' start, direct stores).
  for (const [M, K, N, bias] of [[200, 160, 136, true], [257, 64, 264, false], [512, 512, 1536, true], [1000, 2048, 516, true], [256, 256, 384, true], [128, 1024, 256, false]] as const) {
    await checkProduct(M, K, N, bias, undefined, "default tile", true);
  }
});

test("every named tile of the float16 product stays within the same bounds, on whole tiles and ragged edges", async (t) => {
  if (skip()) return t.skip(skip() as string);
  for (const [name, tile] of Object.entries(HALF_TILES)) {
    // Grouped orders also on 10 ragged row tiles of 128 (bands of 8 and 2 for g8) and 5 ragged column tiles.
    const extra = tile.group ? [[1160, 64, 520, true] as const] : [];
    for (const [M, K, N, bias] of [[256, 256, 512, true], [512, 128, 256, false], [136, 256, 264, true], ...extra] as const) {
      await checkProduct(M, K, N, bias, tile, name, false);
    }
  }
});

test("GPT-NeoX forward in float16 compute stays within 2^-11 * 32 of each output's largest |value| of transformers' float32 outputs", async (t) => {
  if (skip()) return t.skip(skip() as string);
  await assertHalfForwardParity(); // (the reasoning for its room: test/helpers/half-checks.ts)
});
