/**
 * Checkpoint folders: `config.json` plus weights in any of the forms the hub serves or this project writes:
 *   model.safetensors | model.safetensors.index.json (shards) | pytorch_model.bin | pytorch_model.bin.index.json
 *   | model.json (TensorFlow.js weights manifest written by `massive convert`).
 * Tensors the model never uses (Pythia's attention.bias / masked_bias / rotary_emb.inv_freq buffers) are skipped
 * without reading their bytes. Floating weights come back as float32.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readNeoXConfig, parseNeoXConfig, type NeoXConfig } from "./config";
import type { HostTensor } from "./host-tensor";
import { readSafetensors } from "./safetensors";
import { readTorchCheckpoint } from "./torch-zip";
import { TFJS_MANIFEST, readTfjsWeights } from "./tfjs-weights";
import { printable } from "../util/one-line";

export interface Checkpoint {
  dir: string;
  config: NeoXConfig;
  weights: Map<string, HostTensor>;
}

export type WeightsFormat = "safetensors" | "safetensors-sharded" | "torch" | "torch-sharded" | "tfjs";

/** True for buffers that checkpoints carry and the model does not read. */
export function isSkippedTensor(name: string): boolean {
  return /(^|\.)attention\.(bias|masked_bias)$/.test(name) || name.endsWith("rotary_emb.inv_freq");
}

const CANDIDATES: [string, WeightsFormat][] = [
  ["model.safetensors", "safetensors"],
  ["model.safetensors.index.json", "safetensors-sharded"],
  ["pytorch_model.bin", "torch"],
  ["pytorch_model.bin.index.json", "torch-sharded"],
  [TFJS_MANIFEST, "tfjs"],
];

/** Which weights file a folder holds (first of: safetensors, its index, .bin, its index, model.json). */
export function detectWeights(dir: string): { file: string; format: WeightsFormat } {
  for (const [name, format] of CANDIDATES) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return { file, format };
  }
  if (!fs.existsSync(dir)) throw new Error(`${dir}: no such folder`);
  throw new Error(`${dir}: no weights found (looked for ${CANDIDATES.map(([n]) => n).join(", ")})`);
}

/** Reads the shards listed by a `*.index.json` (`{"weight_map": {tensor: shard file}}`). */
async function readSharded(indexFile: string, readShard: (file: string) => Promise<Map<string, HostTensor>>): Promise<Map<string, HostTensor>> {
  let index: { weight_map?: Record<string, string> };
  try {
    index = JSON.parse(fs.readFileSync(indexFile, "utf8")) as typeof index;
  } catch (err) {
    throw new Error(`${indexFile}: cannot read the shard index: ${printable((err as Error).message)}`);
  }
  const map = index.weight_map;
  if (!map || typeof map !== "object") throw new Error(`${indexFile}: no 'weight_map' object`);
  const shards = [...new Set(Object.values(map))].sort();
  const out = new Map<string, HostTensor>();
  for (const shard of shards) {
    if (typeof shard !== "string" || shard.includes("/") || shard.includes("\\") || shard.startsWith(".")) {
      throw new Error(`${indexFile}: shard name ${JSON.stringify(shard)} is not a plain file name`);
    }
    const file = path.join(path.dirname(indexFile), shard);
    for (const [name, t] of await readShard(file)) out.set(name, t);
  }
  const missing = Object.keys(map).filter((n) => !out.has(n) && !isSkippedTensor(n));
  if (missing.length) throw new Error(`${indexFile}: ${missing.length} tensor(s) listed in the index are not in their shards: ${missing.slice(0, 5).join(", ")}`);
  return out;
}

/** Reads only the weights of a folder (no config). */
export async function readWeights(dir: string): Promise<{ weights: Map<string, HostTensor>; format: WeightsFormat; file: string; config?: unknown }> {
  const { file, format } = detectWeights(dir);
  const filter = (name: string): boolean => !isSkippedTensor(name);
  switch (format) {
    case "safetensors":
      return { weights: await readSafetensors(file, { filter }), format, file };
    case "safetensors-sharded":
      return { weights: await readSharded(file, (f) => readSafetensors(f, { filter })), format, file };
    case "torch":
      return { weights: await readTorchCheckpoint(file, { filter }), format, file };
    case "torch-sharded":
      return { weights: await readSharded(file, (f) => readTorchCheckpoint(f, { filter })), format, file };
    case "tfjs": {
      const { weights, config } = await readTfjsWeights(file);
      return { weights, format, file, config };
    }
  }
}

/** Reads a checkpoint folder: its config.json and weights (see the module comment for the accepted layouts). */
export async function readCheckpoint(dir: string): Promise<Checkpoint> {
  const configFile = path.join(dir, "config.json");
  const read = await readWeights(dir);
  let config: NeoXConfig;
  if (fs.existsSync(configFile) || read.config === undefined) config = readNeoXConfig(configFile);
  else config = parseNeoXConfig(read.config, `${read.file} (config)`);
  return { dir, config, weights: read.weights };
}
