/**
 * WebGPU in Node through Dawn (npm package `webgpu`, an optional dependency) for @tensorflow/tfjs-backend-webgpu.
 * Throws when the package is missing or Dawn finds no adapter (no GPU, no Vulkan loader, no driver ICD).
 */
import * as tf from "@tensorflow/tfjs-core";

/** Installs `navigator.gpu` from Dawn, registers the webgpu backend and returns a description of the adapter. */
interface DawnAdapter {
  info?: { vendor?: string; architecture?: string; description?: string };
}
interface DawnGpu {
  requestAdapter(options?: { powerPreference?: string }): Promise<DawnAdapter | null>;
}

export async function setupWebGpu(): Promise<string> {
  // The module name is a variable so type-checking does not need the optional package to be installed.
  const moduleName = "webgpu";
  let webgpu: { create: (flags: string[]) => DawnGpu; globals: object };
  try {
    webgpu = (await import(moduleName)) as typeof webgpu;
  } catch (err) {
    throw new Error(`the optional package 'webgpu' is not installed (${(err as Error).message.split("\n")[0]})`);
  }
  Object.assign(globalThis, webgpu.globals);
  const gpu = webgpu.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) throw new Error("Dawn found no WebGPU adapter (see README: GPU set-up)");
  const nav = (globalThis as { navigator?: { gpu?: DawnGpu } }).navigator;
  if (nav) Object.defineProperty(nav, "gpu", { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true });
  await import("@tensorflow/tfjs-backend-webgpu");
  if (!(await tf.setBackend("webgpu"))) throw new Error("tf.setBackend('webgpu') returned false");
  const info = adapter.info;
  return [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(" ") || "WebGPU adapter";
}
