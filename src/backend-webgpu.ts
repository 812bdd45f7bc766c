/**
 * WebGPU in Node through Dawn (npm package `webgpu`, an optional dependency) for @tensorflow/tfjs-backend-webgpu.
 * Throws when the package is missing or Dawn finds no adapter (no GPU, no Vulkan loader, no driver ICD): see
 * docs/gpu.md for the Linux set-up. `MASSIVE_WEBGPU_DAWN` passes Dawn toggles, comma-separated, e.g.
 * `disable_robustness,skip_validation` (see docs/gpu.md for what each costs or gains); `MASSIVE_WEBGPU_ROBUSTNESS`
 * picks how out-of-bounds accesses are guarded (robustnessToggles).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { HALF_DAWN_TOGGLES, enableHalfCompute } from "./backend-webgpu-f16";

interface DawnAdapter {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  limits?: Record<string, number>;
  features?: { has(name: string): boolean };
}
interface DawnGpu {
  requestAdapter(options?: { powerPreference?: string }): Promise<DawnAdapter | null>;
}

/** What setupWebGpu found, for logs and benchmark records. */
export interface WebGpuInfo {
  adapter: string;
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  dawnToggles: string[];
}

let found: WebGpuInfo | undefined;

/** The adapter and limits once setupWebGpu succeeded (undefined before, or on other backends). */
export function webGpuInfo(): WebGpuInfo | undefined {
  return found;
}

/** Software (CPU) Vulkan/WebGPU implementations: slower than the wasm backend, so only used when forced. */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|swiftshader|softpipe/i;

/**
 * Vulkan driver manifests (ICD files) the Vulkan loader would find on Linux: those named by VK_DRIVER_FILES or
 * VK_ICD_FILENAMES, else the `vulkan/icd.d/*.json` files of the standard folders. Checked before Dawn starts,
 * because Dawn without any driver prints native warnings on stderr at every start and still finds nothing.
 */
export function linuxVulkanDriverFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const named = (env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES ?? "").split(":").filter(Boolean);
  if (named.length) return named.filter((f) => fs.existsSync(f));
  const dataDirs = (env.XDG_DATA_DIRS ?? "/usr/local/share:/usr/share").split(":").filter(Boolean);
  const dirs = [...new Set(["/etc", ...dataDirs, "/usr/share"].map((d) => path.join(d, "vulkan", "icd.d")))];
  return dirs.flatMap((d) => {
    try {
      return fs.readdirSync(d).filter((f) => f.endsWith(".json")).map((f) => path.join(d, f));
    } catch {
      return [];
    }
  });
}

/**
 * Installs `navigator.gpu` from Dawn, registers the webgpu backend and returns a description of the adapter.
 * `allowSoftware`: accept a CPU adapter (Mesa llvmpipe, SwiftShader), as when MASSIVE_BACKEND=webgpu forces it;
 * when choosing automatically such an adapter is refused so that wasm, which is faster, is chosen.
 */
export async function setupWebGpu(allowSoftware = false): Promise<string> {
  // The module name is a variable so type-checking does not need the optional package to be installed.
  const moduleName = "webgpu";
  let webgpu: { create: (flags: string[]) => DawnGpu; globals: object };
  try {
    webgpu = (await import(moduleName)) as typeof webgpu;
  } catch (err) {
    throw new Error(`the optional package 'webgpu' is not installed (${(err as Error).message.split("\n")[0]})`);
  }
  if (process.platform === "linux" && linuxVulkanDriverFiles().length === 0) {
    throw new Error("no Vulkan driver (ICD) file found: no GPU driver with Vulkan support, or set VK_DRIVER_FILES (see docs/gpu.md)");
  }
  const toggles = (process.env.MASSIVE_WEBGPU_DAWN ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  for (const t of robustnessToggles()) if (!toggles.includes(t)) toggles.push(t);
  // Float16 compute (./backend-webgpu-f16.ts) needs Dawn's experimental subgroup matrices; MASSIVE_WEBGPU_F16=off leaves them out.
  const half = process.env.MASSIVE_WEBGPU_F16 !== "off";
  if (half) for (const t of HALF_DAWN_TOGGLES) if (!toggles.includes(t)) toggles.push(t);
  const gpu = webgpu.create(toggles.length ? [`enable-dawn-features=${toggles.join(",")}`] : []);
  if (half) enableHalfCompute(gpu);
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) throw new Error("Dawn found no WebGPU adapter (no GPU, Vulkan loader or driver ICD: see docs/gpu.md)");
  const described = [adapter.info?.vendor, adapter.info?.architecture, adapter.info?.device, adapter.info?.description].join(" ");
  const fallback = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true || SOFTWARE_ADAPTER.test(described);
  if (fallback && !allowSoftware) throw new Error(`only a software adapter was found (${described.trim()}); force it with MASSIVE_BACKEND=webgpu`);
  Object.assign(globalThis, webgpu.globals);
  const nav = (globalThis as { navigator?: { gpu?: DawnGpu } }).navigator;
  if (nav) Object.defineProperty(nav, "gpu", { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true });
  await import("@tensorflow/tfjs-backend-webgpu");
  if (!(await tf.setBackend("webgpu"))) throw new Error("tf.setBackend('webgpu') returned false");
  explainSyncReads(tf.backend() as unknown as { readSync(dataId: object): unknown });
  reportDeviceErrors((tf.backend() as unknown as { device?: EventTarget }).device);
  const { installTiledMatMul } = await import("./backend-webgpu-matmul");
  const tiled = installTiledMatMul();
  const info = adapter.info;
  const name = [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(" ") || "WebGPU adapter";
  const lim = adapter.limits ?? {};
  found = {
    adapter: name,
    maxBufferSize: Number(lim.maxBufferSize ?? 0),
    maxStorageBufferBindingSize: Number(lim.maxStorageBufferBindingSize ?? 0),
    dawnToggles: toggles,
  };
  const gib = (n: number): string => `${(n / 2 ** 30).toFixed(1)} GiB`;
  return `${name}; max buffer ${gib(found.maxBufferSize)}, max storage binding ${gib(found.maxStorageBufferBindingSize)}` +
    (toggles.length ? `; Dawn toggles ${toggles.join(",")}` : "") + (tiled ? "" : "; tfjs matmul kernels");
}

/**
 * Dawn toggles for MASSIVE_WEBGPU_ROBUSTNESS (docs/gpu.md, "Robustness"): `on` = Dawn's defaults (the driver's
 * robust buffer access checks storage buffers; Tint clamps every other dynamic array index); `analysis` (default) =
 * the same, plus Tint's integer range analysis, which drops the clamps it can prove redundant (workgroup-memory
 * indices of the project's kernels are written to be provable); `off` = `disable_robustness` (no checks at all: an
 * out-of-bounds access is undefined; a measurement only).
 */
export function robustnessToggles(setting = process.env.MASSIVE_WEBGPU_ROBUSTNESS ?? "analysis"): string[] {
  if (setting === "on") return [];
  if (setting === "analysis") return ["enable_integer_range_analysis_in_robustness"];
  if (setting === "off") return ["disable_robustness"];
  throw new Error(`MASSIVE_WEBGPU_ROBUSTNESS must be on, analysis or off (got '${setting}')`);
}

/**
 * tfjs-backend-webgpu reads synchronously (dataSync, arraySync) through an OffscreenCanvas, which Node lacks: turn
 * the resulting "OffscreenCanvas is not defined" into a one-line explanation. Reads of values still on the host work.
 */
function explainSyncReads(backend: { readSync(dataId: object): unknown }): void {
  if (typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas !== "undefined") return;
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (dataId: object): unknown => {
    try {
      return readSync(dataId);
    } catch (err) {
      if (err instanceof ReferenceError && /OffscreenCanvas/.test(err.message)) {
        throw new Error("dataSync()/arraySync() cannot read a GPU tensor on WebGPU in Node (no synchronous read): use await tensor.data() / tensor.array()");
      }
      throw err;
    }
  };
}

/**
 * WebGPU reports invalid commands (a buffer over the binding limit, an out-of-memory) as "uncaptured errors" that
 * tfjs never sees, so results would be silently wrong: log them, and count them for webGpuErrorCount().
 */
let deviceErrors = 0;
export function webGpuErrorCount(): number {
  return deviceErrors;
}
function reportDeviceErrors(device: EventTarget | undefined): void {
  if (!device || typeof device.addEventListener !== "function") return;
  device.addEventListener("uncapturederror", (event: Event) => {
    deviceErrors++;
    if (deviceErrors <= 3) {
      const message = (event as Event & { error?: { message?: string } }).error?.message ?? String(event);
      process.stderr.write(`[massive] WebGPU error: ${message.split("\n")[0]}${deviceErrors === 3 ? " (further errors are counted, not shown)" : ""}\n`);
    }
  });
}
