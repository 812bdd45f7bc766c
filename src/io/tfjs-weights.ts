/**
 * TensorFlow.js weights-manifest folders (https://www.tensorflow.org/js/guide/save_load): `model.json` with a
 * `weightsManifest` listing tensors (name, shape, dtype, optional `quantization: {dtype: "float16"}`) and binary
 * shards `group1-shard<i>of<n>.bin` holding their little-endian bytes back to back. `massive convert` writes one
 * and `readCheckpoint` reads it; the model config travels in `userDefinedMetadata.config` and in config.json.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../util/atomic-write";
import { float32ToHalf, halfToFloat32, bytesOf, numElements, isValidShape, toFloat32, type HostTensor } from "./host-tensor";
import { openForRead, readAt } from "./host-tensor-file";
import { printable } from "../util/one-line";

export const TFJS_MANIFEST = "model.json";
/** TensorFlow.js's own default shard size (4 MiB). */
export const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: "float32" | "int32";
  quantization?: { dtype: "float16" };
}

interface ModelJson {
  format: string;
  generatedBy: string;
  convertedBy: string;
  modelTopology: null;
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
  userDefinedMetadata: { config?: unknown };
}

export interface WriteTfjsOptions {
  /** Storage dtype of floating weights (default float32); float16 halves the size, compute stays fp32. */
  dtype?: "float32" | "float16";
  shardBytes?: number;
  /** Stored in userDefinedMetadata.config and written as config.json. */
  config?: unknown;
}

/** Writes `weights` as model.json + shards in `outDir` (each file atomically, model.json last). */
export async function writeTfjsWeights(outDir: string, weights: Map<string, HostTensor>, options: WriteTfjsOptions = {}): Promise<{ files: string[]; bytes: number }> {
  const shardBytes = options.shardBytes ?? DEFAULT_SHARD_BYTES;
  const half = options.dtype === "float16";
  const specs: WeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  for (const [name, t] of weights) {
    if (t.dtype === "int32") {
      specs.push({ name, shape: t.shape, dtype: "int32" });
      chunks.push(bytesOf(t.data));
      continue;
    }
    const f32 = toFloat32(t, `${outDir}: weight '${name}'`);
    specs.push({ name, shape: t.shape, dtype: "float32", ...(half ? { quantization: { dtype: "float16" as const } } : {}) });
    chunks.push(bytesOf(half ? float32ToHalf(f32) : f32));
  }
  const total = chunks.reduce((a, c) => a + c.byteLength, 0);
  const numShards = Math.max(1, Math.ceil(total / shardBytes));
  const paths = Array.from({ length: numShards }, (_, i) => `group1-shard${i + 1}of${numShards}.bin`);
  // Lay the chunks end to end and cut every shardBytes.
  let shard = 0;
  let buf = new Uint8Array(Math.min(shardBytes, total));
  let fill = 0;
  const flush = async (): Promise<void> => {
    await writeFileAtomic(path.join(outDir, paths[shard]!), buf.subarray(0, fill));
    shard++;
    buf = new Uint8Array(Math.max(0, Math.min(shardBytes, total - shard * shardBytes)));
    fill = 0;
  };
  for (const c of chunks) {
    let off = 0;
    while (off < c.byteLength) {
      const n = Math.min(c.byteLength - off, buf.byteLength - fill);
      buf.set(c.subarray(off, off + n), fill);
      fill += n;
      off += n;
      if (fill === buf.byteLength && shard < numShards) await flush();
    }
  }
  if (shard < numShards) await flush();
  const json: ModelJson = {
    format: "massive-gpt-neox-weights",
    generatedBy: "massive convert",
    convertedBy: "massive-activations",
    modelTopology: null,
    weightsManifest: [{ paths, weights: specs }],
    userDefinedMetadata: options.config === undefined ? {} : { config: options.config },
  };
  if (options.config !== undefined) await writeFileAtomic(path.join(outDir, "config.json"), `${JSON.stringify(options.config, null, 2)}\n`);
  await writeFileAtomic(path.join(outDir, TFJS_MANIFEST), `${JSON.stringify(json, null, 1)}\n`);
  return { files: [...paths, TFJS_MANIFEST], bytes: total };
}

/** Reads a model.json weights manifest and its shards; floating weights come back as float32. */
export async function readTfjsWeights(manifestFile: string): Promise<{ weights: Map<string, HostTensor>; config?: unknown }> {
  let json: Partial<ModelJson>;
  try {
    json = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as Partial<ModelJson>;
  } catch (err) {
    throw new Error(`${manifestFile}: cannot read: ${printable((err as Error).message)}`);
  }
  if (!Array.isArray(json.weightsManifest)) throw new Error(`${manifestFile}: no 'weightsManifest' list`);
  const dir = path.dirname(manifestFile);
  const weights = new Map<string, HostTensor>();
  for (const group of json.weightsManifest) {
    if (!Array.isArray(group.paths) || !Array.isArray(group.weights)) throw new Error(`${manifestFile}: a manifest group lacks 'paths' or 'weights'`);
    const sizes: number[] = [];
    for (const w of group.weights) {
      if (typeof w.name !== "string" || !isValidShape(w.shape)) throw new Error(`${manifestFile}: bad weight entry ${JSON.stringify(w).slice(0, 120)}`);
      const q = w.quantization?.dtype;
      if (q !== undefined && q !== "float16") throw new Error(`${manifestFile}: weight '${w.name}' uses quantization '${String(q)}' (only float16 is supported)`);
      if (w.dtype !== "float32" && w.dtype !== "int32") throw new Error(`${manifestFile}: weight '${w.name}' has unsupported dtype '${String(w.dtype)}'`);
      sizes.push(numElements(w.shape) * (q === "float16" ? 2 : 4));
    }
    // Open every shard (each must exist) and check that together they hold exactly the bytes listed; then read each
    // weight from the shard(s) its byte range falls in, so no more than one weight is ever held twice.
    const expected = sizes.reduce((a, b) => a + b, 0);
    const shards: { file: string; handle: fs.promises.FileHandle; start: number; size: number }[] = [];
    try {
      let total = 0;
      for (const p of group.paths) {
        if (typeof p !== "string" || p.includes("/") || p.includes("\\") || p.startsWith(".")) throw new Error(`${manifestFile}: shard path ${JSON.stringify(p)} is not a plain file name`);
        const file = path.join(dir, p);
        const { handle, size } = await openForRead(file);
        shards.push({ file, handle, start: total, size });
        total += size;
      }
      if (total !== expected) throw new Error(`${manifestFile}: ${total < expected ? "truncated: " : ""}the shards hold ${total} bytes, the manifest lists ${expected}`);
      let off = 0;
      for (const [i, w] of group.weights.entries()) {
        const bytes = new Uint8Array(sizes[i]!);
        for (const sh of shards) {
          const from = Math.max(off, sh.start);
          const to = Math.min(off + bytes.length, sh.start + sh.size);
          if (from < to) bytes.set(await readAt(sh.handle, sh.file, from - sh.start, to - from, `weight '${w.name}'`), from - off);
        }
        off += bytes.length;
        const data = w.quantization?.dtype === "float16"
          ? halfToFloat32(new Uint16Array(bytes.buffer))
          : w.dtype === "int32" ? new Int32Array(bytes.buffer) : new Float32Array(bytes.buffer);
        weights.set(w.name, { dtype: w.dtype, shape: w.shape, data });
      }
    } finally {
      for (const sh of shards) await sh.handle.close();
    }
  }
  return { weights, config: json.userDefinedMetadata?.config };
}
