/**
 * WebGPU kernels for training (src/train), run through tfjs-backend-webgpu's runWebGPUProgram like the matrix product
 * of ./backend-webgpu-matmul.ts. A training update of composite TF.js ops is about 2,000 small dispatches, each
 * costing about 0.1 ms of encoding in Node (docs/gpu.md); these kernels replace the op chains that dominate the count:
 * - AdamW: m, v and the parameter updated in their own buffers (3 dispatches per tensor instead of about 14 plus
 *   scalar uploads), the clip coefficient read on the GPU;
 * - the global gradient norm: one sum-of-squares dispatch per tensor into a slot of one buffer, one for the coefficient;
 * - LayerNorm forward (row statistics, then the normalised rows) and backward (dx, dw, db);
 * - the scaled causal softmax of attention forward and backward (the [B, H, T, T] mask is never read);
 * - exact (erf) GELU forward and backward.
 * Every kernel computes in float32 the same formulas as the composite ops (test/train/fused-kernels.test.ts compares
 * them on the device). Only src/train calls these, and only when the backend is webgpu; elsewhere it keeps the
 * composite ops. `MASSIVE_TRAIN_FUSED=0` turns them off.
 */
import * as tf from "@tensorflow/tfjs-core";
import { FlatProgram, runFlatProgram, webgpuRunner, type TensorInfo, type Uniform, type WebGpuProgramRunner } from "./backend-webgpu-program";

/** True when the training kernels are in use: the webgpu backend and not switched off by MASSIVE_TRAIN_FUSED=0. */
export function trainKernelsActive(): boolean {
  return tf.getBackend() === "webgpu" && process.env.MASSIVE_TRAIN_FUSED !== "0";
}

/**
 * A program over flat float32 buffers: `workgroups` workgroups of `threads` threads, `main(index)` the user code
 * (more than 65,535 workgroups fold into 2-D: see FlatProgram).
 */
function trainProgram(variableNames: string[], size: number, workgroups: number, threads: number, uniforms: string, code: string, key: string): FlatProgram {
  return new FlatProgram({ key: `massiveTrain_${key}`, outputShape: [size], variableNames, uniforms, code, threads, workgroups });
}

const flat = (t: tf.Tensor): TensorInfo => ({ dataId: t.dataId, shape: [t.size], dtype: t.dtype });

/** Runs `program` on `inputs` (flattened, so that one compiled shader serves every shape) into a new float32 tensor of `shape`. */
const run = (program: FlatProgram, inputs: tf.Tensor[], uniforms: Uniform[], shape: number[]): tf.Tensor => runFlatProgram(program, inputs.map(flat), "float32", uniforms, shape);

/**
 * Runs `program` writing into `target`'s own buffer (no new tensor: used for optimizer state and parameters). The
 * backend keeps the values of a tensor read with data() on the host and serves later reads from that copy, so the
 * copy is dropped: the buffer holds the values now.
 */
function runInPlace(program: FlatProgram, target: tf.Tensor, inputs: tf.Tensor[], uniforms: Uniform[]): void {
  const b = webgpuRunner<WebGpuProgramRunner & { tensorMap: { get(dataId: object): { values: unknown } | undefined } }>();
  b.runWebGPUProgram(program, inputs.map(flat), "float32", uniforms, flat(target));
  const entry = b.tensorMap.get(target.dataId);
  if (entry) entry.values = null;
}

/** Tree reduction of `buf` (workgroup array of `n` = power of two) by `op`; the result ends in buf[0]. */
const reduce = (n: number, op: (a: string, b: string) => string): string => `
    for (var stride = ${n / 2}u; stride > 0u; stride = stride >> 1u) {
      if (localIndex < stride) { buf[localIndex] = ${op("buf[localIndex]", "buf[localIndex + stride]")}; }
      workgroupBarrier();
    }`;
const SUM = (a: string, b: string): string => `${a} + ${b}`;

// ---- Global gradient norm and AdamW -------------------------------------------------------------------------------

const SUMSQ_THREADS = 256;
const sumSquaresCode = `
  var<workgroup> buf : array<f32, ${SUMSQ_THREADS}>;
  fn main(index : i32) {
    var acc = 0.0;
    for (var i = i32(localIndex); i < uniforms.n; i += ${SUMSQ_THREADS}) { let x = g[i]; acc = acc + x * x; }
    buf[localIndex] = acc;
    workgroupBarrier();
    ${reduce(SUMSQ_THREADS, SUM)}
    if (localIndex == 0u) { result[uniforms.slot] = buf[0]; }
  }`;

/** acc[slot] = sum of g's squares (one workgroup; writes into acc's buffer). */
export function sumSquaresInto(acc: tf.Tensor, slot: number, g: tf.Tensor): void {
  const program = trainProgram(["g"], acc.size, 1, SUMSQ_THREADS, "n : i32, slot : i32,", sumSquaresCode, "sumSquares");
  runInPlace(program, acc, [g], [{ type: "int32", data: [g.size] }, { type: "int32", data: [slot] }]);
}

const clipCode = `
  fn main(index : i32) {
    if (index != 0) { return; }
    var total = 0.0;
    for (var i = 0; i < uniforms.count; i++) { total = total + sq[i]; }
    let norm = sqrt(total);
    result[0] = norm;
    result[1] = min(uniforms.maxNorm / (norm + 1e-6), 1.0);
  }`;

/** [norm, coef] from per-tensor sums of squares: norm = sqrt(sum), coef = min(maxNorm / (norm + 1e-6), 1) (clip_grad_norm_). */
export function clipCoefficient(sumSquares: tf.Tensor, maxNorm: number): tf.Tensor1D {
  const program = trainProgram(["sq"], 2, 1, 1, "count : i32, maxNorm : f32,", clipCode, "clipCoef");
  return run(program, [sumSquares], [{ type: "int32", data: [sumSquares.size] }, { type: "float32", data: [maxNorm] }], [2]) as tf.Tensor1D;
}

const ELEMENTWISE_THREADS = 256;
// m = m + (g c - m)(1 - b1);  v = v b2 + (g c)^2 (1 - b2), with g c the clipped gradient (rounded once, as the composite).
const momentCode = (second: boolean): string => `
  fn main(index : i32) {
    if (index >= uniforms.n) { return; }
    let gc = g[index] * coef[1];
    let old = result[index];
    result[index] = ${second ? "old * uniforms.beta + (gc * gc) * uniforms.oneMinusBeta" : "old + (gc - old) * uniforms.oneMinusBeta"};
  }`;
// p = p (1 - lr wd) - (m / (sqrt(v) / sqrt(1 - b2^t) + eps)) lr / (1 - b1^t)
const paramCode = `
  fn main(index : i32) {
    if (index >= uniforms.n) { return; }
    let denom = sqrt(v[index]) / uniforms.bc2Sqrt + uniforms.eps;
    result[index] = result[index] * uniforms.decay - (m[index] / denom) * uniforms.stepSize;
  }`;

export interface AdamWStepConstants { beta1: number; beta2: number; eps: number; decay: number; stepSize: number; bc2Sqrt: number }

/** One AdamW update of p, m, v in their buffers, the gradient scaled by coef[1] (see clipCoefficient). */
export function adamWInPlace(p: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, coef: tf.Tensor, k: AdamWStepConstants): void {
  const n = p.size;
  const groups = Math.ceil(n / ELEMENTWISE_THREADS);
  const nU: Uniform = { type: "int32", data: [n] };
  const moment = (second: boolean): FlatProgram => trainProgram(["g", "coef"], n, groups, ELEMENTWISE_THREADS, "n : i32, beta : f32, oneMinusBeta : f32,", momentCode(second), second ? "adamV" : "adamM");
  runInPlace(moment(false), m, [g, coef], [nU, { type: "float32", data: [k.beta1] }, { type: "float32", data: [1 - k.beta1] }]);
  runInPlace(moment(true), v, [g, coef], [nU, { type: "float32", data: [k.beta2] }, { type: "float32", data: [1 - k.beta2] }]);
  const param = trainProgram(["m", "v"], n, groups, ELEMENTWISE_THREADS, "n : i32, decay : f32, stepSize : f32, bc2Sqrt : f32, eps : f32,", paramCode, "adamP");
  runInPlace(param, p, [m, v], [nU, ...[k.decay, k.stepSize, k.bc2Sqrt, k.eps].map((x): Uniform => ({ type: "float32", data: [x] }))]);
}

/**
 * WGSL of a program with one workgroup of `threads` threads per row of `len` values (`uniforms.<len>`, and
 * `uniforms.rows` rows): `body` runs with `buf` (workgroup scratch), `row`, `<len>` and `base` (the row's first
 * index). Above 65,535 workgroups tfjs folds the dispatch into a square 2-D grid, so the row index is clamped: the
 * extra workgroups redo the last row with the same values (an early return would put the barriers in non-uniform
 * control flow).
 */
const rowKernel = (threads: number, len: "cols" | "T", body: string): string => `
  var<workgroup> buf : array<f32, ${threads}>;
  fn main(index : i32) {
    let row = min(index / ${threads}, uniforms.rows - 1);
    let ${len} = uniforms.${len};
    let base = row * ${len};${body}
  }`;

// ---- LayerNorm ------------------------------------------------------------------------------------------------------

const ROW_THREADS = 128;
/** `let name = sum over the row's columns c of expr` (all threads of the row's workgroup; buf reused afterwards). */
const rowSum = (name: string, expr: string): string => `
    acc = 0.0;
    for (var c = i32(localIndex); c < cols; c += ${ROW_THREADS}) { acc = acc + ${expr}; }
    buf[localIndex] = acc;
    workgroupBarrier();
    ${reduce(ROW_THREADS, SUM)}
    let ${name} = buf[0];
    workgroupBarrier();`;

// stats[row] = (mean, 1 / sqrt(biased variance + eps)) as the composite (mean, then mean of squared deviations).
const lnStatsCode = rowKernel(ROW_THREADS, "cols", `
    var acc = 0.0;
    ${rowSum("sum", "x[base + c]")}
    let mean = sum / f32(cols);
    ${rowSum("sq", "(x[base + c] - mean) * (x[base + c] - mean)")}
    if (localIndex == 0u) {
      result[2 * row] = mean;
      result[2 * row + 1] = inverseSqrt(sq / f32(cols) + uniforms.eps);
    }`);

const lnApplyCode = `
  fn main(index : i32) {
    if (index >= uniforms.n) { return; }
    let row = index / uniforms.cols;
    let c = index - row * uniforms.cols;
    result[index] = ((x[index] - stats[2 * row]) * stats[2 * row + 1]) * w[c] + b[c];
  }`;

// dx = rstd (g - mean(g) - xhat mean(g xhat)), g = dy w, xhat = (x - mean) rstd.
const lnGradXCode = rowKernel(ROW_THREADS, "cols", `
    let mean = stats[2 * row];
    let rstd = stats[2 * row + 1];
    var acc = 0.0;
    ${rowSum("sg", "dy[base + c] * w[c]")}
    ${rowSum("sgx", "dy[base + c] * w[c] * ((x[base + c] - mean) * rstd)")}
    let mg = sg / f32(cols);
    let mgx = sgx / f32(cols);
    for (var c = i32(localIndex); c < cols; c += ${ROW_THREADS}) {
      let xhat = (x[base + c] - mean) * rstd;
      result[base + c] = rstd * (dy[base + c] * w[c] - mg - xhat * mgx);
    }`);

// Column sums over rows: which = 0: dw = sum dy xhat, which = 1: db = sum dy. One workgroup per column.
const COLUMN_THREADS = 256;
const lnGradParamCode = `
  var<workgroup> buf : array<f32, ${COLUMN_THREADS}>;
  fn main(index : i32) {
    let cols = uniforms.cols;
    let c = min(index / ${COLUMN_THREADS}, cols - 1); // extra workgroups of a folded dispatch redo the last column
    var acc = 0.0;
    for (var r = i32(localIndex); r < uniforms.rows; r += ${COLUMN_THREADS}) {
      let d = dy[r * cols + c];
      if (uniforms.which == 0) { acc = acc + d * ((x[r * cols + c] - stats[2 * r]) * stats[2 * r + 1]); } else { acc = acc + d; }
    }
    buf[localIndex] = acc;
    workgroupBarrier();
    ${reduce(COLUMN_THREADS, SUM)}
    if (localIndex == 0u) { result[c] = buf[0]; }
  }`;

/** Per-row [mean, rstd] of x [rows, cols] (a [rows, 2] tensor). */
export function layerNormStats(x: tf.Tensor2D, eps: number): tf.Tensor2D {
  const [rows, cols] = x.shape;
  const program = trainProgram(["x"], rows * 2, rows, ROW_THREADS, "cols : i32, eps : f32, rows : i32,", lnStatsCode, "lnStats");
  return run(program, [x], [{ type: "int32", data: [cols] }, { type: "float32", data: [eps] }, { type: "int32", data: [rows] }], [rows, 2]) as tf.Tensor2D;
}

/** (x - mean) rstd w + b from the row statistics. */
export function layerNormApply(x: tf.Tensor2D, stats: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  const [rows, cols] = x.shape;
  const program = trainProgram(["x", "stats", "w", "b"], rows * cols, Math.ceil((rows * cols) / ELEMENTWISE_THREADS), ELEMENTWISE_THREADS, "n : i32, cols : i32,", lnApplyCode, "lnApply");
  return run(program, [x, stats, w, b], [{ type: "int32", data: [rows * cols] }, { type: "int32", data: [cols] }], [rows, cols]) as tf.Tensor2D;
}

/** LayerNorm's input gradient. */
export function layerNormGradX(x: tf.Tensor2D, stats: tf.Tensor2D, w: tf.Tensor, dy: tf.Tensor2D): tf.Tensor2D {
  const [rows, cols] = x.shape;
  const program = trainProgram(["x", "stats", "w", "dy"], rows * cols, rows, ROW_THREADS, "cols : i32, rows : i32,", lnGradXCode, "lnGradX");
  return run(program, [x, stats, w, dy], [{ type: "int32", data: [cols] }, { type: "int32", data: [rows] }], [rows, cols]) as tf.Tensor2D;
}

/** LayerNorm's weight (which = "weight": sum of dy xhat over rows) or bias (sum of dy) gradient. */
export function layerNormGradParam(x: tf.Tensor2D, stats: tf.Tensor2D, dy: tf.Tensor2D, which: "weight" | "bias"): tf.Tensor1D {
  const [rows, cols] = x.shape;
  const program = trainProgram(["x", "stats", "dy"], cols, cols, COLUMN_THREADS, "cols : i32, rows : i32, which : i32,", lnGradParamCode, "lnGradParam");
  return run(program, [x, stats, dy], [{ type: "int32", data: [cols] }, { type: "int32", data: [rows] }, { type: "int32", data: [which === "weight" ? 0 : 1] }], [cols]) as tf.Tensor1D;
}

// ---- Scaled causal softmax --------------------------------------------------------------------------------------------

const SOFTMAX_THREADS = 256;
// Row r of [B H T, T] is query position i = r mod T: keys j > i get probability 0 (the composite adds -3.4e38 there,
// whose exp underflows to exactly 0), the rest softmax(scores * scale) with the row maximum subtracted.
const softmaxCode = rowKernel(SOFTMAX_THREADS, "T", `
    let i = row % T;
    var mx = -3.402823e+38f;
    for (var j = i32(localIndex); j <= i; j += ${SOFTMAX_THREADS}) { mx = max(mx, s[base + j] * uniforms.scale); }
    buf[localIndex] = mx;
    workgroupBarrier();
    ${reduce(SOFTMAX_THREADS, (a, b) => `max(${a}, ${b})`)}
    let rowMax = buf[0];
    workgroupBarrier();
    var acc = 0.0;
    for (var j = i32(localIndex); j <= i; j += ${SOFTMAX_THREADS}) { acc = acc + exp(s[base + j] * uniforms.scale - rowMax); }
    buf[localIndex] = acc;
    workgroupBarrier();
    ${reduce(SOFTMAX_THREADS, SUM)}
    let total = buf[0];
    for (var j = i32(localIndex); j < T; j += ${SOFTMAX_THREADS}) {
      result[base + j] = select(0.0, exp(s[base + j] * uniforms.scale - rowMax) / total, j <= i);
    }`);

// d scores = scale y (dy - sum_j dy y).
const softmaxGradCode = rowKernel(SOFTMAX_THREADS, "T", `
    var acc = 0.0;
    for (var j = i32(localIndex); j < T; j += ${SOFTMAX_THREADS}) { acc = acc + dy[base + j] * y[base + j]; }
    buf[localIndex] = acc;
    workgroupBarrier();
    ${reduce(SOFTMAX_THREADS, SUM)}
    let total = buf[0];
    for (var j = i32(localIndex); j < T; j += ${SOFTMAX_THREADS}) {
      result[base + j] = (y[base + j] * (dy[base + j] - total)) * uniforms.scale;
    }`);

/** softmax(scores * scale + causal mask) over the last axis of scores [..., T, T]. */
export function causalSoftmax(scores: tf.Tensor, scale: number): tf.Tensor {
  const T = scores.shape[scores.rank - 1]!;
  const rows = scores.size / T;
  const program = trainProgram(["s"], scores.size, rows, SOFTMAX_THREADS, "T : i32, scale : f32, rows : i32,", softmaxCode, "causalSoftmax");
  return run(program, [scores], [{ type: "int32", data: [T] }, { type: "float32", data: [scale] }, { type: "int32", data: [rows] }], scores.shape);
}

/** Gradient of {@link causalSoftmax} with respect to the scores, from its output y and the incoming dy. */
export function causalSoftmaxGrad(y: tf.Tensor, dy: tf.Tensor, scale: number): tf.Tensor {
  const T = y.shape[y.rank - 1]!;
  const rows = y.size / T;
  const program = trainProgram(["y", "dy"], y.size, rows, SOFTMAX_THREADS, "T : i32, scale : f32, rows : i32,", softmaxGradCode, "causalSoftmaxGrad");
  return run(program, [y, dy], [{ type: "int32", data: [T] }, { type: "float32", data: [scale] }, { type: "int32", data: [rows] }], y.shape);
}

// ---- GELU (exact) ---------------------------------------------------------------------------------------------------

// erf as tfjs-backend-webgpu computes it (Abramowitz and Stegun 7.1.26, the constants of tfjs backend_util).
const ERF = `
  fn erfAS(a : f32) -> f32 {
    let t = 1.0 / (1.0 + 0.3275911 * abs(a));
    return sign(a) * (1.0 - (((((1.061405429 * t + -1.453152027) * t) + 1.421413741) * t + -0.284496736) * t + 0.254829592) * t * exp(-abs(a) * abs(a)));
  }`;
// y = (x 0.5)(erf(x / sqrt 2) + 1);  dy/dx = 0.5 (1 + erf(x / sqrt 2)) + x exp(-x^2 / 2) / sqrt(2 pi).
const geluCode = (grad: boolean): string => `${ERF}
  fn main(index : i32) {
    if (index >= uniforms.n) { return; }
    let a = x[index];
    ${grad
    ? "result[index] = dy[index] * (0.5 * (1.0 + erfAS(a * 0.7071067811865476)) + a * exp(-0.5 * a * a) * 0.3989422804014327);"
    : "result[index] = (a * 0.5) * (erfAS(a * 0.7071067811865476) + 1.0);"}
  }`;

/** Exact GELU, x 0.5 (1 + erf(x / sqrt 2)). */
export function gelu(x: tf.Tensor): tf.Tensor {
  const program = trainProgram(["x"], x.size, Math.ceil(x.size / ELEMENTWISE_THREADS), ELEMENTWISE_THREADS, "n : i32,", geluCode(false), "gelu");
  return run(program, [x], [{ type: "int32", data: [x.size] }], x.shape);
}

/** dy times the derivative of exact GELU at x. */
export function geluGrad(x: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const program = trainProgram(["x", "dy"], x.size, Math.ceil(x.size / ELEMENTWISE_THREADS), ELEMENTWISE_THREADS, "n : i32,", geluCode(true), "geluGrad");
  return run(program, [x, dy], [{ type: "int32", data: [x.size] }], x.shape);
}
