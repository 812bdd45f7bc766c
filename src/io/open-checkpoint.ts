/**
 * A checkpoint folder opened for streaming: its config and every tensor the model reads, located but not read.
 * safetensors and torch zip files, sharded or not, are read tensor by tensor at their offsets (raw: float16 stays
 * float16), so a reader holds one tensor at a time instead of the whole model. A TensorFlow.js manifest (written
 * by `massive convert`, for small models) is read whole and served from memory behind the same interface.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { detectWeights, isSkippedTensor, type WeightsFormat } from "./checkpoint";
import { readNeoXConfig, parseNeoXConfig, type NeoXConfig } from "./config";
import type { HostTensor } from "./host-tensor";
import { openSafetensors, type LazyTensor, type OpenTensorFile } from "./safetensors";
import { readTfjsWeights } from "./tfjs-weights";
import { openTorchCheckpoint } from "./torch-zip";
import { readShardIndex } from "./weight-files";

export interface OpenCheckpoint {
  dir: string;
  config: NeoXConfig;
  format: WeightsFormat;
  /** Bytes of the weight files on disk (all shards). */
  bytes: number;
  /** Every tensor but the buffers the model never reads (see isSkippedTensor). */
  tensors: Map<string, LazyTensor>;
  /** Closes the open files; the tensors cannot be read afterwards. */
  close(): Promise<void>;
}

/** Tensors already in memory, behind the lazy interface. */
function inMemory(weights: Map<string, HostTensor>): Map<string, LazyTensor> {
  const out = new Map<string, LazyTensor>();
  for (const [name, t] of weights) {
    const rowLen = t.shape.length ? t.data.length / Math.max(t.shape[0]!, 1) : 1;
    out.set(name, {
      name, dtype: t.dtype, shape: t.shape,
      read: () => Promise.resolve({ ...t, data: t.data.slice() as HostTensor["data"] }), // a copy: readers may consume it
      readRows: (first, count) => Promise.resolve({
        dtype: t.dtype, shape: [count, ...t.shape.slice(1)], data: t.data.subarray(first * rowLen, (first + count) * rowLen) as HostTensor["data"],
      }),
    });
  }
  return out;
}

/** Opens a checkpoint folder for streaming; see the module comment. */
export async function openCheckpoint(dir: string): Promise<OpenCheckpoint> {
  const { file, format } = detectWeights(dir);
  const configFile = path.join(dir, "config.json");
  if (format === "tfjs") {
    const { weights, config } = await readTfjsWeights(file);
    const parsed = fs.existsSync(configFile) || config === undefined ? readNeoXConfig(configFile) : parseNeoXConfig(config, `${file} (config)`);
    const bytes = [...weights.values()].reduce((a, t) => a + t.data.byteLength, 0);
    return { dir, config: parsed, format, bytes, tensors: inMemory(weights), close: () => Promise.resolve() };
  }
  const config = readNeoXConfig(configFile);
  const openFile = format === "safetensors" || format === "safetensors-sharded" ? openSafetensors : openTorchCheckpoint;
  const index = format.endsWith("-sharded") ? readShardIndex(file) : undefined;
  const files = index ? index.shards.map((s) => path.join(dir, s)) : [file];
  const opened: OpenTensorFile[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(opened.map((o) => o.close()));
  };
  try {
    for (const f of files) opened.push(await openFile(f));
    const tensors = new Map<string, LazyTensor>();
    for (const o of opened) for (const [name, t] of o.tensors) if (!isSkippedTensor(name)) tensors.set(name, t);
    if (index) {
      const missing = Object.keys(index.weightMap).filter((n) => !tensors.has(n) && !isSkippedTensor(n));
      if (missing.length) throw new Error(`${file}: ${missing.length} tensor(s) listed in the index are not in their shards: ${missing.slice(0, 5).join(", ")}`);
    }
    const bytes = files.reduce((a, f) => a + fs.statSync(f).size, 0);
    return { dir, config, format, bytes, tensors, close };
  } catch (err) {
    await close();
    throw err;
  }
}
