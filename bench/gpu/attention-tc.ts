/**
 * Attention alone, per forward pass of 5 x 2048 tokens on Pythia shapes (70m: 8 heads of 64, 6 layers; 1b: 8 heads
 * of 256, 16 layers), both from the fused qkv output (rotary included): the float32 flash kernel
 * (src/backend-webgpu-attention.ts: rotarySplit + flash) beside the float16 attention from tensor-core products
 * (src/backend-webgpu-attention-tc.ts, MASSIVE_WEBGPU_ATTENTION_F16=products) with the model's score budget
 * (ATTENTION_SCORE_BYTES: groups of pairs) and with all pairs in one group, and the one-group path's programs timed
 * one by one (packing q/k/v^T, S = q k^T, softmax, P v). Random qkv (q k^T of std ~3 as trained heads have); ms per
 * pass = ms per call x layers; the products' max |difference| to the float32 kernel relative to its max |output|.
 * Usage: node bench/gpu/attention-tc.js [--shapes 70m,1b,6.9b] [--seqs 5] [--seq 2048] [--reps 10] [--tag name]
 */
import * as tf from "@tensorflow/tfjs-core";
import { fusedCausalAttention } from "../../src/backend-webgpu-attention";
import { causalSoftmaxHalf, packAttentionHalf, packedAttentionLayout, pairsPerGroup, productsCausalAttention, pvTile } from "../../src/backend-webgpu-attention-tc";
import { attentionProductTile, halfAttentionProduct, halfComputeAvailable, halfMatrixConfig } from "../../src/backend-webgpu-f16";
import { halfMatMulLayout } from "../../src/backend-webgpu-f16-code";
import { ATTENTION_SCORE_BYTES } from "../../src/model/gpt-neox";
import { arg, attentionBenchInputs, gpuMs, maxRelDiff, msPerCall, setup, writeResult } from "./lib";

async function main(): Promise<void> {
  const info = await setup();
  console.log(`[bench] ${info.name}: ${info.detail ?? ""}`);
  if (!halfComputeAvailable()) throw new Error("attention-tc: float16 compute is not available on this backend");
  const shapes = arg("shapes", "70m,1b").split(",");
  const B = Number(arg("seqs", "5")), T = Number(arg("seq", "2048")), reps = Number(arg("reps", "10"));
  const rows: Record<string, unknown>[] = [];
  for (const shape of shapes) {
    const { H, hs, L, qkv, cos, sin, perPass, dispose } = attentionBenchInputs(shape, B, T);
    const row: Record<string, unknown> = { shape, B, T, heads: H, hs, layers: L };
    const flash = (): tf.Tensor => fusedCausalAttention(qkv, cos, sin, B, T, H, hs);
    const products = (bytes: number) => (): tf.Tensor => productsCausalAttention(qkv, cos, sin, B, T, H, hs, bytes);
    row.flash_f32_ms_per_pass = perPass(await msPerCall(flash, reps));
    row.products_f16_ms_per_pass = perPass(await msPerCall(products(ATTENTION_SCORE_BYTES), reps));
    row.products_f16_one_group_ms_per_pass = perPass(await msPerCall(products(2 ** 31), reps));
    // GPU time alone (no host encoding): timed once each, after the wall-time runs compiled the programs.
    row.flash_f32_gpu_ms_per_pass = perPass(await gpuMs(flash));
    row.products_f16_gpu_ms_per_pass = perPass(await gpuMs(products(ATTENTION_SCORE_BYTES)));
    row.products_vs_f32_max_rel_diff = await maxRelDiff(flash(), products(ATTENTION_SCORE_BYTES)());
    // The one-group path's programs one by one (each timed with its inputs made once).
    const BH = B * H, Tp = Math.ceil(T / 64) * 64, hp = Math.ceil(hs / 32) * 32;
    const { kAt, vAt } = packedAttentionLayout(BH, hs, Tp, hp);
    // The first group of the one-group budget (6.9b's 160 pairs: 2 groups of 80, S within one 2 GiB binding), times the groups.
    const g = pairsPerGroup(BH, Tp, 2 ** 31), groups = BH / g;
    const group = { count: g, pair0: 0, B, T, H };
    const perPassAll = (ms: number): number => perPass(ms * groups);
    const packed = packAttentionHalf(qkv, cos, sin, B, T, H, hs, Tp, hp);
    const scoresOf = (): tf.Tensor3D => halfAttentionProduct(packed, packed, { ...group, M: Tp, N: Tp, K: hp, aWords: 0, wWords: kAt, causal: "scores", merged: false }) as tf.Tensor3D;
    const scores = scoresOf();
    const zeroTo = halfMatMulLayout(halfMatrixConfig()!, attentionProductTile(halfMatrixConfig()!, Tp, hs, Tp, pvTile(hs))).bm;
    const probs = causalSoftmaxHalf(scores, T, zeroTo);
    row.pack_qkv_ms_per_pass = perPass(await msPerCall(() => packAttentionHalf(qkv, cos, sin, B, T, H, hs, Tp, hp), reps));
    row.scores_ms_per_pass = perPassAll(await msPerCall(scoresOf, reps));
    row.softmax_ms_per_pass = perPassAll(await msPerCall(() => causalSoftmaxHalf(scores, T, zeroTo), reps));
    for (const n of [128, 256]) row[`softmax_${n}_threads_ms_per_pass`] = perPassAll(await msPerCall(() => causalSoftmaxHalf(scores, T, zeroTo, n), reps));
    const pv = (): tf.Tensor => halfAttentionProduct(probs, packed, { ...group, M: Tp, N: hs, K: Tp, aWords: 0, wWords: vAt, causal: "pv", merged: true }, pvTile(hs));
    row.pv_ms_per_pass = perPassAll(await msPerCall(pv, reps));
    const gpu = { pack: perPass(await gpuMs(() => packAttentionHalf(qkv, cos, sin, B, T, H, hs, Tp, hp))), scores: perPassAll(await gpuMs(scoresOf)), softmax: perPassAll(await gpuMs(() => causalSoftmaxHalf(scores, T, zeroTo))), pv: perPassAll(await gpuMs(pv)) };
    row.gpu_ms_per_pass_by_program = gpu;
    tf.dispose([packed, scores, probs]);
    dispose();
    console.log(`${shape.padEnd(4)} attention per pass of ${B} x ${T} (${L} layers, ${H} heads of ${hs}): flash f32 ${row.flash_f32_ms_per_pass} ms, products f16 ${row.products_f16_ms_per_pass} ms (groups of up to 2 GiB of scores ${row.products_f16_one_group_ms_per_pass} ms: pack ${row.pack_qkv_ms_per_pass}, scores ${row.scores_ms_per_pass}, softmax ${row.softmax_ms_per_pass} (128 / 256 threads ${row.softmax_128_threads_ms_per_pass} / ${row.softmax_256_threads_ms_per_pass}), P v ${row.pv_ms_per_pass}), max rel diff ${row.products_vs_f32_max_rel_diff}`);
    console.log(`${shape.padEnd(4)} GPU time per pass: flash f32 ${row.flash_f32_gpu_ms_per_pass} ms, products f16 ${row.products_f16_gpu_ms_per_pass} ms (pack ${gpu.pack}, scores ${gpu.scores}, softmax ${gpu.softmax}, P v ${gpu.pv})`);
    rows.push(row);
  }
  console.log(`[bench] wrote ${writeResult(`attention-tc${arg("tag", "") ? `-${arg("tag", "")}` : ""}`, { backend: info, rows })}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
