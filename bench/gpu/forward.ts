/**
 * GPT-NeoX forward tokens/s on the current backend for Pythia shapes with random weights, 10 x 2048 tokens (as
 * bench/peers/gpt_neox_forward.py does in PyTorch), with logits (the peer's measure) and without (the recording
 * path: layer outputs only). Prints the ratio to the peer when its JSON is given.
 * Sequences per forward pass: all of them, or fewer when the logits or the attention scores of one pass would
 * exceed the adapter's largest storage binding (2 GiB on the H200: 5 x 2048 tokens with logits); `--batch` sets it.
 * Timing: the peer synchronises once per forward of all sequences, so by default (`--sync rep`) the passes of one
 * repetition are queued back to back and the clock stops when the last one's output is read; `--sync batch` waits
 * for each pass before queuing the next (the protocol of every figure before 2026-12-02 session 8: the GPU idles while
 * the host encodes the next pass, ~1-2 ms per 70m pass). Untimed repetitions run first until `--warmup-ms` (500) have
 * passed (at least one: it compiles the shaders): session 8 saw single processes run a whole short 70m measurement
 * at a third of the speed of the next one (bench/gpu/h200-2026-12-02-s8 round-1/F, round-3/M). Every repetition's
 * seconds are in the JSON (timesWithLogits, timesHiddenOnly); the figure is their median.
 * Usage: node bench/gpu/forward.js [--shapes 70m,160m,1b] [--seqs 10] [--seq 2048] [--batch N] [--reps 3]
 *          [--peer peer.json] [--sync rep|batch] [--warmup-ms 500] [--profile] [--submit-batch N (tfjs WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE)] [--tag name]
 *          [--compute float16 (GPTNeoXOptions.compute: Linear layers on the tensor cores, src/backend-webgpu-f16.ts)]
 */
import * as fs from "node:fs";
import { GPTNeoX } from "../../src/model/gpt-neox";
import { webGpuInfo } from "../../src/backend-webgpu";
import { arg, median, pythiaConfig, randomIds, randomNeoXWeights, setup, sync, tf, webGpuErrorCount, writeResult } from "./lib";

interface PeerRow { shape: string; dtype: string; tokens_per_s: number }

/** GPU time per kernel (timestamp queries, one forward with logits of one batch), the top ones printed. */
async function profileOnce(model: GPTNeoX, ids: number[][], shape: string): Promise<{ kernel: string; ms: number; calls: number }[]> {
  const t0 = performance.now();
  const info = await tf.profile(async () => {
    const { logits, cache } = model.runWithCache(ids, { returnLogits: true, namesFilter: [] });
    await sync(logits);
    tf.dispose([logits!, ...cache.values()]);
  });
  const wall = performance.now() - t0;
  const by = new Map<string, { ms: number; calls: number }>();
  let total = 0;
  for (const k of info.kernels) {
    const t = await Promise.resolve(k.kernelTimeMs as number | { error: string } | Promise<number | { error: string }>);
    const ms = typeof t === "number" ? t : 0;
    const key = `${k.name} ${JSON.stringify(k.outputShapes?.[0] ?? [])}`;
    const e = by.get(key) ?? { ms: 0, calls: 0 };
    e.ms += ms; e.calls++; total += ms;
    by.set(key, e);
  }
  const rows = [...by].map(([kernel, v]) => ({ kernel, ...v })).sort((a, b) => b.ms - a.ms);
  console.log(`profile ${shape}, batch ${ids.length}: ${info.kernels.length} kernels, GPU ${total.toFixed(1)} ms summed, wall ${wall.toFixed(1)} ms (profiled)`);
  for (const r of rows.slice(0, 14)) console.log(`  ${r.ms.toFixed(2).padStart(8)} ms ${String(r.calls).padStart(4)}x ${r.kernel}`);
  return rows.slice(0, 40);
}

async function main(): Promise<void> {
  const info = await setup();
  const shapes = arg("shapes", "70m,160m,1b").split(",");
  const seqs = Number(arg("seqs", "10")), T = Number(arg("seq", "2048")), reps = Number(arg("reps", "3"));
  const peerFile = arg("peer", "");
  const compute = arg("compute", "float32") as "float32" | "float16";
  const submit = Number(arg("submit-batch", "0"));
  const syncEach = arg("sync", "rep") === "batch";
  const warmupMs = Number(arg("warmup-ms", "500"));
  if (submit > 0) tf.env().set("WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE", submit);
  const maxBinding = webGpuInfo()?.maxStorageBufferBindingSize || 2 ** 31;
  const peer: PeerRow[] = peerFile && fs.existsSync(peerFile) ? (JSON.parse(fs.readFileSync(peerFile, "utf8")) as { rows: PeerRow[] }).rows : [];
  const results: Record<string, unknown>[] = [];
  for (const shape of shapes) {
    const c = pythiaConfig(shape);
    const fits = (perSeqBytes: number): number => Math.max(1, Math.min(seqs, Math.floor(maxBinding / perSeqBytes)));
    const scoresBytes = c.numHeads * T * T * 4;
    const batch = Number(arg("batch", String(fits(Math.max(scoresBytes, T * c.vocabSize * 4)))));
    const batchHidden = Number(arg("batch", String(fits(scoresBytes))));
    const t0 = performance.now();
    const weights = randomNeoXWeights(c, 1);
    const tGen = performance.now();
    const model = new GPTNeoX(c, { compute });
    model.loadWeights(weights, `random ${shape}`);
    await sync();
    const tLoad = performance.now();
    weights.clear();
    const ids = randomIds(seqs, T, c.vocabSize);
    const run = async (logits: boolean): Promise<number[]> => {
      const times: number[] = [];
      const per = logits ? batch : batchHidden;
      const warmStart = performance.now();
      let warmups = 1; // the first repetition compiles the shaders; more run until warmupMs have passed (at most 20)
      for (let r = 0; r < warmups + reps; r++) {
        if (r === warmups && warmups < 20 && performance.now() - warmStart < warmupMs) warmups++;
        const start = performance.now();
        for (let b0 = 0; b0 < seqs; b0 += per) {
          const { logits: l, cache } = model.runWithCache(ids.slice(b0, b0 + per), {
            returnLogits: logits, namesFilter: logits ? [] : (n: string) => n.endsWith("hook_resid_post"),
          });
          // Disposing a tensor still in use by queued GPU work is safe: tfjs reuses its buffer only in later commands.
          if (syncEach || b0 + per >= seqs) await sync(l ?? cache.get(`blocks.${c.numLayers - 1}.hook_resid_post`));
          tf.dispose([...(l ? [l] : []), ...cache.values()]);
        }
        if (r >= warmups) times.push((performance.now() - start) / 1000);
      }
      return times;
    };
    let sLogits = NaN, sHidden = NaN, error = "", timesWithLogits: number[] = [], timesHiddenOnly: number[] = [];
    try {
      timesWithLogits = await run(true);
      timesHiddenOnly = await run(false);
      sLogits = median(timesWithLogits);
      sHidden = median(timesHiddenOnly);
    } catch (err) {
      error = (err as Error).message.split("\n")[0]!;
    }
    let profile: { kernel: string; ms: number; calls: number }[] = [];
    if (process.argv.includes("--profile") && !error) profile = await profileOnce(model, ids.slice(0, batch), shape);
    model.dispose();
    const tokens = seqs * T;
    const row = {
      shape, compute, batch, batchHidden, tokens, secondsWithLogits: sLogits, tokensPerS: tokens / sLogits, secondsHiddenOnly: sHidden,
      tokensPerSHiddenOnly: tokens / sHidden, timesWithLogits, timesHiddenOnly, randomWeightsS: (tGen - t0) / 1000, uploadS: (tLoad - tGen) / 1000, error,
      numTensors: tf.memory().numTensors, webGpuErrors: webGpuErrorCount(), profile,
    };
    const p32 = peer.find((p) => p.shape === shape && p.dtype === "float32");
    const p16 = peer.find((p) => p.shape === shape && p.dtype === "float16");
    results.push({ ...row, peerFloat32: p32?.tokens_per_s, peerFloat16: p16?.tokens_per_s });
    console.log(`${shape.padEnd(5)} ${compute} batch ${batch}/${batchHidden} sync ${syncEach ? "batch" : "rep"}: ${(tokens / sLogits).toFixed(0)} tokens/s with logits, ${(tokens / sHidden).toFixed(0)} hidden only; upload ${row.uploadS.toFixed(2)} s` +
      (p32 ? `; PyTorch fp32 ${p32.tokens_per_s.toFixed(0)} (ratio ${((tokens / sLogits) / p32.tokens_per_s).toFixed(2)})` : "") +
      (p16 ? `, fp16 ${p16.tokens_per_s.toFixed(0)} (ratio ${((tokens / sLogits) / p16.tokens_per_s).toFixed(2)})` : "") + (error ? ` ERROR ${error}` : "") + (webGpuErrorCount() ? ` WEBGPU ERRORS ${webGpuErrorCount()}` : ""));
  }
  const tag = arg("tag", "");
  console.log(`wrote ${writeResult(`forward-${info.name}${tag ? `-${tag}` : ""}`, { backend: info, date: new Date().toISOString(), submitBatch: submit || 15, sync: syncEach ? "batch" : "rep", dawn: process.env.MASSIVE_WEBGPU_DAWN ?? "", matmul: process.env.MASSIVE_WEBGPU_MATMUL ?? "tiled",
    matmulKStep: process.env.MASSIVE_WEBGPU_MATMUL_BK ?? "16", matmulDoubleBuffer: process.env.MASSIVE_WEBGPU_MATMUL_DB === "1",
    robustness: process.env.MASSIVE_WEBGPU_ROBUSTNESS ?? "analysis (default)", f32Product: process.env.MASSIVE_WEBGPU_F32_PRODUCT ?? "(default)", attentionF16: process.env.MASSIVE_WEBGPU_ATTENTION_F16 ?? "(default)", dawnToggles: webGpuInfo()?.dawnToggles ?? [], results })}`);
}

main().catch((err) => { console.error(err); process.exit(1); });
