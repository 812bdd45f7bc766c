/**
 * A float32 matrix product for tfjs-backend-webgpu that runs the GPT-NeoX shapes about twice as fast as the
 * backend's own MatMulPackedProgram on an NVIDIA H200 (see docs/gpu.md): 128 x 128 output tiles per workgroup of
 * 256 threads, each thread an 8 x 8 block of accumulators (as 16 vec4), K in steps of 16 (or 32) through workgroup
 * memory (A stored transposed so both operands are read as vec4; optionally double-buffered), the next K step's
 * global loads issued before the current step's arithmetic. Plain float32 FMA, accumulation in K order: no reduced
 * precision.
 *
 * It replaces the webgpu kernels BatchMatMul and _FusedMatMul for the cases it handles (no transposes, K and N
 * multiples of 4, bias without activation, equal or broadcast batch) and hands every other case to the original
 * kernel. `MASSIVE_WEBGPU_MATMUL=tfjs` keeps the original kernels everywhere, `=128` only the 128-wide tiles (for
 * comparison); `MASSIVE_WEBGPU_MATMUL_SWIZZLE=1` stores the A tile swizzled (measurement, see userCode);
 * `MASSIVE_WEBGPU_MATMUL_BK=32` and `MASSIVE_WEBGPU_MATMUL_DB=1` pick the K step and double buffering (docs/gpu.md).
 */
import * as tf from "@tensorflow/tfjs-core";

const BM = 128;
const THREADS = 256;

/** K step through workgroup memory: 16 (default) or 32 (`MASSIVE_WEBGPU_MATMUL_BK=32`: half the barriers, twice the loads in flight). */
function kStep(): 16 | 32 {
  return process.env.MASSIVE_WEBGPU_MATMUL_BK === "32" ? 32 : 16;
}

export interface TensorInfo { dataId: object; shape: number[]; dtype: string }
export interface WebGpuBackendLike {
  runWebGPUProgram(program: object, inputs: TensorInfo[], dtype: string, uniforms?: { type: string; data: number[] }[]): TensorInfo;
}

/**
 * The WGSL of one variant: a 128 x BN tile (BN = 128: 8 x 8 outputs per thread; BN = 64: 8 x 4, twice the
 * workgroups for narrow or small products), K in steps of BK (16 or 32); `fit` drops the bounds checks (M multiple
 * of 128, N of BN, K of BK).
 * Every workgroup-memory index is built from `li = localIndex % 256`, constant-bounded loop counters and constants,
 * so Dawn's robustness pass can prove it in range and skip its clamp when its integer range analysis is on
 * (src/backend-webgpu.ts, MASSIVE_WEBGPU_ROBUSTNESS); the storage buffers stay bounds-checked either way.
 */
function userCode(BN: number, BK: number, fit: boolean, bias: boolean, swizzle: boolean, double: boolean): string {
  const cols = BN / 64; // vec4 accumulators per row
  const BNv = BN / 4; // vec4 per row of the B tile
  const KQ = BK / 4; // vec4 per row of the A tile
  const nA = (BM * KQ) / THREADS; // A vec4 loads per thread and K step
  const nB = (BK * BNv) / THREADS; // B vec4 loads per thread and K step
  const acc: string[] = [];
  for (let r = 0; r < 8; r++) for (let c = 0; c < cols; c++) acc.push(`var acc${r}${c} = vec4<f32>(0.0);`);
  const fmas: string[] = [];
  for (let r = 0; r < 8; r++) {
    const a = `${r < 4 ? "a0" : "a1"}[${r % 4}]`;
    for (let c = 0; c < cols; c++) fmas.push(`acc${r}${c} = fma(vec4<f32>(${a}), b${c}, acc${r}${c});`);
  }
  const stores: string[] = [];
  for (let r = 0; r < 8; r++) {
    const row = r < 4 ? `m0 + 4 * ty + ${r}` : `m0 + 64 + 4 * ty + ${r - 4}`;
    for (let c = 0; c < cols; c++) {
      const col = c === 0 ? "nv0 + tx" : "nv0 + 16 + tx";
      const value = bias ? `acc${r}${c} + bias[${col}]` : `acc${r}${c}`;
      const store = `result[(outBase + u32(${row})) * nv + u32(${col})] = ${value};`;
      stores.push(fit ? store : `if (${row} < M && ${col} < nvI) { ${store} }`);
    }
  }
  // Global -> registers: A tile (128 rows x KQ vec4: nA per thread), B tile (BK rows x BNv vec4: nB per thread).
  const loadA = (i: number): string => {
    const idx = `(li + ${i * THREADS})`;
    const g = `A[(aBase + u32(m0 + ${idx} / ${KQ})) * kv + u32(kt * ${KQ} + ${idx} % ${KQ})]`;
    return fit ? `ra${i} = ${g};` : `ra${i} = vec4<f32>(0.0); if (m0 + ${idx} / ${KQ} < M && kt * ${KQ} + ${idx} % ${KQ} < i32(kv)) { ra${i} = ${g}; }`;
  };
  const loadB = (i: number): string => {
    const idx = `(li + ${i * THREADS})`;
    const g = `B[(bBase + u32(kt * ${BK} + ${idx} / ${BNv})) * nv + u32(nv0 + ${idx} % ${BNv})]`;
    return fit ? `rb${i} = ${g};` : `rb${i} = vec4<f32>(0.0); if (kt * ${BK} + ${idx} / ${BNv} < K && nv0 + ${idx} % ${BNv} < nvI) { rb${i} = ${g}; }`;
  };
  // A element (row, 4*kq + c) goes to As[(4*kq + c) * 32 + row / 4][row % 4]; B vec4 (krow, nq) to Bs[krow * BNv + nq].
  // `swizzle` (BK = 16 only) stores row / 4 XOR 2 kq instead: the 32 threads of a warp (8 rows x 4 kq) then hit 32
  // banks, not 8 (4-way conflicts on every store); reads undo it (ty XOR 2 (k / 4)), still 2 addresses per warp.
  // `off`: the buffer's first vec4 (double buffering: two tiles of each operand, see below).
  const storeA = (off: string) => (i: number): string => {
    const idx = `(li + ${i * THREADS})`;
    const col = swizzle ? `((${idx} / 16) ^ (${idx} % 4 * 2))` : `${idx} / ${KQ * 4}`;
    return [0, 1, 2, 3].map((c) => `As[${off}(${idx} % ${KQ} * 4 + ${c}) * 32 + ${col}][${idx} / ${KQ} % 4] = ra${i}[${c}];`).join(" ");
  };
  const storeB = (off: string) => (i: number): string => `Bs[${off}li + ${i * THREADS}] = rb${i};`;
  const stage = (offA: string, offB: string): string => `${aLoads.map(storeA(offA)).join("\n      ")}
      ${bLoads.map(storeB(offB)).join(" ")}`;
  const aLoads = Array.from({ length: nA }, (_, i) => i);
  const bLoads = Array.from({ length: nB }, (_, i) => i);
  const loads = `${aLoads.map(loadA).join(" ")} ${bLoads.map(loadB).join(" ")}`;
  const regs = [...aLoads.map((i) => `var ra${i} : vec4<f32>;`), ...bLoads.map((i) => `var rb${i} : vec4<f32>;`)].join(" ");
  const ASZ = (BK * BM) / 4, BSZ = (BK * BN) / 4; // vec4 per tile of each operand
  const bReads = Array.from({ length: cols }, (_, c) => `let b${c} = Bs[${double ? "cb + " : ""}k * ${BNv} + ${16 * c} + tx];`).join("\n        ");
  const inner = `for (var k = 0; k < ${BK}; k++) {
        let ta = ${swizzle ? "ty ^ (k / 4 * 2)" : "ty"};
        let a0 = As[${double ? "ca + " : ""}k * 32 + ta];
        let a1 = As[${double ? "ca + " : ""}k * 32 + 16 + ta];
        ${bReads}
        ${fmas.join("\n        ")}
      }`;
  // Single buffer: two barriers per K step (stage, compute). Double: the next tile is staged into the other buffer
  // after the current one's arithmetic, one barrier per step (that buffer was last read before the previous barrier).
  const loop = double ? `${loads}
    ${stage("", "")}
    workgroupBarrier();
    for (var t = 0; t < tiles; t++) {
      let cur = i32(u32(t) % 2u);
      let ca = cur * ${ASZ};
      let cb = cur * ${BSZ};
      let na = (1 - cur) * ${ASZ};
      let nb = (1 - cur) * ${BSZ};
      kt = t + 1;
      if (kt < tiles) { ${loads} }
      ${inner}
      if (kt < tiles) {
      ${stage("na + ", "nb + ")}
      }
      workgroupBarrier();
    }` : `${loads}
    for (var t = 0; t < tiles; t++) {
      workgroupBarrier();
      ${stage("", "")}
      workgroupBarrier();
      kt = t + 1;
      if (kt < tiles) { ${loads} }
      ${inner}
    }`;
  const buffers = double ? 2 : 1;
  return `
  var<workgroup> As : array<vec4<f32>, ${buffers * ASZ}>;
  var<workgroup> Bs : array<vec4<f32>, ${buffers * BSZ}>;
  fn main() {
    let M = uniforms.dimM;
    let K = uniforms.dimK;
    let nvI = uniforms.dimN / 4;
    let nv = u32(nvI);
    let kv = u32(K / 4);
    let li = i32(localIndex % ${THREADS}u);
    let tx = li % 16;
    let ty = li / 16;
    let batch = i32(workgroupId.z);
    let m0 = i32(workgroupId.y) * ${BM};
    let nv0 = i32(workgroupId.x) * ${BNv};
    let aBase = u32(select(batch, 0, uniforms.batchA == 1) * M);
    let bBase = u32(select(batch, 0, uniforms.batchB == 1) * K);
    let outBase = u32(batch * M);
    ${acc.join("\n    ")}
    ${regs}
    let tiles = (K + ${BK - 1}) / ${BK};
    var kt = 0;
    ${loop}
    ${stores.join("\n    ")}
  }`;
}

class TiledMatMulProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [2], y: [1], z: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  outputComponent = 4;
  uniforms = "dimM : i32, dimN : i32, dimK : i32, batchA : i32, batchB : i32,";
  private readonly fit: boolean;
  private readonly bias: boolean;
  private readonly BN: number;
  private readonly BK = kStep();
  private readonly swizzle = process.env.MASSIVE_WEBGPU_MATMUL_SWIZZLE === "1" && this.BK === 16;
  /** Double-buffered workgroup memory (`MASSIVE_WEBGPU_MATMUL_DB=1`; K step 16 only: 32 KiB). */
  private readonly double = process.env.MASSIVE_WEBGPU_MATMUL_DB === "1" && this.BK === 16;

  constructor(outShape: number[], batch: number, M: number, N: number, K: number, bias: boolean, BN: number) {
    this.outputShape = outShape;
    this.variableNames = bias ? ["A", "B", "bias"] : ["A", "B"];
    this.fit = M % BM === 0 && N % BN === 0 && K % this.BK === 0;
    this.bias = bias;
    this.BN = BN;
    this.dispatch = [Math.ceil(N / BN), Math.ceil(M / BM), batch];
    this.shaderKey = `massiveTiledMatMul_${BM}x${BN}x${this.BK}_${this.fit}_${bias}${this.swizzle ? "_swizzled" : ""}${this.double ? "_double" : ""}`;
  }

  getUserCode(): string {
    return userCode(this.BN, this.BK, this.fit, this.bias, this.swizzle, this.double);
  }
}

type KernelFunc = (args: { inputs: Record<string, TensorInfo | undefined>; backend: unknown; attrs?: Record<string, unknown> }) => TensorInfo | TensorInfo[];

/** Runs the tiled program when it handles the case, else returns undefined. */
function tiledMatMul(a: TensorInfo, b: TensorInfo, bias: TensorInfo | undefined, attrs: Record<string, unknown>, backend: WebGpuBackendLike): TensorInfo | undefined {
  if (attrs.transposeA || attrs.transposeB || a.dtype !== "float32" || b.dtype !== "float32") return undefined;
  if (attrs.activation != null && attrs.activation !== "linear") return undefined;
  const ra = a.shape.length, rb = b.shape.length;
  if (ra < 2 || rb < 2) return undefined;
  const M = a.shape[ra - 2]!, K = a.shape[ra - 1]!, N = b.shape[rb - 1]!;
  if (b.shape[rb - 2] !== K || K % 4 !== 0 || N % 4 !== 0 || M < 64 || N < 64 || K < 16) return undefined;
  const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
  const batchA = outerA.reduce((x, y) => x * y, 1), batchB = outerB.reduce((x, y) => x * y, 1);
  let outer: number[];
  if (batchA === batchB && outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i])) outer = outerA;
  else if (batchB === 1) outer = outerA;
  else if (batchA === 1) outer = outerB;
  else return undefined;
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== N || bias.dtype !== "float32")) return undefined;
  const batch = Math.max(batchA, batchB);
  if (batch > 65535) return undefined;
  // 128-wide tiles unless N is narrow or they would leave the GPU's multiprocessors short of workgroups
  // (under about two per multiprocessor on a 132-SM H200); MASSIVE_WEBGPU_MATMUL=128 keeps 128 always.
  const wide = batch * Math.ceil(M / BM) * Math.ceil(N / 128);
  const BN = process.env.MASSIVE_WEBGPU_MATMUL !== "128" && (N <= 64 || wide < 264) ? 64 : 128;
  const program = new TiledMatMulProgram([...outer, M, N], batch, M, N, K, bias !== undefined, BN);
  const inputs: TensorInfo[] = [
    { dataId: a.dataId, shape: [batchA, M, K], dtype: a.dtype },
    { dataId: b.dataId, shape: [batchB, K, N], dtype: b.dtype },
  ];
  if (bias) inputs.push(bias);
  return backend.runWebGPUProgram(program, inputs, "float32", [
    { type: "int32", data: [M] }, { type: "int32", data: [N] }, { type: "int32", data: [K] },
    { type: "int32", data: [batchA] }, { type: "int32", data: [batchB] },
  ]);
}

let installed = false;

/** Replaces the webgpu BatchMatMul and _FusedMatMul kernels (once); call after the webgpu backend is registered. */
export function installTiledMatMul(): boolean {
  if (installed || process.env.MASSIVE_WEBGPU_MATMUL === "tfjs") return installed;
  for (const kernelName of ["BatchMatMul", "_FusedMatMul"]) {
    const original = tf.getKernel(kernelName, "webgpu");
    if (!original) return false;
    const fallback = original.kernelFunc as unknown as KernelFunc;
    tf.unregisterKernel(kernelName, "webgpu");
    tf.registerKernel({
      kernelName, backendName: "webgpu", setupFunc: original.setupFunc, disposeFunc: original.disposeFunc,
      kernelFunc: ((args: Parameters<KernelFunc>[0]) => {
        const { a, b, bias, preluActivationWeights } = args.inputs;
        if (a && b && !preluActivationWeights) {
          const out = tiledMatMul(a, b, bias, args.attrs ?? {}, args.backend as WebGpuBackendLike);
          if (out) return out;
        }
        return fallback(args);
      }) as unknown as tf.KernelFunc,
    });
  }
  installed = true;
  return true;
}
