/**
 * Exact order statistics of |x| per row on webgpu (top1, top2, top3 and the lower median, as torch.topk and
 * torch.median give them) by a 4-round radix select over the float32 bit patterns (non-negative floats order like
 * their bits), entirely on the GPU: nothing crosses to the host until the caller downloads the [rows, 4] float32
 * result, so recording needs no GPU round trip per layer. Moved from ./backend-webgpu-kernels.ts (which re-exports
 * it) unchanged. webgpu backend only.
 */
import * as tf from "@tensorflow/tfjs-core";
import { FLAT_THREADS as THREADS, flatProgram, runFlatProgram, toTensor, webgpuRunner, type TensorInfo, type WebGpuProgramRunner } from "./backend-webgpu-program";

/** Order statistics per row, in this order: ranks n, n-1, n-2 (top1..3) and the lower median (1-based ranks). */
export const ORDER_QUERIES = 4;

/**
 * The 1-based ranks (ascending) of top1, top2, top3 and torch.median's lower median among n values (the lower
 * median's 0-based index is floor((n - 1) / 2), as lowerMedianIndex in ../record/select.ts).
 */
export function orderStatRanks(n: number): number[] {
  return [n, n - 1, n - 2, Math.floor((n - 1) / 2) + 1];
}

const Q = ORDER_QUERIES;
const BINS = 256;

/**
 * One radix round's histogram: every element of each row whose bits match a query's prefix so far adds one to
 * that query's bin of the next 8 bits (in the first round all queries share one histogram). Counts gather in
 * workgroup memory, then one atomic add per non-empty bin goes to the output.
 */
class RadixHistogramProgram {
  outputShape: number[];
  variableNames = ["X", "S"];
  shaderKey = "massiveRadixHistogram";
  dispatchLayout = { x: [1], y: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  atomic = true;
  uniforms = "n : i32, rowOffset : i32, bitShift : i32, firstRound : i32,";

  constructor(totalRows: number, chunkRows: number, n: number) {
    this.outputShape = [totalRows, Q * BINS];
    this.dispatch = [Math.max(1, Math.min(4096, Math.ceil(n / (THREADS * 64)))), chunkRows, 1];
  }

  getUserCode(): string {
    return `
  var<workgroup> hist : array<atomic<u32>, ${Q * BINS}>;
  fn main() {
    let li = localIndex;
    for (var i = li; i < ${Q * BINS}u; i = i + ${THREADS}u) { atomicStore(&hist[i], 0u); }
    workgroupBarrier();
    let row = i32(workgroupId.y);
    let gRow = row + uniforms.rowOffset;
    var pre : array<u32, ${Q}>;
    var msk : array<u32, ${Q}>;
    for (var q = 0; q < ${Q}; q = q + 1) {
      pre[q] = bitcast<u32>(S[gRow * ${Q * 3} + q * 3]);
      msk[q] = bitcast<u32>(S[gRow * ${Q * 3} + q * 3 + 1]);
    }
    let shift = u32(uniforms.bitShift);
    let base = row * uniforms.n;
    let stride = i32(numWorkgroups.x) * ${THREADS};
    for (var i = i32(workgroupId.x) * ${THREADS} + i32(li); i < uniforms.n; i = i + stride) {
      let bits = bitcast<u32>(abs(X[base + i]));
      let d = (bits >> shift) & 255u;
      if (uniforms.firstRound == 1) {
        atomicAdd(&hist[d], 1u);
      } else {
        for (var q = 0; q < ${Q}; q = q + 1) {
          if ((bits & msk[q]) == pre[q]) { atomicAdd(&hist[u32(q) * ${BINS}u + d], 1u); }
        }
      }
    }
    workgroupBarrier();
    for (var i = li; i < ${Q * BINS}u; i = i + ${THREADS}u) {
      let c = atomicLoad(&hist[i]);
      if (c > 0u) { atomicAdd(&result[gRow * ${Q * BINS} + i32(i)], i32(c)); }
    }
  }`;
  }
}

/**
 * One radix round's choice per (row, query): the bin holding the query's rank among the elements matching its
 * prefix; the state [rows, Q * 3] (prefix, mask, rank within the prefix) moves 8 bits on.
 */
const SELECT_CODE = `
  fn main(index : i32) {
    if (index >= uniforms.pairs) { return; }
    let b = index / ${Q};
    let q = index - b * ${Q};
    let s = b * ${Q * 3} + q * 3;
    let k = S[s + 2];
    let slot = select(q, 0, uniforms.firstRound == 1);
    let h = b * ${Q * BINS} + slot * ${BINS};
    var cum = 0;
    var d = 0;
    loop {
      if (d >= ${BINS - 1}) { break; }
      let c = H[h + d];
      if (cum + c >= k) { break; }
      cum = cum + c;
      d = d + 1;
    }
    let shift = u32(uniforms.bitShift);
    result[s] = bitcast<i32>(bitcast<u32>(S[s]) | (u32(d) << shift));
    result[s + 1] = bitcast<i32>(bitcast<u32>(S[s + 1]) | (255u << shift));
    result[s + 2] = k - cum;
  }`;

/** The selected bit patterns [rows, Q * 3] (prefix, mask, rank) -> their float32 values [rows, Q]. */
const VALUES_CODE = `
  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    result[index] = bitcast<f32>(S[index * 3]);
  }`;

/**
 * Exact order statistics of |x| per row over rows spread across `chunks` (each a tensor whose rows of `n`
 * consecutive float32 values follow one another): returns a float32 tensor [rows, 4] of (top1, top2, top3, lower
 * median), still on the GPU. Needs n >= 3. (The bit patterns never pass through tfjs ops: those of int32 tensors
 * compute in float32 on webgpu and would round patterns above 2^24.)
 */
export function orderStatsOnGpu(chunks: { x: tf.Tensor; rows: number }[], n: number): tf.Tensor {
  if (n < 3) throw new Error(`orderStatsOnGpu: rows of ${n} values (need at least 3)`);
  const rows = chunks.reduce((a, c) => a + c.rows, 0);
  for (const c of chunks) if (c.x.size !== c.rows * n) throw new Error(`orderStatsOnGpu: a chunk of ${c.x.size} values is not ${c.rows} rows of ${n}`);
  const backend = webgpuRunner<WebGpuProgramRunner>();
  const fill = tf.getKernel("Fill", "webgpu")!.kernelFunc as unknown as (a: { backend: unknown; attrs: Record<string, unknown>; inputs: object }) => TensorInfo;
  const init = new Int32Array(rows * Q * 3);
  const ranks = orderStatRanks(n);
  for (let b = 0; b < rows; b++) for (let q = 0; q < Q; q++) init[b * Q * 3 + q * 3 + 2] = ranks[q]!;
  let state: tf.Tensor = tf.tensor2d(init, [rows, Q * 3], "int32");
  for (let round = 0; round < 4; round++) {
    const shift = 24 - 8 * round;
    const first = round === 0 ? 1 : 0;
    const hist = toTensor(fill({ backend, attrs: { shape: [rows, Q * BINS], value: 0, dtype: "int32" }, inputs: {} }));
    let rowOffset = 0;
    for (const c of chunks) {
      backend.runWebGPUProgram(new RadixHistogramProgram(rows, c.rows, n), [c.x as unknown as TensorInfo, state as unknown as TensorInfo], "int32", [
        { type: "int32", data: [n] }, { type: "int32", data: [rowOffset] }, { type: "int32", data: [shift] }, { type: "int32", data: [first] },
      ], hist as unknown as TensorInfo);
      rowOffset += c.rows;
    }
    const select = flatProgram("massiveRadixSelect", [rows, Q * 3], ["H", "S"], "pairs : i32, bitShift : i32, firstRound : i32,", SELECT_CODE);
    const next = runFlatProgram(select, [hist, state], "int32", [
      { type: "int32", data: [rows * Q] }, { type: "int32", data: [shift] }, { type: "int32", data: [first] },
    ]);
    hist.dispose();
    state.dispose();
    state = next;
  }
  const values = runFlatProgram(flatProgram("massiveRadixValues", [rows, Q], ["S"], "", VALUES_CODE), [state], "float32");
  state.dispose();
  return values;
}
