/**
 * Attention alone, per forward pass of 5 x 2048 tokens, on Pythia shapes (70m: 8 heads of 64, 6 layers; 1b: 8 heads
 * of 256, 16 layers): the float32 flash kernel (src/backend-webgpu-attention.ts, after rotarySplit) against the
 * float16 tensor-core flash kernel (src/backend-webgpu-attention-f16.ts, after packAttentionHalf) with its default tile
 * and the other tiles that fit the device, and the products attention (src/backend-webgpu-attention-tc.ts) for
 * reference. Random q, k, v with a q k^T spread like a trained model's (std ~3 per score); wall time of `reps`
 * queued calls after a warm-up (bench/gpu/lib.ts msPerCall), then GPU time (timestamp queries) of one call each.
 * ms per pass = ms per call x layers.
 * Usage: node bench/gpu/attention-f16.js [--shapes 70m,1b] [--seqs 5] [--seq 2048] [--reps 10] [--tag name]
 *        npx tsx bench/gpu/attention-f16.ts --compile-only   (no GPU: see compileOnly)
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
import { flashCausalAttention, fusedCausalAttention, rotarySplit } from "../../src/backend-webgpu-attention";
import { flashCausalAttentionHalf, flashHalfCode, fusedCausalAttentionHalf, halfAttentionAvailable, halfAttentionBytes, halfAttentionTile, packForFlashHalf, type HalfAttentionTile } from "../../src/backend-webgpu-attention-f16";
import { productsCausalAttention } from "../../src/backend-webgpu-attention-tc";
import { HALF_MATMUL_DIRECTIVES } from "../../src/backend-webgpu-f16-code";
import { ATTENTION_SCORE_BYTES } from "../../src/model/gpt-neox";
import { arg, attentionBenchInputs, gpuMs, maxRelDiff, msPerCall, setup, tf, writeResult } from "./lib";

/** The tiles measured and validated besides the default (deduplicated, within the device's workgroup memory). */
function tilesFor(hs: number, limit: number): HalfAttentionTile[] {
  const all: HalfAttentionTile[] = [halfAttentionTile(hs), { subgroups: 4, keys: 64 }, { subgroups: 4, keys: 32 }, { subgroups: 2, keys: 64 }, { subgroups: 2, keys: 32 }, { subgroups: 4, keys: 16 },
    { subgroups: 4, keys: 64, split: 2 }, { subgroups: 4, keys: 32, split: 2 }, { subgroups: 2, keys: 64, split: 2 }];
  const fits = (t: HalfAttentionTile): boolean => (t.split ?? 1) === 1 || (hs % (16 * (t.split ?? 1)) === 0);
  return all.filter((t, i) => all.findIndex((u) => tileName(u) === tileName(t)) === i && fits(t) && halfAttentionBytes(hs, t) <= limit);
}

function tileName(t: HalfAttentionTile): string {
  return `${t.subgroups * 16}q_${t.keys}k${(t.split ?? 1) > 1 ? `_s${t.split}` : ""}`;
}

/**
 * --compile-only: the program's WGSL for every head size it takes (16..256), tile and output (float32, float16
 * bits), with a minimal stand-in for tfjs's declarations, through Dawn's Null backend, which validates and translates
 * WGSL with subgroup matrices but offers no configuration to run them and only 16 KiB of workgroup memory / 128-wide
 * subgroups (pipelines over those limits are reported, not counted). Prints "<n> problems"; exits 1 on any error or
 * warning.
 */
async function compileOnly(): Promise<void> {
  const webgpu = (await import("webgpu" as string)) as { create(flags: string[]): Any; globals: object };
  const gpu = webgpu.create(["backend=null", "enable-dawn-features=allow_unsafe_apis"]);
  Object.assign(globalThis, webgpu.globals);
  const adapter = await gpu.requestAdapter();
  const device = await adapter.requestDevice({ requiredFeatures: ["shader-f16", "subgroups", "chromium-experimental-subgroup-matrix"] });
  let problems = 0, modules = 0, overLimit = 0;
  for (let hs = 16; hs <= 256; hs += 16) {
    for (const tile of tilesFor(hs, 49152)) {
      for (const half of [false, true]) {
        const code = `${HALF_MATMUL_DIRECTIVES.join("\n")}
struct Uniforms { seqLen : i32, padT : i32, heads : i32, kAt : i32, vAt : i32, };
@group(0) @binding(0) var<storage, read_write> result : array<${half ? "vec2<i32>" : "vec4<f32>"}>;
@group(0) @binding(1) var<storage, read> QKV : array<vec4<i32>>;
@group(0) @binding(2) var<uniform> uniforms : Uniforms;
var<private> localIndex : u32;
var<private> workgroupId : vec3<u32>;
${flashHalfCode(hs, tile, half)}
@compute @workgroup_size(${32 * tile.subgroups * (tile.split ?? 1)}, 1, 1)
fn _start(@builtin(local_invocation_index) li : u32, @builtin(workgroup_id) wid : vec3<u32>) {
  localIndex = li;
  workgroupId = wid;
  main();
}`;
        const where = `hs ${hs} ${tileName(tile)}${half ? " half" : ""}`;
        device.pushErrorScope("validation");
        const module = device.createShaderModule({ code });
        const info = await module.getCompilationInfo();
        // Errors, and warnings such as Dawn's deprecated load form, count.
        for (const m of info.messages) { problems++; console.log(`${where}: ${m.lineNum}:${m.linePos} ${m.message.slice(0, 400)}`); }
        device.createComputePipeline({ layout: "auto", compute: { module, entryPoint: "_start" } });
        const err = await device.popErrorScope();
        const limit = err && /total use of workgroup storage|must be a multiple of the device maxSubgroupSize/i.test(String(err.message));
        if (limit) overLimit++;
        if (err && !limit) { problems++; console.log(`${where}: ${String(err.message).slice(0, 1500)}`); }
        modules++;
      }
    }
  }
  console.log(`${modules} shader modules compiled on Dawn's Null backend (${overLimit} pipelines over Null's limits, not counted)\n${problems} problems`);
  process.exit(problems ? 1 : 0);
}

async function main(): Promise<void> {
  if (process.argv.includes("--compile-only")) return compileOnly();
  const info = await setup();
  process.env.MASSIVE_WEBGPU_ATTENTION_F16 = "flash"; // (halfAttentionAvailable asks for it at every head size)
  console.log(`[bench] ${info.name}: ${info.detail ?? ""}`);
  const shapes = arg("shapes", "70m,1b").split(",");
  const B = Number(arg("seqs", "5")), T = Number(arg("seq", "2048")), reps = Number(arg("reps", "10"));
  const limit = (tf.backend() as unknown as { device: { limits: { maxComputeWorkgroupStorageSize: number } } }).device.limits.maxComputeWorkgroupStorageSize;
  const rows: Record<string, unknown>[] = [];
  for (const shape of shapes) {
    const inputs = attentionBenchInputs(shape, B, T);
    const { H, hs, rd, L, qkv, cos, sin, heads, perPass } = inputs;
    if (!halfAttentionAvailable(hs, rd)) { console.log(`${shape}: float16 flash attention not available for hs ${hs}`); inputs.dispose(); continue; }
    const row: Record<string, unknown> = { shape, B, T, heads: H, hs, layers: L };
    const packed = packForFlashHalf(qkv, cos, sin, B, T, H, hs);
    // Whole attentions from the fused qkv output (what the model runs), wall time then GPU time.
    const whole = {
      f32: () => fusedCausalAttention(qkv, cos, sin, B, T, H, hs, true),
      f16: () => fusedCausalAttentionHalf(qkv, cos, sin, B, T, H, hs, true),
      products: () => productsCausalAttention(qkv, cos, sin, B, T, H, hs, ATTENTION_SCORE_BYTES, true),
    };
    const wall: Record<string, number> = {}, gpu: Record<string, number> = {};
    for (const [name, f] of Object.entries(whole)) wall[name] = perPass(await msPerCall(f, reps));
    for (const [name, f] of Object.entries(whole)) gpu[name] = perPass(await gpuMs(f));
    row.whole_ms_per_pass = wall;
    row.whole_gpu_ms_per_pass = gpu;
    // The programs alone: rotarySplit and packing, the float32 flash kernel, the float16 one per tile (float16 output, as the model asks).
    const parts: Record<string, number> = {
      rotarySplit: perPass(await gpuMs(() => rotarySplit(qkv, cos, sin, B, T, H, hs, 1 / Math.sqrt(hs)))),
      pack: perPass(await gpuMs(() => packForFlashHalf(qkv, cos, sin, B, T, H, hs))),
      flash_f32: perPass(await gpuMs(() => flashCausalAttention(heads, B, T, H, hs, true))),
    };
    const tiles: Record<string, number> = {};
    for (const tile of tilesFor(hs, limit)) {
      const f = (): tf.Tensor => flashCausalAttentionHalf(packed, B, T, H, hs, true, tile);
      tiles[tileName(tile)] = perPass(await msPerCall(f, reps));
      parts[`f16_${tileName(tile)}`] = perPass(await gpuMs(f));
    }
    row.gpu_ms_per_pass_by_program = parts;
    row.f16_tiles_wall_ms_per_pass = tiles;
    // The default tile against the float32 kernel (float32 outputs): max |difference| relative to max |f32 output|.
    row.f16_vs_f32_max_rel_diff = await maxRelDiff(flashCausalAttention(heads, B, T, H, hs), flashCausalAttentionHalf(packed, B, T, H, hs));
    packed.dispose();
    inputs.dispose();
    console.log(`${shape.padEnd(4)} attention per pass of ${B} x ${T} (${L} layers, hs ${hs}), wall/GPU ms: f32 flash ${wall.f32}/${gpu.f32}, f16 flash ${wall.f16}/${gpu.f16}, products ${wall.products}/${gpu.products}; max rel diff f16 vs f32 ${row.f16_vs_f32_max_rel_diff}`);
    console.log(`${shape.padEnd(4)} GPU ms per pass: ${Object.entries(parts).map(([k, v]) => `${k} ${v}`).join(", ")}; f16 tiles wall ${Object.entries(tiles).map(([k, v]) => `${k} ${v}`).join(", ")}`);
    rows.push(row);
  }
  console.log(`[bench] wrote ${writeResult(`attention-f16${arg("tag", "") ? `-${arg("tag", "")}` : ""}`, { backend: info, rows })}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
