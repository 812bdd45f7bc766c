/**
 * Loading and running 100 checkpoints in a row (the mini-pythia steps, cycled) must not grow tf.memory() nor,
 * beyond noise, the process's resident memory: loadWeights disposes the previous weights, runWithCache leaves
 * nothing behind, and dispose frees everything.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { initBackend, tf } from "../../src/backend";
import { readCheckpoint } from "../../src/io/checkpoint";
import { GPTNeoX } from "../../src/model/gpt-neox";
import { MINI_PYTHIA_DIR, TINY_DIR } from "./parity-helpers";

before(async () => {
  await initBackend();
});

test("100 checkpoint loads + forwards keep tf.memory() flat and RSS bounded", async () => {
  const steps = fs.readdirSync(MINI_PYTHIA_DIR).filter((d) => d.startsWith("step")).map((d) => path.join(MINI_PYTHIA_DIR, d));
  assert.ok(steps.length >= 10);
  const ids = [Array.from({ length: 16 }, (_, i) => 97 + i)];
  const model = GPTNeoX.fromCheckpoint(await readCheckpoint(steps[0]!));
  const runOnce = async (): Promise<void> => {
    const { logits, cache } = model.runWithCache(ids, { namesFilter: (n) => n.endsWith("hook_resid_post") });
    await cache.get("blocks.5.hook_resid_post")!.data();
    tf.dispose([logits!, ...cache.values()]);
  };
  let base: tf.MemoryInfo | undefined;
  let rssAt10 = 0;
  for (let i = 0; i < 100; i++) {
    const ckpt = await readCheckpoint(steps[i % steps.length]!);
    model.loadWeights(ckpt.weights, ckpt.dir);
    await runOnce();
    if (i === 0) base = tf.memory();
    if (i === 9) rssAt10 = process.memoryUsage().rss;
  }
  const end = tf.memory();
  const rssGrowth = (process.memoryUsage().rss - rssAt10) / 2 ** 20;
  console.log(`  after 100 loads: numTensors ${base!.numTensors} -> ${end.numTensors}, numBytes ${base!.numBytes} -> ${end.numBytes}, RSS growth after load 10: ${rssGrowth.toFixed(1)} MiB`);
  assert.equal(end.numTensors, base!.numTensors);
  assert.equal(end.numBytes, base!.numBytes);
  // Each leaked checkpoint would hold ~5.8 MB of float32 weights: 90 leaks would be > 500 MiB.
  assert.ok(rssGrowth < 150, `RSS grew by ${rssGrowth} MiB`);
  model.dispose();
});

test("load + dispose returns tf.memory() to where it was; a failed run leaves nothing behind", async () => {
  const before0 = tf.memory();
  for (let i = 0; i < 5; i++) {
    const m = await GPTNeoX.load(TINY_DIR);
    const { logits, cache } = m.runWithCache([[1, 2, 3]]);
    tf.dispose([logits!, ...cache.values()]);
    assert.throws(() => m.runWithCache([[1, 2, 100000]]), /ids\[0\]\[2\] = 100000 is not a token id in \[0, 512\)/);
    m.dispose();
  }
  const after = tf.memory();
  assert.equal(after.numTensors, before0.numTensors);
  assert.equal(after.numBytes, before0.numBytes);
});
