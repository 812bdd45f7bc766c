/**
 * Attention alone, per forward pass of 5 x 2048 tokens, on Pythia shapes (70m: 8 heads of 64, 6 layers; 1b: 8 heads
 * of 256, 16 layers): the float32 flash kernel (src/backend-webgpu-attention.ts) against the float16 tensor-core one
 * (src/backend-webgpu-attention-f16.ts) with its default tile and the other tiles that fit the device. Each program timed
 * alone on the same rotarySplit output (the rotary + split program timed on its own), random q, k, v of unit scale
 * with a q k^T spread like a trained model's (std ~3 per score); wall time of `reps` queued calls after a warm-up,
 * then one read back. ms per pass = ms per call x layers.
 * Usage: node bench/gpu/attention-f16.js [--shapes 70m,1b] [--seqs 5] [--seq 2048] [--reps 20] [--tag name]
 *        npx tsx bench/gpu/attention-f16.ts --compile-only   (no GPU: see compileOnly)
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
import { flashCausalAttention, rotarySplit } from "../../src/backend-webgpu-attention";
import { flashCausalAttentionHalf, flashHalfCode, halfAttentionAvailable, halfAttentionBytes, halfAttentionTile, pvBatch, type HalfAttentionTile } from "../../src/backend-webgpu-attention-f16";
import { HALF_MATMUL_DIRECTIVES } from "../../src/backend-webgpu-f16-code";
import { arg, attentionBenchInputs, maxRelDiff, msPerCall, setup, tf, writeResult } from "./lib";

/**
 * --compile-only: the program's WGSL for every head size it takes (16..256) and tile, with a minimal stand-in for
 * tfjs's declarations, through Dawn's Null backend, which validates and translates WGSL with subgroup matrices but
 * offers no configuration to run them and only 16 KiB of workgroup memory / 128-wide subgroups (pipelines over those
 * limits are reported, not counted). Prints "<n> problems"; exits 1 on any error or warning.
 */
async function compileOnly(): Promise<void> {
  const webgpu = (await import("webgpu" as string)) as { create(flags: string[]): Any; globals: object };
  const gpu = webgpu.create(["backend=null", "enable-dawn-features=allow_unsafe_apis"]);
  Object.assign(globalThis, webgpu.globals);
  const adapter = await gpu.requestAdapter();
  const device = await adapter.requestDevice({ requiredFeatures: ["shader-f16", "subgroups", "chromium-experimental-subgroup-matrix"] });
  let problems = 0, modules = 0;
  for (let hs = 16; hs <= 256; hs += 16) {
    for (const tile of [halfAttentionTile(hs), { ...halfAttentionTile(hs), batch: 1 }, { subgroups: 4, keys: 32 }, { subgroups: 2, keys: 64 }]) {
      if (halfAttentionBytes(hs, tile) > 49152) continue;
      const code = `${HALF_MATMUL_DIRECTIVES.join("\n")}
struct Uniforms { seqLen : i32, heads : i32, bh : i32, };
@group(0) @binding(0) var<storage, read_write> result : array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> QKV : array<vec4<f32>>;
@group(0) @binding(2) var<uniform> uniforms : Uniforms;
var<private> localIndex : u32;
var<private> workgroupId : vec3<u32>;
${flashHalfCode(hs, tile)}
@compute @workgroup_size(${32 * tile.subgroups}, 1, 1)
fn _start(@builtin(local_invocation_index) li : u32, @builtin(workgroup_id) wid : vec3<u32>) {
  localIndex = li;
  workgroupId = wid;
  main();
}`;
      device.pushErrorScope("validation");
      const module = device.createShaderModule({ code });
      const info = await module.getCompilationInfo();
      // Errors, and warnings such as Dawn's deprecated load form, count.
      for (const m of info.messages) { problems++; console.log(`hs ${hs} ${tile.subgroups}x${tile.keys}: ${m.lineNum}:${m.linePos} ${m.message.slice(0, 400)}`); }
      device.createComputePipeline({ layout: "auto", compute: { module, entryPoint: "_start" } });
      const err = await device.popErrorScope();
      const limit = err && /total use of workgroup storage|must be a multiple of the device maxSubgroupSize/i.test(String(err.message));
      if (err && !limit) { problems++; console.log(`hs ${hs} ${tile.subgroups}x${tile.keys}: ${String(err.message).slice(0, 1500)}`); }
      modules++;
    }
  }
  console.log(`${modules} shader modules compiled on Dawn's Null backend\n${problems} problems`);
  process.exit(problems ? 1 : 0);
}

async function main(): Promise<void> {
  if (process.argv.includes("--compile-only")) return compileOnly();
  const info = await setup();
  process.env.MASSIVE_WEBGPU_ATTENTION_F16 = "flash-experimental"; // opt-in (src/backend-webgpu-attention-f16.ts)
  console.log(`[bench] ${info.name}: ${info.detail ?? ""}`);
  const shapes = arg("shapes", "70m,1b").split(",");
  const B = Number(arg("seqs", "5")), T = Number(arg("seq", "2048")), reps = Number(arg("reps", "20"));
  const limit = (tf.backend() as unknown as { device: { limits: { maxComputeWorkgroupStorageSize: number } } }).device.limits.maxComputeWorkgroupStorageSize;
  const rows: Record<string, unknown>[] = [];
  for (const shape of shapes) {
    const inputs = attentionBenchInputs(shape, B, T);
    const { H, hs, rd, L, qkv, cos: cosT, sin: sinT, heads, perPass } = inputs;
    if (!halfAttentionAvailable(hs, rd)) { console.log(`${shape}: float16 attention not available for hs ${hs}`); inputs.dispose(); continue; }
    const row: Record<string, unknown> = { shape, B, T, heads: H, hs, layers: L };
    row.rotarySplit_ms_per_pass = perPass(await msPerCall(() => rotarySplit(qkv, cosT, sinT, B, T, H, hs, 1 / Math.sqrt(hs)), reps));
    row.flash_f32_ms_per_pass = perPass(await msPerCall(() => flashCausalAttention(heads, B, T, H, hs), reps));
    const def = halfAttentionTile(hs);
    const tiles: HalfAttentionTile[] = [def, { ...def, batch: 1 }, { ...def, batch: 2 }, { subgroups: 4, keys: 64 }, { subgroups: 4, keys: 32 }, { subgroups: 2, keys: 32 }, { subgroups: 2, keys: 64 }, { subgroups: 4, keys: 16 }, { subgroups: 2, keys: 16 }]
      .map((t) => ({ ...t, batch: pvBatch(hs, t) }))
      .filter((t, i, all) => all.findIndex((u) => u.subgroups === t.subgroups && u.keys === t.keys && u.batch === t.batch) === i && halfAttentionBytes(hs, t) <= limit);
    const variants: Record<string, number> = {};
    for (const tile of tiles) {
      variants[`f16_${tile.subgroups * 16}q_${tile.keys}k_pv${tile.batch}`] = perPass(await msPerCall(() => flashCausalAttentionHalf(heads, B, T, H, hs, tile), reps));
    }
    // The default tile against the float32 kernel on these inputs: max |difference| relative to max |f32 output|.
    row.f16_vs_f32_max_rel_diff = await maxRelDiff(flashCausalAttention(heads, B, T, H, hs), flashCausalAttentionHalf(heads, B, T, H, hs));
    inputs.dispose();
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
