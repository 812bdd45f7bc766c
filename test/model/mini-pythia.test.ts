/**
 * A real Pythia-layout checkpoint: data/mini-pythia/checkpoints/d128-L6-H4/step3000 (legacy config spelling,
 * fp16 torch zip with attention.bias / masked_bias / rotary_emb.inv_freq buffers, embed_out.weight). It must load,
 * run with the right shapes, and reproduce reference_stats/ (top-1 and median of |layer output| per layer,
 * computed by transformers on the same fp16 weights) on the first evaluation sequences.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { initBackend, tf } from "../../src/backend";
import { readCheckpoint } from "../../src/io/checkpoint";
import { readExp2Stats } from "../../src/io/exp2-stats";
import { GPTNeoX } from "../../src/model/gpt-neox";
import { MINI_PYTHIA_DIR } from "./parity-helpers";

const STEP_DIR = path.join(MINI_PYTHIA_DIR, "step3000");
const SEQS = 2;

before(async () => {
  await initBackend();
});

test("mini-pythia d128-L6-H4 step3000 (.bin, legacy config) loads, skips buffers and runs", async () => {
  const ckpt = await readCheckpoint(STEP_DIR);
  assert.equal(ckpt.config.rotaryPct, 0.25);
  assert.equal(ckpt.config.numLayers, 6);
  assert.equal(ckpt.weights.has("embed_out.weight"), true);
  assert.equal([...ckpt.weights.keys()].some((n) => n.endsWith("attention.bias") || n.endsWith("inv_freq") || n.endsWith("masked_bias")), false);
  const model = GPTNeoX.fromCheckpoint(ckpt);
  const { logits, cache } = model.runWithCache([[72, 101, 108, 108, 111]], { namesFilter: (n) => n.endsWith("hook_resid_post") });
  assert.deepEqual(logits!.shape, [1, 5, 256]);
  assert.equal(cache.size, 6);
  assert.deepEqual(cache.get("blocks.5.hook_resid_post")!.shape, [1, 5, 128]);
  assert.ok((await logits!.data()).every(Number.isFinite));
  tf.dispose([logits!, ...cache.values()]);
  model.dispose();
});

test("mini-pythia step3000 reproduces reference_stats (top1, median of |h| per layer) to 1e-4 relative", async () => {
  const seqs = (JSON.parse(fs.readFileSync(path.join(MINI_PYTHIA_DIR, "..", "..", "eval_sequences.json"), "utf8")) as { sequences: number[][] }).sequences.slice(0, SEQS);
  const ref = readExp2Stats(path.join(MINI_PYTHIA_DIR, "reference_stats", "exp2_d128-L6-H4_step3000"));
  const model = await GPTNeoX.load(STEP_DIR);
  const { cache } = model.runWithCache(seqs, { namesFilter: (n) => n.endsWith("hook_resid_post"), returnLogits: false });
  let worst = 0;
  for (let l = 0; l < 6; l++) {
    const h = (await cache.get(`blocks.${l}.hook_resid_post`)!.data()) as Float32Array;
    const per = h.length / SEQS;
    for (let s = 0; s < SEQS; s++) {
      const abs = Float32Array.from(h.subarray(s * per, (s + 1) * per), Math.abs).sort();
      const top1 = abs[abs.length - 1]!;
      const median = abs[(abs.length - 1) >> 1]!; // torch.median: the lower middle value
      const [refTop1, refMedian] = [ref.values[s]![0]![l]!, ref.values[s]![3]![l]!];
      worst = Math.max(worst, Math.abs(top1 - refTop1) / refTop1, Math.abs(median - refMedian) / refMedian);
    }
  }
  console.log(`  worst relative error of top1/median over ${SEQS} sequences x 6 layers: ${worst.toExponential(2)}`);
  assert.ok(worst < 1e-4, `relative error ${worst}`);
  tf.dispose([...cache.values()]);
  model.dispose();
});
