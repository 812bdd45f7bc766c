/**
 * WGSL of the float16 tensor-core matrix product (Dawn's `chromium_experimental_subgroup_matrix`, lowered to
 * VK_KHR_cooperative_matrix on NVIDIA): out[M, N] = A[M, K] @ W[N, K]^T (+ bias[N]), with A float32 (activations,
 * rounded to float16) or already float16 bits, W float16 bits packed two per 32-bit word in torch.nn.Linear's
 * [out, in] layout (no transpose needed: W's rows are the right operand's columns), products accumulated in float32
 * by the tensor cores, output float32.
 *
 * The code is written against the names tfjs-backend-webgpu declares (bindings `result`, `A`, `W`, `bias` as
 * vec4 arrays, `uniforms.dimM/dimN/dimK`, globals `localIndex` and `workgroupId`) so that the same text runs in
 * tfjs's runWebGPUProgram (./backend-webgpu-f16.ts) and in the raw Dawn probe (bench/gpu/f16-probe.ts).
 * Kept free of tfjs imports for that reason.
 *
 * Memory: the operands move in units of 8 halves (16 bytes: one vec4<i32> of packed words). Workgroup memory is one
 * `array<vec4<i32>>`, so each staged unit is one 16-byte store, and subgroupMatrixLoad reads it in Dawn's
 * majorness-templated form (offset and stride counted in the array's 16-byte elements; the form with a `col_major`
 * bool argument and scalar arrays is deprecated in Dawn since 2026-08 and makes it print a warning per call).
 */

import { HalfTile, SUBGROUP, SubgroupMatrixShape, halfMatMulLayout } from "./backend-webgpu-f16-tiles";

// The tiles' names, layout and choice moved to ./backend-webgpu-f16-tiles.ts (session 8); re-exported for existing importers.
export { BATCHED_HALF_TILE_NAMES, DEFAULT_HALF_TILE, DEFAULT_HALF_TILE_NAME, HALF_TILES, LINEAR_HALF_TILE, LINEAR_HALF_TILE_NAME, STAGED_HALF_TILE, SUBGROUP, halfMatMulDispatch, halfMatMulExact, halfMatMulFits, halfMatMulLayout } from "./backend-webgpu-f16-tiles";
export type { HalfMatMulLayout, HalfTile, SubgroupMatrixShape } from "./backend-webgpu-f16-tiles";

/** The directives that must open the shader module (hoisted there by ./backend-webgpu-f16.ts under tfjs). */
export const HALF_MATMUL_DIRECTIVES = [
  "enable f16;",
  "enable subgroups;",
  "enable chromium_experimental_subgroup_matrix;",
  "diagnostic(off, chromium.subgroup_matrix_uniformity);",
];

/** WGSL: four float32 values rounded to float16 and packed two per int32 word (packHalfActivations' layout), for programs that store float16 bits. */
export const HALF4_WGSL = "fn massiveHalf4(v : vec4<f32>) -> vec2<i32> { return vec2<i32>(bitcast<i32>(vec2<f16>(v.xy)), bitcast<i32>(vec2<f16>(v.zw))); }";

/** What the code is generated for, beside the tile. */
export interface HalfMatMulOptions {
  bias: boolean;
  /** A is float16 bits packed two per word ([M, K / 2] int32, vec4 = 8 halves), else float32 (rounded as staged). */
  aHalf: boolean;
  /** Whole tiles only (see {@link halfMatMulExact}): no guards, results stored straight from the matrices. */
  exact: boolean;
  /**
   * workgroupId.z is a batch index (halfBatchedMatMul): A [batch, M, K], W [batch, N, K] and the result
   * [batch, M, N] are offset by the batch's block; false (halfLinear) generates the code without any offset.
   */
  batched?: boolean;
  /** The causal attention's two products (halfAttentionProduct); needs `batched` and the uniforms {@link HALF_ATTENTION_UNIFORMS}. */
  attention?: HalfAttentionProduct;
}

/**
 * How an attention product differs from a plain batched product (src/backend-webgpu-attention-tc.ts):
 * causal "scores" (S = q k^T): result tiles entirely above the diagonal (first column >= the tile's last row + 1)
 * are skipped, left unwritten (the softmax reads only keys <= query); causal "pv" (O = P v): the K loop stops at the
 * end of the diagonal tile (K < m0 + bm: P is zero, or never read, past each row's query).
 * A and W start at uniforms.aBase / wBase (vec4 elements: a group's first pair in a tensor of all pairs, or a
 * section of one packed tensor), batch workgroupId.z after that.
 * merged: the result is the merged-heads context [B * T, H * N] (pair uniforms.pair0 + workgroupId.z = sequence * H
 * + head, rows past uniforms.seqLen dropped) instead of [batch, M, N].
 */
export interface HalfAttentionProduct {
  causal: "scores" | "pv";
  merged: boolean;
  /**
   * merged only: the context as float16 bits, four per vec2<i32> ([B * T, H * N / 2] int32, packHalfActivations'
   * layout, for the float16 output projection), stored through workgroup memory (the float32 result's direct
   * stores cannot convert).
   */
  half?: boolean;
}

export const HALF_ATTENTION_UNIFORMS = "aBase : i32, wBase : i32, pair0 : i32, seqLen : i32, heads : i32,";

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * The kernel body (declarations after the bindings, and `fn main()`). Each step loads A's bm x bk and W's bn x bk
 * blocks into registers (the next step's while this one multiplies), stores them in workgroup memory 16 bytes at a
 * time, and each subgroup multiplies its tm x tn matrices from there (or from global memory for direct operands).
 * Exact tiles: bias, if any, is the accumulators' initial value (loaded from a broadcast block in workgroup memory)
 * and each result matrix is stored straight into `result`; otherwise through a per-subgroup block in workgroup
 * memory, with row and column guards (M and N need not be multiples of the tile).
 */
export function halfMatMulCode(cfg: SubgroupMatrixShape, tile: HalfTile, opts: HalfMatMulOptions): string {
  const { threads, bm, bn } = halfMatMulLayout(cfg, tile);
  const { tm, tn, bk, sgM } = tile;
  const { bias, aHalf, exact } = opts;
  const batched = opts.batched === true;
  const att = opts.attention;
  const merged = att?.merged === true;
  const halfOut = att?.half === true;
  // Offsets of the batch's blocks, in each array's vec4 elements (empty strings when not batched: halfLinear's code).
  const aO = batched ? "aOff + " : "", wO = batched ? "wOff + " : "", rO = batched && !merged ? "rOff + " : "";
  const stages = tile.stages ?? 1;
  const direct = tile.direct ?? "";
  const dA = direct.includes("a"), dW = direct.includes("w");
  const where = `halfMatMulCode ${bm}x${bn}x${bk}`;
  if (bk % cfg.K !== 0 || bk % 8 !== 0) throw new Error(`${where}: bk must be a multiple of ${cfg.K} and 8`);
  if (direct && !exact) throw new Error(`${where}: direct operands need whole tiles`);
  if (att && (!batched || bias || direct)) throw new Error(`${where}: attention products are batched, without bias or direct operands`);
  if (dA && !aHalf) throw new Error(`${where}: direct A needs A as float16 bits`);
  if (halfOut && !merged) throw new Error(`${where}: a float16 result is for the merged context only`);
  if (tile.group && batched) throw new Error(`${where}: the grouped workgroup order is for plain products`);
  const per = bk / 8; // 16-byte units per staged row per step
  const so = per + 1; // row stride in workgroup memory, in units: 16 bytes of padding keep the rows off one bank
  const aUnits = bm * so, wUnits = bn * so; // one stage of each operand
  const aLoads = dA ? 0 : (bm * per) / threads, wLoads = dW ? 0 : (bn * per) / threads;
  if (!Number.isInteger(aLoads) || !Number.isInteger(wLoads)) throw new Error(`${where}: does not split over ${threads} threads`);
  const aBase = (s: string): string => (s === "0" ? "0" : `${s} * ${aUnits}`);
  const wBase = (s: string): string => `${dA ? 0 : stages * aUnits}${s === "0" ? "" : ` + ${s} * ${wUnits}`}`;
  const stagedUnits = (dA ? 0 : stages * aUnits) + (dW ? 0 : stages * wUnits);
  const csUnits = exact && !halfOut ? 0 : ((threads / SUBGROUP) * cfg.M * cfg.N) / 4; // result blocks of the guarded path
  const biasUnits = exact && bias ? (cfg.M * bn) / 4 : 0; // bias broadcast over cfg.M rows
  // Staged stores (tile.stagedStores, whole tiles of plain products): per row of result matrices, every subgroup's tn
  // matrices through workgroup memory, then written out as rows of vec4 (whole 16-lane runs of 256 bytes).
  const staging = tile.stagedStores === true && exact && !batched;
  const rowUnits = (cfg.M * tn * cfg.N) / 4; // one subgroup's row of result matrices, in vec4
  const storeRows = tile.storeRows ?? 1, block = storeRows * rowUnits; // rows of result matrices per round
  if (staging && tm % storeRows !== 0) throw new Error(`${where}: storeRows must divide tm`);
  const ssUnits = staging ? (threads / SUBGROUP) * block : 0;
  const smUnits = Math.max(stagedUnits, csUnits, biasUnits, ssUnits);
  const L = `subgroup_matrix_left<f16, ${cfg.K}, ${cfg.M}>`;
  const R = `subgroup_matrix_right<f16, ${cfg.N}, ${cfg.K}>`;
  const C = `subgroup_matrix_result<f32, ${cfg.N}, ${cfg.M}>`;
  const lines: string[] = [];
  if (smUnits > 0) lines.push(`var<workgroup> Sm : array<vec4<i32>, ${smUnits}>;`);
  if (halfOut) lines.push(HALF4_WGSL);
  if (att) lines.push("var<workgroup> stepsShared : i32;");
  lines.push(`fn main() {
  let M = uniforms.dimM;
  let N = uniforms.dimN;
  let K = uniforms.dimK;
  let ku = K / 8;
  let li = i32(localIndex % ${threads}u); // (the modulo lets Dawn's range analysis prove the workgroup indices in bounds)
  let sg = li / ${SUBGROUP};
  let lane = li % ${SUBGROUP};
  let sgm = sg % ${sgM};
  let sgn = sg / ${sgM};
${tileOrigin(tile, bm, bn)}
  let rowA = sgm * ${tm * cfg.M};
  let rowW = sgn * ${tn * cfg.N};`);
  if (batched) {
    const base = (op: string): string => (att ? ` + uniforms.${op}Base` : "");
    lines.push(`  let batch = i32(workgroupId.z);
  let aOff = batch * M * ${aHalf ? "ku" : "(K / 4)"}${base("a")};
  let wOff = batch * N * ku${base("w")};`);
    if (!merged) lines.push("  let rOff = u32(batch) * u32(M) * u32(N / 4);");
    else {
      // Row r of pair p = seq * H + head goes to row seq * T + r of the context, columns head * N ...
      lines.push(`  let pair = batch + uniforms.pair0;
  let T = uniforms.seqLen;
  let rowBase = (pair / uniforms.heads) * T;
  let colBase4 = (pair % uniforms.heads) * (N / 4);
  let ctxStride4 = uniforms.heads * (N / 4);`);
    }
  }
  if (att) {
    // The causal step count, through workgroup memory so that it is uniform (barriers follow in its loop).
    const steps = att.causal === "scores" ? `select(K / ${bk}, 0, n0 >= m0 + ${bm})` : `min(K, m0 + ${bm}) / ${bk}`;
    lines.push(`  if (li == 0) { stepsShared = ${steps}; }
  let steps = workgroupUniformLoad(&stepsShared);
  if (steps == 0) { return; }`);
  }
  for (const i of range(aLoads)) lines.push(`  var ra${i} : vec4<i32>;`);
  for (const i of range(wLoads)) lines.push(`  var rw${i} : vec4<i32>;`);
  for (const i of range(tm)) for (const j of range(tn)) lines.push(`  var acc${i}_${j} = ${C}();`);
  if (biasUnits > 0) {
    // Every row of the block is bias[n0 .. n0 + bn): loaded as a matrix, it is each accumulator's start.
    const rows = Math.ceil(biasUnits / threads);
    for (const q of range(rows)) {
      const guard = (q + 1) * threads > biasUnits ? `if (e < ${biasUnits}) ` : "";
      lines.push(`  { let e = li + ${q * threads}; ${guard}{ Sm[e] = bitcast<vec4<i32>>(bias[u32(n0 / 4 + e % ${bn / 4})]); } }`);
    }
    lines.push("  workgroupBarrier();");
    for (const i of range(tm)) for (const j of range(tn)) lines.push(`  acc${i}_${j} = subgroupMatrixLoad<${C}, row_major>(&Sm, u32((rowW + ${j * cfg.N}) / 4), ${bn / 4}u);`);
    lines.push("  workgroupBarrier();");
  }
  /** Global -> registers for step kt (A rounded to float16 here when it is float32). */
  const load = (kt: string): string[] => [
    ...range(aLoads).map((i) => {
      const idx = `(li + ${i * threads})`;
      const head = `{ let r = m0 + ${idx} / ${per}; let u = ${kt} * ${per} + ${idx} % ${per};`;
      const get = aHalf
        ? `ra${i} = A[u32(${aO}r * ku + u)];`
        : `let f = u32(${aO}r * (K / 4) + 2 * u); ra${i} = vec4<i32>(bitcast<vec2<i32>>(vec4<f16>(A[f])), bitcast<vec2<i32>>(vec4<f16>(A[f + 1u])));`;
      return exact ? `    ${head} ${get} }` : `    ${head} ra${i} = vec4<i32>(0); if (r < M) { ${get} } }`;
    }),
    ...range(wLoads).map((i) => {
      const idx = `(li + ${i * threads})`;
      const head = `{ let n = n0 + ${idx} / ${per}; let u = ${kt} * ${per} + ${idx} % ${per};`;
      const get = `rw${i} = W[u32(${wO}n * ku + u)];`;
      return exact ? `    ${head} ${get} }` : `    ${head} rw${i} = vec4<i32>(0); if (n < N) { ${get} } }`;
    }),
  ];
  /** Registers -> workgroup buffer s (one 16-byte store per unit). */
  const stage = (s: string): string[] => [
    ...range(aLoads).map((i) => `    { let q = li + ${i * threads}; Sm[u32(${aBase(s)} + q / ${per} * ${so} + q % ${per})] = ra${i}; }`),
    ...range(wLoads).map((i) => `    { let q = li + ${i * threads}; Sm[u32(${wBase(s)} + q / ${per} * ${so} + q % ${per})] = rw${i}; }`),
  ];
  /** The tensor-core products of step kt from workgroup buffer s (or global memory for direct operands). */
  const mma = (kt: string, s: string): string[] => {
    const out: string[] = [];
    for (let kk = 0; kk < bk; kk += cfg.K) {
      out.push("    {");
      for (const i of range(tm)) {
        out.push(dA
          ? `      let l${i} = subgroupMatrixLoad<${L}, row_major>(&A, u32(${aO}(m0 + rowA + ${i * cfg.M}) * ku + ${kt} * ${per} + ${kk / 8}), u32(ku));`
          : `      let l${i} = subgroupMatrixLoad<${L}, row_major>(&Sm, u32(${aBase(s)} + (rowA + ${i * cfg.M}) * ${so} + ${kk / 8}), ${so}u);`);
      }
      for (const j of range(tn)) {
        out.push(dW
          ? `      let w${j} = subgroupMatrixLoad<${R}, col_major>(&W, u32(${wO}(n0 + rowW + ${j * cfg.N}) * ku + ${kt} * ${per} + ${kk / 8}), u32(ku));`
          : `      let w${j} = subgroupMatrixLoad<${R}, col_major>(&Sm, u32(${wBase(s)} + (rowW + ${j * cfg.N}) * ${so} + ${kk / 8}), ${so}u);`);
      }
      for (const i of range(tm)) for (const j of range(tn)) out.push(`      acc${i}_${j} = subgroupMatrixMultiplyAccumulate(l${i}, w${j}, acc${i}_${j});`);
      out.push("    }");
    }
    return out;
  };
  const staged = aLoads + wLoads > 0;
  if (!att) lines.push(`  let steps = K / ${bk};`);
  if (!staged) {
    lines.push("  for (var kt = 0; kt < steps; kt++) {", ...mma("kt", "0"), "  }");
  } else if (stages === 1) {
    lines.push(...load("0"));
    lines.push("  for (var kt = 0; kt < steps; kt++) {", "    workgroupBarrier();", ...stage("0"), "    workgroupBarrier();");
    lines.push("    if (kt + 1 < steps) {", ...load("(kt + 1)"), "    }", ...mma("kt", "0"), "  }");
  } else {
    // Buffer kt & 1 is read while the other is written: the barrier at the end of step kt - 1 ordered both.
    lines.push(...load("0"), ...stage("0"), "  workgroupBarrier();");
    lines.push("  for (var kt = 0; kt < steps; kt++) {", "    let cur = kt & 1;", "    if (kt + 1 < steps) {", ...load("(kt + 1)"), "    }");
    lines.push(...mma("kt", "cur"), "    if (kt + 1 < steps) {", ...stage("(1 - cur)"), "    }", "    workgroupBarrier();", "  }");
  }
  if (exact && merged && !halfOut) {
    for (const i of range(tm)) for (const j of range(tn)) {
      lines.push(`  subgroupMatrixStore<row_major>(&result, u32((rowBase + m0 + rowA + ${i * cfg.M}) * ctxStride4 + colBase4 + (n0 + rowW + ${j * cfg.N}) / 4), acc${i}_${j}, u32(ctxStride4));`);
    }
  } else if (staging) {
    const perLane = ((threads / SUBGROUP) * block) / threads, rowVec = (tn * cfg.N) / 4;
    for (let i = 0; i < tm; i += storeRows) {
      lines.push("  workgroupBarrier();");
      for (const ii of range(storeRows)) for (const j of range(tn)) lines.push(`  subgroupMatrixStore<row_major>(&Sm, u32(sg * ${block} + ${ii * rowUnits + (j * cfg.N) / 4}), acc${i + ii}_${j}, ${rowVec}u);`);
      lines.push("  workgroupBarrier();");
      for (const q of range(perLane)) {
        // Unit e of subgroup s's block: row e / rowVec of its rows i.. of matrices, vec4 column e % rowVec.
        lines.push(`  { let e = li + ${q * threads}; let s = e / ${block}; let u = e % ${block}; let r = m0 + (s % ${sgM}) * ${tm * cfg.M} + ${i * cfg.M} + u / ${rowVec};
    result[u32(r) * u32(N / 4) + u32((n0 + (s / ${sgM}) * ${tn * cfg.N}) / 4 + u % ${rowVec})] = bitcast<vec4<f32>>(Sm[u32(e)]); }`);
      }
    }
  } else if (exact && !merged) {
    for (const i of range(tm)) for (const j of range(tn)) {
      lines.push(`  subgroupMatrixStore<row_major>(&result, ${rO}(u32(m0 + rowA + ${i * cfg.M}) * u32(N) + u32(n0 + rowW + ${j * cfg.N})) / 4u, acc${i}_${j}, u32(N / 4));`);
    }
  } else {
    // Each subgroup stores one result matrix at a time into its block, its lanes write it out as guarded vec4 rows.
    const perMat = (cfg.M * cfg.N) / 4;
    const nq = cfg.N / 4;
    lines.push(`  let cs = u32(sg * ${perMat});
  let nv = N / 4;`);
    for (const i of range(tm)) for (const j of range(tn)) {
      lines.push(`  workgroupBarrier();
  subgroupMatrixStore<row_major>(&Sm, cs, acc${i}_${j}, ${nq}u);
  workgroupBarrier();`);
      for (const q of range(Math.ceil(perMat / SUBGROUP))) {
        const guard = (q + 1) * SUBGROUP > perMat ? `e < ${perMat} && ` : "";
        const at = merged ? "u32((rowBase + r) * ctxStride4 + colBase4 + c4)" : `${rO}u32(r) * u32(nv) + u32(c4)`;
        const value = `bitcast<vec4<f32>>(Sm[cs + u32(e)])${bias ? " + bias[u32(c4)]" : ""}`;
        lines.push(`  { let e = lane + ${q * SUBGROUP}; let r = m0 + rowA + ${i * cfg.M} + e / ${nq}; let c4 = (n0 + rowW + ${j * cfg.N}) / 4 + e % ${nq};
    if (${guard}r < ${merged ? "T" : "M"} && c4 < nv) { result[${at}] = ${halfOut ? `massiveHalf4(${value})` : value}; } }`);
      }
    }
  }
  lines.push("}");
  return lines.join("\n");
}

/**
 * WGSL: the workgroup's first row m0 and column n0. The dispatch is [column tiles, row tiles] either way; with
 * tile.group = g the linear workgroup index walks bands of g row tiles column by column (the last band may be
 * shorter), as Triton's grouped ordering does.
 */
function tileOrigin(tile: HalfTile, bm: number, bn: number): string {
  const g = tile.group ?? 0;
  if (g <= 0) return `  let m0 = i32(workgroupId.y) * ${bm};\n  let n0 = i32(workgroupId.x) * ${bn};`;
  return `  let tilesN = (N + ${bn - 1}) / ${bn};
  let tilesM = (M + ${bm - 1}) / ${bm};
  let pid = i32(workgroupId.y) * tilesN + i32(workgroupId.x);
  let firstM = pid / (${g} * tilesN) * ${g};
  let bandM = min(tilesM - firstM, ${g});
  let inBand = pid % (${g} * tilesN);
  let m0 = (firstM + inBand % bandM) * ${bm};
  let n0 = inBand / bandM * ${bn};`;
}
