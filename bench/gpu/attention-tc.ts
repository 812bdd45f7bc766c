/**
 * Attention alone, per forward pass of 5 x 2048 tokens on Pythia shapes (70m: 8 heads of 64, 6 layers; 1b: 8 heads
 * of 256, 16 layers): the float32 flash kernel (src/backend-webgpu-attention.ts) beside the float16 attention from
 * tensor-core products (src/backend-webgpu-attention-tc.ts, MASSIVE_WEBGPU_ATTENTION_F16=products) with the model's
 * score budget (ATTENTION_SCORE_BYTES: head groups) and with all pairs in one group. Both timed on the same
 * rotarySplit output (random q, k, v; q k^T of std ~3 as trained heads have), ms per pass = ms per call x layers;
 * the products' max |difference| to the float32 kernel relative to its max |output| is printed beside.
 * Usage: node bench/gpu/attention-tc.js [--shapes 70m,1b] [--seqs 5] [--seq 2048] [--reps 10] [--tag name]
 */
import { flashCausalAttention } from "../../src/backend-webgpu-attention";
import { productsAttentionHeads } from "../../src/backend-webgpu-attention-tc";
import { halfComputeAvailable } from "../../src/backend-webgpu-f16";
import { ATTENTION_SCORE_BYTES } from "../../src/model/gpt-neox";
import { arg, attentionBenchInputs, maxRelDiff, msPerCall, setup, writeResult } from "./lib";

async function main(): Promise<void> {
  const info = await setup();
  console.log(`[bench] ${info.name}: ${info.detail ?? ""}`);
  if (!halfComputeAvailable()) throw new Error("attention-tc: float16 compute is not available on this backend");
  const shapes = arg("shapes", "70m,1b").split(",");
  const B = Number(arg("seqs", "5")), T = Number(arg("seq", "2048")), reps = Number(arg("reps", "10"));
  const rows: Record<string, unknown>[] = [];
  for (const shape of shapes) {
    const { H, hs, L, heads, perPass, dispose } = attentionBenchInputs(shape, B, T);
    const row: Record<string, unknown> = { shape, B, T, heads: H, hs, layers: L };
    row.flash_f32_ms_per_pass = perPass(await msPerCall(() => flashCausalAttention(heads, B, T, H, hs), reps));
    row.products_f16_ms_per_pass = perPass(await msPerCall(() => productsAttentionHeads(heads, B, T, H, hs, ATTENTION_SCORE_BYTES), reps));
    row.products_f16_one_group_ms_per_pass = perPass(await msPerCall(() => productsAttentionHeads(heads, B, T, H, hs, 2 ** 31), reps));
    row.products_vs_f32_max_rel_diff = await maxRelDiff(flashCausalAttention(heads, B, T, H, hs), productsAttentionHeads(heads, B, T, H, hs, ATTENTION_SCORE_BYTES));
    dispose();
    console.log(`${shape.padEnd(4)} attention per pass of ${B} x ${T} (${L} layers, ${H} heads of ${hs}): flash f32 ${row.flash_f32_ms_per_pass} ms, products f16 ${row.products_f16_ms_per_pass} ms (one group ${row.products_f16_one_group_ms_per_pass} ms), max rel diff ${row.products_vs_f32_max_rel_diff}`);
    rows.push(row);
  }
  console.log(`[bench] wrote ${writeResult(`attention-tc${arg("tag", "") ? `-${arg("tag", "")}` : ""}`, { backend: info, rows })}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
