/**
 * Differentiable ops whose TF.js gradients are missing or slow on a backend, each with its own gradient
 * (checked against central finite differences in test/train/ops.test.ts):
 * - matrix products: TF.js differentiates `a @ b` into products with transpose flags, which the wasm backend of
 *   tfjs 4.22 runs about 20x slower than a plain product (docs/train.md: 600 ms against 27 ms for a
 *   [1024, 128] x [128, 512] product and its transposed twin), so the gradients here transpose explicitly;
 * - the embedding lookup: TF.js's gather gradient needs UnsortedSegmentSum, which the wasm backend lacks.
 */
import { tf } from "../backend";

/** Swaps the last two axes (a 2-D transpose, batched over leading axes). */
export function transposeLast2(x: tf.Tensor): tf.Tensor {
  const r = x.rank;
  return tf.transpose(x, [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2]);
}

/** a @ b (same leading batch axes, no broadcasting) with gradients dA = dy @ b^T, dB = a^T @ dy, transposed explicitly. */
export const matMul = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = inputs as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.matMul(dy, transposeLast2(saved[1]!)), tf.matMul(transposeLast2(saved[0]!), dy)],
  };
}) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** torch.nn.Linear with the weight stored transposed: x [N, in] @ Wt [in, out] + b [out] (see {@link matMul}). */
const linearWithBias = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, b, save] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.fused.matMul({ a: x, b: w, bias: b }),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.matMul(dy, tf.transpose(saved[1]!)), tf.matMul(tf.transpose(saved[0]!), dy), tf.sum(dy, 0)],
  };
}) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

export function linear(x: tf.Tensor2D, Wt: tf.Tensor, b?: tf.Tensor): tf.Tensor2D {
  return b ? linearWithBias(x, Wt, b) : (matMul(x, Wt) as tf.Tensor2D);
}

/**
 * `table[ids]` ([V, C] rows picked by N ids -> [N, C]) whose gradient is a scatter-add of the incoming rows
 * (tf.scatterND sums rows of repeated ids), so it runs on backends without UnsortedSegmentSum (wasm).
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const lookup = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [t, save] = inputs as [tf.Tensor2D, tf.GradSaveFunc];
    const index = tf.reshape(ids, [-1, 1]);
    save([index]);
    return {
      value: tf.gather(t, ids),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.scatterND(saved[0]!, dy, table.shape),
    };
  });
  return lookup(table) as tf.Tensor2D;
}
