/**
 * Parity with Hugging Face transformers on test/fixtures/gpt-neox/tiny-neox-a: expected.safetensors holds the
 * reference model's fp32 outputs (embeddings, layer_<i> = decoder layer outputs before the final LayerNorm,
 * final_layer_norm, logits) on its input_ids. Every output must match to max |error| <= 1e-4, from each format.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initBackend } from "../../src/backend";
import { readCheckpoint, readWeights } from "../../src/io/checkpoint";
import { GPTNeoX } from "../../src/model/gpt-neox";
import { convertCheckpoint } from "../../src/model/convert";
import { TINY_DIR, loadExpected, parityErrors } from "./parity-helpers";

const TOL = 1e-4;
let ids: number[][];
let expected: Map<string, Float32Array>;

before(async () => {
  await initBackend();
  ({ ids, expected } = await loadExpected());
});

async function check(label: string, model: GPTNeoX): Promise<void> {
  const errors = await parityErrors(model, ids, expected);
  const line = [...errors].map(([n, e]) => `${n} ${e.toExponential(2)}`).join(", ");
  console.log(`  ${label}: max |error| ${line}`);
  assert.equal(errors.size, 3 + 3, "embeddings, final_layer_norm, logits and 3 layers compared");
  for (const [name, e] of errors) assert.ok(e <= TOL, `${label}: ${name} max |error| ${e} > ${TOL}`);
}

/** A copy of the fixture holding only config.json and the named weights file. */
function onlyFormat(file: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "neox-parity-"));
  fs.copyFileSync(path.join(TINY_DIR, "config.json"), path.join(dir, "config.json"));
  fs.copyFileSync(path.join(TINY_DIR, file), path.join(dir, file));
  return dir;
}

test("tiny-neox-a from model.safetensors matches transformers to 1e-4 (both attention implementations)", async () => {
  const ckpt = await readCheckpoint(TINY_DIR);
  assert.equal((await readWeights(TINY_DIR)).format, "safetensors");
  for (const attention of ["per-head", "batched"] as const) {
    const model = GPTNeoX.fromCheckpoint(ckpt, { attention });
    await check(`model.safetensors, ${attention} attention`, model);
    model.dispose();
  }
});

test("tiny-neox-a matches transformers to 1e-4 with attention in groups of heads and the MLP in pieces of rows", async () => {
  const ckpt = await readCheckpoint(TINY_DIR);
  const [B, T] = [ids.length, ids[0]!.length];
  // Budgets that force one head per group and 3 rows per MLP piece (tiny-neox-a: 4 heads, intermediate 256).
  const model = GPTNeoX.fromCheckpoint(ckpt, { attention: "batched", attentionScoreBytes: 4 * B * T * T, mlpActivationBytes: 4 * 256 * 3 });
  await check("batched attention, 1 head per group, MLP 3 rows per piece", model);
  model.dispose();
});

test("tiny-neox-a from pytorch_model.bin matches transformers to 1e-4", async () => {
  const dir = onlyFormat("pytorch_model.bin");
  assert.equal((await readWeights(dir)).format, "torch");
  const model = await GPTNeoX.load(dir);
  await check("pytorch_model.bin", model);
  model.dispose();
  fs.rmSync(dir, { recursive: true });
});

for (const dtype of ["float32", "float16"] as const) {
  test(`tiny-neox-a converted to TF.js weights (${dtype}) matches transformers to 1e-4`, async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "neox-tfjs-"));
    const res = await convertCheckpoint(TINY_DIR, out, { dtype, shardBytes: 100_000 });
    assert.ok(res.files.length > 2, "several shards were written");
    assert.equal(fs.existsSync(path.join(out, "model.json")), true);
    assert.equal((await readWeights(out)).format, "tfjs");
    const model = await GPTNeoX.load(out);
    await check(`converted ${dtype}`, model);
    model.dispose();
    fs.rmSync(out, { recursive: true });
  });
}
