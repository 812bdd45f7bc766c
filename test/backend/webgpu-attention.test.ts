/**
 * The fused attention of src/backend-webgpu-attention.ts (rotary + split, flash causal attention) against the
 * composite TF.js ops it replaces in src/model/gpt-neox.ts (transpose, split, rotary, q kᵀ, causal softmax, p v,
 * merge): the same one-layer model with random weights, hook_attn_out with MASSIVE_WEBGPU_ATTENTION=off and on, on
 * the webgpu backend (the GPU machine; skipped elsewhere, where only the composite ops exist). Head sizes 8, 64, 128,
 * 256 (rotary dims 2..64), sequence lengths inside one 64-key tile, ragged (70, 130, 300) and Pythia's 2048; every
 * work split of the flash program (FlashTile: session 6's v1 and v2 tiles, MASSIVE_WEBGPU_FLASH; one over the
 * adapter's workgroup memory for a head size falls back to v1).
 * Tolerance: max |fused - composite| <= 2e-5 x max |composite|: the online softmax rescales its partial sums per key
 * tile (float32 rounding of a differently ordered sum, relative 1e-7 per operation over up to 32 tiles).
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend";
import { fusedAttentionAvailable } from "../../src/backend-webgpu-attention";
import { parseNeoXConfig } from "../../src/io/config";
import { GPTNeoX } from "../../src/model/gpt-neox";
import { randomIds, randomNeoXWeights } from "../../bench/gpu/lib";
import { withEnv } from "../helpers/env";

let onGpu = false;
before(async () => {
  await initBackend();
  onGpu = tf.getBackend() === "webgpu";
});

/** The flash program's tiles (MASSIVE_WEBGPU_FLASH values) each test case runs. */
const TILES = ["v1", "4x32", "8x16", "4x16k8", "8x16v64", "4x32v32", "4x16k8v16"];

/** hook_attn_out of layer 0 for ids, with the fused attention on (flash tile `tile`) or off. */
async function attnOut(model: GPTNeoX, ids: number[][], fused: boolean, tile?: string): Promise<Float32Array> {
  return withEnv({ MASSIVE_WEBGPU_FLASH: tile, MASSIVE_WEBGPU_ATTENTION: fused ? "on" : "off" }, async () => {
    const { cache } = model.runWithCache(ids, { returnLogits: false, namesFilter: ["blocks.0.hook_attn_out"] });
    const out = cache.get("blocks.0.hook_attn_out")!;
    const values = (await out.data()) as Float32Array;
    out.dispose();
    return values;
  });
}

test("fused attention equals the composite attention (rotary, causal softmax, merge) for head sizes 8..256", async (t) => {
  if (!onGpu) return t.skip("needs the webgpu backend");
  const limits = (tf.backend() as unknown as { device: { limits: Record<string, number> } }).device.limits;
  console.log(`  device limits: maxComputeWorkgroupStorageSize ${limits.maxComputeWorkgroupStorageSize}, maxComputeInvocationsPerWorkgroup ${limits.maxComputeInvocationsPerWorkgroup}`);
  const cases = [
    { hidden: 48, heads: 6, B: 3, T: 70 }, // hs 8, rd 2
    { hidden: 512, heads: 8, B: 2, T: 300 }, // hs 64 (70m), rd 16
    { hidden: 256, heads: 2, B: 2, T: 130 }, // hs 128 (12b), rd 32
    { hidden: 512, heads: 2, B: 1, T: 2048 }, // hs 256 (1b), rd 64
    { hidden: 512, heads: 2, B: 2, T: 64 }, // one key tile
  ];
  for (const c of cases) {
    const config = parseNeoXConfig({
      model_type: "gpt_neox", hidden_size: c.hidden, num_hidden_layers: 1, num_attention_heads: c.heads,
      intermediate_size: 4 * c.hidden, vocab_size: 128, max_position_embeddings: 2048, rotary_pct: 0.25,
      rotary_emb_base: 10000, layer_norm_eps: 1e-5, use_parallel_residual: true, hidden_act: "gelu",
    }, "attention test config");
    const hs = c.hidden / c.heads;
    assert.equal(fusedAttentionAvailable(hs, hs / 4), true, `fused attention available for hs ${hs}`);
    const model = new GPTNeoX(config);
    // Larger q/k weights than HF's init (std 0.2 vs 0.02) so that the softmax is far from uniform.
    const weights = randomNeoXWeights(config, c.hidden + c.T);
    const qkv = weights.get("gpt_neox.layers.0.attention.query_key_value.weight")!.data as Float32Array;
    for (let i = 0; i < qkv.length; i++) qkv[i]! *= 10;
    model.loadWeights(weights, "random");
    const ids = randomIds(c.B, c.T, 128, c.T);
    const composite = await attnOut(model, ids, false);
    let maxRef = 0;
    for (let i = 0; i < composite.length; i++) maxRef = Math.max(maxRef, Math.abs(composite[i]!));
    assert.ok(maxRef > 0.01, "the attention output is not trivially small");
    const failures: string[] = [];
    for (const tile of TILES) {
      const fused = await attnOut(model, ids, true, tile);
      let maxDiff = 0;
      for (let i = 0; i < composite.length; i++) {
        const d = Math.abs(fused[i]! - composite[i]!);
        if (!(d <= maxDiff)) maxDiff = d; // NaN propagates
      }
      console.log(`  attention tile ${tile}, hs ${hs}, B ${c.B}, T ${c.T}: max |fused - composite| ${maxDiff.toExponential(2)} (max |composite| ${maxRef.toFixed(3)})`);
      if (!(maxDiff <= 2e-5 * maxRef)) failures.push(`tile ${tile}: ${maxDiff} > ${2e-5 * maxRef}`);
    }
    model.dispose();
    assert.deepEqual(failures, [], `hs ${hs}, T ${c.T}`);
  }
});
