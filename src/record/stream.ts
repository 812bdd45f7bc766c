/**
 * Streaming recording: a checkpoint's exp2 statistics computed layer by layer, so that memory does not grow with
 * the number of layers. At any time the process holds
 *   - the residual stream of the evaluation sequences (one [T, C] float32 tensor per sequence, on the backend),
 *   - one decoder layer's parameters on the backend (float32) and the next layer's, read by offset (float16 as
 *     in the file) in the background (prefetch) and widened to float32 either on the GPU (webgpu: the 16-bit
 *     patterns are uploaded and widened by a GPU program, ../backend-webgpu-kernels.ts) or in worker threads
 *     (../io/half-widener.ts),
 *   - one chunk of sequences' activations inside the layer (see {@link planStreaming}).
 * On webgpu the per-layer statistics are computed on the GPU as well (exact radix select, no round trip per
 * layer) and downloaded once at the end; the host waits for the GPU only to keep at most
 * {@link LAYERS_IN_FLIGHT} layers queued (each holds its upload staging memory).
 * The embedding matrix is never held whole: the rows the sequences use are read by offset, a slab at a time; the
 * final LayerNorm and the output projection are never read (recording needs only the layer outputs h_l).
 * The arithmetic is GPTNeoX's own (uploadLayer / runLayer), so results equal {@link recordCheckpointStats} on the
 * fully loaded model.
 */
import { initBackend, tf } from "../backend";
import { gpuFence, gpuKernelsAvailable, orderStatsOnGpu, releaseFreeGpuBuffers, widenHalfOnGpu } from "../backend-webgpu-kernels";
import type { OpenCheckpoint } from "../io/open-checkpoint";
import { HalfWidener } from "../io/half-widener";
import type { LazyTensor } from "../io/safetensors";
import { toFloat32, type HostTensor } from "../io/host-tensor";
import type { GPTNeoX } from "../model/gpt-neox";
import { checkNeoXTensors, neoXLayerNames, neoXLayerParams } from "../model/weights";
import { absStats } from "./select";
import { deviceStats, resolveMedianMethod, type RecordStatsOptions } from "./stats";
import { streamChunkSequences } from "./stream-budget";

/** Layers whose GPU work may be queued ahead of the GPU (the host waits for the older ones to finish). */
export const LAYERS_IN_FLIGHT = 2;

/** Rows of the embedding matrix read per slab are capped at this many bytes (raw). */
const EMBED_SLAB_BYTES = 32 * 2 ** 20;

export interface StreamPlan {
  /** Sequences per chunk inside a layer. */
  chunkSequences: number;
  /** How each layer's |h| statistics are reduced: ./stats.ts's host or device path, or `gpu` (radix select on webgpu). */
  method: "host" | "device" | "gpu";
}

/**
 * Sequences per chunk: as many as keep a chunk's largest activations (MLP [T, intermediate] plus attention scores
 * [heads, T, T] per sequence, float32) under STREAM_ACTIVATION_BYTES (./stream-budget.ts; `batchSize` overrides); the median
 * method as {@link resolveMedianMethod} picks it for one layer of all sequences.
 */
export function planStreaming(
  config: { hiddenSize: number; intermediateSize: number; numHeads: number },
  numSequences: number, seqLen: number, options: RecordStatsOptions = {},
): StreamPlan {
  const onCpu = ["wasm", "cpu", "tensorflow"].includes(tf.getBackend());
  return {
    chunkSequences: options.batchSize !== undefined ? Math.max(1, Math.min(options.batchSize, numSequences)) : streamChunkSequences(config, numSequences, seqLen, !onCpu),
    method: gpuKernelsAvailable() && (options.medianMethod ?? "auto") === "auto" ? "gpu" : resolveMedianMethod(options.medianMethod, numSequences * seqLen * config.hiddenSize),
  };
}

/** Embedding rows for every token id, as float32 [ids.length * C] (see {@link gatherEmbeddingRowsRaw}). */
export async function gatherEmbeddingRows(embed: LazyTensor, ids: Int32Array, where: string): Promise<Float32Array> {
  return toFloat32(await gatherEmbeddingRowsRaw(embed, ids, where), `${where}: embedding`);
}

/**
 * Embedding rows for every token id, [ids.length, C] in the file's dtype (float16 kept as bits): the needed rows
 * are read from the file a slab of at most {@link EMBED_SLAB_BYTES} at a time (only the span between the first and
 * last needed row of a slab), and only they are kept.
 */
export async function gatherEmbeddingRowsRaw(embed: LazyTensor, ids: Int32Array, where: string): Promise<HostTensor> {
  const [V, C] = embed.shape as [number, number];
  const rowBytes = (C * (embed.dtype === "float32" ? 4 : embed.dtype === "float64" ? 8 : 2));
  const slabRows = Math.max(1, Math.floor(EMBED_SLAB_BYTES / rowBytes));
  const order = Array.from(ids.keys()).sort((a, b) => ids[a]! - ids[b]!);
  let out: HostTensor | undefined;
  for (let k = 0; k < order.length;) {
    const first = ids[order[k]!]!;
    if (first < 0 || first >= V) throw new Error(`${where}: token id ${first} is outside the embedding's ${V} rows`);
    let end = k;
    while (end < order.length && ids[order[end]!]! < first + slabRows) end++;
    const last = ids[order[end - 1]!]!;
    if (last >= V) throw new Error(`${where}: token id ${last} is outside the embedding's ${V} rows`);
    const slab = await embed.readRows(first, last - first + 1);
    const values = slab.data as Float32Array | Float64Array | Uint16Array;
    out ??= { dtype: slab.dtype, shape: [ids.length, C], data: new (values.constructor as new (n: number) => typeof values)(ids.length * C) };
    const data = out.data as typeof values;
    for (; k < end; k++) {
      const pos = order[k]!;
      const row = ids[pos]! - first;
      data.set(values.subarray(row * C, (row + 1) * C), pos * C);
    }
  }
  if (!out) throw new Error(`${where}: no token ids to gather`);
  return out;
}

/**
 * Starts reading every tensor of one decoder layer at once (the reads run on libuv's threads) and widening each
 * to float32 in the widener's workers as it arrives: none of it runs on the thread that drives the backend.
 */
function readLayer(ckpt: OpenCheckpoint, names: (string | undefined)[], widener: HalfWidener | undefined): Promise<Map<string, HostTensor>> {
  const present = names.filter((n): n is string => n !== undefined);
  const tensors = present.map(async (n) => {
    const t = await ckpt.tensors.get(n)!.read();
    return widener ? widener.widen(t) : t;
  });
  const all = Promise.all(tensors).then((ts) => new Map(present.map((n, j) => [n, ts[j]!])));
  all.catch(() => undefined); // awaited later; an early failure must not surface as an unhandled rejection
  return all;
}

export interface StreamRecordOptions extends RecordStatsOptions {
  /** Called after each layer ran on every chunk, while its parameters are still on the backend (progress, memory probes). */
  onLayer?: (layer: number, layers: number) => void;
  /** Workers that widen float16 weights (an engine keeps one across checkpoints); default: a pool for this call. */
  widener?: HalfWidener;
  /** Adds milliseconds spent per phase (for benches); with `profile`, waits for the GPU after each phase so GPU time lands in its phase. */
  timings?: StreamTimings;
  profile?: boolean;
}

/** Milliseconds per phase of {@link recordStreaming}, summed over layers (see StreamRecordOptions.timings). */
export interface StreamTimings {
  /** Before the first layer: the embedding rows read and uploaded. */
  setup: number;
  /** Waiting for the layer's tensors to be read (and widened on the host). */
  read: number;
  /** Uploading the layer (and, with profile, its GPU widening). */
  upload: number;
  /** Encoding the layer's forward on every chunk (with profile: until the GPU finished it). */
  forward: number;
  /** The layer's statistics (with profile: until the GPU finished them). */
  stats: number;
  /** Waiting for the GPU to catch up (layers in flight) and the final download. */
  sync: number;
}

/** Zeroed {@link StreamTimings}. */
export function newStreamTimings(): StreamTimings {
  return { setup: 0, read: 0, upload: 0, forward: 0, stats: 0, sync: 0 };
}

/**
 * Records one checkpoint's exp2 statistics by streaming its layers through `model` (a GPTNeoX of the same config;
 * it needs no loaded weights): `values[sequence][stat][layer]`, stat in (top1, top2, top3, median).
 * `ckpt` stays open; the caller closes it.
 */
export async function recordStreaming(model: GPTNeoX, ckpt: OpenCheckpoint, sequences: number[][], options: StreamRecordOptions = {}): Promise<number[][][]> {
  await initBackend();
  const c = model.config;
  if (sequences.length === 0) throw new Error("recordStreaming: argument 'sequences' is empty");
  const N = sequences.length;
  const T = sequences[0]!.length;
  if (sequences.some((s) => s.length !== T)) throw new Error("recordStreaming: all sequences must have the same length");
  const C = c.hiddenSize;
  const L = c.numLayers;
  const n = T * C;
  const { prefix } = checkNeoXTensors(c, (name) => ckpt.tensors.get(name)?.shape, ckpt.dir);
  const { chunkSequences, method } = planStreaming(c, N, T, options);
  const values: number[][][] = sequences.map(() => [0, 1, 2, 3].map(() => new Array<number>(L).fill(0)));
  const store = (l: number, s0: number, rows: number[][]): void => rows.forEach((r, b) => r.forEach((v, k) => (values[s0 + b]![k]![l] = v)));

  // The residual stream, one tensor per chunk of sequences, starting from the embedding rows.
  const ids = Int32Array.from(sequences.flat());
  // On webgpu the 16-bit weights go to the GPU as they are and are widened there; elsewhere workers widen them.
  const onGpu = gpuKernelsAvailable();
  const widener = onGpu ? undefined : options.widener ?? new HalfWidener();
  const time = options.timings;
  let clock = performance.now();
  /** Adds the time since the last lap to `phase` (after waiting for the GPU when profiling). */
  const lap = async (phase: keyof StreamTimings): Promise<void> => {
    if (!time) return;
    if (options.profile) await gpuFence();
    const now = performance.now();
    time[phase] += now - clock;
    clock = now;
  };
  let next = readLayer(ckpt, Object.values(neoXLayerNames(c, prefix, 0)), widener);
  const chunks: { s0: number; B: number; x: tf.Tensor2D }[] = [];
  const layerStats: tf.Tensor[] = [];
  const inFlight: Promise<void>[] = [];
  let layer: ReturnType<GPTNeoX["uploadLayer"]> | undefined;
  try {
    const rows = await gatherEmbeddingRowsRaw(ckpt.tensors.get(`${prefix}embed_in.weight`)!, ids, ckpt.dir);
    if (onGpu && (rows.dtype === "float16" || rows.dtype === "bfloat16")) {
      // The rows' 16-bit patterns go up and are widened on the GPU, then cut into chunks there.
      const all = widenHalfOnGpu(rows.data as Uint16Array, rows.dtype, [N * T, C]);
      for (let s0 = 0; s0 < N; s0 += chunkSequences) {
        const B = Math.min(chunkSequences, N - s0);
        chunks.push({ s0, B, x: B === N ? (all as tf.Tensor2D) : tf.slice(all as tf.Tensor2D, [s0 * T, 0], [B * T, C]) });
      }
      if (chunks.length > 1) all.dispose();
    } else {
      const embedded = toFloat32(rows, `${ckpt.dir}: embedding`);
      for (let s0 = 0; s0 < N; s0 += chunkSequences) {
        const B = Math.min(chunkSequences, N - s0);
        chunks.push({ s0, B, x: tf.tensor2d(embedded.subarray(s0 * n, (s0 + B) * n), [B * T, C]) });
      }
    }
    await lap("setup");
    for (let l = 0; l < L; l++) {
      const raw = await next;
      if (l + 1 < L) next = readLayer(ckpt, Object.values(neoXLayerNames(c, prefix, l + 1)), widener);
      await lap("read");
      layer = model.uploadLayer(neoXLayerParams(c, prefix, l, raw, ckpt.dir, onGpu));
      raw.clear();
      await lap("upload");
      for (const chunk of chunks) {
        const y = model.runLayer(chunk.x, layer, chunk.B, T);
        chunk.x.dispose();
        chunk.x = y;
        if (method === "host") {
          const data = (await y.data()) as Float32Array;
          const rows: number[][] = [];
          for (let b = 0; b < chunk.B; b++) {
            const s = absStats(data.subarray(b * n, (b + 1) * n));
            rows.push([s.top1, s.top2, s.top3, s.median]);
          }
          store(l, chunk.s0, rows);
        }
      }
      await lap("forward");
      options.onLayer?.(l, L);
      model.disposeLayer(layer);
      layer = undefined;
      if (method === "gpu") {
        layerStats.push(orderStatsOnGpu(chunks.map((k) => ({ x: k.x, rows: k.B })), n));
        await lap("stats");
        inFlight.push(gpuFence());
        if (inFlight.length > LAYERS_IN_FLIGHT) await inFlight.shift();
        await lap("sync");
      } else if (method === "device") {
        // One reduction per layer over all sequences: the bisection's 31 rounds are paid once per layer.
        const stacked = chunks.length === 1 ? chunks[0]!.x : tf.concat(chunks.map((k) => k.x), 0);
        try {
          store(l, 0, await deviceStats(stacked, N, n));
        } finally {
          if (chunks.length > 1) stacked.dispose();
        }
        await lap("stats");
      }
    }
    if (method === "gpu") {
      // One download for every layer: [L * N, 4] (top1, top2, top3, median).
      const all = tf.concat(layerStats, 0);
      const bits = (await all.data()) as Float32Array;
      all.dispose();
      for (let l = 0; l < L; l++) {
        const rows = Array.from({ length: N }, (_, b) => Array.from(bits.subarray((l * N + b) * 4, (l * N + b + 1) * 4)));
        if (rows.some((r) => !Number.isFinite(r[0]!))) throw new Error(`recordStreaming: layer ${l}'s activations hold NaN or infinite values`);
        store(l, 0, rows);
      }
      await lap("sync");
    }
  } finally {
    if (layer) model.disposeLayer(layer);
    for (const chunk of chunks) chunk.x.dispose();
    tf.dispose(layerStats);
    if (widener && !options.widener) await widener.close();
    releaseFreeGpuBuffers();
  }
  return values;
}
