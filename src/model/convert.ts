/**
 * `massive convert`: a Hugging Face GPT-NeoX folder (safetensors, .bin or sharded) to a TensorFlow.js
 * weights-manifest folder (model.json + group1-shard*.bin + config.json) that {@link readCheckpoint} reads back.
 * Every weight the model needs is checked (names and shapes) before anything is written; buffers are dropped.
 */
import { readCheckpoint } from "../io/checkpoint";
import { writeTfjsWeights } from "../io/tfjs-weights";
import type { HostTensor } from "../io/host-tensor";
import { selectNeoXParams } from "./weights";

export interface ConvertResult {
  outDir: string;
  tensors: number;
  bytes: number;
  files: string[];
}

/** Converts `hfDir` into `outDir`; `dtype` is the storage dtype of the weights (compute stays float32). */
export async function convertCheckpoint(hfDir: string, outDir: string, options: { dtype?: "float32" | "float16"; shardBytes?: number } = {}): Promise<ConvertResult> {
  const ckpt = await readCheckpoint(hfDir);
  const p = selectNeoXParams(ckpt.config, ckpt.weights, hfDir); // throws naming missing or mis-shaped weights
  const keep = new Set<string>([p.embed.name, p.unembed.name, p.lnfWeight.name, p.lnfBias.name]);
  for (const l of p.layers) for (const q of Object.values(l)) if (q) keep.add(q.name);
  const weights = new Map<string, HostTensor>();
  for (const [name, t] of ckpt.weights) if (keep.has(name)) weights.set(name, t);
  const { files, bytes } = await writeTfjsWeights(outDir, weights, { dtype: options.dtype ?? "float32", shardBytes: options.shardBytes, config: ckpt.config.raw });
  return { outDir, tensors: weights.size, bytes, files };
}
