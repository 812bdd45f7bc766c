/**
 * Compiles the project's WGSL programs on Dawn's Null backend (no GPU: it validates and translates shaders but
 * computes nothing), so a syntax or type error in a kernel shows on a CPU machine before a device call. Runs the
 * tiled matrix product (both K steps, double-buffered, both tile widths, fit and ragged, with bias), the rotary split and the flash
 * attention for several head sizes; exits non-zero when a shader module does not compile. The Null adapter allows
 * 16 KiB of workgroup memory and 256 MiB buffers, so pipelines over those limits fail there and are not counted.
 * Usage: npx tsx bench/gpu/wgsl-check.ts
 */
import * as tf from "@tensorflow/tfjs-core";
import { robustnessToggles } from "../../src/backend-webgpu";

async function main(): Promise<void> {
  const moduleName = "webgpu";
  const webgpu = (await import(moduleName)) as { create(flags: string[]): { requestAdapter(): Promise<unknown> }; globals: object };
  const gpu = webgpu.create(["backend=null", `enable-dawn-features=${robustnessToggles().join(",")}`]);
  Object.assign(globalThis, webgpu.globals);
  Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true });
  await import("@tensorflow/tfjs-backend-webgpu");
  if (!(await tf.setBackend("webgpu"))) throw new Error("no webgpu backend on Dawn's Null adapter");
  let errors = 0, modules = 0;
  type Module = { getCompilationInfo(): Promise<{ messages: { type: string; message: string }[] }> };
  const device = (tf.backend() as unknown as { device: { createShaderModule(d: { code: string }): Module } }).device;
  const create = device.createShaderModule.bind(device);
  device.createShaderModule = (d: { code: string }): Module => {
    const m = create(d);
    modules++;
    void m.getCompilationInfo().then((info) => {
      for (const msg of info.messages) if (msg.type === "error") { errors++; console.error(`WGSL error: ${msg.message}`); }
    });
    return m;
  };
  const { installTiledMatMul } = await import("../../src/backend-webgpu-matmul");
  const { flashCausalAttention, rotarySplit } = await import("../../src/backend-webgpu-attention");
  installTiledMatMul();
  for (const [bk, db] of [["16", "0"], ["32", "0"], ["16", "1"]]) {
    process.env.MASSIVE_WEBGPU_MATMUL_BK = bk;
    process.env.MASSIVE_WEBGPU_MATMUL_DB = db;
    for (const [M, K, N, bias] of [[256, 256, 256, false], [1000, 780, 556, true], [4096, 512, 50304, false], [130, 68, 132, true]] as const) {
      tf.tidy(() => {
        const a = tf.zeros([M, K]) as tf.Tensor2D, b = tf.zeros([K, N]) as tf.Tensor2D;
        return bias ? tf.fused.matMul({ a, b, bias: tf.zeros([N]) }) : tf.matMul(a, b);
      }).dispose();
    }
  }
  for (const hs of [8, 64, 128, 256, 12]) {
    const B = 1, T = 100, H = 2, rd = Math.max(2, 2 * Math.floor(hs / 8));
    tf.tidy(() => {
      const qkv = tf.zeros([B * T, H * 3 * hs]) as tf.Tensor2D;
      const heads = rotarySplit(qkv, tf.zeros([T, rd]) as tf.Tensor2D, tf.zeros([T, rd]) as tf.Tensor2D, B, T, H, hs, 1);
      return flashCausalAttention(heads, B, T, H, hs);
    }).dispose();
  }
  await new Promise((r) => setTimeout(r, 500));
  console.log(errors ? `${errors} WGSL errors in ${modules} shader modules` : `${modules} shader modules compiled on Dawn's Null backend`);
  process.exit(errors ? 1 : 0);
}

main().catch((err) => { console.error(err); process.exit(1); });
