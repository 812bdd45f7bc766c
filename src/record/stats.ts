/**
 * The paper's "exp2" statistics of one checkpoint: for each evaluation sequence and decoder layer, top1, top2, top3
 * and torch.median (the lower middle value) of |h| over the flattened [seq, hidden] output of the layer
 * (`blocks.<l>.hook_resid_post`). Sequences run through the model in batches.
 *
 * Two exact ways to reduce each [seq x hidden] slice, chosen per backend (`medianMethod: "auto"`):
 * - `host`: download the layer output once and, per sequence, take top-3 and the median in two O(n) passes over
 *   the float bit patterns (./select.ts). On wasm/cpu/tfjs-node the tensor already lives in host memory, so this is
 *   the fastest there (bench/record/median.bench.ts).
 * - `device`: tf.topk(|h|, 3) on the backend and the median by bisection on the float32 bit patterns: 31 rounds of
 *   a per-row count of |h| <= threshold (non-negative float32 values order like their bits), only counts and
 *   thresholds cross to the host; all layers of a batch are reduced together. For GPU backends and large layers:
 *   on an H200 through WebGPU, 60 rows of 1M values (pythia-70m: 6 layers x 10 sequences of 2048 x 512) take
 *   135 ms against 522 ms on the host path, 64 rows of 4M (pythia-1b) 161 ms against 959 ms, but 60 rows of 32768
 *   (mini-pythia) 28 ms against 12 ms; so `auto` takes it on webgpu from {@link DEVICE_MEDIAN_MIN_VALUES} values
 *   per batch (bench/record/RESULTS.md).
 */
import { tf, initBackend } from "../backend";
import { absStats, lowerMedianIndex } from "./select";
import { bitsToFloat, floatToBits } from "../util/float-bits";

/** What recording needs from a model: its layer count and a forward pass exposing hook tensors. */
export interface RecordableModel {
  config: { numLayers: number; hiddenSize: number; vocabSize: number };
  runWithCache(ids: number[][], options: { namesFilter?: string[]; returnLogits?: boolean }): { logits?: tf.Tensor; cache: Map<string, tf.Tensor> };
}

export type MedianMethod = "auto" | "host" | "device";

export interface RecordStatsOptions {
  /** Sequences per forward pass (default: all, capped so the cached outputs of all layers stay under ~1 GiB). */
  batchSize?: number;
  /** See the module comment; default `auto` (device on webgpu, host elsewhere). */
  medianMethod?: MedianMethod;
  /** Called after each batch with the number of sequences done. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Below this many values per reduction call the host path wins even on a GPU: the device path's 31 bisection
 * rounds each wait for a tiny download (about 10 ms per round through WebGPU on an H200), see bench/record.
 */
export const DEVICE_MEDIAN_MIN_VALUES = 1 << 22;

/** Resolves `auto` for the current backend and the number of values reduced per call. */
export function resolveMedianMethod(method: MedianMethod = "auto", values = Infinity): "host" | "device" {
  if (method !== "auto") return method;
  return tf.getBackend() === "webgpu" && values >= DEVICE_MEDIAN_MIN_VALUES ? "device" : "host";
}

/** Host path: [B, n] rows of one layer's output -> [B] stats. */
async function hostStats(t: tf.Tensor, B: number, n: number): Promise<number[][]> {
  const data = (await t.data()) as Float32Array;
  const out: number[][] = [];
  for (let b = 0; b < B; b++) {
    const s = absStats(data.subarray(b * n, (b + 1) * n));
    out.push([s.top1, s.top2, s.top3, s.median]);
  }
  return out;
}


/**
 * Device path: top-3 with tf.topk and the exact lower median by bisection over float32 bit patterns, for a
 * [B, n] tensor of values (|h| is taken here). Returns [B][top1, top2, top3, median].
 */
export async function deviceStats(t: tf.Tensor, B: number, n: number): Promise<number[][]> {
  const abs = tf.tidy(() => tf.abs(tf.reshape(t, [B, n])));
  try {
    const top = tf.tidy(() => tf.topk(abs, 3).values);
    const topValues = (await top.data()) as Float32Array;
    top.dispose();
    const want = lowerMedianIndex(n) + 1; // smallest v with count(|h| <= v) >= want is the median
    const lo = new Uint32Array(B); // count(<= bits(lo)) < want  (invariant, lo = -1 encoded as 0 with flag)
    const hi = new Uint32Array(B);
    const loValid = new Uint8Array(B);
    for (let b = 0; b < B; b++) {
      hi[b] = floatToBits(topValues[b * 3]!); // count(<= top1) = n >= want
      if (!Number.isFinite(topValues[b * 3]!)) throw new Error("deviceStats: the activations hold NaN or infinite values");
    }
    const thresholds = new Float32Array(B);
    for (;;) {
      let active = false;
      const mids = new Uint32Array(B);
      for (let b = 0; b < B; b++) {
        const l = loValid[b] ? lo[b]! + 1 : 0;
        if (l < hi[b]!) active = true;
        mids[b] = l + Math.floor((hi[b]! - l) / 2);
        thresholds[b] = bitsToFloat(mids[b]!);
      }
      if (!active) break;
      const counts = tf.tidy(() => tf.sum(tf.cast(tf.lessEqual(abs, tf.tensor2d(thresholds, [B, 1])), "int32"), 1));
      const c = (await counts.data()) as Int32Array;
      counts.dispose();
      for (let b = 0; b < B; b++) {
        const l = loValid[b] ? lo[b]! + 1 : 0;
        if (l >= hi[b]!) continue;
        if (c[b]! >= want) hi[b] = mids[b]!;
        else {
          lo[b] = mids[b]!;
          loValid[b] = 1;
        }
      }
    }
    return Array.from({ length: B }, (_, b) => [topValues[b * 3]!, topValues[b * 3 + 1]!, topValues[b * 3 + 2]!, bitsToFloat(hi[b]!)]);
  } finally {
    abs.dispose();
  }
}

/**
 * The batch size (default: as many sequences as keep the cached outputs of all layers under ~1 GiB) and the
 * median method `recordCheckpointStats` uses for a model and `numSequences` x `seqLen` tokens.
 */
export function planRecording(config: { numLayers: number; hiddenSize: number }, numSequences: number, seqLen: number, options: RecordStatsOptions = {}): { batchSize: number; method: "host" | "device" } {
  const n = seqLen * config.hiddenSize;
  const cap = Math.max(1, Math.floor(2 ** 30 / (4 * n * config.numLayers)));
  const batchSize = Math.max(1, Math.min(options.batchSize ?? cap, numSequences));
  return { batchSize, method: resolveMedianMethod(options.medianMethod, batchSize * config.numLayers * n) };
}

/**
 * Records one checkpoint's exp2 statistics: `values[sequence][stat][layer]` with stat in (top1, top2, top3,
 * median), the released dataset's layout. `model` is a loaded {@link GPTNeoX} (or anything with its interface).
 */
export async function recordCheckpointStats(model: RecordableModel, sequences: number[][], options: RecordStatsOptions = {}): Promise<number[][][]> {
  await initBackend();
  if (sequences.length === 0) throw new Error("recordCheckpointStats: argument 'sequences' is empty");
  const L = model.config.numLayers;
  const C = model.config.hiddenSize;
  const S = sequences[0]!.length;
  if (sequences.some((s) => s.length !== S)) throw new Error("recordCheckpointStats: all sequences must have the same length");
  const n = S * C;
  const { batchSize, method } = planRecording(model.config, sequences.length, S, options);
  const names = Array.from({ length: L }, (_, l) => `blocks.${l}.hook_resid_post`);
  const values: number[][][] = sequences.map(() => [0, 1, 2, 3].map(() => new Array<number>(L).fill(0)));
  for (let start = 0; start < sequences.length; start += batchSize) {
    const batch = sequences.slice(start, start + batchSize);
    const B = batch.length;
    const { logits, cache } = model.runWithCache(batch, { namesFilter: names, returnLogits: false });
    logits?.dispose();
    try {
      const layers = names.map((name) => {
        const t = cache.get(name);
        if (!t) throw new Error(`recordCheckpointStats: the model returned no ${name}`);
        if (t.size !== B * n) throw new Error(`recordCheckpointStats: ${name} has shape [${t.shape.join(", ")}], expected [${B}, ${S}, ${C}]`);
        return t;
      });
      const store = (l: number, rows: number[][]): void => rows.forEach((r, b) => r.forEach((v, k) => (values[start + b]![k]![l] = v)));
      if (method === "host") {
        for (let l = 0; l < L; l++) {
          try {
            store(l, await hostStats(layers[l]!, B, n));
          } catch (err) {
            throw new Error(`layer ${l}: ${(err as Error).message}`);
          }
          layers[l]!.dispose();
        }
      } else {
        // All layers in one reduction: [L * B, n] rows, so the bisection's 31 rounds are paid once per batch.
        const stacked = tf.tidy(() => tf.concat(layers.map((t) => tf.reshape(t, [B, n])), 0));
        try {
          const rows = await deviceStats(stacked, L * B, n);
          for (let l = 0; l < L; l++) store(l, rows.slice(l * B, (l + 1) * B));
        } finally {
          stacked.dispose();
        }
      }
    } finally {
      for (const t of cache.values()) t.dispose();
    }
    options.onProgress?.(start + B, sequences.length);
  }
  return values;
}
