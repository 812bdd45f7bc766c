/**
 * Shared by the split-float16 product's test (test/backend/webgpu-split.test.ts) and probe (bench/gpu/split-probe.ts):
 * activations shaped like a transformer's (ordinary rows, rows with massive entries, tiny rows), weights like
 * Pythia's, the float64 host reference and the normwise errors.
 */
import * as tf from "@tensorflow/tfjs-core";
import { packSplitWeight, splitLinear } from "../../src/backend-webgpu-split";
import { uniformValues } from "./half-checks";

/**
 * Activations [M, K]: uniform values whose scale varies by row (0.1 .. 10), and every 8th row of each kind:
 * 0: a few massive entries (1e3 .. 3e4, as the massive activations of the paper) among O(1) values; 1: tiny values
 * (|x| < 1e-4, float16's subnormal range before scaling); 2: one entry of 3e4 among values of 0.01.
 */
export function splitTestActivations(M: number, K: number, seed: number): Float32Array {
  const a = uniformValues(M * K, seed, 1);
  for (let m = 0; m < M; m++) {
    const row = a.subarray(m * K, (m + 1) * K);
    const kind = m % 8;
    const scale = kind === 1 ? 1e-4 : kind === 2 ? 0.01 : 0.1 * 100 ** ((m * 0.37) % 1);
    for (let k = 0; k < K; k++) row[k] = row[k]! * scale;
    if (kind === 0) for (let j = 0; j < 3; j++) row[(m * 7 + j * 131) % K] = (j % 2 ? -1 : 1) * 1e3 * 30 ** (j / 2);
    if (kind === 2) row[(m * 13) % K] = 3e4;
  }
  return a;
}

/** Weights [N, K] of torch.nn.Linear's layout with Pythia's initial scale (|w| <= 0.035) and a few entries 10x larger. */
export function splitTestWeights(N: number, K: number, seed: number): Float32Array {
  const w = uniformValues(N * K, seed, 0.035);
  for (let i = 0; i < w.length; i += 997) w[i] = w[i]! * 10;
  return w;
}

/** float64 a [M, K] @ w [N, K]^T (+ bias): [M, N]. */
export function hostLinear(a: Float32Array, w: Float32Array, M: number, K: number, N: number, bias?: Float32Array): Float64Array {
  const out = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    const row = a.subarray(m * K, (m + 1) * K);
    for (let n = 0; n < N; n++) {
      const col = w.subarray(n * K, (n + 1) * K);
      let s = 0;
      for (let k = 0; k < K; k++) s += row[k]! * col[k]!;
      out[m * N + n] = s + (bias ? bias[n]! : 0);
    }
  }
  return out;
}

/** Normwise relative errors of got [M, N] against ref: over the whole matrix, and the largest over its rows. */
export interface NormwiseErrors { whole: number; worstRow: number }

export function normwiseErrors(got: Float32Array | Float64Array, ref: Float64Array, M: number, N: number): NormwiseErrors {
  let num = 0, den = 0, worstRow = 0;
  for (let m = 0; m < M; m++) {
    let rn = 0, rd = 0;
    for (let n = 0; n < N; n++) {
      const g = got[m * N + n]!, r = ref[m * N + n]!;
      if (!Number.isFinite(g)) return { whole: Infinity, worstRow: Infinity };
      rn += (g - r) ** 2; rd += r ** 2;
    }
    num += rn; den += rd;
    if (rd > 0) worstRow = Math.max(worstRow, Math.sqrt(rn / rd));
  }
  return { whole: Math.sqrt(num / den), worstRow };
}

/** The float32 SIMT product the model uses without the switch: x @ W^T (+ b) by tf.fused.matMul on [K, N]. */
export async function simtLinear(a: Float32Array, w: Float32Array, M: number, K: number, N: number, bias?: Float32Array): Promise<Float32Array> {
  const out = tf.tidy(() => {
    const wt = tf.transpose(tf.tensor2d(w, [N, K])) as tf.Tensor2D;
    return tf.fused.matMul({ a: tf.tensor2d(a, [M, K]), b: wt, bias: bias ? tf.tensor1d(bias) : undefined });
  });
  const v = (await out.data()) as Float32Array;
  out.dispose();
  return v;
}

/** The split product on the same inputs (chunkK: the K chunk, default splitChunkK's). */
export async function splitProduct(a: Float32Array, w: Float32Array, M: number, K: number, N: number, bias?: Float32Array, chunkK?: number): Promise<Float32Array> {
  const packed = packSplitWeight(w, [N, K], { chunkK });
  const out = tf.tidy(() => splitLinear(tf.tensor2d(a, [M, K]), packed, bias ? tf.tensor1d(bias) : undefined));
  const v = (await out.data()) as Float32Array;
  tf.dispose([out, packed]);
  return v;
}
