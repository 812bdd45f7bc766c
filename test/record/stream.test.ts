/**
 * Streaming recording (src/record/stream.ts) on the real Pythia-layout checkpoint d128-L6-H4/step3000 (fp16 torch
 * zip): the same statistics as the fully loaded model, as transformers' reference_stats, and as the same weights
 * written as single and sharded safetensors; memory on the backend does not grow with the number of layers.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initBackend, tf } from "../../src/backend";
import { readExp2Stats } from "../../src/io/exp2-stats";
import { openCheckpoint } from "../../src/io/open-checkpoint";
import { readTorchCheckpoint } from "../../src/io/torch-zip";
import { writeSafetensors } from "../../src/io/safetensors";
import type { HostTensor } from "../../src/io/host-tensor";
import { GPTNeoX } from "../../src/model/gpt-neox";
import { recordCheckpointStats } from "../../src/record/stats";
import { gatherEmbeddingRows, recordStreaming, type StreamRecordOptions } from "../../src/record/stream";
import { InProcessEngine } from "../../src/record/engine";
import { halfComputeAvailable } from "../../src/backend-webgpu-f16";

const CKPT = path.join(__dirname, "..", "..", "data", "mini-pythia", "checkpoints", "d128-L6-H4");
const STEP_DIR = path.join(CKPT, "step3000");
const SEQS = 4;
let sequences: number[][];
let tmp: string;

before(async () => {
  await initBackend();
  sequences = (JSON.parse(fs.readFileSync(path.join(CKPT, "..", "..", "eval_sequences.json"), "utf8")) as { sequences: number[][] }).sequences.slice(0, SEQS);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "stream-test-"));
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function stream(dir: string, options: StreamRecordOptions = {}, compute: "float32" | "float16" = "float32"): Promise<number[][][]> {
  const ckpt = await openCheckpoint(dir);
  const model = new GPTNeoX(ckpt.config, { compute });
  try {
    return await recordStreaming(model, ckpt, sequences, options);
  } finally {
    model.dispose();
    await ckpt.close();
  }
}

/** Largest |a - b| / |b| over every value. */
function worstRelative(a: number[][][], b: number[][][]): number {
  let worst = 0;
  a.forEach((s, i) => s.forEach((stat, k) => stat.forEach((v, l) => {
    const ref = b[i]![k]![l]!;
    worst = Math.max(worst, Math.abs(v - ref) / Math.abs(ref));
  })));
  return worst;
}

/** The raw (fp16) tensors of step3000 with a config, written as safetensors in `shards` files (an index when > 1). */
async function writeAsSafetensors(dir: string, shards: number, layers = 6): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const config = JSON.parse(fs.readFileSync(path.join(STEP_DIR, "config.json"), "utf8")) as Record<string, unknown>;
  const layerKey = "num_hidden_layers" in config ? "num_hidden_layers" : "num_layers";
  fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ ...config, [layerKey]: layers }));
  const raw = await readTorchCheckpoint(path.join(STEP_DIR, "pytorch_model.bin"), { widen: false });
  const keep = [...raw.entries()].filter(([n]) => !/layers\.(\d+)\./.test(n) || Number(/layers\.(\d+)\./.exec(n)![1]) < layers);
  if (shards === 1) return writeSafetensors(path.join(dir, "model.safetensors"), new Map(keep));
  const weightMap: Record<string, string> = {};
  for (let s = 0; s < shards; s++) {
    const file = `model-0000${s + 1}-of-0000${shards}.safetensors`;
    const part = new Map<string, HostTensor>(keep.filter((_, i) => i % shards === s));
    for (const name of part.keys()) weightMap[name] = file;
    await writeSafetensors(path.join(dir, file), part);
  }
  fs.writeFileSync(path.join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: {}, weight_map: weightMap }));
}

test("streamed stats equal the fully loaded model's and transformers' reference_stats (torch zip, fp16)", async () => {
  const streamed = await stream(STEP_DIR, { batchSize: 3 }); // chunks of 3 + 1 sequences
  const model = await GPTNeoX.load(STEP_DIR);
  const loaded = await recordCheckpointStats(model, sequences);
  model.dispose();
  const vsLoaded = worstRelative(streamed, loaded);
  // Same kernels on the same rows: identical up to float32 rounding of a different batch shape (measured: 0).
  assert.ok(vsLoaded <= 1e-6, `streamed vs loaded: ${vsLoaded}`);
  const ref = readExp2Stats(path.join(CKPT, "reference_stats", "exp2_d128-L6-H4_step3000")); // transformers, same fp16 weights
  let worst = 0;
  for (let s = 0; s < SEQS; s++) {
    for (const k of [0, 3]) for (let l = 0; l < 6; l++) worst = Math.max(worst, Math.abs(streamed[s]![k]![l]! - ref.values[s]![k]![l]!) / ref.values[s]![k]![l]!);
  }
  console.log(`  streamed vs loaded ${vsLoaded.toExponential(2)}, vs transformers reference_stats (top1, median) ${worst.toExponential(2)}`);
  assert.ok(worst < 1e-4, `vs reference_stats: ${worst}`);
});

test("single and sharded safetensors stream to exactly the torch zip's stats; the engine records them", async () => {
  const fromTorch = await stream(STEP_DIR);
  const single = path.join(tmp, "single");
  const sharded = path.join(tmp, "sharded");
  await writeAsSafetensors(single, 1);
  await writeAsSafetensors(sharded, 3);
  assert.deepEqual(await stream(single), fromTorch);
  assert.deepEqual(await stream(sharded), fromTorch);
  const engine = new InProcessEngine(sequences);
  const r = await engine.record(sharded);
  await engine.close();
  assert.deepEqual(r.values, fromTorch);
});

test("backend memory does not grow with the number of layers (2-layer and 6-layer cut of the same model)", async () => {
  const peak = async (dir: string): Promise<{ bytes: number; values: number[][][] }> => {
    const before = tf.memory().numBytes;
    let bytes = 0;
    const values = await stream(dir, { onLayer: () => { bytes = Math.max(bytes, tf.memory().numBytes - before); } });
    assert.equal(tf.memory().numBytes, before, "every tensor freed");
    return { bytes, values };
  };
  const two = path.join(tmp, "two-layers");
  await writeAsSafetensors(two, 1, 2);
  const six = await peak(STEP_DIR);
  const short = await peak(two);
  // Equal, but for the statistics themselves: on webgpu each layer's (top1..3, median) stay on the GPU until one
  // download at the end, 16 bytes per sequence and layer (src/record/stream.ts).
  const statsBytes = tf.getBackend() === "webgpu" ? 16 * SEQS * (6 - 2) : 0;
  assert.ok(six.bytes >= short.bytes && six.bytes - short.bytes <= statsBytes, `peak backend bytes between layers: ${six.bytes} (6 layers) vs ${short.bytes} (2 layers)`);
  // The first two layers are the same computation in both.
  assert.deepEqual(short.values.map((s) => s.map((stat) => stat.slice(0, 2))), six.values.map((s) => s.map((stat) => stat.slice(0, 2))));
});

test("float16 compute: the file's float16 bits streamed straight into the tensor-core product give the loaded model's stats, within float16 rounding of float32's", async (t) => {
  if (!halfComputeAvailable()) return t.skip("needs webgpu with float16 subgroup matrices");
  // Streaming hands the Linear weights over as the file's float16 bits; loading widens them to float32 and rounds them
  // back (exact for float16 values), so both products see the same bits.
  const streamed = await stream(STEP_DIR, { batchSize: 3 }, "float16");
  const model = await GPTNeoX.load(STEP_DIR, { compute: "float16" });
  const loaded = await recordCheckpointStats(model, sequences);
  model.dispose();
  const vsLoaded = worstRelative(streamed, loaded);
  assert.ok(vsLoaded <= 1e-6, `float16 streamed vs loaded: ${vsLoaded}`);
  // Against float32 compute: activations rounded to float16 in every Linear (2^-11 relative each) compounding over 6
  // layers; 32 float16 ulps is the bound of the float16 forward test (test/backend/webgpu-f16.test.ts).
  const vsFloat32 = worstRelative(streamed, await stream(STEP_DIR, { batchSize: 3 }));
  console.log(`  float16 compute: streamed vs loaded ${vsLoaded.toExponential(2)}, vs float32 compute ${vsFloat32.toExponential(2)}`);
  assert.ok(vsFloat32 <= 32 * 2 ** -11, `float16 vs float32 compute: ${vsFloat32}`);
});

test("embedding rows are gathered by offset, in any order, and bad ids are refused", async () => {
  const ckpt = await openCheckpoint(STEP_DIR);
  try {
    const embed = ckpt.tensors.get("gpt_neox.embed_in.weight")!;
    const whole = (await readTorchCheckpoint(path.join(STEP_DIR, "pytorch_model.bin"))).get("gpt_neox.embed_in.weight")!.data as Float32Array;
    const ids = Int32Array.from([255, 0, 7, 7, 128]);
    const rows = await gatherEmbeddingRows(embed, ids, "test");
    ids.forEach((id, i) => assert.deepEqual(rows.subarray(i * 128, (i + 1) * 128), whole.subarray(id * 128, (id + 1) * 128)));
    await assert.rejects(gatherEmbeddingRows(embed, Int32Array.from([3, 256]), "where"), /where: token id 256 is outside the embedding's 256 rows/);
  } finally {
    await ckpt.close();
  }
});
