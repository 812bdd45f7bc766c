/**
 * Split-float16 products (src/backend-webgpu-split.ts) beside the float32 SIMT kernel on the products of a Pythia
 * forward pass (5 x 2048 = 10240 rows: qkv, dense, fc1, fc2, logits): ms and TFLOP/s of each (median of 3 rounds of
 * --reps queued calls), and the normwise error against a float64 host reference on --rows sampled rows (activations
 * with massive and tiny rows, test/helpers/split-checks.ts, error printed as whole/worst row), for the default K
 * chunk and each of --chunks (lengths, K = one chunk; default 1024,K).
 * The WGSL is validated on a CPU machine by bench/gpu/split-null.ts (not imported here: the bundle would run its main).
 * Usage: node bench/gpu/split-probe.js [--shapes 70m,160m,1b] [--reps 3] [--rows 4] [--m 10240] [--chunks 1024,K] [--tag name]
 */
import { packSplitWeight, splitChunkK, splitLinear } from "../../src/backend-webgpu-split";
import { hostLinear, normwiseErrors, splitTestActivations, splitTestWeights } from "../../test/helpers/split-checks";
import { arg, msPerCall, pythiaConfig, setup, tf, webGpuErrorCount, writeResult } from "./lib";
/** The Linear products of one forward pass of `shape` as [name, N (out), K (in)]. */
function products(shape: string): [string, number, number][] {
  const c = pythiaConfig(shape);
  const C = c.hiddenSize;
  return [["qkv", 3 * C, C], ["dense", C, C], ["fc1", c.intermediateSize, C], ["fc2", C, c.intermediateSize], ["logits", c.vocabSize, C]];
}

async function main(): Promise<void> {
  const info = await setup();
  const shapes = arg("shapes", "70m,160m,1b").split(",");
  const reps = Number(arg("reps", "3")), sample = Number(arg("rows", "4")), M = Number(arg("m", "10240"));
  const rows: Record<string, unknown>[] = [];
  const tag = arg("tag", "");
  const chunkArgs = arg("chunks", "1024,K").split(",");
  const save = (): string => writeResult(`split-probe-${info.name}${tag ? `-${tag}` : ""}`, { backend: info, date: new Date().toISOString(), webGpuErrors: webGpuErrorCount(), rows });
  for (const shape of shapes) {
    for (const [name, N, K] of products(shape)) {
      const aHost = splitTestActivations(M, K, 3), wHost = splitTestWeights(N, K, 4), bHost = splitTestWeights(1, N, 5);
      const a = tf.tensor2d(aHost, [M, K]), bias = tf.tensor1d(bHost);
      const wt = tf.tidy(() => tf.transpose(tf.tensor2d(wHost, [N, K])) as tf.Tensor2D);
      // Chunk lengths: the default first, then each of --chunks that divides K (K itself: one chunk), once each.
      const lengths = [...new Set([splitChunkK(K), ...chunkArgs.map((c) => (c === "K" ? K : splitChunkK(K, Number(c))))])].filter((c) => c > 0 && K % c === 0);
      const simtMs = await msPerCall(() => tf.fused.matMul({ a, b: wt, bias }), reps);
      // Errors on `sample` rows spread over the matrix (every 8th row kind of splitTestActivations included).
      const picks = Array.from({ length: sample }, (_, i) => (i * 8 * 129 + i) % M); // row kinds 0, 1, 2, ... (massive, tiny, mixed, ...)
      const aRows = new Float32Array(sample * K);
      picks.forEach((r, i) => aRows.set(aHost.subarray(r * K, (r + 1) * K), i * K));
      const ref = hostLinear(aRows, wHost, sample, K, N, bHost);
      const idx = tf.tensor1d(picks, "int32");
      const err = async (f: () => tf.Tensor): Promise<ReturnType<typeof normwiseErrors>> => {
        const t = tf.tidy(() => tf.gather(f(), idx));
        const v = (await t.data()) as Float32Array;
        t.dispose();
        return normwiseErrors(v, ref, sample, N);
      };
      const simtError = await err(() => tf.fused.matMul({ a, b: wt, bias }));
      const tflops = (ms: number): number => (2 * M * N * K) / ms / 1e9;
      const split: { chunkK: number; ms: number; tflops: number; error: ReturnType<typeof normwiseErrors> }[] = [];
      for (const chunkK of lengths) {
        const w = packSplitWeight(wHost, [N, K], { chunkK });
        const ms = await msPerCall(() => splitLinear(a, w, bias), reps);
        split.push({ chunkK, ms, tflops: tflops(ms), error: await err(() => splitLinear(a, w, bias)) });
        w.dispose();
      }
      tf.dispose([a, bias, wt, idx]);
      rows.push({ shape, product: name, M, N, K, simtMs, simtTflops: tflops(simtMs), simtError, split });
      save(); // after each product: a timeout keeps what was measured
      const e = (x: { whole: number; worstRow: number }): string => `${x.whole.toExponential(1)}/${x.worstRow.toExponential(1)}`;
      console.log(`${shape} ${name.padEnd(6)} [${M}, ${K}] x [${K}, ${N}]: simt ${simtMs.toFixed(2)} ms ${tflops(simtMs).toFixed(1)} TF/s err ${e(simtError)}; split ` +
        split.map((v) => `chunk ${v.chunkK}: ${v.ms.toFixed(2)} ms ${v.tflops.toFixed(1)} TF/s (x${(simtMs / v.ms).toFixed(2)}) err ${e(v.error)}`).join(", "));
    }
  }
  console.log(`wrote ${save()}`);
}

main().catch((err) => { console.error(err); process.exit(1); });
