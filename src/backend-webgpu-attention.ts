/**
 * GPT-NeoX causal self-attention on webgpu in two programs (forward only, no gradients), replacing the ~30
 * tfjs dispatches per layer of the composite path in src/model/gpt-neox.ts (transpose of the fused qkv output,
 * split, rotary slices/concats/products, head-group slices, kᵀ, q kᵀ, causal softmax, p v, concat, transpose):
 *   1. {@link rotarySplit}: the fused projection output [B*T, H*3*hs] (per head [q | k | v], HF's layout) ->
 *      [3, B*H, T, hs]: q and k rotated on their first rd dims (x * cos + rotate_half(x) * sin, the composite's
 *      products and sum), q scaled by 1/sqrt(hs) afterwards as the composite does;
 *   2. {@link flashCausalAttention}: softmax(q kᵀ + causal mask) v per (sequence, head) without the [T, T] scores in
 *      memory (FlashAttention's online softmax): one workgroup of 256 threads per 64 queries, keys in tiles of 64
 *      through workgroup memory, tiles above the diagonal skipped (half the products), each thread 4 queries x
 *      4 keys of the scores and 4 queries x hs/16 values of the output; written straight into the merged
 *      [B*T, H*hs] layout the dense projection reads. float32 FMA with float32 accumulation throughout.
 * The online softmax rescales partial sums by exp(m_old - m_new) per tile, so it differs from the composite
 * softmax by float32 rounding only (test/backend/webgpu-attention.test.ts states the tolerance). Each thread keeps
 * its own keys' share of the row sums (rescaled like the outputs); the 16 shares of a row are added once at the end.
 * `MASSIVE_WEBGPU_ATTENTION=off` (or MASSIVE_WEBGPU_FUSED=off / MASSIVE_WEBGPU_KERNELS=off) keeps the composite path.
 */
import * as tf from "@tensorflow/tfjs-core";
import { fusedKernelsAvailable } from "./backend-webgpu-kernels";
import { FlatProgram, runFlatProgram, webgpuRunner, type WebGpuProgramRunner } from "./backend-webgpu-program";

/** Queries per workgroup and keys per tile (the thread layout below assumes 64 and 256 threads). */
const BLOCK = 64;
const THREADS = 256;
/** Workgroup memory the flash program declares: 32 KiB (adapters give 32 KiB or more; WebGPU's default is 16). */
const SHARED_BYTES = 32768;

interface DeviceLimits extends WebGpuProgramRunner { device: { limits: { maxComputeWorkgroupStorageSize: number } } }

/**
 * True when the fused attention runs for head size `hs` with `rd` rotary dims: webgpu with the fused programs on,
 * not MASSIVE_WEBGPU_ATTENTION=off, hs a multiple of 4 up to 256, 0 < rd <= hs even, and 32 KiB of workgroup memory.
 */
export function fusedAttentionAvailable(hs: number, rd: number): boolean {
  if (!fusedKernelsAvailable() || process.env.MASSIVE_WEBGPU_ATTENTION === "off") return false;
  if (hs % 4 !== 0 || hs > 256 || rd <= 0 || rd > hs || rd % 2 !== 0) return false;
  return webgpuRunner<DeviceLimits>().device.limits.maxComputeWorkgroupStorageSize >= SHARED_BYTES;
}

/**
 * qkv [B*T, H*3*hs] -> [3, B*H, T, hs] (q, k, v per sequence and head), rotary on q and k (cos, signedSin: [T, rd],
 * src/model/rotary.ts), q times `scale`.
 */
export function rotarySplit(qkv: tf.Tensor2D, cos: tf.Tensor2D, signedSin: tf.Tensor2D, B: number, T: number, H: number, hs: number, scale: number): tf.Tensor4D {
  const rd = cos.shape[1];
  const program = new FlatProgram({
    key: `massiveRotarySplit_${hs}_${rd}`, outputShape: [3, B * H, T, hs], variableNames: ["QKV", "Cos", "Sin"],
    uniforms: "seqLen : i32, heads : i32, scale : f32,", sizeUniform: true, threads: THREADS,
    workgroups: Math.ceil((3 * B * H * T * hs) / THREADS),
    code: `
  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    let T = uniforms.seqLen;
    let H = uniforms.heads;
    let BH = uniforms.outShape[1];
    let d = index % ${hs};
    let t = (index / ${hs}) % T;
    let bh = (index / (${hs} * T)) % BH;
    let which = index / (${hs} * T * BH);
    let base = ((bh / H) * T + t) * (3 * H * ${hs}) + (bh % H) * ${3 * hs} + which * ${hs};
    var v = QKV[base + d];
    if (which < 2 && d < ${rd}) {
      let partner = select(d - ${rd / 2}, d + ${rd / 2}, d < ${rd / 2});
      let rotated = v * Cos[t * ${rd} + d];
      let swapped = QKV[base + partner] * Sin[t * ${rd} + d];
      v = rotated + swapped;
    }
    if (which == 0) { v = v * uniforms.scale; }
    result[index] = v;
  }`,
  });
  return runFlatProgram(program, [qkv, cos, signedSin], "float32", [
    { type: "int32", data: [T] }, { type: "int32", data: [H] }, { type: "float32", data: [scale] },
  ]) as tf.Tensor4D;
}

/**
 * The WGSL of the flash program for head size hs (a multiple of 4, at most 256); with `half` the context is stored
 * as float16 bits (four values in a vec2<i32>: packHalfActivations' layout) for a float16 product.
 */
function flashCode(hs: number, half: boolean): string {
  const HV = hs / 4; // vec4 per head row
  const chunks = Math.ceil(HV / 4); // 16-dim chunks of q and k per key tile
  const NJ = Math.ceil(HV / 16); // output vec4 columns per thread: g = tx + 16 j
  const VK = Math.min(BLOCK, 2048 / hs); // keys per v chunk (2048 floats of workgroup memory)
  const rows = [0, 1, 2, 3];
  const cols = Array.from({ length: NJ }, (_, j) => j);
  const vRegs = Array.from({ length: Math.ceil((VK * HV) / THREADS) }, (_, i) => i); // v vec4 per thread and chunk
  const guard = (j: number, s: string): string => (16 * j + 16 <= HV ? s : `if (tx + ${16 * j} < ${HV}) { ${s} }`);
  const perRow = (f: (r: number) => string): string => rows.map(f).join("\n      ");
  const perOut = (f: (r: number, j: number) => string): string => rows.flatMap((r) => cols.map((j) => f(r, j))).join("\n      ");
  const store = (v: string): string => (half ? `massiveHalf4(${v})` : v);
  return `${half ? `enable f16;
  fn massiveHalf4(v : vec4<f32>) -> vec2<i32> { return vec2<i32>(bitcast<i32>(vec2<f16>(v.xy)), bitcast<i32>(vec2<f16>(v.zw))); }` : ""}
  var<workgroup> qk : array<vec4<f32>, 512>; // q chunk [16 dims][16 x 4 queries], k chunk [16 dims][16 x 4 keys]; v chunk [${VK} keys][${HV}]
  var<workgroup> pT : array<vec4<f32>, ${BLOCK * 16}>; // probabilities [64 keys][16 x 4 queries]
  var<workgroup> redMax : array<f32, ${BLOCK * 16}>; // per query row, 16 partial maxima
  var<workgroup> redSum : array<f32, ${BLOCK * 16}>;
  var<workgroup> blockShared : i32;
  // The next chunk's global loads, issued before the current chunk's arithmetic (as the matrix product does).
  var<private> qv : vec4<f32>;
  var<private> kv : vec4<f32>;
  ${vRegs.map((i) => `var<private> vr${i} : vec4<f32>;`).join(" ")}
  fn massiveLoadQK(qRow : i32, kRow : i32, dq : i32, T : i32, qBase : i32, kBase : i32) {
    qv = vec4<f32>(0.0);
    kv = vec4<f32>(0.0);
    if (dq < ${HV}) {
      if (qRow < T) { qv = QKV[qBase + qRow * ${HV} + dq]; }
      if (kRow < T) { kv = QKV[kBase + kRow * ${HV} + dq]; }
    }
  }
  fn massiveLoadV(key0 : i32, T : i32, vBase : i32, li : i32) {
    ${vRegs.map((i) => `{
      let idx = li + ${i * THREADS};
      let kk = key0 + idx / ${HV};
      vr${i} = vec4<f32>(0.0);
      if (idx < ${VK * HV} && kk < T) { vr${i} = QKV[vBase + kk * ${HV} + idx % ${HV}]; }
    }`).join("\n    ")}
  }
  fn main() {
    let T = uniforms.seqLen;
    let BH = uniforms.bh;
    // From localIndex % 256 (not localIndex) so that Dawn's integer range analysis can prove every workgroup-memory
    // index below in range and drop its clamp (src/backend-webgpu.ts, MASSIVE_WEBGPU_ROBUSTNESS).
    let li = i32(localIndex % ${THREADS}u);
    let tx = li % 16;
    let ty = li / 16;
    let bh = i32(workgroupId.y);
    // Longest blocks (most key tiles) first; a uniform copy for the loop that holds barriers.
    if (li == 0) { blockShared = (T + ${BLOCK - 1}) / ${BLOCK} - 1 - i32(workgroupId.x); }
    let qb = workgroupUniformLoad(&blockShared);
    let q0 = qb * ${BLOCK};
    let qBase = bh * T * ${HV};
    let kBase = (BH + bh) * T * ${HV};
    let vBase = (2 * BH + bh) * T * ${HV};
    let lr = li / 4;
    let dv = li % 4;
    ${perRow((r) => `var m${r} = -3.0e38; var l${r} = 0.0;`)}
    ${perOut((r, j) => `var o${r}${j} = vec4<f32>(0.0);`)}
    massiveLoadQK(q0 + lr, lr, dv, T, qBase, kBase);
    for (var kb = 0; kb <= qb; kb++) {
      let k0 = kb * ${BLOCK};
      ${perRow((r) => `var s${r} = vec4<f32>(0.0);`)}
      for (var c = 0; c < ${chunks}; c++) {
        workgroupBarrier();
        for (var e = 0; e < 4; e++) {
          qk[(4 * dv + e) * 16 + lr / 4][lr % 4] = qv[e];
          qk[256 + (4 * dv + e) * 16 + lr / 4][lr % 4] = kv[e];
        }
        workgroupBarrier();
        if (c + 1 < ${chunks}) { massiveLoadQK(q0 + lr, k0 + lr, (c + 1) * 4 + dv, T, qBase, kBase); }
        else { massiveLoadV(k0, T, vBase, li); }
        for (var dd = 0; dd < 16; dd++) {
          let a = qk[dd * 16 + ty];
          let b = qk[256 + dd * 16 + tx];
          ${perRow((r) => `s${r} = fma(vec4<f32>(a[${r}]), b, s${r});`)}
        }
      }
      // Causal mask (and keys past T): query q0 + 4 ty + r sees keys k0 + 4 tx + e <= itself.
      let key = vec4<i32>(k0 + 4 * tx) + vec4<i32>(0, 1, 2, 3);
      ${perRow((r) => `s${r} = select(vec4<f32>(-3.0e38), s${r}, (key <= vec4<i32>(q0 + 4 * ty + ${r})) & (key < vec4<i32>(T)));
      redMax[(4 * ty + ${r}) * 16 + tx] = max(max(s${r}.x, s${r}.y), max(s${r}.z, s${r}.w));`)}
      workgroupBarrier();
      ${perRow((r) => `var mt${r} = redMax[(4 * ty + ${r}) * 16];
      for (var i = 1; i < 16; i++) { mt${r} = max(mt${r}, redMax[(4 * ty + ${r}) * 16 + i]); }
      let mn${r} = max(m${r}, mt${r});
      let alpha${r} = exp(m${r} - mn${r});
      m${r} = mn${r};
      let p${r} = exp(s${r} - vec4<f32>(mn${r}));
      l${r} = l${r} * alpha${r} + ((p${r}.x + p${r}.y) + (p${r}.z + p${r}.w));
      for (var e = 0; e < 4; e++) { pT[(4 * tx + e) * 16 + ty][${r}] = p${r}[e]; }`)}
      ${perOut((r, j) => `o${r}${j} = o${r}${j} * alpha${r};`)}
      // (pT is read after the first barrier of this loop: no barrier of its own.)
      for (var vc = 0; vc < ${BLOCK / VK}; vc++) {
        workgroupBarrier();
        ${vRegs.map((i) => `if (li + ${i * THREADS} < ${VK * HV}) { qk[li + ${i * THREADS}] = vr${i}; }`).join(" ")}
        workgroupBarrier();
        if (vc + 1 < ${BLOCK / VK}) { massiveLoadV(k0 + (vc + 1) * ${VK}, T, vBase, li); }
        else if (kb < qb) { massiveLoadQK(q0 + lr, k0 + ${BLOCK} + lr, dv, T, qBase, kBase); }
        for (var kk = 0; kk < ${VK}; kk++) {
          let p = pT[(vc * ${VK} + kk) * 16 + ty];
          ${cols.map((j) => guard(j, `let v${j} = qk[kk * ${HV} + tx + ${16 * j}];
          ${rows.map((r) => `o${r}${j} = fma(vec4<f32>(p[${r}]), v${j}, o${r}${j});`).join(" ")}`)).join("\n          ")}
        }
      }
    }
    // The row sums: each thread kept its own keys' share (rescaled like o), summed over the row's 16 threads once.
    ${perRow((r) => `redSum[(4 * ty + ${r}) * 16 + tx] = l${r};`)}
    workgroupBarrier();
    ${perRow((r) => `var lt${r} = 0.0;
    for (var i = 0; i < 16; i++) { lt${r} = lt${r} + redSum[(4 * ty + ${r}) * 16 + i]; }`)}
    let seq = bh / uniforms.heads;
    let head = bh % uniforms.heads;
    let C4 = uniforms.heads * ${HV};
    ${rows.map((r) => `if (q0 + 4 * ty + ${r} < T) {
      let out${r} = (seq * T + q0 + 4 * ty + ${r}) * C4 + head * ${HV} + tx;
      ${cols.map((j) => guard(j, `result[out${r} + ${16 * j}] = ${store(`o${r}${j} / lt${r}`)};`)).join(" ")}
    }`).join("\n    ")}
  }`;
}

class FlashAttentionProgram {
  variableNames = ["QKV"];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [1], y: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  /** Output vec4<f32>, or with `half` vec2<i32> (four float16 values); QKV is read as vec4<f32> either way. */
  outputComponent: number;
  variableComponents = [4];
  uniforms = "seqLen : i32, heads : i32, bh : i32,";
  private readonly hs: number;
  private readonly half: boolean;

  constructor(B: number, T: number, H: number, hs: number, half: boolean) {
    this.hs = hs;
    this.half = half;
    this.outputShape = [B * T, (H * hs) / (half ? 2 : 1)];
    this.outputComponent = half ? 2 : 4;
    this.dispatch = [Math.ceil(T / BLOCK), B * H, 1];
    this.shaderKey = `massiveFlashAttention_${hs}${half ? "_half" : ""}`;
  }

  getUserCode(): string {
    return flashCode(this.hs, this.half);
  }
}

/**
 * softmax(q kᵀ + causal mask) v for q, k, v from {@link rotarySplit} ([3, B*H, T, hs], q already scaled), as the
 * merged context [B*T, H*hs] (token rows, heads in order as HF merges them); with `half` its float16 bits,
 * [B*T, H*hs / 2] int32 (for halfLinear: float16 compute's output projection, no packing pass).
 */
export function flashCausalAttention(qkvHeads: tf.Tensor4D, B: number, T: number, H: number, hs: number, half = false): tf.Tensor2D {
  const program = new FlashAttentionProgram(B, T, H, hs, half);
  return runFlatProgram(program, [qkvHeads], half ? "int32" : "float32", [
    { type: "int32", data: [T] }, { type: "int32", data: [H] }, { type: "int32", data: [B * H] },
  ]) as tf.Tensor2D;
}

/** Both programs: the attention context [B*T, H*hs] (with `half` float16 bits, see flashCausalAttention) of the fused projection output qkv [B*T, H*3*hs]. */
export function fusedCausalAttention(qkv: tf.Tensor2D, cos: tf.Tensor2D, signedSin: tf.Tensor2D, B: number, T: number, H: number, hs: number, half = false): tf.Tensor2D {
  return tf.tidy(() => flashCausalAttention(rotarySplit(qkv, cos, signedSin, B, T, H, hs, 1 / Math.sqrt(hs)), B, T, H, hs, half));
}
