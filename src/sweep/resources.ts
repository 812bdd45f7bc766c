/**
 * Resource estimates for one sweep task (one checkpoint of one model recorded on the evaluation sequences):
 * GPU memory, CPU memory and wall time, from the parameter count, the checkpoint size and the throughput numbers
 * below. Every assumption is a named constant so docs/cluster.md can quote it and users can override the results
 * (`--time`, `--mem`) when their own runs say otherwise.
 */
import * as fs from "node:fs";
import { streamBytesPerSequence, streamChunkSequences } from "../record/stream-budget";
import type { ResolvedModel } from "./models";

/** The evaluation workload: `sequences` x `seqLen` tokens. */
export interface EvalShape {
  sequences: number;
  seqLen: number;
}

/** The paper's sample: 10 sequences of 2048 tokens. */
export const PAPER_EVAL: EvalShape = { sequences: 10, seqLen: 2048 };

/**
 * Reads the workload from an eval spec: a JSON file with `sequences` (arrays of token ids) or with
 * `num_sequences`/`seq_len`; anything else (or a spec that is not a file) counts as the paper's 10 x 2048.
 */
export function evalShapeOf(spec: string): EvalShape {
  try {
    const j = JSON.parse(fs.readFileSync(spec, "utf8")) as Record<string, unknown> | unknown[];
    const seqs = Array.isArray(j) ? j : (j as Record<string, unknown>).sequences;
    if (Array.isArray(seqs) && seqs.length > 0 && seqs.every((s) => Array.isArray(s))) {
      return { sequences: seqs.length, seqLen: Math.max(...seqs.map((s) => (s as unknown[]).length)) };
    }
    const o = j as Record<string, unknown>;
    if (typeof o.seq_len === "number") return { sequences: typeof o.num_sequences === "number" ? o.num_sequences : PAPER_EVAL.sequences, seqLen: o.seq_len };
  } catch {
    /* not a readable JSON file: the paper's shape */
  }
  return { ...PAPER_EVAL };
}

/** Throughput assumptions for one kind of worker. */
export interface Throughput {
  label: string;
  /** Sustained FLOP/s of a whole forward pass (not a matmul peak). */
  flops: number;
  /** Bytes/s for reading a checkpoint file and widening it to float32 (parse + convert + upload). */
  loadBytesPerSecond: number;
  /** Seconds to start Node, compile through tsx and initialise the TensorFlow.js backend. */
  startupSeconds: number;
}

/**
 * GPU worker (TensorFlow.js WebGPU, float32 with the default SIMT product). Measured on an H200 (2026-12-02,
 * bench/gpu/h200-2026-12-02-session6-check/forward-webgpu-simt.json): the 1b shape's forward, 10 x 2048 tokens with
 * logits, 16,905 tokens/s = 35 TFLOP/s by {@link forwardFlops}; 70m 264,348 tokens/s = 21 TFLOP/s (thin layers).
 * The figure below is 10 TFLOP/s: an A100's float32 peak is under a third of the H200's 67, and recording adds
 * reductions and per-layer uploads (a streamed 1b checkpoint took 1.87 s, ~11 TFLOP/s including the load).
 */
export const GPU_THROUGHPUT: Throughput = { label: "GPU (WebGPU float32, 10 TFLOP/s: under a third of the H200's measured 35)", flops: 10e12, loadBytesPerSecond: 300e6, startupSeconds: 15 };

/**
 * CPU worker (TensorFlow.js wasm, SIMD, one thread per process). Measured here (2-core VM, Node 20): a Pythia-70m
 * shaped model with random weights, one sequence of 2048 tokens, layer outputs only: 40.8 s, 50 tokens/s, i.e.
 * 3.2 GFLOP/s by {@link forwardFlops} (bench/gpu/forward.ts --shapes 70m --seqs 1 --seq 2048 on MASSIVE_BACKEND=wasm).
 * bench/forward/run.ts then saw 3.2 GFLOP/s with logits, 65% of the 5 GFLOP/s matmul rate of that busy machine;
 * DESIGN.md's 40 GFLOP/s matmul was measured on idle cores, so this is a pessimistic (safe) figure for time limits.
 */
export const CPU_THROUGHPUT: Throughput = { label: "CPU (wasm SIMD, 1 thread, 3.2 GFLOP/s measured)", flops: 3.2e9, loadBytesPerSecond: 200e6, startupSeconds: 5 };

/** Download speed assumed from the Hugging Face hub to a cluster node (bytes/s). */
export const HUB_DOWNLOAD_BYTES_PER_SECOND = 100e6;

/** Requested time = max(MIN_TIME_MINUTES, TIME_SAFETY x estimate), rounded up to 5 minutes. */
export const TIME_SAFETY = 3;
export const MIN_TIME_MINUTES = 10;

/**
 * Memory of the Node process itself (V8, TensorFlow.js, Dawn) besides the weights and activations: bench/stream
 * measured 347 MiB peak for a whole pythia-70m-shaped recording on wasm and 538 MiB on WebGPU (H200, 2026-12-01).
 */
export const NODE_BASE_BYTES = 0.5 * 2 ** 30;
/** GPU memory the runtime takes before any tensor (CUDA/Vulkan context, allocator pools). */
export const GPU_CONTEXT_BYTES = 1 * 2 ** 30;

export interface TaskResources {
  /** FLOPs of one task's forward passes. */
  flops: number;
  /** GiB of GPU memory one task needs (0 on CPU). */
  gpuMemGiB: number;
  /** GiB of host memory to request. */
  cpuMemGiB: number;
  /** Estimated seconds per task. */
  estimatedSeconds: number;
  /** Requested time limit, minutes. */
  timeMinutes: number;
  /** Bytes of one output stats file (Python-literal text). */
  statsBytes: number;
  /** Throughput assumption used. */
  basis: string;
}

/**
 * FLOPs to run `shape` through a model: 2 x non-embedding parameters per token (every weight multiplies once),
 * 4 S^2 d per layer and sequence for the attention scores and their weighted sum. The statistics need only the
 * decoder layers' outputs, so the output projection (2 V d per token) is left out unless `logits` is set.
 */
export function forwardFlops(m: Pick<ResolvedModel, "arch" | "params">, shape: EvalShape, logits = false): number {
  const tokens = shape.sequences * shape.seqLen;
  const attn = 4 * m.arch.layers * shape.seqLen * shape.seqLen * m.arch.hidden * shape.sequences;
  return 2 * m.params.nonEmbedding * tokens + attn + (logits ? 2 * m.arch.vocab * m.arch.hidden * tokens : 0);
}

/**
 * Tensors of a chunk's size that the backend holds at once inside a layer (attention runs in groups of heads and
 * the MLP in pieces of rows, each in its own tidy; TensorFlow.js's GPU buffer pool keeps their buffers for reuse):
 * fitted to the H200 measurements of bench/stream (nvidia-smi, 2026-12-02, bench/stream/h200-2026-12-02: 1b 4.6 GiB
 * for chunks of 5 sequences, 2.3 chunk-sizes; a 12b shape 6.3 GiB for chunks of 1, 1.5 chunk-sizes), rounded up.
 */
export const STREAM_ACTIVATION_COPIES = 3;

/**
 * Activation bytes inside one layer while recording streams it: one chunk of sequences (as many as fit the
 * backend's budget, src/record/stream-budget.ts), each with its MLP hidden [S, d_ff] and attention scores
 * [H, S, S] in float32, {@link STREAM_ACTIVATION_COPIES} times.
 */
export function streamActivationBytes(m: Pick<ResolvedModel, "arch">, shape: EvalShape, gpu: boolean): number {
  const c = { intermediateSize: m.arch.intermediate, numHeads: m.arch.heads };
  return STREAM_ACTIVATION_COPIES * streamChunkSequences(c, shape.sequences, shape.seqLen, gpu) * streamBytesPerSequence(c, shape.seqLen);
}

const GiB = 2 ** 30;
const ceilGiB = (bytes: number): number => Math.max(1, Math.ceil(bytes / GiB));

/**
 * Estimates one task. `gpus` 0 means the task runs on CPU (wasm). `hub` adds the download of the checkpoint.
 * Recording streams the checkpoint layer by layer (src/record/stream.ts), so memory follows one layer, not the
 * model: with L32 one decoder layer's float32 parameters (4 x non-embedding parameters / layers), R the residual
 * stream of all sequences (4 x sequences x S x d) and A the activations of one chunk of sequences
 * ({@link streamActivationBytes}):
 *   GPU memory:  1.2 x (2 L32 + 2 R + A + context): the layer in use and the one the buffer pool keeps, the stream
 *                before and after the layer;
 *   host memory: 1.25 x (Node's base + L32 + R) on a GPU: the current and the next layer as float16 (widened on
 *                the GPU), the embedding rows gathered on the host once per checkpoint; on CPU 2.5 L32 (the next
 *                layer read and widened to float32 in workers while the current one is uploaded) and the backend's
 *                heap is host memory too (+ L32 + 2 R + A).
 * bench/stream measured the figures these follow (docs/cluster.md).
 */
export function estimateTask(m: ResolvedModel, shape: EvalShape, gpus: number): TaskResources {
  const tp = gpus > 0 ? GPU_THROUGHPUT : CPU_THROUGHPUT;
  const flops = forwardFlops(m, shape);
  const layer32 = (4 * m.params.nonEmbedding) / m.arch.layers;
  const resid = 4 * shape.sequences * shape.seqLen * m.arch.hidden;
  const act = streamActivationBytes(m, shape, gpus > 0);
  const gpuMem = gpus > 0 ? ceilGiB(1.2 * (2 * layer32 + 2 * resid + act + GPU_CONTEXT_BYTES)) : 0;
  const cpuMem = ceilGiB(1.25 * (NODE_BASE_BYTES + resid + (gpus > 0 ? layer32 : 2.5 * layer32 + layer32 + 2 * resid + act)));
  const download = m.kind === "hub" ? m.checkpointBytes / HUB_DOWNLOAD_BYTES_PER_SECOND : 0;
  const seconds = tp.startupSeconds + download + m.checkpointBytes / tp.loadBytesPerSecond + flops / tp.flops;
  const timeMinutes = Math.max(MIN_TIME_MINUTES, Math.ceil((TIME_SAFETY * seconds) / 60 / 5) * 5);
  const statsBytes = shape.sequences * 4 * m.arch.layers * 22 + 64;
  return { flops, gpuMemGiB: gpuMem, cpuMemGiB: cpuMem, estimatedSeconds: seconds, timeMinutes, statsBytes, basis: tp.label };
}

/** Minutes -> Slurm's `D-HH:MM:SS` / `HH:MM:SS`. */
export function slurmTime(minutes: number): string {
  const m = Math.ceil(minutes);
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const mm = m % 60;
  const hms = `${String(h).padStart(2, "0")}:${String(mm).padStart(2, "0")}:00`;
  return d > 0 ? `${d}-${hms}` : hms;
}

// formatBytes and formatSeconds live in util/format.ts; re-exported here for sweep's tables and the public API.
export { formatBytes, formatSeconds } from "../util/format";
