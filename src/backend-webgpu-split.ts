/**
 * Float32-accurate torch.nn.Linear products on the float16 tensor cores ("split float16"): the default of the
 * float32 forward with resident weights on webgpu where float16 subgroup matrices are available, for weights of at
 * least 2^18 entries ({@link DEFAULT_FLOAT32_PRODUCT}; MASSIVE_WEBGPU_F32_PRODUCT overrides it: auto, simt = the
 * float32 tiled kernel of ./backend-webgpu-matmul.ts only, split, split-all = every weight that fits).
 *
 * Each float32 operand is split into a float16 high part and a float16 correction, and three float16 products are
 * summed with float32 accumulation, the fourth (correction x correction, ~2^-22 of the result) dropped:
 *   C = a_lo w_hi + a_hi w_lo + a_hi w_hi,   a_hi = f16(a), a_lo = f16(a - a_hi)   (the same for w)
 * after H. Ootomo and R. Yokota, "Recovering single precision accuracy from Tensor Cores while surpassing the FP32
 * theoretical peak performance", IJHPCA 2022 (arXiv:2203.03341), Sec. 3; Markidis et al. 2018 is the unscaled form.
 *
 * Where this departs from the paper, and why:
 * - Range. Ootomo scales the correction by 2^11 to keep it out of float16's subnormals; that needs a second
 *   accumulator. Here every row of the activations and every weight matrix is scaled by a power of two (exact to
 *   undo) that puts its largest |value| in (2^13, 2^14] before the split, so nothing overflows float16 (65504),
 *   massive activations included, and every value within 2^16 of its row's largest keeps a normal correction; the
 *   smaller ones lose at most 2^-25 absolute on that scale (2^-39 of the row's largest), which is invisible in the
 *   product. The scales are undone in float32 after the sum (multiplications by powers of two: exact).
 * - Rounding of the accumulation. The tensor cores truncate when they add into a float32 accumulator (the paper
 *   measures it). The three products therefore run as ONE float16 product of three times the depth,
 *   [a_lo | a_hi | a_hi] . [w_hi | w_lo | w_hi], corrections first, so that the small terms are summed while the
 *   accumulator is still small; and K is cut into chunks (default 512) whose partial results are summed in float32
 *   (round to nearest) by the last program. A host model of truncating accumulation (numpy, K = 2048) puts the
 *   error at 3.8x the float32 SIMT kernel's with corrections first and one chunk, 1.0x with chunks of 512, 17x with
 *   the main product first; the device figures are in docs/gpu.md.
 * Programs per product: the split of the activations with their row scales (one program), the float16 product
 * (halfBatchedMatMul of ./backend-webgpu-f16.ts, the chunks as its batch), and the sum of the chunks with the scales
 * undone and the bias.
 * WGSL in ./backend-webgpu-split-code.ts. Forward only, webgpu with float16 subgroup matrices only.
 */
import * as tf from "@tensorflow/tfjs-core";
import { halfBatchedMatMul, halfComputeAvailable, halfComputeMissing, halfMatMulFits } from "./backend-webgpu-f16";
import { SPLIT_ROW_THREADS, SPLIT_TARGET_EXPONENT, splitFinishCode, splitOperandCode, splitRowsCode } from "./backend-webgpu-split-code";
import { FlatProgram, TensorInfo, Uniform, WebGpuProgramRunner, runFlatProgram, toTensor, webgpuRunner } from "./backend-webgpu-program";
import { float32ToHalf, halfToFloat32 } from "./util/float-bits";

/**
 * The float32 product of the forward pass: the SIMT float32 kernel, split float16 on the tensor cores for the
 * weights of at least {@link SPLIT_MIN_WEIGHTS} entries (the smaller products stay SIMT), or split for every weight
 * that fits (`split-all`: for tests and measurements).
 */
export type Float32Product = "simt" | "split" | "split-all";

/**
 * How a model's float32 weights reach the GPU: all at load (`resident`: GPTNeoX.loadWeights, the forward) or one
 * layer at a time while recording (`streamed`: GPTNeoX.uploadLayer from src/record/stream.ts).
 */
export type WeightResidency = "resident" | "streamed";

/** A float32 product, or `auto`: `split` where float16 subgroup matrices are available, else `simt`. */
export type Float32ProductMode = Float32Product | "auto";

/**
 * The float32 product where MASSIVE_WEBGPU_F32_PRODUCT is unset, per residency (GPTNeoXOptions.float32Product
 * overrides it per model), measured on the H200 (2026-12-02). Resident: `auto`; split ran the forward at 348,548
 * tokens/s on 70m and 26,127 on 1b against SIMT's 284,822 and 16,964 in the same call (session 7 round 3).
 * Streamed (recording): `simt`; with split a 1b float16 file recorded in 1.68 s against SIMT's 1.49 s, with 4.3 GiB
 * of tfjs GPU buffers against 2.3 (round 3; round 1, before pieces were written in place: 1.40 s against 1.43 s).
 */
export const DEFAULT_FLOAT32_PRODUCT: Readonly<Record<WeightResidency, Float32ProductMode>> = { resident: "auto", streamed: "simt" };

/**
 * The requested float32 product: MASSIVE_WEBGPU_F32_PRODUCT (the one place it is read) when set, else `fallback`.
 * Its values: `simt` (the float32 SIMT kernel everywhere), `auto`, `split` or `split-all`; anything else throws.
 */
export function float32ProductMode(fallback: Float32ProductMode = DEFAULT_FLOAT32_PRODUCT.resident): Float32ProductMode {
  const v = process.env.MASSIVE_WEBGPU_F32_PRODUCT || fallback;
  if (v !== "auto" && v !== "simt" && v !== "split" && v !== "split-all") throw new Error(`MASSIVE_WEBGPU_F32_PRODUCT=${v}: expected auto, simt, split or split-all`);
  return v;
}

/**
 * The float32 product in use: {@link float32ProductMode} with `auto` resolved (split on webgpu with float16 subgroup
 * matrices, simt elsewhere: never an error); an explicit split or split-all throws where they are not available.
 */
export function resolvedFloat32Product(fallback: Float32ProductMode = DEFAULT_FLOAT32_PRODUCT.resident): Float32Product {
  const mode = float32ProductMode(fallback);
  if (mode === "auto") return halfComputeAvailable() ? "split" : "simt";
  if (mode !== "simt") requireSplitProduct();
  return mode;
}

/**
 * The smallest weight (N x K entries) that `split` multiplies on the tensor cores: 2^18, so every product of the
 * Pythia shapes (70m's dense [512, 512] is 2^18) while the test fixtures' small layers (tiny-neox, mini-pythia:
 * <= 2^16) keep the SIMT kernel. On the H200 (2026-12-02) the 70m forward ran at 321,486 tokens/s with every product
 * split (round 1) against 290,142 - 299,505 with only its unembedding split (2^22, round 2) and 263,451 SIMT: the
 * 70m float32 pass is GPU-bound, so the extra dispatches per split product (3 then, 2 since one program splits the
 * activations) overlap, although those products timed alone (host-bound, 4 dispatches against 1) were 0.57 - 0.79x
 * SIMT.
 */
export const SPLIT_MIN_WEIGHTS = 2 ** 18;

/** Whether the model multiplies a weight [N, K] by split products in `mode`. */
export function splitProductFor(mode: Float32Product, K: number, N: number): boolean {
  return mode !== "simt" && splitFits(K, N) && (mode === "split-all" || N * K >= SPLIT_MIN_WEIGHTS);
}

/** Throws the one-line reason when split products are asked for but the float16 subgroup matrices are missing. */
export function requireSplitProduct(): void {
  if (!halfComputeAvailable()) throw new Error(`MASSIVE_WEBGPU_F32_PRODUCT=split needs the webgpu backend with float16 subgroup matrices: ${halfComputeMissing()}`);
}

/** The chunk of K whose partial sums the tensor cores accumulate (longer chunks: fewer programs' bytes, more truncation). */
export const SPLIT_CHUNK_K = 512;

/**
 * The target chunk length: {@link SPLIT_CHUNK_K}, or MASSIVE_WEBGPU_SPLIT_CHUNK (a positive multiple of 32; for
 * measuring, as MASSIVE_WEBGPU_F16_TILE is for the float16 tiles).
 */
export function splitChunkTarget(): number {
  const v = process.env.MASSIVE_WEBGPU_SPLIT_CHUNK;
  if (v === undefined || v === "") return SPLIT_CHUNK_K;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 32 || n % 32 !== 0) throw new Error(`MASSIVE_WEBGPU_SPLIT_CHUNK=${v}: expected a positive multiple of 32`);
  return n;
}

/** The chunk length for K: the largest multiple of 32 dividing K and at most `target`, or 0 when there is none. */
export function splitChunkK(K: number, target = splitChunkTarget()): number {
  for (let d = Math.min(K, target) - (Math.min(K, target) % 32); d >= 32; d -= 32) if (K % d === 0) return d;
  return 0;
}

/** Whether split products handle [*, K] x [K, N] (otherwise the model keeps the float32 weight for that product). */
export function splitFits(K: number, N: number, chunkK = splitChunkK(K)): boolean {
  return chunkK > 0 && K % chunkK === 0 && halfMatMulFits(3 * chunkK, N);
}

/**
 * Parts per chunk of a split operand: 3 for float32 values (the weight [hi | lo | hi] against the activations'
 * [lo | hi | hi]), 2 for a weight whose values are float16 numbers (its corrections are 0: [hi | hi] against
 * [lo | hi], two products where 3 parts make three, the middle one of zeros; the same sums, a third less work and
 * 4 bytes per weight instead of 6).
 */
export type SplitParts = 2 | 3;

/** What {@link splitLinear} needs to know about a weight from {@link packSplitWeight}. */
export interface SplitWeightInfo { N: number; K: number; chunkK: number; invScale: number; parts: SplitParts; tempBytes: number }

/**
 * How {@link packSplitWeight} / {@link packSplitHalfWeight} pack a weight: the chunk of K (default
 * {@link splitChunkK}), its parts (float32 values: 3; float16 values: 2 by default) and how it reached the GPU, which
 * sets its products' temporaries budget ({@link SPLIT_TEMP_BYTES}; default `resident`).
 */
export interface SplitPackOptions { chunkK?: number; parts?: SplitParts; residency?: WeightResidency }

const splitWeights = new WeakMap<tf.Tensor, SplitWeightInfo>();

/** Whether `t` is a weight made by {@link packSplitWeight} (GPTNeoX.linear dispatches on it). */
export function isSplitWeight(t: tf.Tensor): boolean {
  return splitWeights.has(t);
}

/** The power of two 2^k that brings maxAbs into (2^13, 2^14] (1 for zero or non-finite; k clamped to +-100, as the WGSL twin). */
export function splitScale(maxAbs: number): number {
  if (!(maxAbs > 0) || !Number.isFinite(maxAbs)) return 1;
  let ceilLog2 = Math.ceil(Math.log2(maxAbs)); // log2 of a float may round across an integer: corrected below
  if (2 ** ceilLog2 < maxAbs) ceilLog2++;
  if (2 ** (ceilLog2 - 1) >= maxAbs) ceilLog2--;
  return 2 ** Math.max(-100, Math.min(100, SPLIT_TARGET_EXPONENT - Math.max(ceilLog2, -126)));
}

/** Which operand a split is for: the order of its three parts per chunk ([lo | hi | hi] or [hi | lo | hi]) and its scales. */
export type SplitRole = "activations" | "weight";

/**
 * The host twin of {@link splitOperand} (for tests and references): float16 bits [chunks, rows, 3 chunkK] of
 * values [rows, K], per row and chunk [lo | hi | hi] (activations, each row scaled by splitScale of its largest
 * |value|) or [hi | lo | hi] (a weight, scaled by splitScale of the whole matrix's), hi = f16(t x), lo = f16(t x - hi).
 * Returns the scales (one per row) too.
 */
export function splitHalves(values: Float32Array, shape: [number, number], role: SplitRole, chunkK = splitChunkK(shape[1])): { bits: Uint16Array; scales: Float64Array } {
  const [rows, K] = shape;
  const matrixScale = role === "weight" ? splitScale(maxAbsOf(values)) : 0;
  const scales = Float64Array.from({ length: rows }, (_, r) => matrixScale || splitScale(maxAbsOf(values.subarray(r * K, (r + 1) * K))));
  const scaled = values.map((v, i) => v * scales[Math.floor(i / K)]!);
  const hi = float32ToHalf(scaled);
  const hiValues = halfToFloat32(hi);
  for (let i = 0; i < scaled.length; i++) scaled[i] = scaled[i]! - hiValues[i]!; // exact in float32 (hi is scaled's nearest half)
  const lo = float32ToHalf(scaled);
  const parts = role === "weight" ? [hi, lo, hi] : [lo, hi, hi];
  const bits = new Uint16Array(3 * rows * K);
  for (let c = 0; c < K / chunkK; c++) {
    for (let r = 0; r < rows; r++) {
      const src = r * K + c * chunkK, dst = (c * rows + r) * 3 * chunkK;
      parts.forEach((part, i) => bits.set(part.subarray(src, src + chunkK), dst + i * chunkK));
    }
  }
  return { bits, scales };
}

function maxAbsOf(values: Float32Array): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]!));
  return m;
}

/**
 * A torch.nn.Linear weight [N, K] (float32 values, row-major) split for {@link splitLinear}: scaled by one power of
 * two t ({@link splitScale} of its largest |value|), then split on the GPU as {@link splitHalves} describes
 * (the same program as the activations', [hi | lo | hi] order; host twin {@link splitHalves}): an int32 tensor
 * [chunks * N, 3 chunkK / 2] of float16 pairs, 6 bytes per weight. Throws unless {@link splitFits} and split
 * products are available.
 */
export function packSplitWeight(values: Float32Array, shape: [number, number], options: SplitPackOptions = {}): tf.Tensor2D {
  if (values.length !== shape[0] * shape[1]) throw new Error(`packSplitWeight: ${values.length} values for [${shape}]`);
  return splitWeightOnGpu(tf.tensor2d(values, shape), splitScale(maxAbsOf(values)), { parts: 3, ...options });
}

/**
 * {@link packSplitWeight} of a weight already on the GPU whose values are float16 numbers (a float16 checkpoint
 * widened by widenHalfOnGpu): they are their own high part (scale 1, corrections 0), so no host pass over the
 * values is needed, and by default in 2 parts ([hi | hi], {@link SplitParts}). `w` [N, K] float32 is disposed.
 */
export function packSplitHalfWeight(w: tf.Tensor2D, options: SplitPackOptions = {}): tf.Tensor2D {
  return splitWeightOnGpu(w, 1, { parts: 2, ...options });
}

/** The split of w [N, K] float32 (disposed) scaled by `scale`, registered for {@link splitLinear}. */
function splitWeightOnGpu(w: tf.Tensor2D, scale: number, options: SplitPackOptions): tf.Tensor2D {
  const [N, K] = w.shape;
  const { chunkK = splitChunkK(K), parts = 3, residency = "resident" } = options;
  try {
    if (!splitFits(K, N, chunkK)) throw new Error(`packSplitWeight: [${N}, ${K}] with chunks of ${chunkK} does not fit the split product (K % 32, N % 4)`);
    requireSplitProduct();
    const t = tf.tidy(() => tf.reshape(splitOperand(w, tf.fill([N], scale), chunkK, "weight", parts), [(K / chunkK) * N, (parts * chunkK) / 2]) as tf.Tensor2D);
    splitWeights.set(t, { N, K, chunkK, invScale: 1 / scale, parts, tempBytes: splitTempBytes(residency) });
    return t;
  } finally {
    w.dispose();
  }
}

/**
 * GPU bytes that one split product's temporaries (row scales, split activations, the K chunks' partial sums) may take
 * beyond an output-sized buffer at a time, whatever its rows ({@link splitPieceRows}), by how its weight reached the
 * GPU. Taken over all rows at once they were what made split use 6.8 GiB of tfjs buffers recording 1b (2.4 GiB with
 * SIMT) and 11.1 GiB for a 12b shape (H200, 2026-12-02; docs/gpu.md). Streamed (recording, whose 12b shape must stay
 * under 8 GiB): 256 MiB, the budget the model already gives the attention's scores and the MLP's activations
 * (ATTENTION_SCORE_BYTES, MLP_ACTIVATION_BYTES in ./model/gpt-neox.ts); with it a 12b shape cut to 8 layers recorded
 * in 6.3 GiB of tfjs buffers (session 7, round 1). Resident (the forward, which holds every weight anyway): 1 GiB,
 * because small pieces are slow: with 256 MiB the 1b forward cut its products into up to 46 pieces per layer and ran
 * at 21,052 tokens/s, against 28,984 unbounded (session 6; same round 1). Both under the 2 GiB storage binding.
 */
export const SPLIT_TEMP_BYTES: Readonly<Record<WeightResidency, number>> = { resident: 2 ** 30, streamed: 2 ** 28 };

/**
 * The temporaries budget of a weight's products: {@link SPLIT_TEMP_BYTES} for its residency, or
 * MASSIVE_WEBGPU_SPLIT_TEMP_MIB (a positive number of MiB, for both; for measuring, as MASSIVE_WEBGPU_SPLIT_CHUNK).
 */
export function splitTempBytes(residency: WeightResidency): number {
  const v = process.env.MASSIVE_WEBGPU_SPLIT_TEMP_MIB;
  if (v === undefined || v === "") return SPLIT_TEMP_BYTES[residency];
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`MASSIVE_WEBGPU_SPLIT_TEMP_MIB=${v}: expected a positive number of MiB`);
  return n * 2 ** 20;
}

/** The largest partial-sum tensor [chunks, rows, N] float32 one program may write: under the H200's largest storage binding (2 GiB). */
const MAX_PARTIAL_BYTES = 2 ** 31 - 2 ** 24;

/** Bytes of a split product's temporaries per row of activations: its scale (4), parts x K float16 halves, chunks x N float32 partial sums. */
export function splitRowBytes(K: number, N: number, chunkK: number, parts: SplitParts = 3): number {
  return 4 + 2 * parts * K + (K / chunkK) * N * 4;
}

/**
 * Rows per piece of an [M, K] x [K, N] split product so that its GPU memory beyond its output [M, N] stays under
 * the output's bytes plus `budget`, whatever M. All M rows in one piece where M x ({@link splitRowBytes} - 4N) <=
 * budget (and the partial sums fit one storage binding): the first chunk's partial sums are as large as the output,
 * and a product whose other temporaries are small is not worth pieces (their dispatches, each re-reading the whole
 * weight) for that one buffer (so 70m's unembedding, one chunk of K, stays whole). Else the fewest pieces whose
 * temporaries take at most `budget` each, of whole 128-row tiles (a ragged piece would run the product's guarded, slower path), as
 * equal as tiles allow (the last may be shorter), never under 128 rows (where a row takes more than budget / 128).
 * Rows are independent (per-row scales, one accumulation order per output): pieces give the whole's results.
 */
export function splitPieceRows(M: number, K: number, N: number, chunkK: number, budget: number, parts: SplitParts = 3): number {
  const rowBytes = splitRowBytes(K, N, chunkK, parts);
  if (M * (rowBytes - 4 * N) <= budget && M * (K / chunkK) * N * 4 <= MAX_PARTIAL_BYTES) return M;
  const fit = Math.floor(budget / rowBytes);
  const pieces = Math.ceil(M / Math.max(128, fit - (fit % 128)));
  return Math.ceil(M / pieces / 128) * 128;
}

/**
 * The activations x [M, K] split in one program (row scales and halves; WGSL splitRowsCode): `packed`, int32
 * [chunks M parts chunkK / 2 + M], holds the float16 halves [chunks, M, parts chunkK / 2] ([lo | hi | hi] per row
 * and chunk for 3 parts, [lo | hi] for 2,
 * each row scaled by the power of two that brings its largest |value| into (2^13, 2^14]: host twin
 * {@link splitHalves}), then the M scales' float32 bits; `halves` is the first part as its own tensor, a view of the
 * same GPU buffer (tfjs's zero-copy tensor: no copy, nothing freed when it is disposed), for the product. One
 * program instead of two (scales, then halves) because a tfjs program has one output. Use `halves` only while
 * `packed` lives.
 */
export function splitActivations(x: tf.Tensor2D, chunkK: number, parts: SplitParts = 3): { packed: tf.Tensor1D; halves: tf.Tensor3D } {
  const [M, K] = x.shape;
  const shape: [number, number, number] = [K / chunkK, M, (parts * chunkK) / 2];
  const words = shape[0] * M * shape[2];
  const program = new FlatProgram({ key: `massiveSplitRows_${parts}`, outputShape: [words + M], variableNames: ["X"], uniforms: "rows : i32, cols : i32, chunkK : i32, scaleOffset : i32,", code: splitRowsCode(parts), threads: SPLIT_ROW_THREADS, workgroups: M });
  const packed = runFlatProgram(program, [x], "int32", [M, K, chunkK, words].map((v) => ({ type: "int32" as const, data: [v] }))) as tf.Tensor1D;
  const buffer = webgpuRunner<WebGpuProgramRunner & { tensorMap: { get(dataId: object): { resource: unknown } } }>().tensorMap.get(packed.dataId).resource;
  return { packed, halves: tf.tensor({ buffer, zeroCopy: true } as unknown as tf.TensorLike, shape, "int32") as tf.Tensor3D };
}

/**
 * x [M, K] scaled per row by `scales` and split: float16 bits [chunks, M, parts chunkK] as int32 [chunks, M, parts
 * chunkK / 2], per row and chunk [lo | hi | hi] for the activations, [hi | lo | hi] for a weight (the pairs of the
 * three products); in 2 parts [lo | hi] and [hi | hi] ({@link SplitParts}).
 */
export function splitOperand(x: tf.Tensor2D, scales: tf.Tensor1D, chunkK: number, role: SplitRole, parts: SplitParts = 3): tf.Tensor3D {
  const [M, K] = x.shape;
  const shape = [K / chunkK, M, (parts * chunkK) / 2];
  const loPart = role === "activations" ? 0 : parts === 3 ? 1 : -1;
  const words = shape[0]! * M * shape[2]!;
  const program = new FlatProgram({ key: `massiveSplitOperand_${loPart}_${parts}`, outputShape: shape, variableNames: ["X", "S"], uniforms: "rows : i32, cols : i32, chunkK : i32,", code: splitOperandCode(loPart, parts), threads: 256, workgroups: Math.ceil(words / 256), sizeUniform: true });
  return runFlatProgram(program, [x, scales], "int32", [{ type: "int32", data: [M] }, { type: "int32", data: [K] }, { type: "int32", data: [chunkK] }]) as tf.Tensor3D;
}

/** The backend calls for writing pieces of rows into one output: a tensor record without a tensor, and its disposal. */
type PieceRunner = WebGpuProgramRunner & { makeTensorInfo(shape: number[], dtype: string): TensorInfo; disposeData(dataId: object, force?: boolean): boolean };

/**
 * sum over chunks of partial [chunks, M, N], times 1 / (row scale * weight scale), plus bias: [M, N] float32; the
 * row scales are the float32 bits at the end of `packed` ({@link splitActivations}). With `into`, the rows are
 * written in place into rows row0 .. row0 + M of `into.out` [*, N] (runWebGPUProgram's output argument: pieces of
 * rows fill one output, no concatenation) and nothing is returned.
 */
function finish(partial: tf.Tensor3D, packed: tf.Tensor1D, invWeightScale: number, bias?: tf.Tensor1D, into?: { out: TensorInfo; row0: number }): tf.Tensor2D | undefined {
  const [chunks, M, N] = partial.shape;
  const hasBias = bias !== undefined;
  const program = new FlatProgram({
    key: `massiveSplitFinish_${hasBias}`, outputShape: [M, N], variableNames: hasBias ? ["P", "S", "Bias"] : ["P", "S"], uniforms: "cols : i32, chunks : i32, invT : f32, scaleOffset : i32, outOffset : i32,",
    code: splitFinishCode(hasBias), threads: 256, workgroups: Math.ceil((M * N) / 256), sizeUniform: true,
  });
  const int = (v: number): Uniform => ({ type: "int32", data: [v] });
  const uniforms = [int(N), int(chunks), { type: "float32" as const, data: [invWeightScale] }, int(packed.size - M), int(into ? into.row0 * N : 0)];
  const inputs = hasBias ? [partial, packed, bias] : [partial, packed];
  if (!into) return runFlatProgram(program, inputs, "float32", uniforms) as tf.Tensor2D;
  webgpuRunner().runWebGPUProgram(program, inputs as unknown as TensorInfo[], "float32", uniforms, into.out);
  return undefined;
}

/**
 * x [M, K] float32 @ W^T + b, W from {@link packSplitWeight}: float32-accurate (see the file's comment), on the
 * float16 tensor cores. Rows are taken in pieces ({@link splitPieceRows}) whose temporaries stay under
 * `budgetBytes` (default: the weight's, from its residency); each piece writes its rows of the one output.
 */
export function splitLinear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D, budgetBytes?: number): tf.Tensor2D {
  const info = splitWeights.get(w);
  if (!info) throw new Error("splitLinear: the weight was not made by packSplitWeight");
  const [M, K] = x.shape;
  const { N, chunkK, invScale, parts } = info;
  if (K !== info.K || x.dtype !== "float32") throw new Error(`splitLinear: x [${x.shape}] ${x.dtype} does not match the weight's [${N}, ${info.K}]`);
  if (b && (b.shape[0] !== N || b.dtype !== "float32")) throw new Error(`splitLinear: bias [${b.shape}] for ${N} outputs`);
  requireSplitProduct();
  const chunks = K / chunkK;
  const piece = (xp: tf.Tensor2D, into?: { out: TensorInfo; row0: number }): tf.Tensor2D | undefined => {
    const { packed, halves } = splitActivations(xp, chunkK, parts);
    const partial = halfBatchedMatMul(halves, tf.reshape(w, [chunks, N, (parts * chunkK) / 2]) as tf.Tensor3D);
    return finish(partial, packed, invScale, b, into);
  };
  const rows = splitPieceRows(M, K, N, chunkK, budgetBytes ?? info.tempBytes, parts);
  if (rows >= M) return tf.tidy(() => piece(x)!);
  const backend = webgpuRunner<PieceRunner>();
  const out = backend.makeTensorInfo([M, N], "float32");
  try {
    for (let r0 = 0; r0 < M; r0 += rows) tf.tidy(() => { piece(tf.slice(x, [r0, 0], [Math.min(rows, M - r0), K]), { out, row0: r0 }); });
  } catch (err) {
    backend.disposeData(out.dataId, true);
    throw err;
  }
  return toTensor(out) as tf.Tensor2D;
}
