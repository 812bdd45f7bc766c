/**
 * GPT-NeoX causal self-attention on webgpu in two programs (forward only, no gradients), replacing the ~30
 * tfjs dispatches per layer of the composite path in src/model/gpt-neox.ts (transpose of the fused qkv output,
 * split, rotary slices/concats/products, head-group slices, kᵀ, q kᵀ, causal softmax, p v, concat, transpose):
 *   1. {@link rotarySplit}: the fused projection output [B*T, H*3*hs] (per head [q | k | v], HF's layout) ->
 *      [3, B*H, T, hs]: q and k rotated on their first rd dims (x * cos + rotate_half(x) * sin, the composite's
 *      products and sum), q scaled by 1/sqrt(hs) afterwards as the composite does;
 *   2. {@link flashCausalAttention}: softmax(q kᵀ + causal mask) v per (sequence, head) without the [T, T] scores in
 *      memory (FlashAttention's online softmax): one workgroup of 256 threads per 16 x rows queries (rows 4 or 8:
 *      {@link FlashTile}), keys in tiles of 64 (or 128) through workgroup memory, tiles above the diagonal skipped
 *      (half the products), each thread rows x 4 (or 8) keys of the scores and rows x hs/16 values of the output;
 *      written straight into the merged [B*T, H*hs] layout the dense projection reads. float32 FMA with float32
 *      accumulation throughout. MASSIVE_WEBGPU_FLASH picks the tile ({@link flashTile}).
 * The online softmax rescales partial sums by exp(m_old - m_new) per tile, so it differs from the composite
 * softmax by float32 rounding only (test/backend/webgpu-attention.test.ts states the tolerance). Each thread keeps
 * its own keys' share of the row sums (rescaled like the outputs); the 16 shares of a row are added once at the end.
 * `MASSIVE_WEBGPU_ATTENTION=off` (or MASSIVE_WEBGPU_FUSED=off / MASSIVE_WEBGPU_KERNELS=off) keeps the composite path.
 */
import * as tf from "@tensorflow/tfjs-core";
import { HALF4_WGSL } from "./backend-webgpu-f16-code";
import { fusedKernelsAvailable } from "./backend-webgpu-kernels";
import { FlatProgram, runFlatProgram, webgpuRunner, type WebGpuProgramRunner } from "./backend-webgpu-program";

/** Threads per workgroup (the thread layout below assumes 16 x 16). */
const THREADS = 256;
/** Workgroup memory the session-6 tile (v1) declares: 32 KiB (adapters give 32 KiB or more; WebGPU's default is 16). */
const SHARED_BYTES = 32768;
/** Workgroup memory a tile may declare at most: the H200's (and WebGPU's usual desktop) 48 KiB. */
const MAX_SHARED_BYTES = 49152;

interface DeviceLimits extends WebGpuProgramRunner { device: { limits: { maxComputeWorkgroupStorageSize: number } } }

/**
 * The flash program's work split. `rows` queries per thread (a workgroup takes 16 x rows: thread ty has rows
 * 64 g + 4 ty + r), `dims` dims of q and k per pass through workgroup memory (16 or 32), and the workgroup-memory
 * `layout`: "v1" is session 6's kernel (rows 4, dims 16: transposed scalar stores of P with a 16-way bank conflict,
 * q/k stores with a 4-way one, scalar row-max reads), "v2" stores P as vec4 with an XOR swizzle, q and k row-major
 * per warp and reads the row maxima as vec4 (no bank conflicts on the H200's 32 banks; see docs/gpu.md). `keys`
 * per thread (v2 only; default 4): 8 makes key tiles of 128 (half the tiles, and their max/exp/barrier overhead).
 * `vkeys` (v2 only): the q/k chunk's memory grown to hold v chunks of at least that many keys (fewer v chunks, two
 * barriers each), and the block number kept in it; without it a v chunk has as many keys as that memory holds.
 */
export interface FlashTile { rows: 4 | 8; dims: 16 | 32; layout: "v1" | "v2"; keys?: 4 | 8; vkeys?: number }

/** Session 6's kernel, kept selectable (MASSIVE_WEBGPU_FLASH=v1) for comparisons and as the fallback. */
export const FLASH_V1: FlashTile = { rows: 4, dims: 16, layout: "v1" };

/** vec4 of the q/k chunk's memory for head size hs (it also holds a v chunk and, aliased, the row maxima). */
function qkVec4(hs: number, tile: FlashTile): number {
  const QB = 16 * tile.rows, KB = 16 * (tile.keys ?? 4);
  return Math.max((tile.dims / 4) * (QB + KB), (Math.min(tile.vkeys ?? 0, KB) * hs) / 4);
}

/** Workgroup memory of a tile for head size hs, bytes; `aliasMax`: the row maxima share the q/k chunk's memory. */
function tileBytes(hs: number, tile: FlashTile, aliasMax: boolean): number {
  const QB = 16 * tile.rows, KB = 16 * (tile.keys ?? 4);
  const max = tile.layout === "v1" ? 2 * QB * 16 * 4 : aliasMax ? 0 : QB * 20 * 4;
  return 16 * qkVec4(hs, tile) + KB * QB * 4 + max + (tile.vkeys ? 0 : 4);
}

/** Whether a v2 tile keeps its row maxima in the q/k chunk's memory (one barrier more per key tile) to fit 48 KiB. */
function aliasesMax(hs: number, tile: FlashTile): boolean {
  return tile.layout === "v2" && tileBytes(hs, tile, false) > MAX_SHARED_BYTES;
}

/** Workgroup memory the flash program of `tile` declares for head size hs, bytes. */
export function flashTileBytes(hs: number, tile: FlashTile): number {
  return tileBytes(hs, tile, aliasesMax(hs, tile));
}

/**
 * "v1", or ROWSxDIMS with an optional k8 (8 keys per thread) and vN (N keys per v chunk), layout v2 (e.g. "8x16",
 * "4x16k8", "8x16v64"); undefined if neither.
 */
export function parseFlashTile(name: string): FlashTile | undefined {
  if (name === "v1") return FLASH_V1;
  const m = /^([48])x(16|32)(k8)?(?:v(8|16|32|64|128))?$/.exec(name);
  if (!m) return undefined;
  return { rows: Number(m[1]) as 4 | 8, dims: Number(m[2]) as 16 | 32, layout: "v2", ...(m[3] ? { keys: 8 as const } : {}), ...(m[4] ? { vkeys: Number(m[4]) } : {}) };
}

/**
 * The tile for head size hs: MASSIVE_WEBGPU_FLASH=v1 (session 6's kernel) or a v2 name ({@link parseFlashTile});
 * unset: 8x16 for heads of up to 128 dims, 4x32 above (the fastest in session 7's rounds 2 and 3 on the H200: 70m
 * 6.68 vs v1's 7.86 ms, 1b 65.0-66.1 vs 69.2-70.3 ms of GPU time per 5 x 2048 pass, one 12b layer 9.44 vs 10.35 ms;
 * docs/gpu.md). A tile over the adapter's workgroup memory falls back to v1.
 */
export function flashTile(hs: number): FlashTile {
  const env = process.env.MASSIVE_WEBGPU_FLASH || (hs <= 128 ? "8x16" : "4x32"); // unset or empty: the default
  const tile = parseFlashTile(env);
  if (!tile) throw new Error(`MASSIVE_WEBGPU_FLASH must be v1 or ROWSxDIMS[k8][vN] (e.g. 8x16, 4x32, 4x16k8, 8x16v64; got ${JSON.stringify(env)})`);
  return flashTileBytes(hs, tile) <= webgpuRunner<DeviceLimits>().device.limits.maxComputeWorkgroupStorageSize ? tile : FLASH_V1;
}

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
 * The WGSL of the flash program for head size hs (a multiple of 4, at most 256) and `tile` (see {@link FlashTile});
 * with `half` the context is stored as float16 bits (four values in a vec2<i32>: packHalfActivations' layout) for a
 * float16 product.
 */
function flashCode(hs: number, half: boolean, tile: FlashTile): string {
  const v2 = tile.layout === "v2";
  const R = tile.rows, QB = 16 * R, QB4 = QB / 4; // rows per thread, queries per workgroup, their vec4
  const K4 = (tile.keys ?? 4) / 4, KB = 64 * K4; // groups of 4 keys per thread (keys 64 h + 4 tx + e), keys per tile
  const HV = hs / 4; // vec4 per head row
  const DV = tile.dims / 4; // vec4 of q and k dims per chunk
  const chunks = Math.ceil(HV / DV); // chunks of q and k per key tile
  const NJ = Math.ceil(HV / 16); // output vec4 columns per thread: g = tx + 16 j
  const QKV4 = qkVec4(hs, tile); // vec4 of the q/k chunk memory (also the v chunk's and, aliased, the maxima's)
  const VK = Math.min(KB, 2 ** Math.floor(Math.log2((4 * QKV4) / hs))); // keys per v chunk
  const KOFF = DV * QB; // the k chunk's first vec4
  const nq = (QB * DV) / THREADS, nk = (KB * DV) / THREADS; // vec4 loads of q and k per thread and chunk
  const alias = aliasesMax(hs, tile);
  if ((!v2 && (R !== 4 || DV !== 4 || K4 !== 1 || tile.vkeys)) || (alias && QB * 5 > QKV4)) throw new Error(`flash attention: no tile ${JSON.stringify(tile)}`);
  const MX = alias ? "qk" : "redMax";
  const rows = Array.from({ length: R }, (_, r) => r);
  const groups = Array.from({ length: R / 4 }, (_, g) => g);
  const halves = Array.from({ length: K4 }, (_, h) => h);
  const sc = (r: number, h: number): string => (h ? `s${r}h${h}` : `s${r}`); // row r's scores of keys 64 h + 4 tx + e
  const pb = (r: number, h: number): string => (h ? `p${r}h${h}` : `p${r}`); // and their probabilities
  const keyOf = (h: number): string => (h ? `(${64 * h} + 4 * tx + e)` : "(4 * tx + e)"); // key e of group h in the tile
  const cols = Array.from({ length: NJ }, (_, j) => j);
  const qRegs = Array.from({ length: nq }, (_, i) => i), kRegs = Array.from({ length: nk }, (_, i) => i);
  const vRegs = Array.from({ length: Math.ceil((VK * HV) / THREADS) }, (_, i) => i); // v vec4 per thread and chunk
  const row = (r: number): string => `${64 * (r >> 2)} + 4 * ty + ${r & 3}`; // thread ty's row r in the workgroup
  const pr = (r: number): string => `pg${r >> 2}[${r & 3}]`; // row r's probability of one key in the P V loop
  const guard = (j: number, s: string): string => (16 * j + 16 <= HV ? s : `if (tx + ${16 * j} < ${HV}) { ${s} }`);
  const perRow = (f: (r: number) => string): string => rows.map(f).join("\n      ");
  const perOut = (f: (r: number, j: number) => string): string => rows.flatMap((r) => cols.map((j) => f(r, j))).join("\n      ");
  const store = (v: string): string => (half ? `massiveHalf4(${v})` : v);
  // A chunk's vec4 number f of N rows (q: QB, k: 64) -> its row and vec4 of dims. v2: consecutive threads take
  // consecutive rows, so the transposed scalar stores below hit 32 banks; v1: 4 threads per row (4-way conflict).
  const place = (f: string, N: number): [string, string] => (v2 ? [`(${f}) % ${N}`, `(${f}) / ${N}`] : [`(${f}) / ${DV}`, `(${f}) % ${DV}`]);
  const load = (reg: string, f: string, N: number, first: string, base: string): string => {
    const [rw, dv] = place(f, N);
    return `{ let rw = ${rw}; let d = c * ${DV} + ${dv}; ${reg} = vec4<f32>(0.0);
      if (d < ${HV} && ${first} + rw < T) { ${reg} = QKV[${base} + (${first} + rw) * ${HV} + d]; } }`;
  };
  const put = (reg: string, f: string, N: number, off: number): string => {
    const [rw, dv] = place(f, N);
    return `{ let rw = ${rw}; let dv = ${dv};
          for (var e = 0; e < 4; e++) { qk[${off} + (4 * dv + e) * ${N / 4} + rw / 4][rw % 4] = ${reg}[e]; } }`;
  };
  // P for the P V loop: v1 [64 keys][16 ty] vec4 of 4 rows, stored one float at a time; v2 [64 keys][R/4 groups][16]
  // with ty XOR (key / 4) % 8, so that the 8 threads of a quarter warp (tx 0..7) store one vec4 each to 8 distinct
  // 16-byte bank groups, and the P V loop's two ty of a warp read distinct ones.
  const pAt = (key: string, g: number | string): string => (v2 ? `${key} * ${QB4} + ${g} * 16 + (ty ^ ((${key} >> 2) & 7))` : `${key} * 16 + ty`);
  // Row maxima and sums: v1 [QB rows][16 tx] floats; v2 [QB rows][5 vec4] (a row's 16 values and 4 floats of pad,
  // so that the rows 4 ty + r of a warp's two ty fall 16 banks apart), read as 4 vec4.
  const share = (r: number, v: string): string => (v2 ? `${MX}[(${row(r)}) * 5 + tx / 4][tx % 4] = ${v};` : `${MX}[(${row(r)}) * 16 + tx] = ${v};`);
  const gather = (r: number, name: string, op: "max" | "+", mem = MX): string => {
    if (!v2) return `var ${name} = ${mem}[(${row(r)}) * 16];
      for (var i = 1; i < 16; i++) { ${name} = ${op === "max" ? `max(${name}, ${mem}[(${row(r)}) * 16 + i])` : `${name} + ${mem}[(${row(r)}) * 16 + i]`}; }`;
    const part = (i: number): string => `${mem}[(${row(r)}) * 5 + ${i}]`;
    return op === "max"
      ? `let ${name}v = max(max(${part(0)}, ${part(1)}), max(${part(2)}, ${part(3)}));
      let ${name} = max(max(${name}v.x, ${name}v.y), max(${name}v.z, ${name}v.w));`
      : `let ${name}v = (${part(0)} + ${part(1)}) + (${part(2)} + ${part(3)});
      let ${name} = (${name}v.x + ${name}v.y) + (${name}v.z + ${name}v.w);`;
  };
  return `${half ? `enable f16;
  ${HALF4_WGSL}` : ""}
  var<workgroup> qk : array<vec4<f32>, ${QKV4}>; // q chunk [${tile.dims} dims][${QB} queries], k chunk [${tile.dims} dims][${KB} keys]; v chunk [${VK} keys][${HV}]
  var<workgroup> pT : array<vec4<f32>, ${KB * QB4}>; // probabilities [${KB} keys][${QB} queries]
  ${v2 ? (alias ? "// row maxima and sums: in qk" : `var<workgroup> redMax : array<vec4<f32>, ${QB * 5}>; // row maxima, then sums`)
    : `var<workgroup> redMax : array<f32, ${QB * 16}>; // per query row, 16 partial maxima
  var<workgroup> redSum : array<f32, ${QB * 16}>;`}
  ${tile.vkeys ? "// the block number: in qk[0] (as f32, exact below 2^24)" : "var<workgroup> blockShared : i32;"}
  // The next chunk's global loads, issued before the current chunk's arithmetic (as the matrix product does).
  ${[...qRegs.map((i) => `var<private> qv${i} : vec4<f32>;`), ...kRegs.map((i) => `var<private> kv${i} : vec4<f32>;`), ...vRegs.map((i) => `var<private> vr${i} : vec4<f32>;`)].join(" ")}
  fn massiveLoadQK(q0 : i32, k0 : i32, c : i32, T : i32, qBase : i32, kBase : i32, li : i32) {
    ${qRegs.map((i) => load(`qv${i}`, `li + ${i * THREADS}`, QB, "q0", "qBase")).join("\n    ")}
    ${kRegs.map((i) => load(`kv${i}`, `li + ${i * THREADS}`, KB, "k0", "kBase")).join("\n    ")}
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
    ${tile.vkeys ? `if (li == 0) { qk[0] = vec4<f32>(f32((T + ${QB - 1}) / ${QB} - 1 - i32(workgroupId.x))); }
    let qb = i32(workgroupUniformLoad(&qk[0]).x);` : `if (li == 0) { blockShared = (T + ${QB - 1}) / ${QB} - 1 - i32(workgroupId.x); }
    let qb = workgroupUniformLoad(&blockShared);`}
    let q0 = qb * ${QB};
    let kbLast = min((q0 + ${QB - 1}) / ${KB}, (T - 1) / ${KB}); // the last key tile with a key <= some query
    let qBase = bh * T * ${HV};
    let kBase = (BH + bh) * T * ${HV};
    let vBase = (2 * BH + bh) * T * ${HV};
    ${perRow((r) => `var m${r} = -3.0e38; var l${r} = 0.0;`)}
    ${perOut((r, j) => `var o${r}${j} = vec4<f32>(0.0);`)}
    massiveLoadQK(q0, 0, 0, T, qBase, kBase, li);
    for (var kb = 0; kb <= kbLast; kb++) {
      let k0 = kb * ${KB};
      ${perRow((r) => halves.map((h) => `var ${sc(r, h)} = vec4<f32>(0.0);`).join(" "))}
      for (var c = 0; c < ${chunks}; c++) {
        workgroupBarrier();
        ${qRegs.map((i) => put(`qv${i}`, `li + ${i * THREADS}`, QB, 0)).join("\n        ")}
        ${kRegs.map((i) => put(`kv${i}`, `li + ${i * THREADS}`, KB, KOFF)).join("\n        ")}
        workgroupBarrier();
        if (c + 1 < ${chunks}) { massiveLoadQK(q0, k0, c + 1, T, qBase, kBase, li); }
        else { massiveLoadV(k0, T, vBase, li); }
        for (var dd = 0; dd < ${tile.dims}; dd++) {
          ${groups.map((g) => `let a${g} = qk[dd * ${QB4} + ${16 * g} + ty];`).join(" ")}
          ${halves.map((h) => `let b${h || ""} = qk[${KOFF} + dd * ${KB / 4} + ${h ? `${16 * h} + ` : ""}tx];`).join(" ")}
          ${perRow((r) => halves.map((h) => `${sc(r, h)} = fma(vec4<f32>(a${r >> 2}[${r & 3}]), b${h || ""}, ${sc(r, h)});`).join(" "))}
        }
      }
      // Causal mask (and keys past T): query q0 + row sees keys k0 + 4 tx + e <= itself.
      let key = vec4<i32>(k0 + 4 * tx) + vec4<i32>(0, 1, 2, 3);${halves.slice(1).map((h) => ` let key${h} = key + vec4<i32>(${64 * h});`).join("")}
      ${alias ? "workgroupBarrier(); // the row maxima go where other threads may still read this chunk" : ""}
      ${perRow((r) => `${halves.map((h) => `${sc(r, h)} = select(vec4<f32>(-3.0e38), ${sc(r, h)}, (key${h || ""} <= vec4<i32>(q0 + ${row(r)})) & (key${h || ""} < vec4<i32>(T)));`).join("\n      ")}
      ${share(r, halves.map((h) => `max(max(${sc(r, h)}.x, ${sc(r, h)}.y), max(${sc(r, h)}.z, ${sc(r, h)}.w))`).reduce((a, b) => `max(${a}, ${b})`))}`)}
      workgroupBarrier();
      ${perRow((r) => `${gather(r, `mt${r}`, "max")}
      let mn${r} = max(m${r}, mt${r});
      let alpha${r} = exp(m${r} - mn${r});
      m${r} = mn${r};
      ${halves.map((h) => `let ${pb(r, h)} = exp(${sc(r, h)} - vec4<f32>(mn${r}));`).join(" ")}
      l${r} = l${r} * alpha${r} + ${halves.map((h) => `((${pb(r, h)}.x + ${pb(r, h)}.y) + (${pb(r, h)}.z + ${pb(r, h)}.w))`).join(" + ")};
      ${v2 ? "" : `for (var e = 0; e < 4; e++) { pT[${pAt("(4 * tx + e)", 0)}][${r}] = p${r}[e]; }`}`)}
      ${v2 ? `for (var e = 0; e < 4; e++) {
        ${halves.flatMap((h) => groups.map((g) => `pT[${pAt(keyOf(h), g)}] = vec4<f32>(${[0, 1, 2, 3].map((r) => `${pb(4 * g + r, h)}[e]`).join(", ")});`)).join("\n        ")}
      }` : ""}
      ${perOut((r, j) => `o${r}${j} = o${r}${j} * alpha${r};`)}
      // (pT is read after the first barrier of this loop: no barrier of its own.)
      for (var vc = 0; vc < ${KB / VK}; vc++) {
        workgroupBarrier();
        ${vRegs.map((i) => `if (li + ${i * THREADS} < ${VK * HV}) { qk[li + ${i * THREADS}] = vr${i}; }`).join(" ")}
        workgroupBarrier();
        if (vc + 1 < ${KB / VK}) { massiveLoadV(k0 + (vc + 1) * ${VK}, T, vBase, li); }
        else if (kb < kbLast) { massiveLoadQK(q0, k0 + ${KB}, 0, T, qBase, kBase, li); }
        for (var kk = 0; kk < ${VK}; kk++) {
          let pkey = vc * ${VK} + kk;
          ${groups.map((g) => `let pg${g} = pT[${pAt("pkey", g)}];`).join(" ")}
          ${cols.map((j) => guard(j, `let v${j} = qk[kk * ${HV} + tx + ${16 * j}];
          ${rows.map((r) => `o${r}${j} = fma(vec4<f32>(${pr(r)}), v${j}, o${r}${j});`).join(" ")}`)).join("\n          ")}
        }
      }
    }
    // The row sums: each thread kept its own keys' share (rescaled like o), summed over the row's 16 threads once.
    ${v2 ? "workgroupBarrier();" : ""}
    ${perRow((r) => (v2 ? share(r, `l${r}`) : `redSum[(${row(r)}) * 16 + tx] = l${r};`))}
    workgroupBarrier();
    ${perRow((r) => (v2 ? gather(r, `lt${r}`, "+") : gather(r, `lt${r}`, "+", "redSum")))}
    let seq = bh / uniforms.heads;
    let head = bh % uniforms.heads;
    let C4 = uniforms.heads * ${HV};
    ${rows.map((r) => `if (q0 + ${row(r)} < T) {
      let out${r} = (seq * T + q0 + ${row(r)}) * C4 + head * ${HV} + tx;
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
  private readonly tile: FlashTile;

  constructor(B: number, T: number, H: number, hs: number, half: boolean, tile: FlashTile) {
    this.hs = hs;
    this.half = half;
    this.tile = tile;
    this.outputShape = [B * T, (H * hs) / (half ? 2 : 1)];
    this.outputComponent = half ? 2 : 4;
    this.dispatch = [Math.ceil(T / (16 * tile.rows)), B * H, 1];
    // Every field of the tile changes the code: tfjs reuses a cached pipeline for an equal key (vkeys was missing until 2026-12-02 session 8).
    this.shaderKey = `massiveFlashAttention_${hs}${half ? "_half" : ""}_${tile.rows}x${tile.dims}k${tile.keys ?? 4}${tile.layout}${tile.vkeys ? `v${tile.vkeys}` : ""}`;
  }

  getUserCode(): string {
    return flashCode(this.hs, this.half, this.tile);
  }
}

/**
 * softmax(q kᵀ + causal mask) v for q, k, v from {@link rotarySplit} ([3, B*H, T, hs], q already scaled), as the
 * merged context [B*T, H*hs] (token rows, heads in order as HF merges them); with `half` its float16 bits,
 * [B*T, H*hs / 2] int32 (for halfLinear: float16 compute's output projection, no packing pass). `tile`: the
 * work split ({@link flashTile}'s choice by default).
 */
export function flashCausalAttention(qkvHeads: tf.Tensor4D, B: number, T: number, H: number, hs: number, half = false, tile = flashTile(hs)): tf.Tensor2D {
  const program = new FlashAttentionProgram(B, T, H, hs, half, tile);
  return runFlatProgram(program, [qkvHeads], half ? "int32" : "float32", [
    { type: "int32", data: [T] }, { type: "int32", data: [H] }, { type: "int32", data: [B * H] },
  ]) as tf.Tensor2D;
}

/** Both programs: the attention context [B*T, H*hs] (with `half` float16 bits, see flashCausalAttention) of the fused projection output qkv [B*T, H*3*hs]. */
export function fusedCausalAttention(qkv: tf.Tensor2D, cos: tf.Tensor2D, signedSin: tf.Tensor2D, B: number, T: number, H: number, hs: number, half = false, tile = flashTile(hs)): tf.Tensor2D {
  return tf.tidy(() => flashCausalAttention(rotarySplit(qkv, cos, signedSin, B, T, H, hs, 1 / Math.sqrt(hs)), B, T, H, hs, half, tile));
}
