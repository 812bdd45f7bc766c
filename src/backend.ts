/**
 * The one place that chooses the TensorFlow.js backend (the only hidden global state of the project).
 *
 * Order: `tensorflow` from @tensorflow/tfjs-node-gpu (CUDA), then `webgpu` (Dawn via the npm package `webgpu`)
 * when it finds an adapter, then `tensorflow` from @tensorflow/tfjs-node (CPU), then `wasm` (SIMD).
 * `MASSIVE_BACKEND=tfjs-node-gpu|webgpu|tfjs-node|wasm|cpu` forces one; forcing one that cannot load is an error.
 * The pure-JS `cpu` backend (about 40x slower than wasm) is never chosen unless forced.
 * The choice is logged once on stderr (`MASSIVE_QUIET=1` silences it).
 */
import * as tf from "@tensorflow/tfjs-core";

export type BackendName = "tfjs-node-gpu" | "webgpu" | "tfjs-node" | "wasm" | "cpu";

export interface BackendInfo {
  /** Which candidate was loaded. */
  name: BackendName;
  /** The name TensorFlow.js knows it by (`tf.getBackend()`): `tensorflow`, `webgpu`, `wasm` or `cpu`. */
  tfName: string;
  /** Human-readable detail: the GPU adapter, wasm SIMD/threads. */
  detail: string;
}

export const BACKEND_ORDER: readonly BackendName[] = ["tfjs-node-gpu", "webgpu", "tfjs-node", "wasm"];
const ALL_BACKENDS: readonly BackendName[] = [...BACKEND_ORDER, "cpu"];

let selected: Promise<BackendInfo> | undefined;

/** Loads one candidate; throws with the reason when it cannot be used on this machine. */
async function loadBackend(name: BackendName, forced = false): Promise<BackendInfo> {
  switch (name) {
    case "tfjs-node-gpu":
    case "tfjs-node": {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(`@tensorflow/${name}`);
      await tf.setBackend("tensorflow");
      return { name, tfName: "tensorflow", detail: `libtensorflow via @tensorflow/${name}` };
    }
    case "webgpu": {
      const { setupWebGpu } = await import("./backend-webgpu");
      const adapterName = await setupWebGpu(forced); // a software adapter only when forced
      return { name, tfName: "webgpu", detail: adapterName };
    }
    case "wasm": {
      await import("@tensorflow/tfjs-backend-wasm");
      if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') returned false");
      return { name, tfName: "wasm", detail: "SIMD, one thread per process" };
    }
    case "cpu": {
      await import("@tensorflow/tfjs-backend-cpu");
      await tf.setBackend("cpu");
      return { name, tfName: "cpu", detail: "pure JavaScript (slow; forced)" };
    }
  }
}

function log(message: string): void {
  if (process.env.MASSIVE_QUIET !== "1") process.stderr.write(`${message}\n`);
}

async function selectBackend(): Promise<BackendInfo> {
  const forced = process.env.MASSIVE_BACKEND?.trim();
  if (forced) {
    if (!ALL_BACKENDS.includes(forced as BackendName)) {
      throw new Error(`MASSIVE_BACKEND='${forced}' is not one of ${ALL_BACKENDS.join(", ")}`);
    }
    let info: BackendInfo;
    try {
      info = await loadBackend(forced as BackendName, true);
    } catch (err) {
      throw new Error(`MASSIVE_BACKEND='${forced}' cannot be loaded here: ${(err as Error).message.split("\n")[0]}`);
    }
    log(`[massive] backend: ${info.name} (forced by MASSIVE_BACKEND; ${info.detail})`);
    return info;
  }
  const skipped: string[] = [];
  for (const name of BACKEND_ORDER) {
    try {
      const info = await loadBackend(name);
      log(`[massive] backend: ${info.name} (${info.detail})`);
      return info;
    } catch (err) {
      skipped.push(`${name}: ${(err as Error).message.split("\n")[0]}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could be loaded (the slow 'cpu' backend is used only when forced ` +
    `with MASSIVE_BACKEND=cpu):\n  ${skipped.join("\n  ")}`);
}

/**
 * Chooses and initialises the backend once per process (later calls return the same promise).
 * Call it before any tensor work; every public entry point that computes does.
 */
export function initBackend(): Promise<BackendInfo> {
  selected ??= selectBackend();
  return selected;
}

export { tf };
