/**
 * The float32 flash attention's tiles (src/backend-webgpu-attention.ts, FlashTile: session 6's v1 and the v2 work
 * splits) side by side in one process, per forward pass of 5 x 2048 tokens on Pythia shapes (70m: 8 heads of 64,
 * 6 layers; 1b: 8 heads of 256, 16 layers): the flash program alone on rotarySplit's output (wall ms per call x
 * layers, and GPU ms from timestamp queries), its causal half in TFLOP/s (4 B H (T^2 / 2) hs FLOP per layer), and
 * max |tile - v1| / max |v1| (random q, k, v as bench/gpu/lib.ts's attentionBenchInputs).
 * Usage: node bench/gpu/attention-flash.js [--shapes 70m,1b] [--tiles v1,4x16,4x32,8x16,4x16k8] [--seqs 5] [--seq 2048]
 *          [--reps 5] [--tag name]
 *        npx tsx bench/gpu/attention-flash.ts --null   (CPU machine: every tile's WGSL for head sizes 8..256, float32
 *          and float16 output, validated on Dawn's Null backend, bench/gpu/null-tfjs.ts; prints "<n> problems")
 */
import * as tf from "@tensorflow/tfjs-core";
import { FLASH_V1, flashCausalAttention, flashTileBytes, parseFlashTile, rotarySplit, type FlashTile } from "../../src/backend-webgpu-attention";
import { arg, attentionBenchInputs, gpuMs, maxRelDiff, msPerCall, setup, webGpuErrorCount, writeResult } from "./lib";

/** A tile name (src/backend-webgpu-attention.ts parseFlashTile) -> the tile. */
function parseTile(name: string): FlashTile {
  const tile = parseFlashTile(name);
  if (!tile) throw new Error(`attention-flash: tile ${name} is not v1 or ROWSxDIMS[k8][vN]`);
  return tile;
}

async function nullCheck(tiles: string[]): Promise<void> {
  const { setupNullWebGpu } = await import("./null-tfjs");
  const device = await setupNullWebGpu();
  let problems = 0;
  device.addEventListener("uncapturederror", (e: { error?: { message?: string } }) => {
    const msg = String(e.error?.message ?? e);
    if (/total use of workgroup storage|exceeds the maximum|is invalid due to a previous error/i.test(msg)) return;
    problems++;
    console.log(`error: ${msg.slice(0, 3000)}`);
  });
  for (const name of tiles) {
    for (const [B, H, T, hs, rd] of [[3, 6, 70, 8, 2], [2, 2, 300, 64, 16], [2, 2, 130, 128, 32], [1, 2, 200, 256, 64], [1, 2, 130, 96, 24]]) {
      if (flashTileBytes(hs, parseTile(name)) > 49152) { console.log(`tile ${name} hs ${hs}: over 48 KiB, skipped`); continue; }
      for (const half of [false, true]) {
        const before = problems;
        const out = tf.tidy(() => {
          const heads = rotarySplit(tf.randomUniform([B * T, 3 * H * hs]) as tf.Tensor2D, tf.randomUniform([T, rd]) as tf.Tensor2D, tf.randomUniform([T, rd]) as tf.Tensor2D, B, T, H, hs, 0.125);
          return flashCausalAttention(heads, B, T, H, hs, half, parseTile(name));
        });
        await out.data();
        out.dispose();
        console.log(`tile ${name} (${flashTileBytes(hs, parseTile(name))} bytes) hs ${hs} T ${T}${half ? " float16 out" : ""}: ${problems - before} problems`);
      }
    }
  }
  await device.queue.onSubmittedWorkDone();
  console.log(`${problems} problems`);
  process.exit(problems ? 1 : 0);
}

async function main(): Promise<void> {
  const tiles = arg("tiles", "v1,4x16,4x32,8x16,4x16k8").split(",");
  if (process.argv.includes("--null")) return nullCheck(tiles);
  const info = await setup();
  console.log(`[bench] ${info.name}: ${info.detail ?? ""}`);
  const B = Number(arg("seqs", "5")), T = Number(arg("seq", "2048")), reps = Number(arg("reps", "5"));
  const rows: Record<string, unknown>[] = [];
  for (const shape of arg("shapes", "70m,1b").split(",")) {
    const { H, hs, L, heads, perPass, dispose } = attentionBenchInputs(shape, B, T);
    const flops = 4 * B * H * (T * T / 2) * hs * L; // per pass, causal half
    const limit = (tf.backend() as unknown as { device: { limits: { maxComputeWorkgroupStorageSize: number } } }).device.limits.maxComputeWorkgroupStorageSize;
    for (const name of tiles) {
      const tile = parseTile(name);
      if (flashTileBytes(hs, tile) > limit) { console.log(`${shape.padEnd(4)} flash ${name}: ${flashTileBytes(hs, tile)} bytes of workgroup memory, over ${limit}: skipped`); continue; }
      const f = (): tf.Tensor => flashCausalAttention(heads, B, T, H, hs, false, tile);
      const errors = webGpuErrorCount();
      const ms = perPass(await msPerCall(f, reps));
      const gpu = perPass(await gpuMs(f));
      const diff = name === "v1" ? 0 : await maxRelDiff(flashCausalAttention(heads, B, T, H, hs, false, FLASH_V1), f());
      const row = { shape, tile: name, B, T, heads: H, hs, layers: L, ms_per_pass: ms, gpu_ms_per_pass: gpu, tflops: Number((flops / gpu / 1e9).toFixed(1)), max_rel_diff_vs_v1: diff, webgpu_errors: webGpuErrorCount() - errors };
      rows.push(row);
      console.log(`${shape.padEnd(4)} flash ${name.padEnd(4)}: ${ms} ms per pass (GPU ${gpu} ms, ${row.tflops} TFLOP/s causal), max rel diff vs v1 ${diff}${row.webgpu_errors ? `, ${row.webgpu_errors} WebGPU errors` : ""}`);
    }
    dispose();
  }
  console.log(`[bench] wrote ${writeResult(`attention-flash${arg("tag", "") ? `-${arg("tag", "")}` : ""}`, { backend: info, rows })}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
