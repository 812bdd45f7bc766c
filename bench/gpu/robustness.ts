/**
 * What guards an out-of-bounds index on this device under the current MASSIVE_WEBGPU_ROBUSTNESS (never run it with
 * `off`: the reads below would then be undefined behaviour). One workgroup reads a storage buffer X of n floats
 * (X[i] = i + 1) at n - 1, n + 5 and 1000 n, and a workgroup array W of 64 floats (W[i] = i + 1) at 71:
 *  - storage past the end reads 0 -> the driver's robust buffer access (Vulkan robustBufferAccess2) guards it and
 *    Tint does not clamp (Dawn's vulkan_use_buffer_robust_access_2); it reads X[n - 1] = n -> Tint clamps the index;
 *  - the workgroup array past the end reads W[63] = 64 -> Tint clamps it (nothing else guards workgroup memory).
 * Usage: MASSIVE_BACKEND=webgpu node bench/gpu/robustness.js
 */
import { FlatProgram, toTensor, webgpuRunner, type TensorInfo } from "../../src/backend-webgpu-program";
import { setup, tf, writeResult } from "./lib";

async function main(): Promise<void> {
  const info = await setup();
  if (tf.getBackend() !== "webgpu") throw new Error(`bench/gpu/robustness.ts probes WebGPU only (backend: ${tf.getBackend()}); set MASSIVE_BACKEND=webgpu`);
  const n = 1024;
  const x = tf.tensor1d(Float32Array.from({ length: n }, (_, i) => i + 1));
  const program = new FlatProgram({
    key: "massiveRobustnessProbe", outputShape: [4], variableNames: ["X"], uniforms: "n : i32, w : i32,", threads: 64, workgroups: 1,
    code: `
  var<workgroup> W : array<f32, 64>;
  fn main(index : i32) {
    let li = i32(localIndex);
    W[li] = f32(li + 1);
    workgroupBarrier();
    if (li == 0) {
      result[0] = X[uniforms.n - 1];
      result[1] = X[uniforms.n + 5];
      result[2] = X[uniforms.n * 1000];
      result[3] = W[uniforms.w];
    }
  }`,
  });
  const out = toTensor(webgpuRunner().runWebGPUProgram(program, [x] as unknown as TensorInfo[], "float32", [
    { type: "int32", data: [n] }, { type: "int32", data: [71] },
  ]));
  const [last, past, far, wg] = Array.from((await out.data()) as Float32Array);
  const storage = past === 0 && far === 0 ? "driver (reads 0: robustBufferAccess2, Tint does not clamp storage)"
    : past === n && far === n ? "Tint clamps the index (reads X[n-1])" : `other (${past}, ${far})`;
  const workgroup = wg === 64 ? "Tint clamps the index (reads W[63])" : `other (${wg})`;
  const setting = process.env.MASSIVE_WEBGPU_ROBUSTNESS ?? "analysis (default)";
  console.log(`robustness ${setting}: X[n-1] = ${last}; storage out of bounds: ${storage}; workgroup out of bounds: ${workgroup}`);
  tf.dispose([x, out]);
  console.log(`wrote ${writeResult(`robustness-${info.name}`, { backend: info, setting, last, past, far, workgroup: wg, storage, workgroupVerdict: workgroup })}`);
}

main().catch((err) => { console.error(err); process.exit(1); });
