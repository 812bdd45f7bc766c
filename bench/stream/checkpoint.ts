/**
 * Random-weight Pythia-shaped checkpoints in float16 safetensors, as the hub serves them, written with the
 * project's safetensors writer in shards of at most `shardBytes` (a `model.safetensors.index.json` when more than
 * one), so that even a 12b shape is written holding one shard in memory. Values are N(0, 0.02)-like draws
 * (LayerNorm weights around 1) taken from a table of 4096 float16 values by a seeded xorshift: fast enough for
 * billions of parameters, and random weights are all a speed and memory bench needs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeSafetensors } from "../../src/io/safetensors";
import { float32ToHalf, type HostTensor } from "../../src/io/host-tensor";
import { expectedNeoXShapes } from "../../src/model/weights";
import { fillRandom, pythiaConfig, pythiaConfigJson } from "../gpu/lib";

/** 4096 float16 bit patterns of fillRandom(std, mean) draws. */
function halfTable(seed: number, std: number, mean: number): Uint16Array {
  return float32ToHalf(fillRandom(new Float32Array(4096), seed, std, mean));
}

function randomHalf(n: number, table: Uint16Array, seed: number): Uint16Array {
  const out = new Uint16Array(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = table[(x >>> 0) & 4095]!;
  }
  return out;
}

/**
 * Writes config.json and the float16 weights of a `shape` Pythia (bench/gpu/lib's PYTHIA_SHAPES) into `dir`,
 * unless `dir` already holds them. Returns the weight files' total bytes.
 */
export async function writeRandomHalfCheckpoint(dir: string, shape: string, seed = 1, shardBytes = 2 * 2 ** 30): Promise<number> {
  const done = path.join(dir, ".complete");
  if (fs.existsSync(done)) return Number(fs.readFileSync(done, "utf8"));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(pythiaConfigJson(shape)));
  const c = pythiaConfig(shape);
  const shapes = expectedNeoXShapes(c);
  shapes.set("embed_out.weight", [c.vocabSize, c.hiddenSize]);
  const weights = halfTable(seed, 0.02, 0);
  const ones = halfTable(seed + 1, 0.02, 1);
  const shards: Map<string, HostTensor>[] = [new Map()];
  let shardSize = 0;
  let s = seed * 1000;
  const files: string[] = [];
  const weightMap: Record<string, string> = {};
  let total = 0;
  const flush = async (last: boolean): Promise<void> => {
    const part = shards.pop()!;
    const file = `model-${String(files.length + 1).padStart(5, "0")}.safetensors`;
    files.push(file);
    for (const name of part.keys()) weightMap[name] = file;
    await writeSafetensors(path.join(dir, file), part);
    total += fs.statSync(path.join(dir, file)).size;
    if (!last) shards.push(new Map());
    shardSize = 0;
  };
  for (const [name, dims] of shapes) {
    const n = dims.reduce((a, b) => a * b, 1);
    if (shardSize > 0 && shardSize + 2 * n > shardBytes) await flush(false);
    const table = /layernorm\.weight|layer_norm\.weight/.test(name) ? ones : weights;
    shards[0]!.set(name, { dtype: "float16", shape: dims, data: randomHalf(n, table, ++s) });
    shardSize += 2 * n;
  }
  await flush(true);
  if (files.length === 1) fs.renameSync(path.join(dir, files[0]!), path.join(dir, "model.safetensors"));
  else fs.writeFileSync(path.join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }));
  fs.writeFileSync(done, String(total));
  return total;
}
