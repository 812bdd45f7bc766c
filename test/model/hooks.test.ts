/**
 * Hook names and their meaning on tiny-neox-a (parallel residual): resid_post[i] = resid_post[i-1] + attn_out[i] +
 * mlp_out[i] (hook_embed for i = 0), namesFilter selects, returnLogits: false skips the logits.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend";
import { GPTNeoX, hookNames } from "../../src/model/gpt-neox";
import { TINY_DIR } from "./parity-helpers";

let model: GPTNeoX;
before(async () => {
  await initBackend();
  model = await GPTNeoX.load(TINY_DIR);
});

test("every hook is cached by default with shape [B, T, C], and the residual stream adds up", async () => {
  const { logits, cache } = model.runWithCache([[5, 6, 7, 8], [9, 10, 11, 12]]);
  assert.deepEqual([...cache.keys()], hookNames(3));
  for (const t of cache.values()) assert.deepEqual(t.shape, [2, 4, 64]);
  assert.deepEqual(logits!.shape, [2, 4, 512]);
  let prev = cache.get("hook_embed")!;
  for (let i = 0; i < 3; i++) {
    const sum = tf.add(tf.add(cache.get(`blocks.${i}.hook_mlp_out`)!, cache.get(`blocks.${i}.hook_attn_out`)!), prev);
    const diff = (await tf.max(tf.abs(tf.sub(sum, cache.get(`blocks.${i}.hook_resid_post`)!))).data())[0]!;
    assert.ok(diff < 1e-5, `layer ${i}: |resid_post - (mlp + attn + resid_pre)| = ${diff}`);
    prev = cache.get(`blocks.${i}.hook_resid_post`)!;
  }
  tf.dispose([logits!, ...cache.values()]);
});

test("namesFilter (list or predicate) and returnLogits: false", () => {
  const before0 = tf.memory().numTensors;
  const a = model.runWithCache([[1, 2, 3]], { namesFilter: ["blocks.1.hook_resid_post"], returnLogits: false });
  assert.equal(a.logits, undefined);
  assert.deepEqual([...a.cache.keys()], ["blocks.1.hook_resid_post"]);
  tf.dispose([...a.cache.values()]);
  const b = model.runWithCache(tf.tensor2d([[1, 2, 3]], [1, 3], "int32"), { namesFilter: (n) => n.startsWith("ln_final") });
  assert.deepEqual([...b.cache.keys()], ["ln_final.hook_normalized"]);
  tf.dispose([b.logits!, ...b.cache.values()]);
  assert.throws(() => model.runWithCache([[1]], { namesFilter: ["blocks.3.hook_resid_post"] }), /unknown hook name 'blocks\.3\.hook_resid_post'/);
  assert.throws(() => model.runWithCache([[1, 2], [3]]), /row 1 of 'ids' has 1 tokens, expected 2/);
  assert.equal(tf.memory().numTensors, before0 + 1, "only the int32 ids tensor the test created remains");
});
