/**
 * tfjs-backend-webgpu on Dawn's Null backend ON A CPU MACHINE, to validate the WGSL that tfjs itself assembles
 * (its preamble, bindings and uniforms around a program's code) for the float16 programs before a device call.
 * Null validates shaders and pipelines but executes nothing (reads give zeros) and offers no subgroup-matrix
 * configuration: the H200's f16 x f16 -> f32 16 x 16 x 16 is assumed here. Pipelines over Null's 16 KiB of workgroup
 * memory are reported apart (the H200 has 48 KiB). Prints "<n> problems"; exits 1 on any other validation error.
 * Usage: npx tsx bench/gpu/null-tfjs.ts
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
import * as tf from "@tensorflow/tfjs-core";
import { enableHalfCompute, halfBatchedMatMul, halfComputeAvailable, halfLinear, packHalfActivations } from "../../src/backend-webgpu-f16";
import { productsCausalAttention } from "../../src/backend-webgpu-attention-tc";
import * as path from "node:path";
import { readCheckpoint } from "../../src/io/checkpoint";
import { GPTNeoX } from "../../src/model/gpt-neox";

function withLimits(device: Any, onShaderModule?: (module: Any) => void): Any {
  const limits = new Proxy(device.limits, { get: (t, p): unknown => (p === "maxComputeWorkgroupStorageSize" ? 49152 : Reflect.get(t, p, t)) });
  // Dawn's own method, taken now: enableHalfCompute may assign its hoisting wrapper (which calls this proxy's) on the device.
  const createModule = device.createShaderModule.bind(device);
  return new Proxy(device, {
    get(target, prop): unknown {
      if (prop === "limits") return limits;
      if (prop === "createShaderModule" && onShaderModule) return (d: object): Any => { const m = createModule(d); onShaderModule(m); return m; };
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * tfjs's webgpu backend on Dawn's Null adapter, with float16 compute as on the H200 (see the file comment); returns the
 * device. `toggles`: more Dawn toggles (bench/gpu/wgsl-check.ts passes the robustness ones the product sets);
 * `onShaderModule`: called with every shader module tfjs creates (after the float16 directives are hoisted).
 */
export async function setupNullWebGpu(options: { toggles?: string[]; onShaderModule?: (module: Any) => void } = {}): Promise<Any> {
  const toggles = options.toggles ?? [];
  const webgpu = (await import("webgpu" as string)) as { create(flags: string[]): Any; globals: object };
  const gpu = webgpu.create(["backend=null", `enable-dawn-features=${["allow_unsafe_apis", ...toggles].join(",")}`]);
  const requestAdapter = gpu.requestAdapter.bind(gpu);
  const fakeConfig = [{ componentType: "f16", resultComponentType: "f32", M: 16, N: 16, K: 16 }];
  gpu.requestAdapter = async (o?: object): Promise<Any> => {
    const adapter = await requestAdapter(o);
    const requestDevice = adapter.requestDevice.bind(adapter); // (enableHalfCompute replaces the method on the object)
    return new Proxy(adapter, {
      get(target, prop): unknown {
        if (prop === "info") return { ...target.info, vendor: target.info.vendor, subgroupMatrixConfigs: fakeConfig };
        // The device reports the H200's 48 KiB of workgroup memory, so that the fused attention paths are chosen
        // (their pipelines over Null's real 16 KiB then fail as "over the limit", after their WGSL is validated).
        if (prop === "requestDevice") return async (d?: object): Promise<Any> => withLimits(await requestDevice(d), options.onShaderModule);
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  };
  enableHalfCompute(gpu);
  Object.assign(globalThis, webgpu.globals);
  Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true });
  await import("@tensorflow/tfjs-backend-webgpu");
  if (!(await tf.setBackend("webgpu"))) throw new Error("setBackend webgpu failed on Null");
  return (tf.backend() as unknown as { device: Any }).device;
}

async function main(): Promise<void> {
  const device = await setupNullWebGpu();
  let problems = 0, overLimit = 0;
  device.addEventListener("uncapturederror", (e: Any) => {
    const msg = String(e.error?.message ?? e);
    if (/total use of workgroup storage|exceeds the maximum/i.test(msg)) overLimit++;
    else if (/is invalid due to a previous error/.test(msg)) return; // the consequences of one invalid pipeline
    else { problems++; console.log(`error: ${msg.slice(0, 2000)}`); }
  });
  console.log(`float16 compute available: ${halfComputeAvailable()}`);
  const run = async (label: string, f: () => tf.Tensor): Promise<void> => {
    const before = problems;
    const t = f();
    await t.data();
    t.dispose();
    console.log(`${label}: ${problems - before} problems`);
  };
  const r = (shape: number[]): tf.Tensor => tf.randomUniform(shape);
  const packed = (b: number, n: number, k: number): tf.Tensor3D => tf.reshape(packHalfActivations(r([b * n, k]) as tf.Tensor2D), [b, n, k / 2]) as tf.Tensor3D;
  await run("halfLinear 200x160x136 (unchanged program)", () => halfLinear(r([200, 160]) as tf.Tensor2D, tf.reshape(packed(1, 136, 160), [136, 80]) as tf.Tensor2D));
  await run("halfBatchedMatMul packed A, ragged", () => halfBatchedMatMul(packed(3, 130, 96), packed(3, 68, 96)));
  await run("halfBatchedMatMul packed A, whole tiles", () => halfBatchedMatMul(packed(3, 256, 128), packed(3, 256, 128)));
  await run("halfBatchedMatMul float32 A", () => halfBatchedMatMul(r([3, 200, 256]) as tf.Tensor3D, packed(3, 132, 256)));
  // Padded T (130) and whole tiles (256), hs 16 (padded to 32), 64 (the 128 x 64 P v tile), 256; one group and
  // groups of 2 pairs (small budget: the merged context written in place by the later groups).
  for (const [B, H, T, hs, rd, budget] of [[2, 2, 130, 16, 4, 2 ** 28], [2, 2, 256, 256, 64, 2 ** 28], [1, 2, 130, 64, 16, 2 ** 28], [2, 2, 256, 64, 16, 3 * 256 * 256 * 2], [1, 4, 256, 128, 32, 2 ** 28]]) {
    await run(`productsCausalAttention B ${B} H ${H} T ${T} hs ${hs} budget ${budget}`, () => productsCausalAttention(r([B * T, H * 3 * hs]) as tf.Tensor2D, r([T, rd]) as tf.Tensor2D, r([T, rd]) as tf.Tensor2D, B, T, H, hs, budget));
  }
  // The model's hook: tiny-neox-a (hs 16) in float16 compute with MASSIVE_WEBGPU_ATTENTION_F16=products reaches the batched products.
  process.env.MASSIVE_WEBGPU_ATTENTION_F16 = "products";
  const cache = (tf.backend() as unknown as { pipelineCache: Record<string, unknown> }).pipelineCache;
  for (const k of Object.keys(cache)) delete cache[k];
  const model = GPTNeoX.fromCheckpoint(await readCheckpoint(path.join(__dirname, "..", "..", "test", "fixtures", "gpt-neox", "tiny-neox-a")), { compute: "float16", attention: "batched" });
  const { logits, cache: hooks } = model.runWithCache([[1, 2, 3, 4, 5, 6, 7]]);
  await logits!.data();
  tf.dispose([logits!, ...hooks.values()]);
  model.dispose();
  const batched = Object.keys(cache).filter((k) => k.includes("massiveHalfMatMul") && k.includes("_batched")).length;
  console.log(`tiny-neox-a float16 forward with products attention: ${batched} batched product pipelines`);
  if (batched === 0) { problems++; console.log("error: the model did not reach halfBatchedMatMul"); }
  await device.queue.onSubmittedWorkDone();
  console.log(`${overLimit} pipelines over Null's workgroup-memory limit (not counted)\n${problems} problems`);
  process.exit(problems ? 1 : 0);
}

if (require.main === module) main().catch((err) => { console.error(err); process.exit(1); });
