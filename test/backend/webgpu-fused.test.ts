/**
 * The fused forward programs of src/backend-webgpu-kernels.ts (LayerNorm, GELU, causal softmax, the residual's three-way add) against the
 * composite TF.js ops they replace in src/model/gpt-neox.ts, on the same inputs and backend. They run only where the
 * backend is webgpu (the GPU machine, see scripts/device/README.md) and are skipped elsewhere, where the composite
 * ops run (test/model). Tolerances: float32 rounding of differently ordered sums (LayerNorm: 2e-5 absolute on
 * values of order 1..10), the same formula in one program (GELU: 1e-6 relative), the same reductions (softmax:
 * 5e-7 absolute on probabilities), the same two float32 adds (add3: bit for bit).
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend";
import { fusedAdd3, fusedCausalSoftmax, fusedGelu, fusedLayerNorm } from "../../src/backend-webgpu-kernels";
import { causalMask } from "../../src/model/rotary";

let onGpu = false;
before(async () => {
  await initBackend();
  onGpu = tf.getBackend() === "webgpu";
});

let seed = 99;
function randomValues(n: number, scale: number, offset = 0): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    a[i] = offset + (seed / 4294967296 - 0.5) * 2 * scale;
  }
  return a;
}

async function maxDiff(a: tf.Tensor, b: tf.Tensor, relative = false): Promise<number> {
  const x = (await a.data()) as Float32Array;
  const y = (await b.data()) as Float32Array;
  assert.equal(x.length, y.length);
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i]! - y[i]!) / (relative ? Math.max(1e-30, Math.abs(y[i]!)) : 1);
    if (!(d <= m)) m = d; // NaN propagates
  }
  return m;
}

test("fusedLayerNorm equals the composite LayerNorm (mean, centred biased variance, rsqrt, scale, shift)", async (t) => {
  if (!onGpu) return t.skip("needs the webgpu backend");
  for (const [rows, C] of [[7, 64], [300, 2048], [33, 5120], [5, 100]] as const) {
    const x = tf.tensor2d(randomValues(rows * C, 3, 0.5), [rows, C]);
    const w = tf.tensor1d(randomValues(C, 0.5, 1));
    const b = tf.tensor1d(randomValues(C, 0.1));
    const composite = tf.tidy(() => {
      const mean = tf.mean(x, -1, true);
      const xc = tf.sub(x, mean);
      const variance = tf.mean(tf.square(xc), -1, true);
      return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, 1e-5))), w), b);
    });
    const fused = fusedLayerNorm(x, w, b, 1e-5);
    const d = await maxDiff(fused, composite);
    console.log(`  LayerNorm [${rows}, ${C}]: max |fused - composite| ${d.toExponential(2)}`);
    assert.ok(d <= 2e-5, `LayerNorm [${rows}, ${C}]: ${d}`);
    tf.dispose([x, w, b, composite, fused]);
  }
});

test("fusedGelu equals the composite exact GELU x * 0.5 * (1 + erf(x / sqrt 2))", async (t) => {
  if (!onGpu) return t.skip("needs the webgpu backend");
  const x = tf.tensor2d(randomValues(513 * 1000, 6), [513, 1000]);
  const composite = tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
  const fused = fusedGelu(x);
  const d = await maxDiff(fused, composite, true);
  console.log(`  GELU: max relative difference ${d.toExponential(2)}`);
  assert.ok(d <= 1e-6, `GELU: ${d}`);
  tf.dispose([x, composite, fused]);
});

test("fusedAdd3 equals tf.add(tf.add(a, b), c) bit for bit", async (t) => {
  if (!onGpu) return t.skip("needs the webgpu backend");
  const [a, b, c] = [3, 1e-3, 40].map((scale) => tf.tensor2d(randomValues(1000 * 513, scale), [1000, 513]));
  const fused = fusedAdd3(a!, b!, c!);
  const composite = tf.tidy(() => tf.add(tf.add(a!, b!), c!));
  assert.equal(await maxDiff(fused, composite), 0);
  tf.dispose([a!, b!, c!, fused, composite]);
});

test("fusedCausalSoftmax equals softmax(scores + causal mask) for T below and above the block size", async (t) => {
  if (!onGpu) return t.skip("needs the webgpu backend");
  for (const [B, H, T] of [[2, 3, 16], [1, 2, 300], [2, 2, 2048]] as const) {
    const scores = tf.tensor4d(randomValues(B * H * T * T, 8), [B, H, T, T]);
    const mask = tf.tensor2d(causalMask(T), [T, T]);
    const composite = tf.tidy(() => tf.softmax(tf.add(scores, mask)));
    const fused = fusedCausalSoftmax(scores);
    assert.deepEqual(fused.shape, [B, H, T, T]);
    const d = await maxDiff(fused, composite);
    console.log(`  causal softmax [${B}, ${H}, ${T}, ${T}]: max |fused - composite| ${d.toExponential(2)}`);
    assert.ok(d <= 5e-7, `softmax T=${T}: ${d}`);
    tf.dispose([scores, mask, composite, fused]);
  }
});
