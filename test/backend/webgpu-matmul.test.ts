/**
 * The tiled matrix product of src/backend-webgpu-matmul.ts (it replaces tfjs's BatchMatMul and _FusedMatMul on
 * webgpu) against a float64 product of the same float32 inputs, in each variant: K step 16 (default), 32, and 16
 * double-buffered. Shapes cover exact tiles, ragged M/N/K (bounds checks), bias, batches and a B shared by the batch.
 * Runs on the webgpu backend (the GPU machine; skipped elsewhere, where tfjs's own kernels run).
 * Tolerance: ||gpu - ref|| / ||ref|| <= 1e-5. Float32 sums of up to 2048 products of random inputs measured 1.4e-7 to
 * 8.0e-7 on the H200 (bench/stream/h200-2026-12-02c); a wrong index, a missed tile or a wrong bias errs by O(1).
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend";
import { fillRandom } from "../../bench/gpu/lib";

let onGpu = false;
before(async () => {
  await initBackend();
  onGpu = tf.getBackend() === "webgpu";
});

/** Relative Frobenius error of batch x [M, K] @ [K, N] (+ bias) on the backend against float64 sums. */
async function relativeError(M: number, K: number, N: number, batch: number, bBatch: number, withBias: boolean, seed: number): Promise<number> {
  const a = fillRandom(new Float32Array(batch * M * K), seed, 1);
  const b = fillRandom(new Float32Array(bBatch * K * N), seed + 1, 1);
  const bias = fillRandom(new Float32Array(N), seed + 2, 1);
  const out = tf.tidy(() => {
    const at = tf.tensor3d(a, [batch, M, K]);
    const bt = bBatch === 1 ? tf.tensor2d(b, [K, N]) : tf.tensor3d(b, [bBatch, K, N]);
    if (withBias) return tf.fused.matMul({ a: tf.reshape(at, [batch * M, K]) as tf.Tensor2D, b: bt as tf.Tensor2D, bias: tf.tensor1d(bias) });
    return tf.matMul(at, bt as tf.Tensor3D);
  });
  const got = (await out.data()) as Float32Array;
  out.dispose();
  let num = 0, den = 0;
  const row = new Float64Array(N);
  for (let i = 0; i < batch; i++) {
    const bOff = (bBatch === 1 ? 0 : i) * K * N;
    for (let m = 0; m < M; m++) {
      row.fill(0);
      for (let k = 0; k < K; k++) {
        const av = a[(i * M + m) * K + k]!;
        for (let n = 0; n < N; n++) row[n] += av * b[bOff + k * N + n]!;
      }
      for (let n = 0; n < N; n++) {
        const ref = row[n]! + (withBias ? bias[n]! : 0);
        const g = got[(i * M + m) * N + n]!;
        if (!Number.isFinite(g)) return Infinity;
        num += (g - ref) ** 2; den += ref ** 2;
      }
    }
  }
  return Math.sqrt(num / den);
}

test("tiled matrix product (K step 16, 32, double-buffered) equals a float64 product: exact and ragged tiles, bias, batches", async (t) => {
  if (!onGpu) return t.skip("needs the webgpu backend");
  const cases: [number, number, number, number, number, boolean][] = [ // M, K, N, batch, bBatch, bias
    [256, 256, 256, 1, 1, false], [1000, 780, 556, 1, 1, false], [64, 2048, 200, 1, 1, false], [384, 512, 384, 1, 1, true],
    [200, 68, 260, 1, 1, true], [130, 68, 132, 3, 3, false], [128, 64, 128, 4, 1, false], [256, 1024, 64, 2, 2, false],
  ];
  const saved = [process.env.MASSIVE_WEBGPU_MATMUL_BK, process.env.MASSIVE_WEBGPU_MATMUL_DB];
  try {
    for (const [bk, db] of [["16", "0"], ["32", "0"], ["16", "1"]] as const) {
      process.env.MASSIVE_WEBGPU_MATMUL_BK = bk;
      process.env.MASSIVE_WEBGPU_MATMUL_DB = db;
      for (const [M, K, N, B, bB, bias] of cases) {
        const err = await relativeError(M, K, N, B, bB, bias, M + K + N);
        console.log(`  K step ${bk}${db === "1" ? " double-buffered" : ""}, ${B}x${M}x${K}x${N}${bB === 1 && B > 1 ? " (B shared)" : ""}${bias ? " +bias" : ""}: ${err.toExponential(2)}`);
        assert.ok(err <= 1e-5, `K step ${bk} db ${db}, ${B}x${M}x${K}x${N}: ${err}`);
      }
    }
  } finally {
    for (const [name, value] of [["MASSIVE_WEBGPU_MATMUL_BK", saved[0]], ["MASSIVE_WEBGPU_MATMUL_DB", saved[1]]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});
