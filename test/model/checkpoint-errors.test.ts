/**
 * Checkpoint folders: sharded indexes, Pythia's extra buffers, and the one-line errors for missing or mis-shaped
 * weights and damaged TF.js shards.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initBackend } from "../../src/backend";
import { readCheckpoint } from "../../src/io/checkpoint";
import { readSafetensors, writeSafetensors } from "../../src/io/safetensors";
import type { HostTensor } from "../../src/io/host-tensor";
import { GPTNeoX } from "../../src/model/gpt-neox";
import { convertCheckpoint } from "../../src/model/convert";
import { TINY_DIR, loadExpected, parityErrors } from "./parity-helpers";
import { oneLine } from "../io/assert-one-line";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "neox-ckpt-"));
let weights: Map<string, HostTensor>;

before(async () => {
  await initBackend();
  weights = await readSafetensors(path.join(TINY_DIR, "model.safetensors"), { widen: false });
});

/** A folder with the fixture's config and the given tensors as model.safetensors. */
async function folder(name: string, tensors: Map<string, HostTensor>): Promise<string> {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(TINY_DIR, "config.json"), path.join(dir, "config.json"));
  await writeSafetensors(path.join(dir, "model.safetensors"), tensors);
  return dir;
}

test("mis-shaped weights are refused naming the tensor and both shapes", async () => {
  const bad = new Map(weights);
  bad.set("gpt_neox.layers.1.attention.query_key_value.weight", { dtype: "float16", shape: [64, 192], data: weights.get("gpt_neox.layers.1.attention.query_key_value.weight")!.data });
  const dir = await folder("misshaped", bad);
  await assert.rejects(GPTNeoX.load(dir), oneLine(/misshaped: mis-shaped weight\(s\): 'gpt_neox\.layers\.1\.attention\.query_key_value\.weight' has shape \[64, 192\], expected \[192, 64\]/));
});

test("missing weights are refused naming them", async () => {
  const bad = new Map(weights);
  bad.delete("gpt_neox.layers.2.mlp.dense_4h_to_h.bias");
  bad.delete("lm_head.weight");
  const dir = await folder("missing", bad);
  await assert.rejects(GPTNeoX.load(dir), oneLine(/missing: missing 2 weight\(s\): gpt_neox\.layers\.2\.mlp\.dense_4h_to_h\.bias, embed_out\.weight \(or lm_head\.weight\)/));
  const model = new GPTNeoX((await readCheckpoint(TINY_DIR)).config);
  assert.throws(() => model.runWithCache([[1, 2]]), oneLine(/the model has no weights/));
});

test("sharded safetensors with Pythia's extra buffers and embed_out.weight load and match transformers", async () => {
  const dir = path.join(tmp, "sharded");
  fs.mkdirSync(dir);
  fs.copyFileSync(path.join(TINY_DIR, "config.json"), path.join(dir, "config.json"));
  const names = [...weights.keys()];
  const map: Record<string, string> = {};
  const shards: Map<string, HostTensor>[] = [new Map(), new Map()];
  names.forEach((n, i) => {
    const out = n === "lm_head.weight" ? "embed_out.weight" : n; // Pythia's name for the output projection
    shards[i % 2]!.set(out, weights.get(n)!);
    map[out] = `model-0000${(i % 2) + 1}-of-00002.safetensors`;
  });
  shards[0]!.set("gpt_neox.layers.0.attention.bias", { dtype: "bool", shape: [1, 1, 4, 4], data: new Uint8Array(16) });
  shards[0]!.set("gpt_neox.layers.0.attention.rotary_emb.inv_freq", { dtype: "float16", shape: [2], data: new Uint16Array(2) });
  map["gpt_neox.layers.0.attention.bias"] = "model-00001-of-00002.safetensors";
  await writeSafetensors(path.join(dir, "model-00001-of-00002.safetensors"), shards[0]!);
  await writeSafetensors(path.join(dir, "model-00002-of-00002.safetensors"), shards[1]!);
  fs.writeFileSync(path.join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: {}, weight_map: map }));
  const ckpt = await readCheckpoint(dir);
  assert.equal(ckpt.weights.has("gpt_neox.layers.0.attention.bias"), false, "buffers are skipped");
  const model = GPTNeoX.fromCheckpoint(ckpt);
  const { ids, expected } = await loadExpected();
  const errors = await parityErrors(model, ids, expected);
  const worst = Math.max(...[...errors.values()]);
  console.log(`  sharded safetensors + embed_out.weight: worst max |error| ${worst.toExponential(2)}`);
  assert.ok(worst <= 1e-4);
  model.dispose();
  fs.rmSync(path.join(dir, "model-00002-of-00002.safetensors"));
  await assert.rejects(readCheckpoint(dir), oneLine(/model-00002-of-00002\.safetensors: cannot open: ENOENT/));
});

test("converted folders with a truncated or missing shard are refused naming the manifest or shard", async () => {
  const out = path.join(tmp, "tfjs");
  await convertCheckpoint(TINY_DIR, out, { dtype: "float32", shardBytes: 200_000 });
  const shard = path.join(out, "group1-shard2of5.bin");
  fs.truncateSync(shard, 1000);
  await assert.rejects(readCheckpoint(out), oneLine(/tfjs\/model\.json: truncated: the shards hold \d+ bytes, the manifest lists \d+/));
  fs.rmSync(shard);
  await assert.rejects(readCheckpoint(out), oneLine(/group1-shard2of5\.bin: cannot open: ENOENT/));
  await assert.rejects(readCheckpoint(path.join(tmp, "nothing-here")), oneLine(/nothing-here: no such folder/));
});
