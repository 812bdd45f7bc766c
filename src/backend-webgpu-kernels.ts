/**
 * WebGPU programs of the forward and recording paths that tfjs has no op for, run through tfjs-backend-webgpu's
 * own program runner (as ./backend-webgpu-matmul.ts does), so their outputs are ordinary tfjs tensors:
 *   - {@link widenHalfOnGpu}: float16 / bfloat16 weights uploaded as their raw 16-bit patterns (half the bytes of
 *     float32, no widening loop on the host) and widened on the GPU, exactly, optionally transposed on the way
 *     (torch's [out, in] Linear weight -> the [in, out] the forward multiplies by);
 *   - orderStatsOnGpu (re-exported from ./backend-webgpu-order-stats.ts): exact order statistics of |x| per row on
 *     the GPU for recording;
 *   - {@link gpuFence}: a promise for "the GPU finished what was submitted so far", to bound how far the host runs
 *     ahead of the GPU (each layer in flight holds its upload staging memory);
 *   - {@link releaseFreeGpuBuffers}: destroys the buffers tfjs keeps in its pool for reuse.
 * Every function here is for the webgpu backend only ({@link gpuKernelsAvailable}); callers keep their composite
 * tfjs path for the other backends. `MASSIVE_WEBGPU_KERNELS=off` disables these programs (for comparisons).
 */
import * as tf from "@tensorflow/tfjs-core";
import { FlatProgram, flatProgram, runFlatProgram, webgpuRunner, type WebGpuProgramRunner } from "./backend-webgpu-program";

export { ORDER_QUERIES, orderStatRanks, orderStatsOnGpu } from "./backend-webgpu-order-stats";

interface WebGpuBackendInternals extends WebGpuProgramRunner {
  device: { queue: { onSubmittedWorkDone(): Promise<void> } };
  submitQueue(): void;
  endComputePassEncoder(): void;
  commandEncoder: unknown;
  bufferManager: {
    freeBuffers: Map<string, { destroy(): void; size: number }[]>;
    numFreeBuffers: number;
    numBytesAllocated: number;
  };
}

function webgpu(): WebGpuBackendInternals {
  return webgpuRunner<WebGpuBackendInternals>();
}

/** True on the webgpu backend unless MASSIVE_WEBGPU_KERNELS=off. */
export function gpuKernelsAvailable(): boolean {
  return tf.getBackend() === "webgpu" && process.env.MASSIVE_WEBGPU_KERNELS !== "off";
}

/** float16 bits -> float32, exact for every pattern (subnormals by integer arithmetic, not unpack2x16float). */
const HALF_TO_F32 = `
  fn massiveHalfToF32(h : u32) -> f32 {
    let s = (h & 0x8000u) << 16u;
    let e = (h >> 10u) & 0x1fu;
    let m = h & 0x3ffu;
    if (e == 0u) {
      return bitcast<f32>(bitcast<u32>(f32(m) * 5.9604644775390625e-8) | s);
    }
    if (e == 31u) {
      return bitcast<f32>(s | 0x7f800000u | (m << 13u));
    }
    return bitcast<f32>(s | ((e + 112u) << 23u) | (m << 13u));
  }`;

const WIDEN_CODE = `${HALF_TO_F32}
  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    var src = index;
    if (uniforms.doTranspose == 1) {
      let r = index / uniforms.cols;
      src = (index - r * uniforms.cols) * uniforms.rows + r;
    }
    let word = bitcast<u32>(W[src / 2]);
    let bits = select(word & 0xffffu, word >> 16u, (src & 1) == 1);
    if (uniforms.bf16 == 1) {
      result[index] = bitcast<f32>(bits << 16u);
    } else {
      result[index] = massiveHalfToF32(bits);
    }
  }`;

/**
 * A float16 or bfloat16 tensor (raw bit patterns, as the checkpoint readers return them) as a float32 tensor on
 * the GPU, widened exactly; `transpose` turns a 2-D [r, c] into [c, r]. Uploads half the bytes of float32.
 */
export function widenHalfOnGpu(bits: Uint16Array, dtype: "float16" | "bfloat16", shape: number[], transpose = false): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  if (bits.length !== n) throw new Error(`widenHalfOnGpu: ${bits.length} values for shape [${shape.join(", ")}]`);
  if (transpose && shape.length !== 2) throw new Error("widenHalfOnGpu: transpose needs a 2-D shape");
  // Two halves per int32 word; a copy only when the view is odd-length or not 4-byte aligned.
  const even = n % 2 === 0 && bits.byteOffset % 4 === 0 ? bits : (() => {
    const c = new Uint16Array(n + (n % 2));
    c.set(bits);
    return c;
  })();
  const words = tf.tensor1d(new Int32Array(even.buffer, even.byteOffset, even.length / 2), "int32");
  try {
    const outShape = transpose ? [shape[1]!, shape[0]!] : shape;
    const program = flatProgram("massiveWidenHalf", outShape, ["W"], "rows : i32, cols : i32, doTranspose : i32, bf16 : i32,", WIDEN_CODE);
    return runFlatProgram(program, [words], "float32", [
      { type: "int32", data: [outShape[0] ?? 1] }, { type: "int32", data: [outShape.length === 2 ? outShape[1]! : n] },
      { type: "int32", data: [transpose ? 1 : 0] }, { type: "int32", data: [dtype === "bfloat16" ? 1 : 0] },
    ]);
  } finally {
    words.dispose();
  }
}

/**
 * Submits what tfjs has recorded and resolves when the GPU has finished everything submitted so far (no data
 * crosses); resolves at once on other backends.
 */
export function gpuFence(): Promise<void> {
  if (tf.getBackend() !== "webgpu") return Promise.resolve();
  const backend = webgpu();
  if (backend.commandEncoder) {
    backend.endComputePassEncoder(); // an open compute pass would make the encoder's finish() invalid
    backend.submitQueue();
  }
  return backend.device.queue.onSubmittedWorkDone();
}

/** Destroys the buffers tfjs-backend-webgpu keeps for reuse (not those of live tensors); returns the bytes freed. */
export function releaseFreeGpuBuffers(): number {
  if (tf.getBackend() !== "webgpu") return 0;
  const manager = webgpu().bufferManager;
  let freed = 0;
  for (const list of manager.freeBuffers.values()) {
    for (const b of list) {
      freed += b.size;
      b.destroy();
    }
    list.length = 0;
  }
  manager.numFreeBuffers = 0;
  manager.numBytesAllocated -= freed;
  return freed;
}

/** True when the fused forward programs below are in use: {@link gpuKernelsAvailable} and not MASSIVE_WEBGPU_FUSED=off. */
export function fusedKernelsAvailable(): boolean {
  return gpuKernelsAvailable() && process.env.MASSIVE_WEBGPU_FUSED !== "off";
}

/** LayerNorm's rows per workgroup and threads per row (a workgroup of 256 threads: 4 rows of 64). */
const LN_ROWS = 4, LN_THREADS = 64;

/**
 * Sum of `v` over the 64 threads of row segment tid / 64 (tree order, in workgroup memory); every thread of the
 * workgroup must call it (barriers).
 */
const ROW_SUM = `
  var<workgroup> red : array<f32, ${LN_ROWS * LN_THREADS}>;
  fn massiveRowSum(v : f32, tid : i32) -> f32 {
    let lane = tid % ${LN_THREADS};
    red[tid] = v;
    workgroupBarrier();
    for (var k = ${LN_THREADS / 2}; k > 0; k = k >> 1) {
      if (lane < k) { red[tid] = red[tid] + red[tid + k]; }
      workgroupBarrier();
    }
    let total = red[tid - lane];
    workgroupBarrier();
    return total;
  }`;

/**
 * torch.nn.LayerNorm over the last axis of x [rows, C] in one program: mean, then the biased variance of the
 * centred values (two passes, as the composite ops), (x - mean) * rsqrt(var + eps) * w + b. A workgroup takes 4
 * rows, 64 threads each (until session 7 one row per 256-thread workgroup: ~60 us per 70m LayerNorm of 10,240 rows
 * on the H200 by bench/gpu/programs.ts, several times its memory traffic's time). With `half` (C even) the result is written as float16 bits two
 * per int32 word, [rows, C / 2] int32, the layout of packHalfActivations: the float16 product that reads it
 * (halfLinear) then needs no packing pass of its own.
 */
export function fusedLayerNorm(x: tf.Tensor2D, w: tf.Tensor1D, b: tf.Tensor1D, eps: number, half = false): tf.Tensor2D {
  const [rows, C] = x.shape;
  const y = (c: string): string => `(X[base + ${c}] - mean) * inv * W[${c}] + Bias[${c}]`;
  const store = half
    ? `for (var c = 2 * lane; c < C; c = c + ${2 * LN_THREADS}) { result[base / 2 + c / 2] = bitcast<i32>(vec2<f16>(f16(${y("c")}), f16(${y("c + 1")}))); }`
    : `for (var c = lane; c < C; c = c + ${LN_THREADS}) { result[base + c] = ${y("c")}; }`;
  const program = new FlatProgram({
    key: `massiveLayerNorm${half ? "Half" : ""}_${LN_ROWS}x${LN_THREADS}`, outputShape: half ? [rows, C / 2] : [rows, C], variableNames: ["X", "W", "Bias"],
    uniforms: "rows : i32, eps : f32,", threads: LN_ROWS * LN_THREADS, workgroups: Math.ceil(rows / LN_ROWS), sizeUniform: true,
    code: `${half ? "enable f16;" : ""}${ROW_SUM}
  fn main(index : i32) {
    let tid = i32(localId.x);
    let lane = tid % ${LN_THREADS};
    // Rows past the last (a partial last workgroup, or extra workgroups of a folded dispatch) redo the last row.
    let row = min((index / ${LN_ROWS * LN_THREADS}) * ${LN_ROWS} + tid / ${LN_THREADS}, uniforms.rows - 1);
    let C = ${half ? "2 * " : ""}uniforms.outShape[1];
    let base = row * C;
    var s = 0.0;
    for (var c = lane; c < C; c = c + ${LN_THREADS}) { s = s + X[base + c]; }
    let mean = massiveRowSum(s, tid) / f32(C);
    var v = 0.0;
    for (var c = lane; c < C; c = c + ${LN_THREADS}) { let d = X[base + c] - mean; v = v + d * d; }
    let inv = inverseSqrt(massiveRowSum(v, tid) / f32(C) + uniforms.eps);
    ${store}
  }`,
  });
  return runFlatProgram(program, [x, w, b], half ? "int32" : "float32", [{ type: "int32", data: [rows] }, { type: "float32", data: [eps] }]) as tf.Tensor2D;
}

/**
 * GELU's elements per invocation (with one, ~120 us per 70m GELU of [10240, 2048] on the H200, bench/gpu/programs.ts
 * in session 6): a workgroup takes
 * 256 x 4 consecutive elements (or words of the half output), its threads side by side in each of 4 steps (coalesced).
 */
const GELU_RUN = 4;

/**
 * Exact GELU, x * 0.5 * (1 + erf(x / sqrt 2)), with tfjs-backend-webgpu's own erf formula and the composite's
 * operation order, 4 elements per invocation. With `half` (x [rows, cols], cols even) the result is
 * float16 bits two per int32 word, [rows, cols / 2] int32, as fusedLayerNorm's `half`.
 */
export function fusedGelu(x: tf.Tensor, half = false): tf.Tensor {
  const shape = half ? [...x.shape.slice(0, -1), x.shape[x.shape.length - 1]! / 2] : x.shape;
  const runs = Math.ceil(x.size / GELU_RUN);
  const body = half
    ? `for (var k = 0; k < ${GELU_RUN / 2}; k++) {
      let w = (index / 256) * ${128 * GELU_RUN} + k * 256 + index % 256;
      if (w < uniforms.n / 2) { result[w] = bitcast<i32>(vec2<f16>(f16(massiveGelu(X[2 * w])), f16(massiveGelu(X[2 * w + 1])))); }
    }`
    : `for (var k = 0; k < ${GELU_RUN}; k++) {
      let e = (index / 256) * ${256 * GELU_RUN} + k * 256 + index % 256;
      if (e < uniforms.n) { result[e] = massiveGelu(X[e]); }
    }`;
  const program = new FlatProgram({
    key: `massiveGelu${half ? "Half" : ""}_${GELU_RUN}`, outputShape: shape, variableNames: ["X"], uniforms: "n : i32,", threads: 256, workgroups: Math.ceil(runs / 256),
    code: `${half ? "enable f16;" : ""}
  fn massiveErf(a : f32) -> f32 {
    let p = ${ERF.p}; let a1 = ${ERF.a1}; let a2 = ${ERF.a2}; let a3 = ${ERF.a3}; let a4 = ${ERF.a4}; let a5 = ${ERF.a5};
    let absA = abs(a);
    let t = 1.0 / (1.0 + p * absA);
    return sign(a) * (1.0 - (((((a5 * t + a4) * t) + a3) * t + a2) * t + a1) * t * exp(-absA * absA));
  }
  fn massiveGelu(v : f32) -> f32 { return (v * 0.5) * (massiveErf(v * ${Math.SQRT1_2}) + 1.0); }
  fn main(index : i32) {
    ${body}
  }`,
  });
  return runFlatProgram(program, [x], half ? "int32" : "float32", [{ type: "int32", data: [x.size] }]);
}

/**
 * (a + b) + c of three float32 tensors of one shape in one program: the parallel residual's mlp + attn + input
 * (src/model/gpt-neox.ts) with the two adds' rounding and order, one dispatch instead of two.
 */
export function fusedAdd3(a: tf.Tensor, b: tf.Tensor, c: tf.Tensor): tf.Tensor {
  if (!tf.util.arraysEqual(a.shape, b.shape) || !tf.util.arraysEqual(a.shape, c.shape)) throw new Error(`fusedAdd3: shapes [${a.shape}], [${b.shape}], [${c.shape}] differ`);
  const program = flatProgram("massiveAdd3", a.shape, ["A", "B", "C"], "", `
  fn main(index : i32) {
    if (index < uniforms.size) { result[index] = (A[index] + B[index]) + C[index]; }
  }`);
  return runFlatProgram(program, [a, b, c], "float32");
}

/** Abramowitz-Stegun 7.1.26, the constants tfjs's erf uses (tfjs-core backend_util.ERF_*). */
const ERF = { p: 0.3275911, a1: 0.254829592, a2: -0.284496736, a3: 1.421413741, a4: -1.453152027, a5: 1.061405429 };

/**
 * softmax(scores + causal mask) over the last axis of scores [..., T, T] (query rows, key columns) without the
 * mask tensor: keys after the query get probability 0 and are never read. Same block size and reduction order
 * as tfjs-backend-webgpu's Softmax, so it equals softmax(add(scores, mask)) up to the rounding of exp.
 */
export function fusedCausalSoftmax(scores: tf.Tensor): tf.Tensor {
  const T = scores.shape[scores.rank - 1]!;
  if (scores.shape[scores.rank - 2] !== T) throw new Error(`fusedCausalSoftmax: scores of shape [${scores.shape.join(", ")}] are not [..., T, T]`);
  const rows = scores.size / T;
  const threads = T >= 4096 ? 256 : 64;
  const program = flatProgram("massiveCausalSoftmax", [rows, T], ["S"], "rows : i32,", `
  var<workgroup> buf : array<f32, ${threads}>;
  var<workgroup> rowMaxShared : f32;
  var<workgroup> rowSumShared : f32;
  fn main(index : i32) {
    let row = min(index / ${threads}, uniforms.rows - 1); // extra workgroups of a folded dispatch redo the last row
    let tid = i32(localId.x);
    let cols = uniforms.outShape[1];
    let last = row % cols; // the query's position: keys 0..last are visible
    let base = row * cols;
    var threadMax = -3.402823e+38f;
    for (var col = tid; col <= last; col += ${threads}) { threadMax = max(threadMax, S[base + col]); }
    buf[tid] = threadMax;
    workgroupBarrier();
    for (var size = ${threads / 2}; size > 0; size = size >> 1) {
      if (tid < size) { buf[tid] = max(buf[tid], buf[tid + size]); }
      workgroupBarrier();
    }
    if (tid == 0) { rowMaxShared = buf[0]; }
    workgroupBarrier();
    var threadSum = 0.0;
    for (var col = tid; col <= last; col += ${threads}) { threadSum += exp(S[base + col] - rowMaxShared); }
    buf[tid] = threadSum;
    workgroupBarrier();
    for (var size = ${threads / 2}; size > 0; size = size >> 1) {
      if (tid < size) { buf[tid] = buf[tid] + buf[tid + size]; }
      workgroupBarrier();
    }
    if (tid == 0) { rowSumShared = buf[0]; }
    workgroupBarrier();
    for (var col = tid; col < cols; col += ${threads}) {
      result[base + col] = select(0.0, exp(S[base + col] - rowMaxShared) / rowSumShared, col <= last);
    }
  }`, threads);
  return tf.tidy(() => {
    const out = runFlatProgram(program, [tf.reshape(scores, [rows, T])], "float32", [{ type: "int32", data: [rows] }]);
    return tf.reshape(out, scores.shape);
  });
}
