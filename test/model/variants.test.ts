/**
 * Variants the Hugging Face fixture does not cover: the sequential residual (use_parallel_residual: false), checked
 * against an independent float64 numpy implementation of transformers' GPTNeoXLayer (made by
 * fixtures/make-sequential-expected.py from tiny-neox-a's weights; that script's parallel twin matches
 * expected.safetensors to 1.4e-5), and sharded pytorch_model.bin checkpoints (pytorch_model.bin.index.json).
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initBackend } from "../../src/backend";
import { readCheckpoint } from "../../src/io/checkpoint";
import { parseNeoXConfig } from "../../src/io/config";
import { readSafetensors } from "../../src/io/safetensors";
import { bytesOf } from "../../src/io/host-tensor";
import { GPTNeoX } from "../../src/model/gpt-neox";
import { stateDictPickle } from "../helpers/pickle-writer";
import { torchZip } from "../helpers/store-zip";
import { TINY_DIR, loadExpected, parityErrors } from "./parity-helpers";

before(async () => {
  await initBackend();
});

test("sequential residual matches the float64 reference to 1e-4 (both attention implementations)", async () => {
  const ckpt = await readCheckpoint(TINY_DIR);
  const config = parseNeoXConfig({ ...ckpt.config.raw, use_parallel_residual: false }, "tiny-neox-a (sequential)");
  const ref = await readSafetensors(path.join(__dirname, "fixtures", "tiny-neox-a-sequential-expected.safetensors"));
  const ids = Array.from({ length: 2 }, (_, b) => Array.from((ref.get("input_ids")!.data as Int32Array).subarray(b * 24, (b + 1) * 24)));
  const expected = new Map([...ref].filter(([n]) => n !== "input_ids").map(([n, t]) => [n, t.data as Float32Array]));
  for (const attention of ["per-head", "batched"] as const) {
    const model = GPTNeoX.fromCheckpoint({ ...ckpt, config }, { attention });
    const errors = await parityErrors(model, ids, expected);
    console.log(`  sequential residual, ${attention}: ${[...errors].map(([n, e]) => `${n} ${e.toExponential(2)}`).join(", ")}`);
    for (const [name, e] of errors) assert.ok(e <= 1e-4, `${name}: ${e}`);
    model.dispose();
  }
});

test("sharded pytorch_model.bin (index.json) loads and matches transformers", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "neox-bin-shards-"));
  fs.copyFileSync(path.join(TINY_DIR, "config.json"), path.join(dir, "config.json"));
  const weights = await readSafetensors(path.join(TINY_DIR, "model.safetensors"), { widen: false });
  const names = [...weights.keys()];
  const map: Record<string, string> = {};
  for (const shard of [0, 1]) {
    const file = `pytorch_model-0000${shard + 1}-of-00002.bin`;
    const mine = names.filter((_, i) => i % 2 === shard);
    const pkl = stateDictPickle(mine.map((name, key) => ({ name, storageClass: "HalfStorage", key: String(key), numel: weights.get(name)!.data.length, shape: weights.get(name)!.shape })));
    const storages = Object.fromEntries(mine.map((name, key) => [String(key), bytesOf(weights.get(name)!.data)]));
    fs.writeFileSync(path.join(dir, file), torchZip(pkl, storages));
    for (const n of mine) map[n] = file;
  }
  fs.writeFileSync(path.join(dir, "pytorch_model.bin.index.json"), JSON.stringify({ metadata: {}, weight_map: map }));
  const model = await GPTNeoX.load(dir);
  const { ids, expected } = await loadExpected();
  const worst = Math.max(...(await parityErrors(model, ids, expected)).values());
  console.log(`  sharded pytorch_model.bin: worst max |error| ${worst.toExponential(2)}`);
  assert.ok(worst <= 1e-4);
  model.dispose();
  fs.rmSync(dir, { recursive: true });
});
