/**
 * Causal flash attention on the tensor cores for float16 compute (GPTNeoXOptions.compute = "float16"), forward only:
 * softmax(q k^T + causal mask) v per (sequence, head) without the [T, T] scores in memory, both products on Dawn's
 * subgroup matrices (f16 x f16 -> f32, 16x16x16), written straight into the merged [B*T, H*hs] context (float32, or
 * its float16 bits for float16 compute's output projection).
 *
 * Input: q (rotated, scaled by 1/sqrt(hs)), k (rotated) and v^T as float16 bits from packAttentionHalf
 * (./backend-webgpu-attention-tc.ts: one program, q/k rows padded to T' = T rounded up to 64 and hp = hs rounded up to
 * 32 halves, v^T [hs, T']). A workgroup takes BQ = 16 x subgroups queries of one (sequence, head), each subgroup 16 of
 * them, and walks the key tiles of BK keys from key 0 to the block's last query TWICE:
 *   1. S = q k^T (BK / 16 result matrices per subgroup; q's hs / 16 left matrices loaded once from global memory),
 *      stored to workgroup memory; two lanes per query row keep the max m of their half of the keys (causal mask on
 *      the fly), merged once after the last tile;
 *   2. the same S again, p = exp(s - m) <= 1 rounded to float16 into workgroup memory (each lane summing its p in
 *      float32 into l), and O += P v with O in hs / 16 result matrices per subgroup for the whole key loop: m is
 *      final when p is made, so O never needs the per-row rescaling of a one-pass online softmax, which a subgroup
 *      result matrix cannot do. The price: q k^T twice (for 64-dim heads 1.5x the tensor-core work of one pass).
 * At the end each subgroup stores its O matrices to workgroup memory and its lanes write O / l for the rows of
 * queries < T (session 8's R1 and R2 kernel normalised p before rounding it and summed l in pass 1: more exps).
 * Every matrix operation has a form of ./backend-webgpu-f16-code.ts's verified product: workgroup memory is one
 * array<vec4<i32>> (8 halves or 4 floats per element; offsets and strides counted in those elements), left operands
 * row-major (q straight from the packed global buffer, as the product's direct A; P from workgroup memory), right
 * operands column-major (k [key][dim] and v^T [dim][key] rows), result matrices stored row-major to workgroup memory
 * and read back as floats. Loops that hold barriers or matrix operations have bounds from uniforms and the
 * workgroup's block number only (uniform control flow).
 *
 * Fits: hs a multiple of 16 up to 256, the adapter's f16 -> f32 16x16x16 configuration, the workgroup memory of
 * {@link halfAttentionBytes} (the device's limit; the H200 offers 48 KiB).
 * Error (test/backend/webgpu-attention-f16.test.ts derives the bound): q, k, p, v rounded to float16 (u = 2^-11).
 * H200, 2026-12-02 session 8 rounds 1 to 3 (bench/gpu/h200-2026-12-02-s8/round-1,2,3/F): the test passes (every case
 * and tile, max |error| 2.4e-7 to 3.6e-3 against bounds of 1.4e-3 to 0.35); per 5 x 2048-token pass this program
 * takes 2.36 ms of GPU time on 70m in R3 (2.75-3.15 before pass 1 lost its exps; the float32 flash kernel 6.68),
 * 2.2-2.6 ms on one 12b layer (9.37), 18.9 ms on 1b (66.1).
 * MASSIVE_WEBGPU_ATTENTION_F16 (halfAttentionMode, ./backend-webgpu-attention-tc.ts): `auto` (the default) routes
 * float16 compute's attention here for heads under 256 dims, `flash` for every head size that fits.
 * History: three one-pass versions (O rescaled per tile through workgroup memory or row-lane registers, scalar f16/f32
 * workgroup arrays) failed their device test on the H200 on 2026-12-02 with O(1) errors
 * (bench/gpu/h200-2026-12-02-attn-f16/, -session-check/); this two-pass version replaced them.
 */
import * as tf from "@tensorflow/tfjs-core";
import { fusedAttentionAvailable } from "./backend-webgpu-attention";
import { HALF4_WGSL, HALF_MATMUL_DIRECTIVES, SUBGROUP } from "./backend-webgpu-f16-code";
import { halfComputeAvailable, halfMatrixConfig } from "./backend-webgpu-f16";
import { flashHalfWanted, packAttentionHalf, packedAttentionLayout } from "./backend-webgpu-attention-tc";
import { runFlatProgram, webgpuRunner, type WebGpuProgramRunner } from "./backend-webgpu-program";

/** Side of the subgroup matrices used (the 16x16x16 f16 -> f32 configuration). */
const MAT = 16;
/** packAttentionHalf's padding: T to a multiple of 64 (so blocks of up to 64 queries and tiles of up to 64 keys never pass it), hs to 32. */
const T_STEP = 64, HS_STEP = 32;

/**
 * The workgroup: `subgroups` x 16 queries (subgroups 1, 2 or 4), `keys` keys per tile (16, 32 or 64); `split` (default
 * 1) subgroups share each 16 queries, each with 1/split of a tile's scores and of O's columns (more subgroups per
 * workgroup, fewer registers each; needs keys and hs / 16 divisible by split, keys / split >= 16).
 */
export interface HalfAttentionTile { subgroups: 1 | 2 | 4; keys: 16 | 32 | 64; split?: 1 | 2 }

/**
 * The tile per head size: 64 queries, one subgroup per 16 of them; keys per tile: 64 for heads of up to 64 dims, 16 up
 * to 128, 32 above. H200, session 8 (GPU ms per pass of 5 x 2048 tokens, bench/gpu/attention-f16.ts): 70m (hs 64)
 * 64 keys 3.15 (R1) / 2.75 (R2), 32 keys 7.86, 16 keys 11.01; one 12b layer (hs 128, R2) 16 keys 2.23, 64 keys 2.49, 32
 * keys 3.28; 1b (hs 256) 32 keys 18.87 / 19.92, 16 keys 28.31 / 36.7 (64 do not fit 48 KiB). 32 queries, and two
 * subgroups per 16 queries (split 2: 70m 10.6-11.8, 1b 80.7), were slower everywhere.
 */
export function halfAttentionTile(hs: number): HalfAttentionTile {
  return { subgroups: 4, keys: hs <= 64 ? 64 : hs <= 128 ? 16 : 32 };
}

const roundUp = (n: number, step: number): number => Math.ceil(n / step) * step;

/**
 * Where things lie in the workgroup array (vec4<i32> elements of 8 halves / 4 floats): the k / v^T tile (one region:
 * v^T is staged after the last read of k), the subgroups' scores (then their O matrices), their P rows; row strides
 * padded by one element against bank conflicts, each region one row longer than its tiles (a matrix load never
 * reaches a region's end, whatever extent a robustness clamp assumes).
 */
function layout(hs: number, tile: HalfAttentionTile) {
  const BQ = MAT * tile.subgroups, BK = tile.keys;
  const SK = hs / 8 + 1; // k rows [key][dim]
  const SV = BK / 8 + 1; // v^T rows [dim][key]
  const SS = BK / 4 + 1; // score rows (floats), also O rows in chunks of BK columns
  const SP = BK / 8 + 1; // P rows (halves)
  const kv = Math.max(BK * SK, hs * SV) + Math.max(SK, SV);
  const s = BQ * SS + SS, p = BQ * SP + SP;
  return { BQ, BK, SK, SV, SS, SP, S0: kv, P0: kv + s, units: kv + s + p };
}

/** Workgroup memory of the program in bytes (the array, the lanes' merge of m and l, the block number). */
export function halfAttentionBytes(hs: number, tile: HalfAttentionTile): number {
  return 16 * layout(hs, tile).units + 8 * SUBGROUP * tile.subgroups * (tile.split ?? 1) + 4;
}

interface DeviceLimits extends WebGpuProgramRunner { device: { limits: { maxComputeWorkgroupStorageSize: number } } }

/**
 * True when {@link fusedCausalAttentionHalf} runs for head size hs with rd rotary dims: MASSIVE_WEBGPU_ATTENTION_F16
 * asks for it (flashHalfWanted: `flash`, or `auto`, the default, below the products' head sizes), the float32 fused
 * attention is available (./backend-webgpu-attention.ts: webgpu, fused programs on, rotary dims), float16 compute is
 * available with the 16x16x16 configuration, hs % 16 == 0, hs <= 256, and the device's workgroup memory holds
 * {@link halfAttentionBytes}.
 */
export function halfAttentionAvailable(hs: number, rd: number): boolean {
  if (!flashHalfWanted(hs) || !halfComputeAvailable() || !fusedAttentionAvailable(hs, rd)) return false;
  const cfg = halfMatrixConfig();
  if (!cfg || cfg.M !== MAT || cfg.N !== MAT || cfg.K !== MAT || hs % MAT !== 0 || hs > 256) return false;
  return webgpuRunner<DeviceLimits>().device.limits.maxComputeWorkgroupStorageSize >= halfAttentionBytes(hs, halfAttentionTile(hs));
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * WGSL lines moving `units` vec4<i32> elements from global memory into registers `reg`i (load) or from them into
 * workgroup memory (store), `threads` threads; `src(i)` / `dst(i)` give the WGSL index of element i (an i32 `idx`).
 */
function staging(reg: string, units: number, threads: number, src: string, dst: string): { decl: string; load: string; store: string } {
  const n = Math.ceil(units / threads);
  const guard = (i: number): string => ((i + 1) * threads > units ? `if (idx < ${units}) ` : "");
  const each = (f: (i: number) => string): string => range(n).map((i) => `{ let idx = li + ${i * threads}; ${guard(i)}{ ${f(i)} } }`).join("\n      ");
  return {
    decl: range(n).map((i) => `var ${reg}${i} = vec4<i32>(0);`).join(" "),
    load: each((i) => `${reg}${i} = QKV[u32(${src})];`),
    store: each((i) => `Sm[u32(${dst})] = ${reg}${i};`),
  };
}

/**
 * The WGSL (after tfjs's declarations) of the program for head size hs, `tile`, and the output as float32 (vec4) or
 * float16 bits (`half`: vec2<i32> per four values, packHalfActivations' layout).
 */
export function flashHalfCode(hs: number, tile: HalfAttentionTile, half: boolean): string {
  const SPL = tile.split ?? 1, NSG = tile.subgroups * SPL, THREADS = SUBGROUP * NSG;
  const { BQ, BK, SK, SV, SS, SP, S0, P0, units } = layout(hs, tile);
  const DM = hs / MAT, KM = BK / MAT; // matrices along the head dims, along a tile's keys
  const KL = BK / (2 * SPL); // keys per softmax lane (2 x split lanes per query row)
  if (hs % MAT !== 0 || BK % MAT !== 0 || T_STEP % BQ !== 0 || T_STEP % BK !== 0 || KM % SPL !== 0 || DM % SPL !== 0 || KL % 8 !== 0) throw new Error(`flashHalfCode: no tile ${JSON.stringify(tile)} for hs ${hs}`);
  const KS = KM / SPL, DS = DM / SPL; // this subgroup's score matrices per tile, its O matrices
  const RU = roundUp(hs, HS_STEP) / 8; // elements per packed q / k row in global memory
  const HV = hs / 4; // vec4 per context row
  const RL = 2 * SPL; // lanes per query row
  const L = `subgroup_matrix_left<f16, ${MAT}, ${MAT}>`;
  const R = `subgroup_matrix_right<f16, ${MAT}, ${MAT}>`;
  const C = `subgroup_matrix_result<f32, ${MAT}, ${MAT}>`;
  // k tile: BK rows of hs / 8 elements from row k0 of the pair's k; v^T tile: hs rows of BK / 8 elements from column k0.
  const k = staging("rk", (BK * hs) / 8, THREADS, `kBase + (k0n + idx / ${hs / 8}) * ${RU} + idx % ${hs / 8}`, `(idx / ${hs / 8}) * ${SK} + idx % ${hs / 8}`);
  const v = staging("rv", (hs * BK) / 8, THREADS, `vBase + (idx / ${BK / 8}) * vRow + k0 / 8 + idx % ${BK / 8}`, `(idx / ${BK / 8}) * ${SV} + idx % ${BK / 8}`);
  /** S = q k^T of this subgroup's 16 rows and its ${KS} key matrices of the staged tile, stored to the rows' scores. */
  const scores = `${range(KS).map((c) => `var s${c} = ${C}();`).join(" ")}
      ${range(DM).map((d) => range(KS).map((c) => `s${c} = subgroupMatrixMultiplyAccumulate(qm${d}, subgroupMatrixLoad<${R}, col_major>(&Sm, kOff + ${c * MAT * SK + d * 2}u, ${SK}u), s${c});`).join("\n      ")).join("\n      ")}
      ${range(KS).map((c) => `subgroupMatrixStore<row_major>(&Sm, sCol + ${c * 4}u, s${c}, ${SS}u);`).join("\n      ")}`;
  const keys = (e: number): string => `(kl + vec4<i32>(${4 * e}, ${4 * e + 1}, ${4 * e + 2}, ${4 * e + 3})) <= vec4<i32>(qRow)`;
  /** This lane's scores of the staged tile as vec4 e (keys kl + 4e ..), masked (key <= query) to `masked`. */
  const lane = (e: number, masked: string): string => `select(vec4<f32>(${masked}), bitcast<vec4<f32>>(Sm[sRow + ${e}u]), ${keys(e)})`;
  const tileStart = `workgroupBarrier(); // the previous tile's reads of this memory are done
      ${k.store}
      workgroupBarrier();`;
  // O leaves through the rows' score memory: per chunk each subgroup stores up to KS of its DS matrices side by side
  // (slots part * KS ..), and the rows' lanes write the slots that hold a matrix to the context.
  const chunks = range(Math.ceil(DS / KS));
  const outChunk = (q: number): string => {
    const n = Math.min(KS, DS - q * KS); // matrices per subgroup in this chunk
    return `workgroupBarrier();
    ${range(n).map((t) => `subgroupMatrixStore<row_major>(&Sm, sCol + ${t * 4}u, o${q * KS + t}, ${SS}u);`).join(" ")}
    workgroupBarrier();
    if (qRow < T) {
      ${range(KL / 4).map((e) => `{
        let f = h * ${KL} + ${4 * e}; // this vec4's first column in the rows' memory: slot f / 16 = part' * ${KS} + t
        let t = (f / ${MAT}) % ${KS};
        if (t < ${n}) { result[out + ((f / ${MAT * KS}) * ${DS} + ${q * KS} + t) * ${MAT / 4} + (f % ${MAT}) / 4] = ${half ? "massiveHalf4(" : ""}bitcast<vec4<f32>>(Sm[sRow + ${e}u]) * inv${half ? ")" : ""}; }
      }`).join("\n      ")}
    }`;
  };
  return `
  var<workgroup> Sm : array<vec4<i32>, ${units}>;
  var<workgroup> red : array<vec2<f32>, ${THREADS}>;
  var<workgroup> blockShared : i32;
  ${half ? HALF4_WGSL : ""}
  fn main() {
    let T = uniforms.seqLen;
    let Tp = uniforms.padT;
    let H = uniforms.heads;
    let li = i32(localIndex % ${THREADS}u); // (the modulo lets Dawn's range analysis bound the workgroup indices)
    let sg = li / ${SUBGROUP};
    let rb = sg / ${SPL}; // this subgroup's block of 16 queries
    let part = sg % ${SPL}; // and its share of the block's score matrices and O columns
    // This lane's query row in the block and which ${RL}th of each tile's keys: rows r of 8 consecutive lanes lie in 8
    // distinct 16-byte bank groups of the score and P rows (their strides are odd multiples of 16 bytes).
    let bl = li % ${SUBGROUP * SPL};
    let r = bl % ${MAT};
    let h = bl / ${MAT};
    let bh = i32(workgroupId.y);
    // Longest blocks (most key tiles) first; a uniform copy for the loops that hold barriers and matrix operations.
    if (li == 0) { blockShared = Tp / ${BQ} - 1 - i32(workgroupId.x); }
    let q0 = workgroupUniformLoad(&blockShared) * ${BQ};
    let tiles = (q0 + ${BQ - 1}) / ${BK} + 1; // key tiles up to the block's last query
    let qRow = q0 + rb * ${MAT} + r;
    let kBase = uniforms.kAt + bh * Tp * ${RU};
    let vRow = Tp / 8;
    let vBase = uniforms.vAt + bh * ${hs} * vRow;
    let sOff = u32(${S0} + rb * ${MAT * SS}); // the block's score rows
    let sCol = sOff + u32(part * ${KS * 4}); // this subgroup's first score (and O) column in them
    let sRow = sOff + u32(r * ${SS} + h * ${KL / 4});
    let pOff = u32(${P0} + rb * ${MAT * SP});
    let kOff = u32(part * ${KS * MAT * SK}); // this subgroup's first key in the k tile
    let vOff = u32(part * ${DS * MAT * SV}); // and its first dim in the v^T tile
    // q of the block's 16 rows, ${DM} left matrices straight from global memory (row-major, as the product's direct A).
    ${range(DM).map((d) => `let qm${d} = subgroupMatrixLoad<${L}, row_major>(&QKV, u32((bh * Tp + q0 + rb * ${MAT}) * ${RU} + ${d * 2}), ${RU}u);`).join("\n    ")}
    ${k.decl}
    ${v.decl}
    var k0n = 0;
    ${k.load}
    // Pass 1: each lane's max over its keys of every tile.
    var m = -3.0e38;
    for (var kb = 0; kb < tiles; kb++) {
      ${tileStart}
      k0n = select(0, (kb + 1) * ${BK}, kb + 1 < tiles);
      ${k.load}
      ${scores}
      workgroupBarrier();
      let kl = vec4<i32>(kb * ${BK} + h * ${KL});
      var tmax = vec4<f32>(-3.0e38);
      ${range(KL / 4).map((e) => `tmax = max(tmax, ${lane(e, "-3.0e38")});`).join("\n      ")}
      m = max(m, max(max(tmax.x, tmax.y), max(tmax.z, tmax.w)));
    }
    // The row's ${RL} lanes merge their maxima (and after pass 2 their sums) through workgroup memory (no assumption on
    // subgroup invocation ids).
    red[li] = vec2<f32>(m, 0.0);
    workgroupBarrier();
    let mRow = ${range(RL).map((i) => `red[li - bl + r + ${i * MAT}].x`).reduce((x, y) => `max(${x}, ${y})`)};
    // Pass 2: the same scores, p = exp(s - m) as float16, O += P v, each lane's sum l of its p (float32).
    var l = vec4<f32>(0.0);
    ${range(DS).map((j) => `var o${j} = ${C}();`).join(" ")} // (the k registers hold tile 0: pass 1's last load)
    for (var kb = 0; kb < tiles; kb++) {
      let k0 = kb * ${BK};
      ${tileStart}
      ${v.load}
      ${scores}
      workgroupBarrier(); // every subgroup is done with k: v^T goes where it was
      ${v.store}
      k0n = select(0, k0 + ${BK}, kb + 1 < tiles);
      ${k.load}
      let kl = vec4<i32>(k0 + h * ${KL});
      let pRow = pOff + u32(r * ${SP} + h * ${KL / 8});
      ${range(KL / 8).map((e) => `{
        let a = exp(${lane(2 * e, "-3.0e38")} - vec4<f32>(mRow));
        let b = exp(${lane(2 * e + 1, "-3.0e38")} - vec4<f32>(mRow));
        l += a + b;
        Sm[pRow + ${e}u] = vec4<i32>(bitcast<i32>(vec2<f16>(a.xy)), bitcast<i32>(vec2<f16>(a.zw)), bitcast<i32>(vec2<f16>(b.xy)), bitcast<i32>(vec2<f16>(b.zw)));
      }`).join("\n      ")}
      workgroupBarrier();
      ${range(KM).map((c) => `{
        let p = subgroupMatrixLoad<${L}, row_major>(&Sm, pOff + ${c * 2}u, ${SP}u);
        ${range(DS).map((j) => `o${j} = subgroupMatrixMultiplyAccumulate(p, subgroupMatrixLoad<${R}, col_major>(&Sm, vOff + ${j * MAT * SV + c * 2}u, ${SV}u), o${j});`).join("\n        ")}
      }`).join("\n      ")}
    }
    // The row's sum (its lanes' through workgroup memory: the loop's barriers ordered pass 1's reads of red before this).
    red[li] = vec2<f32>((l.x + l.y) + (l.z + l.w), 0.0);
    workgroupBarrier();
    let inv = 1.0 / (${range(RL).map((i) => `red[li - bl + r + ${i * MAT}].x`).join(" + ")});
    // O / l to the rows of queries < T, through the score rows in ${chunks.length} chunk(s).
    let out = ((bh / H) * T + qRow) * H * ${HV} + (bh % H) * ${HV};
    ${chunks.map(outChunk).join("\n    ")}
  }`;
}

class FlashAttentionHalfProgram {
  variableNames = ["QKV"];
  /** QKV (packAttentionHalf's int32 words) read as vec4<i32>: 8 halves per element. */
  variableComponents = [4];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [1], y: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  /** vec4<f32> results, or vec2<i32> (four float16 values) with `half`. */
  outputComponent: number;
  uniforms = "seqLen : i32, padT : i32, heads : i32, kAt : i32, vAt : i32,";
  private readonly code: () => string;

  constructor(B: number, T: number, H: number, hs: number, half: boolean, tile: HalfAttentionTile) {
    this.outputShape = [B * T, (H * hs) / (half ? 2 : 1)];
    this.outputComponent = half ? 2 : 4;
    this.workgroupSize = [SUBGROUP * tile.subgroups * (tile.split ?? 1), 1, 1];
    this.dispatch = [roundUp(T, T_STEP) / (MAT * tile.subgroups), B * H, 1];
    this.shaderKey = `massiveFlashAttentionHalf2_${hs}_${tile.subgroups}x${tile.keys}s${tile.split ?? 1}${half ? "_half" : ""}`;
    this.code = () => `${HALF_MATMUL_DIRECTIVES.join("\n")}\n${flashHalfCode(hs, tile, half)}`;
  }

  getUserCode(): string {
    return this.code();
  }
}

/**
 * The attention context [B*T, H*hs] (float32; with `half` its float16 bits [B*T, H*hs / 2] int32) from
 * packAttentionHalf's output `packed` for B sequences of T tokens, H heads of hs dims. `tile`:
 * {@link halfAttentionTile} unless measuring others.
 */
export function flashCausalAttentionHalf(packed: tf.Tensor, B: number, T: number, H: number, hs: number, half = false, tile: HalfAttentionTile = halfAttentionTile(hs)): tf.Tensor2D {
  const Tp = roundUp(T, T_STEP);
  const { kAt, vAt } = packedAttentionLayout(B * H, hs, Tp, roundUp(hs, HS_STEP));
  const program = new FlashAttentionHalfProgram(B, T, H, hs, half, tile);
  return runFlatProgram(program, [packed], half ? "int32" : "float32", [T, Tp, H, kAt / 4, vAt / 4].map((x) => ({ type: "int32", data: [x] }))) as tf.Tensor2D;
}

/** q, k, v^T of the fused projection output qkv [B*T, H*3*hs] as float16 bits (packAttentionHalf, q scaled by 1/sqrt(hs)), the input of {@link flashCausalAttentionHalf}. */
export function packForFlashHalf(qkv: tf.Tensor2D, cos: tf.Tensor2D, signedSin: tf.Tensor2D, B: number, T: number, H: number, hs: number): tf.Tensor {
  return packAttentionHalf(qkv, cos, signedSin, B, T, H, hs, roundUp(T, T_STEP), roundUp(hs, HS_STEP));
}

/**
 * The attention context [B*T, H*hs] of the fused projection output qkv [B*T, H*3*hs] (HF's per-head [q|k|v]): q, k,
 * v^T packed as float16 (one program), then {@link flashCausalAttentionHalf}; with `half` the context's float16 bits
 * [B*T, H*hs / 2] int32 (for halfLinear). Use where {@link halfAttentionAvailable}.
 */
export function fusedCausalAttentionHalf(qkv: tf.Tensor2D, cos: tf.Tensor2D, signedSin: tf.Tensor2D, B: number, T: number, H: number, hs: number, half = false): tf.Tensor2D {
  return tf.tidy(() => flashCausalAttentionHalf(packForFlashHalf(qkv, cos, signedSin, B, T, H, hs), B, T, H, hs, half));
}
