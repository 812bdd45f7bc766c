/**
 * Causal flash attention on the tensor cores for float16 compute (GPTNeoXOptions.compute = "float16"), forward only:
 * the same arithmetic as {@link flashCausalAttention} of ./backend-webgpu-attention.ts (online softmax, key tiles
 * above the diagonal skipped, the merged [B*T, H*hs] context written directly), with its two products on Dawn's
 * subgroup matrices (f16 x f16 -> f32, the 16x16x16 configuration, as ./backend-webgpu-f16.ts uses):
 *   - a workgroup takes BQ = 16 x subgroups queries of one (sequence, head); its q rows are rounded to float16 once
 *     into workgroup memory; each subgroup of 32 owns 16 of them;
 *   - per tile of BK keys (from key 0 up to the block's last query): k rounded to float16 into workgroup memory,
 *     S = q k^T as BK/16 result matrices per subgroup (float32), stored to workgroup memory; two lanes per query row
 *     take the row's new max m and p = exp(s - m) (float32, the causal mask on the fly), p rounded to float16 into
 *     workgroup memory and the row sum l accumulated from the rounded p (so the output is an exact convex combination
 *     of the float16 v rows, up to float32 sums); v rounded to float16 and transposed into the buffer k used;
 *   - the online softmax rescales O by exp(m_old - m_new) per row, which a subgroup result matrix does not expose: so
 *     O stays in the two row lanes' registers (float32, hs/2 values each), and each tile's P V comes from fresh result
 *     matrices, in batches through the subgroup's score region of workgroup memory, added to O there.
 * Every matrix operation has the form of ./backend-webgpu-f16-code.ts's verified product: left operands row-major and
 * right operands column-major from float16 workgroup arrays, results stored row-major to a float32 array, in Dawn's
 * majorness-templated subgroupMatrixLoad/Store (the `col_major` bool form is deprecated).
 * Fits (else the caller keeps the float32 flash kernel): hs a multiple of 16 up to 256 (Pythia: 64 for 70m/160m,
 * 128 for 12b, 256 for 1b), the adapter's f16 -> f32 subgroup-matrix configuration 16x16x16, and the workgroup
 * memory of {@link halfAttentionBytes} (up to 48 KiB: the P V batch grows into what the tiles leave; the H200 offers 48). q, k, v come from rotarySplit (float32,
 * rotary applied, q scaled by 1/sqrt(hs)) and are rounded to float16 as they are staged.
 * Error (test/backend/webgpu-attention-f16.test.ts derives the bound): q, k, p, v rounded to float16 (u = 2^-11).
 * EXPERIMENTAL, FAILS ITS DEVICE TEST: `MASSIVE_WEBGPU_ATTENTION_F16=flash-experimental` routes float16 compute's
 * attention here (with a warning); by default it keeps
 * the float32 flash kernel. Two earlier versions failed their device test on the H200 (2026-12-02, O(1) errors;
 * bench/gpu/h200-2026-12-02-attn-f16/) and ran slower than the float32 flash kernel (70m 10.3 vs 8.3 ms, 1b 335 vs
 * 72 ms per 5 x 2048-token pass); this version, whose row lanes exchange their partial max and sum through workgroup
 * memory instead of a subgroup shuffle, failed the same test in the lead's call of 2026-12-02 06:55
 * (bench/gpu/h200-2026-12-02-session-check/), with Dawn's robustness `analysis` and `on`.
 */
import * as tf from "@tensorflow/tfjs-core";
import { fusedAttentionAvailable, rotarySplit } from "./backend-webgpu-attention";
import { HALF_MATMUL_DIRECTIVES, SUBGROUP } from "./backend-webgpu-f16-code";
import { halfComputeAvailable, halfMatrixConfig } from "./backend-webgpu-f16";
import { halfAttentionMode } from "./backend-webgpu-attention-tc";
import { runFlatProgram, webgpuRunner, type WebGpuProgramRunner } from "./backend-webgpu-program";

/** Side of the subgroup matrices used (the 16x16x16 f16 -> f32 configuration). */
const MAT = 16;

/**
 * The workgroup's shape: `subgroups` x 16 queries, `keys` keys per tile (a multiple of 16), and `batch` P V result
 * matrices per pass through workgroup memory (a divisor of hs / 16; default: the largest within 48 KiB, see
 * {@link pvBatch}: fewer passes, fewer barriers).
 */
export interface HalfAttentionTile { subgroups: number; keys: number; batch?: number }

/** Workgroup memory limit the default batch is chosen under (the H200's maxComputeWorkgroupStorageSize). */
const SHARED_LIMIT = 49152;

/**
 * The tile per head size: 16-key tiles (less workgroup memory and registers per workgroup, so more workgroups per
 * multiprocessor: the fastest in bench/gpu/attention-f16.ts on the H200) of 64 queries, 32 for hs 256 (whose 64 q
 * rows alone would take 33 KiB).
 */
export function halfAttentionTile(hs: number): HalfAttentionTile {
  return { subgroups: hs <= 128 ? 4 : 2, keys: 16 };
}

/**
 * Workgroup memory of the program in bytes with `batch` P V matrices per pass: q, k / transposed v and p tiles
 * (float16), each subgroup's scores / P V region of 16 x max(keys, 16 batch) (float32), row partials, alignment.
 */
function bytesWith(hs: number, tile: HalfAttentionTile, batch: number): number {
  const BQ = MAT * tile.subgroups, BK = tile.keys;
  const SQ = hs + 8, SV = BK + 8, SP = BK + 8, SC = Math.max(BK, batch * MAT);
  return 2 * (BQ + 1) * SQ + 2 * Math.max((BK + 1) * SQ, (hs + 1) * SV) + 4 * (BQ + 1) * SC + 2 * (BQ + 1) * SP + 8 * SUBGROUP * tile.subgroups + 64;
}

/** P V matrices per pass: tile.batch, else the largest divisor of hs / 16 that keeps the program within 48 KiB (at least 1). */
export function pvBatch(hs: number, tile: HalfAttentionTile): number {
  if (tile.batch) return tile.batch;
  const DM = hs / MAT;
  for (let nb = DM; nb > 1; nb--) if (DM % nb === 0 && bytesWith(hs, tile, nb) <= SHARED_LIMIT) return nb;
  return 1;
}

/** Workgroup memory of the program in bytes (with its {@link pvBatch}). */
export function halfAttentionBytes(hs: number, tile: HalfAttentionTile): number {
  return bytesWith(hs, tile, pvBatch(hs, tile));
}

interface DeviceLimits extends WebGpuProgramRunner { device: { limits: { maxComputeWorkgroupStorageSize: number } } }

/**
 * True when {@link fusedCausalAttentionHalf} runs for head size hs with rd rotary dims: MASSIVE_WEBGPU_ATTENTION_F16
 * is `flash-experimental` (see the file comment), the float32 fused attention is available (./backend-webgpu-attention.ts:
 * webgpu, fused programs on, rotary dims), float16 compute is available with the 16x16x16 configuration,
 * hs % 16 == 0, hs <= 256, and the device's workgroup memory holds {@link halfAttentionBytes}.
 */
export function halfAttentionAvailable(hs: number, rd: number): boolean {
  if (halfAttentionMode() !== "flash-experimental" || !halfComputeAvailable() || !fusedAttentionAvailable(hs, rd)) return false;
  const cfg = halfMatrixConfig();
  if (!cfg || cfg.M !== MAT || cfg.N !== MAT || cfg.K !== MAT || hs % MAT !== 0 || hs > 256) return false;
  if (webgpuRunner<DeviceLimits>().device.limits.maxComputeWorkgroupStorageSize < halfAttentionBytes(hs, halfAttentionTile(hs))) return false;
  if (!warnedExperimental) {
    warnedExperimental = true; // once per process, and only where the kernel is about to run
    process.stderr.write("[massive] warning: MASSIVE_WEBGPU_ATTENTION_F16=flash-experimental runs a kernel that failed its device test (2026-12-02): its results may be wrong\n");
  }
  return true;
}

let warnedExperimental = false;

/** The WGSL (after tfjs's declarations) of the program for head size hs and the given tile. */
export function flashHalfCode(hs: number, tile: HalfAttentionTile): string {
  const NSG = tile.subgroups, BK = tile.keys, BQ = MAT * NSG, THREADS = SUBGROUP * NSG;
  if (hs % MAT !== 0 || BK % MAT !== 0) throw new Error(`flashHalfCode: hs ${hs} and keys ${BK} must be multiples of ${MAT}`);
  const HV = hs / 4; // vec4 per head row
  const SQ = hs + 8; // row stride of the q and k tiles in halves (16 bytes of padding against bank conflicts)
  const SV = BK + 8; // row stride of the transposed v tile [hs][BK]
  const SP = BK + 8; // row stride of p
  const HALF = BK / 2; // keys per softmax lane (two lanes per query row)
  const DM = hs / MAT, KM = BK / MAT; // matrices along the head dims and along the keys of a tile
  const NB = pvBatch(hs, tile); // P V result matrices per pass through the subgroup's region of Ss
  if (DM % NB !== 0) throw new Error(`flashHalfCode: batch ${NB} must divide hs / 16 = ${DM}`);
  const W = NB * MAT; // columns per batch
  const SC = Math.max(BK, W); // columns of each subgroup's region of Ss (scores: BK, P V batches: W)
  const VB = W / 8; // vec4 of O per lane and batch (each lane: half of its row's W columns)
  const L = `subgroup_matrix_left<f16, ${MAT}, ${MAT}>`;
  const R = `subgroup_matrix_right<f16, ${MAT}, ${MAT}>`;
  const C = `subgroup_matrix_result<f32, ${MAT}, ${MAT}>`;
  const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
  const batches = range(DM / NB);
  const oRegs = batches.flatMap((b) => range(VB).map((k) => `o${b}_${k}`));
  /** rows x HV vec4 of q/k/v from global memory, float32 -> float16 into `dst`, rows past T zero; row-major or transposed. */
  const stage = (dst: string, rows: number, first: string, base: string, transposed: boolean): string => `
      for (var i = li; i < ${rows * HV}; i += ${THREADS}) {
        let rr = i / ${HV};
        let d4 = i % ${HV};
        var v = vec4<f32>(0.0);
        if (${first} + rr < T) { v = QKV[${base} + (${first} + rr) * ${HV} + d4]; }
        ${transposed
          ? `let o = d4 * ${4 * SV} + rr;
        ${dst}[o] = f16(v.x); ${dst}[o + ${SV}] = f16(v.y); ${dst}[o + ${2 * SV}] = f16(v.z); ${dst}[o + ${3 * SV}] = f16(v.w);`
          : `let o = rr * ${SQ} + d4 * 4;
        ${dst}[o] = f16(v.x); ${dst}[o + 1] = f16(v.y); ${dst}[o + 2] = f16(v.z); ${dst}[o + 3] = f16(v.w);`}
      }`;
  /** One batch of P V: NB fresh result matrices, stored side by side (row stride W), added to the lanes' O registers. */
  const pvPass = (b: number): string => `
      {
        ${range(NB).map((jj) => `var a${jj} = ${C}();`).join(" ")}
        for (var kk = 0u; kk < ${KM}u; kk++) {
          let pl = subgroupMatrixLoad<${L}, row_major>(&Ps, pOff + kk * ${MAT}u, ${SP}u);
          ${range(NB).map((jj) => `a${jj} = subgroupMatrixMultiplyAccumulate(pl, subgroupMatrixLoad<${R}, col_major>(&KVs, ${(b * NB + jj) * MAT * SV}u + kk * ${MAT}u, ${SV}u), a${jj});`).join("\n          ")}
        }
        ${range(NB).map((jj) => `subgroupMatrixStore<row_major>(&Ss, sOff + ${jj * MAT}u, a${jj}, ${W}u);`).join("\n        ")}
        workgroupBarrier();
        let src = sOff + u32(r * ${W} + h * ${W / 2});
        ${range(VB).map((k) => `o${b}_${k} = o${b}_${k} + vec4<f32>(Ss[src + ${4 * k}u], Ss[src + ${4 * k + 1}u], Ss[src + ${4 * k + 2}u], Ss[src + ${4 * k + 3}u]);`).join("\n        ")}
        ${b + 1 < batches.length ? "workgroupBarrier();" : ""}
      }`;
  return `
  // Each array one row longer than its tiles need: a matrix load or store never reaches the end, whatever extent
  // (last row's stride included or not) the robustness clamp assumes.
  var<workgroup> Qs : array<f16, ${(BQ + 1) * SQ}>;
  var<workgroup> KVs : array<f16, ${Math.max((BK + 1) * SQ, (hs + 1) * SV)}>;
  var<workgroup> Ss : array<f32, ${(BQ + 1) * SC}>;
  var<workgroup> Ps : array<f16, ${(BQ + 1) * SP}>;
  var<workgroup> redMax : array<f32, ${THREADS}>;
  var<workgroup> redSum : array<f32, ${THREADS}>;
  var<workgroup> blockShared : i32;
  fn main() {
    let T = uniforms.seqLen;
    let H = uniforms.heads;
    let BH = uniforms.bh;
    let li = i32(localIndex);
    let sg = li / ${SUBGROUP};
    let lane = li % ${SUBGROUP};
    let bh = i32(workgroupId.y);
    let seq = bh / H;
    let head = bh % H;
    // Longest blocks (most key tiles) first; a uniform copy for the loops that hold barriers and matrix ops.
    if (li == 0) { blockShared = (T + ${BQ - 1}) / ${BQ} - 1 - i32(workgroupId.x); }
    let qb = workgroupUniformLoad(&blockShared);
    let q0 = qb * ${BQ};
    let qBase = bh * T * ${HV};
    let kBase = (BH + bh) * T * ${HV};
    let vBase = (2 * BH + bh) * T * ${HV};
    let sOff = u32(sg * ${MAT * SC}); // this subgroup's region of Ss (scores, then P V batches)
    let pOff = u32(sg * ${MAT * SP});
    // Softmax lanes: two per query row (h: which half of the keys, and of each batch's O columns).
    let r = lane / 2;
    let h = lane % 2;
    let qRow = q0 + sg * ${MAT} + r;
    var m = -3.0e38;
    var l = 0.0;
    ${oRegs.map((o) => `var ${o} = vec4<f32>(0.0);`).join(" ")}
    ${stage("Qs", BQ, "q0", "qBase", false)}
    let tiles = (min(q0 + ${BQ}, T) - 1) / ${BK} + 1;
    for (var kb = 0; kb < tiles; kb++) {
      let k0 = kb * ${BK};
      workgroupBarrier();
      ${stage("KVs", BK, "k0", "kBase", false)}
      workgroupBarrier();
      // S = q k^T for this subgroup's 16 rows: ${KM} result matrices over ${DM} steps of 16 dims.
      ${range(KM).map((c) => `var s${c} = ${C}();`).join(" ")}
      for (var d = 0u; d < ${DM}u; d++) {
        let ql = subgroupMatrixLoad<${L}, row_major>(&Qs, u32(sg * ${MAT * SQ}) + d * ${MAT}u, ${SQ}u);
        ${range(KM).map((c) => `s${c} = subgroupMatrixMultiplyAccumulate(ql, subgroupMatrixLoad<${R}, col_major>(&KVs, ${c * MAT * SQ}u + d * ${MAT}u, ${SQ}u), s${c});`).join("\n        ")}
      }
      ${range(KM).map((c) => `subgroupMatrixStore<row_major>(&Ss, sOff + ${c * MAT}u, s${c}, ${BK}u);`).join("\n      ")}
      workgroupBarrier();
      // v transposed ([dim][key]): the right operand of P V loads column-major, as k's does.
      ${stage("KVs", BK, "k0", "vBase", true)}
      // Online softmax of row qRow over keys k0 + h * ${HALF} ..: mask on the fly (keys after the query or past T).
      let sRow = sOff + u32(r * ${BK} + h * ${HALF});
      let kh = k0 + h * ${HALF};
      var tOwn = -3.0e38;
      for (var j = 0; j < ${HALF}; j++) {
        let key = kh + j;
        tOwn = max(tOwn, select(-3.0e38, Ss[sRow + u32(j)], key <= qRow && key < T));
      }
      // The row's two lanes exchange their halves' max and sum through workgroup memory (not a subgroup shuffle,
      // which would assume that lane li % 32 is the subgroup invocation li % 32).
      redMax[li] = tOwn;
      workgroupBarrier();
      let mNew = max(m, max(tOwn, redMax[li ^ 1]));
      let alpha = exp(m - mNew);
      m = mNew;
      var lsum = 0.0;
      let pRow = pOff + u32(r * ${SP} + h * ${HALF});
      for (var j = 0; j < ${HALF}; j++) {
        let key = kh + j;
        let p = f16(select(0.0, exp(Ss[sRow + u32(j)] - m), key <= qRow && key < T));
        Ps[pRow + u32(j)] = p;
        lsum = lsum + f32(p);
      }
      redSum[li] = lsum;
      ${oRegs.map((o) => `${o} = ${o} * alpha;`).join(" ")}
      workgroupBarrier();
      l = l * alpha + lsum + redSum[li ^ 1];
      // O += P V in ${batches.length} batch(es) of ${NB} result matrices.
      ${batches.map(pvPass).join("")}
    }
    if (qRow < T) {
      let inv = 1.0 / l;
      let out = ((seq * T + qRow) * H + head) * ${HV} + h * ${W / 8};
      ${batches.flatMap((b) => range(VB).map((k) => `result[out + ${b * (W / 4) + k}] = o${b}_${k} * inv;`)).join("\n      ")}
    }
  }`;
}

class FlashAttentionHalfProgram {
  variableNames = ["QKV"];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [1], y: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  outputComponent = 4;
  uniforms = "seqLen : i32, heads : i32, bh : i32,";
  private readonly code: string;

  constructor(B: number, T: number, H: number, hs: number, tile: HalfAttentionTile) {
    this.outputShape = [B * T, H * hs];
    this.workgroupSize = [SUBGROUP * tile.subgroups, 1, 1];
    this.dispatch = [Math.ceil(T / (MAT * tile.subgroups)), B * H, 1];
    this.shaderKey = `massiveFlashAttentionHalf_${hs}_${tile.subgroups}x${tile.keys}x${pvBatch(hs, tile)}`;
    this.code = `${HALF_MATMUL_DIRECTIVES.join("\n")}\n${flashHalfCode(hs, tile)}`;
  }

  getUserCode(): string {
    return this.code;
  }
}

/**
 * softmax(q k^T + causal mask) v for q, k, v from rotarySplit ([3, B*H, T, hs] float32, q scaled), on the
 * tensor cores: the merged context [B*T, H*hs] float32. `tile`: {@link halfAttentionTile} unless measuring others.
 */
export function flashCausalAttentionHalf(qkvHeads: tf.Tensor4D, B: number, T: number, H: number, hs: number,
  tile: HalfAttentionTile = halfAttentionTile(hs)): tf.Tensor2D {
  const program = new FlashAttentionHalfProgram(B, T, H, hs, tile);
  return runFlatProgram(program, [qkvHeads], "float32", [
    { type: "int32", data: [T] }, { type: "int32", data: [H] }, { type: "int32", data: [B * H] },
  ]) as tf.Tensor2D;
}

/**
 * The attention context [B*T, H*hs] of the fused projection output qkv [B*T, H*3*hs] (HF's per-head [q|k|v]):
 * rotarySplit (float32) then {@link flashCausalAttentionHalf}. Use where {@link halfAttentionAvailable}.
 */
export function fusedCausalAttentionHalf(qkv: tf.Tensor2D, cos: tf.Tensor2D, signedSin: tf.Tensor2D, B: number, T: number, H: number, hs: number): tf.Tensor2D {
  return tf.tidy(() => flashCausalAttentionHalf(rotarySplit(qkv, cos, signedSin, B, T, H, hs, 1 / Math.sqrt(hs)), B, T, H, hs));
}
