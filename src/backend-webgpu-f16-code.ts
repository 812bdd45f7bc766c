/**
 * WGSL of the float16 tensor-core matrix product (Dawn's `chromium_experimental_subgroup_matrix`, lowered to
 * VK_KHR_cooperative_matrix on NVIDIA): out[M, N] = A[M, K] @ W[N, K]^T (+ bias[N]), with A float32 (activations,
 * rounded to float16 when staged in workgroup memory), W float16 bits packed two per 32-bit word in torch.nn.Linear's
 * [out, in] layout (no transpose needed: W's rows are the right operand's columns), products accumulated in float32
 * by the tensor cores, output float32.
 *
 * The code is written against the names tfjs-backend-webgpu declares (bindings `result`, `A`, `W`, `bias` as
 * vec4 arrays, `uniforms.dimM/dimN/dimK`, globals `localIndex` and `workgroupId`) so that the same text runs in
 * tfjs's runWebGPUProgram (./backend-webgpu-f16.ts) and in the raw Dawn probe (bench/gpu/f16-probe.ts).
 * Kept free of tfjs imports for that reason.
 */

/** One of the adapter's subgroup-matrix configurations (GPUSubgroupMatrixConfig). */
export interface SubgroupMatrixShape { M: number; N: number; K: number }

/**
 * The workgroup tile: sgM x sgN subgroups of 32 invocations, each owning tm x tn result matrices of the config's
 * M x N; K advances by bk per staging step (a multiple of the config's K).
 */
export interface HalfTile { sgM: number; sgN: number; tm: number; tn: number; bk: number }

/** The fastest of bench/gpu/f16-probe.ts's variants on the H200 (70-79 TFLOP/s on the Pythia 1b products). */
export const DEFAULT_HALF_TILE: HalfTile = { sgM: 4, sgN: 2, tm: 2, tn: 4, bk: 32 };

/** The directives that must open the shader module (hoisted there by ./backend-webgpu-f16.ts under tfjs). */
export const HALF_MATMUL_DIRECTIVES = [
  "enable f16;",
  "enable subgroups;",
  "enable chromium_experimental_subgroup_matrix;",
  "diagnostic(off, chromium.subgroup_matrix_uniformity);",
];

/** Subgroup size the kernel assumes (NVIDIA's warp; Dawn requires the workgroup's x size to be a multiple of it). */
export const SUBGROUP = 32;

export interface HalfMatMulLayout { threads: number; bm: number; bn: number }

export function halfMatMulLayout(cfg: SubgroupMatrixShape, tile: HalfTile): HalfMatMulLayout {
  return { threads: tile.sgM * tile.sgN * SUBGROUP, bm: tile.sgM * tile.tm * cfg.M, bn: tile.sgN * tile.tn * cfg.N };
}

/** The products the kernel handles: K a multiple of the staging step (so W rows stay vec4-aligned), N of 4. */
export function halfMatMulFits(K: number, N: number, tile: HalfTile = DEFAULT_HALF_TILE): boolean {
  return K % tile.bk === 0 && K % 8 === 0 && N % 4 === 0;
}

/**
 * The kernel body (declarations after the bindings, and `fn main()`). Each step stages A's bm x bk block (float32 ->
 * float16) and W's bn x bk block in workgroup memory, the next step's global loads held in registers meanwhile;
 * each subgroup multiplies its tm x tn matrices from there; results go out through a per-subgroup staging block in
 * workgroup memory, with the row and column guards (M and N need not be multiples of the tile).
 * `aHalf`: A is already float16 bits packed two per word ([M, K / 2] int32, vec4 = 8 halves), as W: half the bytes
 * each column of workgroups reads, and no conversion in every workgroup.
 */
export function halfMatMulCode(cfg: SubgroupMatrixShape, tile: HalfTile, bias: boolean, aHalf = false): string {
  const { threads, bm, bn } = halfMatMulLayout(cfg, tile);
  const { tm, tn, bk, sgM } = tile;
  if (bk % cfg.K !== 0 || bk % 8 !== 0) throw new Error(`halfMatMulCode: bk ${bk} must be a multiple of ${cfg.K} and 8`);
  const sa = bk + 8; // row stride of the staged blocks in halves: 16 bytes of padding against bank conflicts
  const aPerVec = aHalf ? 8 : 4; // A elements per vec4 load: 8 halves or 4 floats
  const aVec = (bm * bk) / aPerVec, wVec = (bn * bk) / 8; // vec4 loads per step
  if (aVec % threads !== 0 || wVec % threads !== 0) throw new Error(`halfMatMulCode: tile ${bm}x${bn}x${bk} does not split over ${threads} threads`);
  const aPer = aVec / threads, wPer = wVec / threads;
  const L = `subgroup_matrix_left<f16, ${cfg.K}, ${cfg.M}>`;
  const R = `subgroup_matrix_right<f16, ${cfg.N}, ${cfg.K}>`;
  const C = `subgroup_matrix_result<f32, ${cfg.N}, ${cfg.M}>`;
  const lines: string[] = [];
  const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
  lines.push(`var<workgroup> As : array<f16, ${bm * sa}>;`);
  lines.push(`var<workgroup> Ws : array<f16, ${bn * sa}>;`);
  lines.push(`var<workgroup> Cs : array<f32, ${(threads / SUBGROUP) * cfg.M * cfg.N}>;`);
  lines.push(`fn main() {
  let M = uniforms.dimM;
  let N = uniforms.dimN;
  let K = uniforms.dimK;
  let kv = u32(K / ${aPerVec});
  let kw = u32(K / 8);
  let li = i32(localIndex);
  let sg = li / ${SUBGROUP};
  let lane = li % ${SUBGROUP};
  let sgm = sg % ${sgM};
  let sgn = sg / ${sgM};
  let m0 = i32(workgroupId.y) * ${bm};
  let n0 = i32(workgroupId.x) * ${bn};`);
  for (const i of range(aPer)) lines.push(`  var ra${i} : vec4<${aHalf ? "i32" : "f32"}>;`);
  for (const i of range(wPer)) lines.push(`  var rw${i} : vec4<i32>;`);
  for (const i of range(tm)) for (const j of range(tn)) lines.push(`  var acc${i}_${j} = ${C}();`);
  const load = (kt: string): string[] => [
    ...range(aPer).map((i) => {
      const idx = `(li + ${i * threads})`;
      const per = bk / aPerVec;
      return `    { let r = m0 + ${idx} / ${per}; ra${i} = vec4<${aHalf ? "i32" : "f32"}>(0); if (r < M) { ra${i} = A[u32(r) * kv + u32(${kt} * ${per} + ${idx} % ${per})]; } }`;
    }),
    ...range(wPer).map((i) => {
      const idx = `(li + ${i * threads})`;
      return `    { let n = n0 + ${idx} / ${bk / 8}; rw${i} = vec4<i32>(0); if (n < N) { rw${i} = W[u32(n) * kw + u32(${kt} * ${bk / 8} + ${idx} % ${bk / 8})]; } }`;
    }),
  ];
  /** Eight halves from a vec4 of packed words into a staged block. */
  const stageHalves = (dst: string, reg: string, idx: string): string =>
    `    { let b = ${idx} / ${bk / 8} * ${sa} + ${idx} % ${bk / 8} * 8; ${range(4).map((c) => `let h${c} = bitcast<vec2<f16>>(${reg}[${c}]); ${dst}[b + ${2 * c}] = h${c}.x; ${dst}[b + ${2 * c + 1}] = h${c}.y;`).join(" ")} }`;
  const stage: string[] = [
    ...range(aPer).map((i) => {
      const idx = `(li + ${i * threads})`;
      if (aHalf) return stageHalves("As", `ra${i}`, idx);
      const base = `${idx} / ${bk / 4} * ${sa} + ${idx} % ${bk / 4} * 4`;
      return `    { let b = ${base}; ${range(4).map((c) => `As[b + ${c}] = f16(ra${i}[${c}]);`).join(" ")} }`;
    }),
    ...range(wPer).map((i) => stageHalves("Ws", `rw${i}`, `(li + ${i * threads})`)),
  ];
  const mma: string[] = [];
  for (let kk = 0; kk < bk; kk += cfg.K) {
    mma.push("    {");
    for (const i of range(tm)) mma.push(`      let l${i} = subgroupMatrixLoad<${L}>(&As, u32((sgm * ${tm * cfg.M} + ${i * cfg.M}) * ${sa} + ${kk}), false, ${sa}u);`);
    for (const j of range(tn)) mma.push(`      let w${j} = subgroupMatrixLoad<${R}>(&Ws, u32((sgn * ${tn * cfg.N} + ${j * cfg.N}) * ${sa} + ${kk}), true, ${sa}u);`);
    for (const i of range(tm)) for (const j of range(tn)) mma.push(`      acc${i}_${j} = subgroupMatrixMultiplyAccumulate(l${i}, w${j}, acc${i}_${j});`);
    mma.push("    }");
  }
  lines.push(...load("0"));
  lines.push(`  let steps = K / ${bk};
  for (var kt = 0; kt < steps; kt++) {
    workgroupBarrier();`);
  lines.push(...stage);
  lines.push(`    workgroupBarrier();
    if (kt + 1 < steps) {`);
  lines.push(...load("(kt + 1)"));
  lines.push("    }");
  lines.push(...mma);
  lines.push("  }");
  // Out: each subgroup stores one result matrix at a time into its Cs block, its lanes write it as vec4 rows.
  const perMat = (cfg.M * cfg.N) / 4; // vec4 per result matrix
  const rounds = Math.ceil(perMat / SUBGROUP);
  const nq = cfg.N / 4;
  lines.push(`  let cs = u32(sg * ${cfg.M * cfg.N});
  let nv = N / 4;`);
  for (const i of range(tm)) for (const j of range(tn)) {
    lines.push(`  workgroupBarrier();
  subgroupMatrixStore(&Cs, cs, acc${i}_${j}, false, ${cfg.N}u);
  workgroupBarrier();`);
    for (const q of range(rounds)) {
      const guard = (q + 1) * SUBGROUP > perMat ? `e < ${perMat} && ` : "";
      lines.push(`  { let e = lane + ${q * SUBGROUP}; let r = m0 + sgm * ${tm * cfg.M} + ${i * cfg.M} + e / ${nq}; let c4 = (n0 + sgn * ${tn * cfg.N} + ${j * cfg.N}) / 4 + e % ${nq};
    if (${guard}r < M && c4 < nv) { let s = cs + u32(e * 4); let v = vec4<f32>(Cs[s], Cs[s + 1u], Cs[s + 2u], Cs[s + 3u]); result[u32(r) * u32(nv) + u32(c4)] = v${bias ? " + bias[u32(c4)]" : ""}; } }`);
    }
  }
  lines.push("}");
  return lines.join("\n");
}
