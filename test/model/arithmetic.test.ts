/**
 * GPTNeoX.arithmetic: what a model computes with, which records note as their provenance (src/record/manifest.ts).
 * On CPU backends: float32 SIMT with per-head attention (batched: the composite ops), and split products refused. On
 * the GPU (webgpu with float16 subgroup matrices; skipped elsewhere): the defaults per residency, the
 * GPTNeoXOptions.float32Product and MASSIVE_WEBGPU_F32_PRODUCT overrides, weights too small to split, and float16
 * compute's attention per head size and MASSIVE_WEBGPU_ATTENTION_F16. Needs no weights: the answer is the config's.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { tf } from "../../src/backend";
import { parseNeoXConfig, type NeoXConfig } from "../../src/io/config";
import { GPTNeoX, type GPTNeoXOptions } from "../../src/model/gpt-neox";
import { withEnv } from "../helpers/env";
import { halfComputeSkip } from "../helpers/half-checks";

const skip = halfComputeSkip();

/** A Pythia-shaped config (rotary 25%); only the shapes matter here. */
function config(hidden: number, heads: number): NeoXConfig {
  return parseNeoXConfig({
    hidden_size: hidden, num_hidden_layers: 2, num_attention_heads: heads, intermediate_size: 4 * hidden, vocab_size: 50304,
    max_position_embeddings: 2048, rotary_pct: 0.25, rotary_emb_base: 10000, layer_norm_eps: 1e-5, use_parallel_residual: true, hidden_act: "gelu",
  }, "test config");
}
const P70M = config(512, 8), P1B = config(2048, 8), TINY = config(64, 4);

const arithmetic = (c: NeoXConfig, options: GPTNeoXOptions = {}, residency: "streamed" | "resident" = "streamed") => new GPTNeoX(c, options).arithmetic(residency);

test("CPU backends: float32 SIMT products, per-head attention by default, the composite ops batched", (t) => {
  if (!["wasm", "cpu"].includes(tf.getBackend())) return t.skip("on a CPU backend only");
  assert.deepEqual(arithmetic(P70M), { compute: "float32", float32Product: "simt", attention: "per-head" });
  assert.deepEqual(arithmetic(P70M, {}, "resident"), { compute: "float32", float32Product: "simt", attention: "per-head" });
  assert.deepEqual(arithmetic(P70M, { attention: "batched" }), { compute: "float32", float32Product: "simt", attention: "composite" });
  assert.throws(() => arithmetic(P70M, { float32Product: { streamed: "split" } }), /needs the webgpu backend with float16 subgroup matrices/);
});

test("webgpu: split products and float16 attention as the model will run them", (t) => {
  if (skip()) return t.skip(skip() as string);
  // Defaults (DEFAULT_FLOAT32_PRODUCT): recording (streamed) SIMT, the forward (resident) split.
  assert.deepEqual(arithmetic(P70M), { compute: "float32", float32Product: "simt", attention: "flash-f32" });
  assert.deepEqual(arithmetic(P70M, {}, "resident"), { compute: "float32", float32Product: "split", attention: "flash-f32" });
  assert.equal(arithmetic(P70M, { float32Product: { streamed: "split" } }).float32Product, "split");
  assert.equal(withEnv({ MASSIVE_WEBGPU_F32_PRODUCT: "split-all" }, () => arithmetic(P70M)).float32Product, "split-all");
  assert.equal(withEnv({ MASSIVE_WEBGPU_F32_PRODUCT: "simt" }, () => arithmetic(P70M, {}, "resident")).float32Product, "simt");
  // Layers under SPLIT_MIN_WEIGHTS (2^18 entries) keep SIMT with `split`, so nothing was split; `split-all` splits them.
  assert.equal(arithmetic(TINY, { float32Product: { streamed: "split" } }).float32Product, "simt");
  assert.equal(arithmetic(TINY, { float32Product: { streamed: "split-all" } }).float32Product, "split-all");
  // Float16 compute: SIMT is not its product; the attention by head size (auto: the float16 flash below 256 dims, products from 256) and mode.
  assert.deepEqual(withEnv({ MASSIVE_WEBGPU_ATTENTION_F16: "auto" }, () => arithmetic(P70M, { compute: "float16" })), { compute: "float16", float32Product: "simt", attention: "flash-f16" });
  assert.equal(withEnv({ MASSIVE_WEBGPU_ATTENTION_F16: "auto" }, () => arithmetic(P1B, { compute: "float16" })).attention, "products");
  assert.equal(withEnv({ MASSIVE_WEBGPU_ATTENTION_F16: "products" }, () => arithmetic(P70M, { compute: "float16" })).attention, "products");
  assert.equal(withEnv({ MASSIVE_WEBGPU_ATTENTION_F16: "off" }, () => arithmetic(P1B, { compute: "float16" })).attention, "flash-f32");
  // Float32 compute never takes the float16 attentions.
  assert.equal(withEnv({ MASSIVE_WEBGPU_ATTENTION_F16: "products" }, () => arithmetic(P1B)).attention, "flash-f32");
});
