/**
 * The ops of src/train/ops.ts that carry their own gradients, against central finite differences of
 * f(inputs) = sum(op(inputs) * w) in float64 arithmetic on the host (the op runs in float32 on the backend, so
 * the tolerance is 2e-3 relative for steps of 1e-2 on values of order 1; f is linear in each input separately for
 * matMul/linear/lookup, so the differences carry no truncation error).
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend";
import { embeddingLookup, linear, matMul, registerGradients } from "../../src/train";

before(async () => {
  await initBackend();
  registerGradients(); // the test's own sum/mul need TF.js's gradients
});

const values = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.3));

/** Checks d f / d input[which] from tf.grads against central differences for every element. */
function checkAgainstFiniteDifferences(op: (...xs: tf.Tensor[]) => tf.Tensor, shapes: number[][], which: number[]): void {
  const inputs = shapes.map((s, i) => values(s.reduce((a, b) => a * b, 1), i + 1));
  const outShape = op(...shapes.map((s, i) => tf.tensor(inputs[i]!, s))).shape;
  const w = tf.tensor(values(outShape.reduce((a, b) => a * b, 1), 9), outShape);
  const f = (...xs: tf.Tensor[]): tf.Scalar => tf.sum(tf.mul(op(...xs), w));
  const grads = tf.grads(f)(shapes.map((s, i) => tf.tensor(inputs[i]!, s)));
  const h = 1e-2;
  for (const j of which) {
    const g = grads[j]!.dataSync();
    for (let e = 0; e < inputs[j]!.length; e++) {
      const at = (d: number): number => {
        const moved = inputs.map((v, i) => (i === j ? v.map((x, k) => (k === e ? x + d : x)) : v));
        return f(...shapes.map((s, i) => tf.tensor(moved[i]!, s))).dataSync()[0]!;
      };
      const fd = (at(h) - at(-h)) / (2 * h);
      assert.ok(Math.abs(g[e]! - fd) <= 2e-3 * Math.max(1, Math.abs(fd)), `input ${j} element ${e}: gradient ${g[e]} vs finite difference ${fd}`);
    }
  }
}

test("matMul: 2-D and batched 4-D gradients match finite differences", () => {
  tf.tidy(() => {
    checkAgainstFiniteDifferences((a, b) => matMul(a!, b!), [[3, 4], [4, 5]], [0, 1]);
    checkAgainstFiniteDifferences((a, b) => matMul(a!, b!), [[2, 2, 3, 2], [2, 2, 2, 3]], [0, 1]);
  });
});

test("linear with bias (fused forward): gradients of x, W and b match finite differences", () => {
  tf.tidy(() => checkAgainstFiniteDifferences((x, w, b) => linear(x as tf.Tensor2D, w!, b!), [[4, 3], [3, 5], [5]], [0, 1, 2]));
});

test("the embedding lookup's gradient (scatter-add over repeated ids) matches finite differences", () => {
  const ids = tf.tensor1d([3, 1, 3, 0, 3], "int32"); // row 3 three times, rows 2 and 4 never
  tf.tidy(() => checkAgainstFiniteDifferences((t) => embeddingLookup(t as tf.Tensor2D, ids), [[5, 3]], [0]));
  const g = tf.grad((t: tf.Tensor) => tf.sum(embeddingLookup(t as tf.Tensor2D, ids)))(tf.zeros([5, 3])).arraySync() as number[][];
  assert.deepEqual(g, [[1, 1, 1], [1, 1, 1], [0, 0, 0], [3, 3, 3], [0, 0, 0]]);
});
