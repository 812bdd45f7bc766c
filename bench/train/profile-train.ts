/**
 * Where a training update's time goes on WebGPU (run on the device by bench/train/gpu.sh profile): for the composite
 * ops (MASSIVE_TRAIN_FUSED=0) and the training kernels, in one process, prints JSON lines of
 *   - seconds per full update (forward, backward, clipping, AdamW, loss and norm downloaded) under tfjs flags:
 *     WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE 15 (tfjs's default) / 128 / 1024, WEBGPU_CPU_FORWARD false;
 *   - the same split: forward + backward alone, clipping + AdamW alone, and the host time to encode an update
 *     (until the last op returned) against the time until the GPU finished it;
 *   - dispatches per update (every runWebGPUProgram call, by program name) and, where the adapter has timestamp
 *     queries (MASSIVE_WEBGPU_DAWN=allow_unsafe_apis), the GPU time of the kernels (tf.time's kernelMs).
 *   npx tsx bench/train/profile-train.ts --shape d128-L4-H4 --batch 64 --seq 256
 */
import { parseArgs } from "node:util";
import { initBackend, tf } from "../../src/backend";
import { parseNeoXConfig } from "../../src/io/config";
import { AdamW, BatchSampler, TrainableParams, defaultMicroBatch, initialParams, lossAndGradients, miniPythiaCorpus, positionTables } from "../../src/train";

const { values } = parseArgs({ options: { shape: { type: "string", default: "d128-L4-H4" }, batch: { type: "string", default: "64" }, seq: { type: "string", default: "256" }, steps: { type: "string", default: "3" } } });
const m = /^d(\d+)-L(\d+)-H(\d+)$/.exec(values.shape!);
if (!m) throw new Error(`--shape must look like d128-L4-H4, got ${values.shape}`);
const [d, L, H] = [Number(m[1]), Number(m[2]), Number(m[3])];
const B = Number(values.batch), T = Number(values.seq), steps = Number(values.steps);
const emit = (o: object): void => console.log(JSON.stringify({ shape: values.shape, batch: B, seq: T, ...o }));

(async () => {
  const info = await initBackend();
  const backend = tf.backend() as unknown as { runWebGPUProgram: (program: { constructor: { name: string }; shaderKey?: string }, ...rest: unknown[]) => unknown; supportTimestampQuery?: boolean };
  const counts = new Map<string, number>();
  if (backend.runWebGPUProgram) {
    const original = backend.runWebGPUProgram.bind(backend);
    backend.runWebGPUProgram = (program, ...rest) => {
      const name = program.constructor.name === "FlatProgram" ? (program.shaderKey ?? "FlatProgram") : program.constructor.name;
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return original(program, ...rest);
    };
  }
  const config = parseNeoXConfig({ hidden_size: d, num_hidden_layers: L, num_attention_heads: H, intermediate_size: 4 * d, vocab_size: 256, max_position_embeddings: T, rotary_pct: 0.25, use_parallel_residual: true, hidden_act: "gelu", tie_word_embeddings: false }, values.shape!);
  emit({ what: "setup", adapter: info.detail, timestamp_query: backend.supportTimestampQuery ?? null, micro_batch: defaultMicroBatch(config, T, B) });
  const params = new TrainableParams(config, initialParams(config, 0));
  const opt = new AdamW(params.list(), { weightDecay: 0.1, beta1: 0.9, beta2: 0.95, eps: 1e-8 });
  const tables = positionTables(config, T);
  const sampler = new BatchSampler(miniPythiaCorpus(), B, T, 1);
  const ids = tf.tensor2d(sampler.next(), [B, T], "int32");

  const update = async (): Promise<{ encode: number; total: number }> => {
    const t0 = performance.now();
    const { loss, grads } = lossAndGradients(params, ids, tables);
    const norm = opt.step(grads, 1e-4, 1);
    const encode = performance.now() - t0;
    await loss.data();
    await norm.data();
    tf.dispose([loss, norm, ...grads]);
    return { encode: encode / 1000, total: (performance.now() - t0) / 1000 };
  };
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const timeUpdates = async (n: number): Promise<{ encode: number; total: number }> => {
    await update(); // warm-up: pipelines for this setting
    const runs: { encode: number; total: number }[] = [];
    for (let i = 0; i < n; i++) runs.push(await update());
    return { encode: mean(runs.map((r) => r.encode)), total: mean(runs.map((r) => r.total)) };
  };

  for (const fused of ["0", "1"]) {
    process.env.MASSIVE_TRAIN_FUSED = fused;
    for (const [batchSize, cpuForward] of [[15, true], [128, true], [1024, true], [128, false]] as const) {
      if (info.name === "webgpu") {
        tf.env().set("WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE", batchSize);
        tf.env().set("WEBGPU_CPU_FORWARD", cpuForward);
      }
      const t = await timeUpdates(steps);
      emit({ what: "update", fused: fused === "1", submit_batch: batchSize, cpu_forward: cpuForward, seconds_per_update: t.total, encode_seconds: t.encode, tokens_per_second: (B * T) / t.total });
    }
    if (info.name === "webgpu") {
      tf.env().set("WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE", 128);
      tf.env().set("WEBGPU_CPU_FORWARD", true);
    }
    // forward + backward alone, then clipping + AdamW alone (on the last gradients)
    const fb: number[] = [];
    let last: { loss: tf.Scalar; grads: tf.Tensor[] } | undefined;
    for (let i = 0; i <= steps; i++) {
      if (last) tf.dispose([last.loss, ...last.grads]);
      const t0 = performance.now();
      last = lossAndGradients(params, ids, tables);
      await last.loss.data();
      await last.grads[0]!.data();
      if (i > 0) fb.push((performance.now() - t0) / 1000);
    }
    const op: number[] = [];
    for (let i = 0; i <= steps; i++) {
      const t0 = performance.now();
      const norm = opt.step(last!.grads, 1e-4, 1);
      await norm.data();
      norm.dispose();
      if (i > 0) op.push((performance.now() - t0) / 1000);
    }
    counts.clear();
    const passStart = performance.now();
    const pass = lossAndGradients(params, ids, tables);
    await pass.loss.data();
    const fbDispatches = [...counts.values()].reduce((a, b) => a + b, 0);
    const fbCounts = Object.fromEntries([...counts.entries()].sort((a, b) => b[1] - a[1]));
    counts.clear();
    const norm = opt.step(pass.grads, 1e-4, 1);
    await norm.data();
    const optDispatches = [...counts.values()].reduce((a, b) => a + b, 0);
    const optCounts = Object.fromEntries([...counts.entries()].sort((a, b) => b[1] - a[1]));
    tf.dispose([pass.loss, norm, ...pass.grads, last!.loss, ...last!.grads]);
    emit({ what: "split", fused: fused === "1", forward_backward_seconds: mean(fb), optimizer_seconds: mean(op), counted_update_seconds: (performance.now() - passStart) / 1000, dispatches_forward_backward: fbDispatches, dispatches_optimizer: optDispatches, by_program_forward_backward: fbCounts, by_program_optimizer: optCounts });
    // GPU time of the kernels (each kernel submitted alone with timestamp queries: wall time here means nothing)
    if (backend.supportTimestampQuery) {
      const timing = await tf.time(() => {
        const { loss, grads } = lossAndGradients(params, ids, tables);
        const n = opt.step(grads, 1e-4, 1);
        tf.dispose([loss, n, ...grads]);
      });
      emit({ what: "gpu_time", fused: fused === "1", kernel_ms: timing.kernelMs, wall_ms_with_queries: timing.wallMs });
    }
  }
  const tensors = tf.memory();
  emit({ what: "memory", num_tensors: tensors.numTensors, bytes_in_gpu: (tensors as { numBytesInGPUAllocated?: number }).numBytesInGPUAllocated ?? null });
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
