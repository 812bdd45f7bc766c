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
import { readTfjsWeights } from "./tfjs-weights";
import { readShardIndex, WEIGHT_FILE_CANDIDATES, type WeightsFormat } from "./weight-files";

export interface Checkpoint {
  dir: string;
  config: NeoXConfig;
  weights: Map<string, HostTensor>;
}

export type { WeightsFormat };

/** True for buffers that checkpoints carry and the model does not read. */
export function isSkippedTensor(name: string): boolean {
  return /(^|\.)attention\.(bias|masked_bias)$/.test(name) || name.endsWith("rotary_emb.inv_freq");
}

/** Which weights file a folder holds (the first of WEIGHT_FILE_CANDIDATES present; see ./weight-files.ts). */
export function detectWeights(dir: string): { file: string; format: WeightsFormat } {
  for (const [name, format] of WEIGHT_FILE_CANDIDATES) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return { file, format };
  }
  if (!fs.existsSync(dir)) throw new Error(`${dir}: no such folder`);
  throw new Error(`${dir}: no weights found (looked for ${WEIGHT_FILE_CANDIDATES.map(([n]) => n).join(", ")})`);
}

/** Reads the shards listed by a `*.index.json` (`{"weight_map": {tensor: shard file}}`, see ./weight-files.ts). */
async function readSharded(indexFile: string, readShard: (file: string) => Promise<Map<string, HostTensor>>): Promise<Map<string, HostTensor>> {
  const { weightMap, shards } = readShardIndex(indexFile);
  const out = new Map<string, HostTensor>();
  for (const shard of [...shards].sort()) {
    const file = path.join(path.dirname(indexFile), shard);
    for (const [name, t] of await readShard(file)) out.set(name, t);
  }
  const missing = Object.keys(weightMap).filter((n) => !out.has(n) && !isSkippedTensor(n));
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
