/**
 * Attention alone, per forward pass of 5 x 2048 tokens, on Pythia shapes (70m: 8 heads of 64, 6 layers; 1b: 8 heads
 * of 256, 16 layers): the float32 flash kernel (src/backend-webgpu-attention.ts) against the float16 tensor-core one
 * (src/backend-webgpu-attention-f16.ts) with its default tile and the other tiles that fit the device. Each program timed
 * alone on the same rotarySplit output (the rotary + split program timed on its own), random q, k, v of unit scale
 * with a q k^T spread like a trained model's (std ~3 per score); wall time of `reps` queued calls after a warm-up,
 * then one read back. ms per pass = ms per call x layers.
 * Usage: node bench/gpu/attention-f16.js [--shapes 70m,1b] [--seqs 5] [--seq 2048] [--reps 20] [--tag name]
 */
import { flashCausalAttention, rotarySplit } from "../../src/backend-webgpu-attention";
import { flashCausalAttentionHalf, halfAttentionAvailable, halfAttentionBytes, halfAttentionTile, type HalfAttentionTile } from "../../src/backend-webgpu-attention-f16";
import { rotaryDims } from "../../src/io/config";
import { rotaryTables } from "../../src/model/rotary";
import { arg, fillRandom, median, pythiaConfig, setup, sync, tf, writeResult } from "./lib";

/** ms per call of f (returns a tensor), median of 3 rounds of `reps` queued calls. */
async function time(f: () => tf.Tensor, reps: number): Promise<number> {
  const w = f(); await sync(w); w.dispose();
  const rounds: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    let last: tf.Tensor | undefined;
    for (let i = 0; i < reps; i++) { last?.dispose(); last = f(); }
    await sync(last); last!.dispose();
    rounds.push((performance.now() - t0) / reps);
  }
  return median(rounds);
}

async function main(): Promise<void> {
  const info = await setup();
  process.env.MASSIVE_WEBGPU_ATTENTION_F16 = "on"; // opt-in (src/backend-webgpu-attention-f16.ts)
  console.log(`[bench] ${info.name}: ${info.detail ?? ""}`);
  const shapes = arg("shapes", "70m,1b").split(",");
  const B = Number(arg("seqs", "5")), T = Number(arg("seq", "2048")), reps = Number(arg("reps", "20"));
  const limit = (tf.backend() as unknown as { device: { limits: { maxComputeWorkgroupStorageSize: number } } }).device.limits.maxComputeWorkgroupStorageSize;
  const rows: Record<string, unknown>[] = [];
  for (const shape of shapes) {
    const c = pythiaConfig(shape);
    const H = c.numHeads, hs = c.hiddenSize / H, rd = rotaryDims(c), L = c.numLayers;
    if (!halfAttentionAvailable(hs, rd)) { console.log(`${shape}: float16 attention not available for hs ${hs}`); continue; }
    const { cos, signedSin } = rotaryTables(T, rd, c.rotaryBase);
    const cosT = tf.tensor2d(cos, [T, rd]), sinT = tf.tensor2d(signedSin, [T, rd]);
    // q, k with |q.k| / sqrt(hs) of std ~3 (peaked softmax rows, as trained heads have), v of unit scale.
    const qkv = tf.tensor2d(fillRandom(new Float32Array(B * T * 3 * c.hiddenSize), 11, Math.sqrt(3)), [B * T, 3 * c.hiddenSize]);
    const heads = rotarySplit(qkv, cosT, sinT, B, T, H, hs, 1 / Math.sqrt(hs));
    const perPass = (ms: number): number => Number((ms * L).toFixed(2));
    const row: Record<string, unknown> = { shape, B, T, heads: H, hs, layers: L };
    row.rotarySplit_ms_per_pass = perPass(await time(() => rotarySplit(qkv, cosT, sinT, B, T, H, hs, 1 / Math.sqrt(hs)), reps));
    row.flash_f32_ms_per_pass = perPass(await time(() => flashCausalAttention(heads, B, T, H, hs), reps));
    const tiles: HalfAttentionTile[] = [halfAttentionTile(hs), { subgroups: 4, keys: 64 }, { subgroups: 4, keys: 32 }, { subgroups: 2, keys: 32 }, { subgroups: 2, keys: 64 }, { subgroups: 4, keys: 16 }, { subgroups: 2, keys: 16 }]
      .filter((t, i, all) => all.findIndex((u) => u.subgroups === t.subgroups && u.keys === t.keys) === i && halfAttentionBytes(hs, t) <= limit);
    const variants: Record<string, number> = {};
    for (const tile of tiles) {
      variants[`f16_${tile.subgroups * 16}q_${tile.keys}k`] = perPass(await time(() => flashCausalAttentionHalf(heads, B, T, H, hs, tile), reps));
    }
    // The default tile against the float32 kernel on these inputs: max |difference| relative to max |f32 output|.
    const a = flashCausalAttention(heads, B, T, H, hs), b = flashCausalAttentionHalf(heads, B, T, H, hs);
    const diff = tf.tidy(() => tf.div(tf.max(tf.abs(tf.sub(a, b))), tf.max(tf.abs(a))));
    row.f16_vs_f32_max_rel_diff = Number(((await diff.data()) as Float32Array)[0]!.toExponential(2));
    tf.dispose([a, b, diff, heads, qkv, cosT, sinT]);
    row.f16_ms_per_pass = variants;
    console.log(`${shape.padEnd(4)} attention per pass of ${B} x ${T} (${L} layers, hs ${hs}): rotarySplit ${row.rotarySplit_ms_per_pass} ms, flash f32 ${row.flash_f32_ms_per_pass} ms; f16 ${Object.entries(variants).map(([k, v]) => `${k} ${v} ms`).join(", ")}; f16 vs f32 max rel diff ${row.f16_vs_f32_max_rel_diff}`);
    rows.push(row);
  }
  console.log(`[bench] wrote ${writeResult(`attention-f16${arg("tag", "") ? `-${arg("tag", "")}` : ""}`, { backend: info, rows })}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
