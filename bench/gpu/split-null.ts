/**
 * The split-float16 products' WGSL (src/backend-webgpu-split*.ts) validated ON A CPU MACHINE: runs every split
 * program (ragged and whole tiles, bias, several chunks, rows in pieces, the weight split in 3 and 2 parts, the tiny-neox forward with
 * MASSIVE_WEBGPU_F32_PRODUCT=split-all) through tfjs on Dawn's Null backend (bench/gpu/null-tfjs.ts: it validates
 * shaders and pipelines, computes nothing). Pipelines over Null's 16 KiB of workgroup memory are not counted (the
 * H200 has 48 KiB). Prints "<n> problems", exits 1 on any. Not bundled for the device (no GPU work here).
 * Usage: npx tsx bench/gpu/split-null.ts
 */
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { GPTNeoX } from "../../src/model/gpt-neox";
import { readCheckpoint } from "../../src/io/checkpoint";
import { packSplitHalfWeight, packSplitWeight, splitChunkK, splitLinear, splitPieceRows, splitRowBytes } from "../../src/backend-webgpu-split";
import { splitTestWeights } from "../../test/helpers/split-checks";
import { setupNullWebGpu } from "./null-tfjs";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

async function nullCheck(): Promise<void> {
  const device = await setupNullWebGpu();
  let problems = 0;
  device.addEventListener("uncapturederror", (e: Any) => {
    const msg = String(e.error?.message ?? e);
    if (/total use of workgroup storage|exceeds the maximum|is invalid due to a previous error/i.test(msg)) return;
    problems++;
    console.log(`error: ${msg.slice(0, 2000)}`);
  });
  // The last case runs in pieces of 128 rows (a budget of 100 rows' temporaries).
  for (const [M, K, N, bias, chunk, budgetRows] of [[200, 96, 132, true, 0, 0], [256, 1024, 256, false, 0, 0], [256, 1024, 256, true, 1024, 0], [130, 64, 8, true, 32, 0], [300, 1024, 256, true, 0, 100]] as const) {
    const before = problems;
    const w = packSplitWeight(splitTestWeights(N, K, 1), [N, K], { chunkK: chunk || undefined });
    const budget = budgetRows ? budgetRows * splitRowBytes(K, N, splitChunkK(K)) : undefined;
    const out = tf.tidy(() => splitLinear(tf.randomUniform([M, K]) as tf.Tensor2D, w, bias ? (tf.randomUniform([N]) as tf.Tensor1D) : undefined, budget));
    await out.data();
    tf.dispose([out, w]);
    console.log(`splitLinear [${M}, ${K}] x [${K}, ${N}] bias ${bias} chunk ${chunk || splitChunkK(K)}${budget ? ` in pieces of ${splitPieceRows(M, K, N, splitChunkK(K), budget)} rows` : ""}: ${problems - before} problems`);
  }
  { // a float16-valued weight in 2 parts (packSplitHalfWeight's default), whole and in pieces
    const before = problems;
    const [M, K, N] = [300, 1024, 256];
    const w = packSplitHalfWeight(tf.tensor2d(splitTestWeights(N, K, 2), [N, K]));
    const x = tf.randomUniform([M, K]) as tf.Tensor2D;
    const outs = [splitLinear(x, w), splitLinear(x, w, undefined, 100 * splitRowBytes(K, N, splitChunkK(K), 2))];
    await Promise.all(outs.map((o) => o.data()));
    tf.dispose([w, x, ...outs]);
    console.log(`splitLinear [${M}, ${K}] x [${K}, ${N}], weight in 2 parts, whole and in pieces: ${problems - before} problems`);
  }
  process.env.MASSIVE_WEBGPU_F32_PRODUCT = "split-all";
  const cache = (tf.backend() as unknown as { pipelineCache: Record<string, unknown> }).pipelineCache;
  const model = GPTNeoX.fromCheckpoint(await readCheckpoint(path.join(__dirname, "..", "..", "test", "fixtures", "gpt-neox", "tiny-neox-a")), { attention: "batched" });
  const { logits, cache: hooks } = model.runWithCache([[1, 2, 3, 4, 5, 6, 7]]);
  await logits!.data();
  tf.dispose([logits!, ...hooks.values()]);
  model.dispose();
  const [finish, rows] = ["massiveSplitFinish", "massiveSplitRows"].map((p) => Object.keys(cache).filter((k) => k.startsWith(p)).length);
  console.log(`tiny-neox-a forward with MASSIVE_WEBGPU_F32_PRODUCT=split-all: ${rows} activation-split and ${finish} finishing pipelines`);
  if (finish === 0 || rows === 0) { problems++; console.log("error: the model did not reach splitLinear"); }
  await device.queue.onSubmittedWorkDone();
  console.log(`${problems} problems`);
  process.exit(problems ? 1 : 0);
}

nullCheck().catch((err) => { console.error(err); process.exit(1); });
