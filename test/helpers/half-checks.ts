/**
 * Shared by the float16-compute tests (test/backend/webgpu-f16.test.ts, webgpu-attention-tc.test.ts): the GPU
 * skip rule, unit roundoffs, reproducible inputs and the tiny-neox float16 forward check.
 */
import assert from "node:assert/strict";
import { before } from "node:test";
import { initBackend } from "../../src/backend";
import { halfComputeAvailable } from "../../src/backend-webgpu-f16";
import { readCheckpoint } from "../../src/io/checkpoint";
import { GPTNeoX } from "../../src/model/gpt-neox";
import { TINY_DIR, loadExpected, parityErrors } from "../model/parity-helpers";

/**
 * Registers a `before` hook that sets up the backend, and returns the skip reason for tests that need float16 compute
 * on the GPU: false where it is available (call it inside a test, after the hook has run).
 */
export function halfComputeSkip(): () => string | false {
  let onGpu = false;
  before(async () => {
    await initBackend();
    onGpu = halfComputeAvailable();
  });
  return () => (!onGpu && "needs webgpu with float16 subgroup matrices") || false;
}

/** float16's unit roundoff (2^-11) and float32's (2^-24). */
export const U16 = 2 ** -11, E32 = 2 ** -24;

/** Deterministic uniform values in [-scale, scale) (LCG; the values only need to be reproducible). */
export function uniformValues(n: number, seed: number, scale: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 * 2 - 1) * scale;
  });
}

/**
 * The tiny-neox-a forward with compute "float16" (batched attention) against transformers' float32 outputs: each
 * within 32 float16 ulps of the output's largest |value|. Not a bound derived from first principles: each Linear
 * rounds its weights and activations (2 * 2^-11 relative to sum|a w| per output), and the errors of 3 layers,
 * LayerNorms and the residual stream compound; 32 ulps of the output's scale is room for that, while a wrong kernel
 * (layout, bias, tile edges) errs by O(1).
 */
export async function assertHalfForwardParity(): Promise<void> {
  const { ids, expected } = await loadExpected();
  const model = GPTNeoX.fromCheckpoint(await readCheckpoint(TINY_DIR), { compute: "float16", attention: "batched" });
  const errors = await parityErrors(model, ids, expected);
  model.dispose();
  for (const [name, e] of errors) {
    const scale = expected.get(name)!.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    console.log(`  ${name}: max |error| ${e.toExponential(2)} (scale ${scale.toExponential(2)}, ${(e / scale / U16).toFixed(2)} float16 ulps of it)`);
    assert.ok(e <= 32 * U16 * scale, `${name}: max |error| ${e} > ${32 * U16 * scale}`);
  }
}
