/**
 * Which files hold a checkpoint's weights: the one rule shared by the folder reader (./checkpoint.ts) and the hub
 * client (./hub/client.ts), so a hub revision is downloaded exactly as the reader will read it.
 *
 * Order of preference (as transformers prefers them): `model.safetensors`, the shards of
 * `model.safetensors.index.json`, `pytorch_model.bin`, the shards of `pytorch_model.bin.index.json`, and the
 * TensorFlow.js manifest `model.json` that `massive convert` writes (never on the hub).
 */
import * as fs from "node:fs";
import { printable } from "../util/one-line";
import { TFJS_MANIFEST } from "./tfjs-weights";

export type WeightsFormat = "safetensors" | "safetensors-sharded" | "torch" | "torch-sharded" | "tfjs";

/** Weight entry files in order of preference, with their format. */
export const WEIGHT_FILE_CANDIDATES: readonly (readonly [string, WeightsFormat])[] = [
  ["model.safetensors", "safetensors"],
  ["model.safetensors.index.json", "safetensors-sharded"],
  ["pytorch_model.bin", "torch"],
  ["pytorch_model.bin.index.json", "torch-sharded"],
  [TFJS_MANIFEST, "tfjs"],
];

/** The shard indexes among the candidates. */
export const WEIGHT_INDEXES = ["model.safetensors.index.json", "pytorch_model.bin.index.json"] as const;

/** True for a weight file's name as the hub stores it (single files and shards, safetensors or torch pickles). */
export function isWeightFileName(file: string): boolean {
  return /\.(safetensors|bin|pt|pth)$/.test(file);
}

/** The preferred weight entry among `files` (repo-relative names of one checkpoint folder), or undefined. */
export function chooseWeightEntry(files: Iterable<string>): { file: string; format: WeightsFormat } | undefined {
  const has = new Set(files);
  for (const [file, format] of WEIGHT_FILE_CANDIDATES) if (has.has(file)) return { file, format };
  return undefined;
}

/** A parsed `*.index.json`: tensor name -> shard file, and the shard files in order of first appearance. */
export interface ShardIndex {
  weightMap: Record<string, string>;
  shards: string[];
}

/**
 * Reads a shard index (`{"weight_map": {tensor: shard file}}`). Shard names must be plain file names in the same
 * folder (no `/`, `\` or leading `.`): the index comes from the network or a user's folder.
 */
export function readShardIndex(file: string): ShardIndex {
  let json: { weight_map?: unknown };
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8")) as typeof json;
  } catch (err) {
    throw new Error(`${file}: cannot read the shard index: ${printable((err as Error).message)}`);
  }
  const map = json?.weight_map;
  if (!map || typeof map !== "object" || Array.isArray(map)) throw new Error(`${file}: no 'weight_map' object in the shard index`);
  const shards: string[] = [];
  for (const shard of Object.values(map as Record<string, unknown>)) {
    if (typeof shard !== "string" || shard === "" || shard.includes("/") || shard.includes("\\") || shard.startsWith(".")) {
      throw new Error(`${file}: shard name ${printable(JSON.stringify(shard) ?? String(shard), 80)} is not a plain file name`);
    }
    if (!shards.includes(shard)) shards.push(shard);
  }
  return { weightMap: map as Record<string, string>, shards };
}

/**
 * The weight files of a checkpoint listing (repo-relative names): the preferred single file, or the shards its
 * index names (`shardsOf(index)` reads them: from disk, or after downloading the index). The TensorFlow.js
 * manifest is not a hub format and is not chosen here.
 */
export function pickWeightFiles(files: string[], shardsOf: (index: string) => string[], where: string): string[] {
  const entry = chooseWeightEntry(files);
  if (!entry || entry.format === "tfjs") {
    throw new Error(`${where}: no weights (model.safetensors, pytorch_model.bin or a sharded .index.json) among ${files.join(", ") || "no files"}`);
  }
  return entry.format.endsWith("-sharded") ? shardsOf(entry.file) : [entry.file];
}
