/**
 * A recording on the GPU says how it computed (src/record/manifest.ts: float32Product, halfAttention, the manifest's
 * `arithmetic`): recordRun on one mini-pythia checkpoint (d128-L6-H4: 32-dim heads, layers under 2^18 entries) with
 * the default float32 products, with MASSIVE_WEBGPU_F32_PRODUCT=split-all, and in float16 compute with the products
 * attention and with the float32 flash attention. On the GPU only (webgpu with float16 subgroup matrices; the CPU
 * side is test/record/manifest.test.ts and test/record/record-cli.test.ts); bundled for the device by
 * bench/stream/pack-gpu.sh.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { listLocalCheckpoints, readCheckpointRecord, recordRun, type RecordRunOptions } from "../../src/record/index";
import { withEnv } from "../helpers/env";
import { halfComputeSkip } from "../helpers/half-checks";

const skip = halfComputeSkip();
const CKPTS = path.resolve(__dirname, "../../data/mini-pythia/checkpoints/d128-L6-H4");
const SEQUENCES = [Array.from({ length: 64 }, (_, i) => (i * 37) % 256), Array.from({ length: 64 }, (_, i) => (i * 11 + 5) % 256)];

/** Records step 0 into a fresh folder with `env` set; returns its record and manifest summary. */
function recordWith(env: Record<string, string>, compute: RecordRunOptions["compute"] = "float32") {
  return withEnv(env, async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "provenance-gpu-"));
    const summary = await recordRun({
      out, model: { kind: "local", id: CKPTS }, checkpoints: listLocalCheckpoints(CKPTS, [0]), compute, log: () => {},
      evalSet: { sequences: SEQUENCES, source: "provenance test" },
    });
    assert.deepEqual(summary.failed, [], JSON.stringify(summary.failed));
    return { record: readCheckpointRecord(out, 0)!, manifest: summary.manifest };
  });
}

test("webgpu records say which float32 product and float16 attention they were computed with", async (t) => {
  if (skip()) return t.skip(skip() as string);
  const plain = await recordWith({ MASSIVE_WEBGPU_F32_PRODUCT: "" }); // unset: streamed weights take SIMT
  assert.equal(plain.record.backend, "webgpu");
  assert.equal(plain.record.float32Product, undefined);
  assert.deepEqual(plain.manifest.arithmetic, ["float32"]);
  const splitAll = await recordWith({ MASSIVE_WEBGPU_F32_PRODUCT: "split-all" });
  assert.equal(splitAll.record.float32Product, "split-all");
  assert.deepEqual(splitAll.manifest.arithmetic, ["float32, split-all products"]);
  const products = await recordWith({ MASSIVE_WEBGPU_ATTENTION_F16: "products" }, "float16");
  assert.equal(products.record.compute, "float16");
  assert.equal(products.record.halfAttention, "products");
  assert.deepEqual(products.manifest.arithmetic, ["float16, products attention"]);
  const flash = await recordWith({ MASSIVE_WEBGPU_ATTENTION_F16: "off" }, "float16");
  assert.equal(flash.record.halfAttention, "flash-f32");
  console.log(`  records: ${[plain, splitAll, products, flash].map((r) => JSON.stringify({ float32Product: r.record.float32Product, halfAttention: r.record.halfAttention, seconds: r.record.seconds })).join(" ")}`);
});
