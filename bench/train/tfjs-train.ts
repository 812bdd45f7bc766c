/**
 * Training speed of src/train on the current backend (MASSIVE_BACKEND picks it): tokens per second of full AdamW
 * updates (forward, backward, clipping, update, loss download) for a mini-pythia shape at batch x seq, on batches
 * of the mini-pythia corpus. On WebGPU, MASSIVE_WEBGPU_SUBMIT_BATCH sets tfjs's WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE. One warm-up update, then `--steps` timed updates. Prints one JSON line.
 *   npx tsx bench/train/tfjs-train.ts --shape d128-L4-H4 --batch 64 --seq 256 --steps 3
 */
import { parseArgs } from "node:util";
import { initBackend, tf } from "../../src/backend";
import { parseNeoXConfig } from "../../src/io/config";
import { AdamW, BatchSampler, TrainableParams, defaultMicroBatch, trainKernelsActive, initialParams, lossAndGradients, miniPythiaCorpus, positionTables } from "../../src/train";

const { values } = parseArgs({ options: { shape: { type: "string", default: "d128-L4-H4" }, batch: { type: "string", default: "64" }, seq: { type: "string", default: "256" }, steps: { type: "string", default: "3" } } });
const m = /^d(\d+)-L(\d+)-H(\d+)$/.exec(values.shape!);
if (!m) throw new Error(`--shape must look like d128-L4-H4, got ${values.shape}`);
const [d, L, H] = [Number(m[1]), Number(m[2]), Number(m[3])];
const B = Number(values.batch), T = Number(values.seq), steps = Number(values.steps);

(async () => {
  const info = await initBackend();
  const submit = Number(process.env.MASSIVE_WEBGPU_SUBMIT_BATCH ?? 0);
  if (submit > 0 && info.name === "webgpu") tf.env().set("WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE", submit);
  const config = parseNeoXConfig({ hidden_size: d, num_hidden_layers: L, num_attention_heads: H, intermediate_size: 4 * d, vocab_size: 256, max_position_embeddings: T, rotary_pct: 0.25, use_parallel_residual: true, hidden_act: "gelu", tie_word_embeddings: false }, values.shape!);
  const params = new TrainableParams(config, initialParams(config, 0));
  const opt = new AdamW(params.list(), { weightDecay: 0.1, beta1: 0.9, beta2: 0.95, eps: 1e-8 });
  const tables = positionTables(config, T);
  const sampler = new BatchSampler(miniPythiaCorpus(), B, T, 1);
  const micro = defaultMicroBatch(config, T, B);
  const times: number[] = [];
  const losses: number[] = [];
  for (let k = 0; k <= steps; k++) {
    const t0 = performance.now();
    const ids = tf.tensor2d(sampler.next(), [B, T], "int32");
    const { loss, grads } = lossAndGradients(params, ids, tables, micro);
    const norm = opt.step(grads, 1e-3, 1);
    losses.push((await loss.data())[0]!);
    await norm.data();
    tf.dispose([ids, loss, norm, ...grads]);
    if (k > 0) times.push((performance.now() - t0) / 1000);
  }
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const nParams = params.specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
  console.log(JSON.stringify({ impl: "tfjs", backend: info.name, train_kernels: trainKernelsActive(), submit_batch: tf.env().get("WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE") ?? null, shape: values.shape, params: nParams, batch: B, micro_batch: micro, seq: T, timed_steps: steps, seconds_per_step: times, mean_seconds_per_step: mean, tokens_per_second: (B * T) / mean, losses }));
})();
