/**
 * The float16 tensor-core product's tiles (./backend-webgpu-f16-code.ts generates the WGSL of one): their layout, the
 * named variants bench/gpu/f16-probe.ts times, the defaults of plain and batched products, the dispatch. Kept free
 * of tfjs imports (the raw Dawn probe uses it too).
 */

/** One of the adapter's subgroup-matrix configurations (GPUSubgroupMatrixConfig). */
export interface SubgroupMatrixShape { M: number; N: number; K: number }

/**
 * The workgroup tile: sgM x sgN subgroups of 32 invocations, each owning tm x tn result matrices of the config's
 * M x N; K advances by bk per step (a multiple of the config's K and of 8).
 * stages: workgroup buffers per operand: 1 = stage, barrier, multiply, barrier; 2 = the next step is staged into
 * the other buffer while this one is multiplied, one barrier per step.
 * direct: operands that subgroupMatrixLoad reads straight from global memory (L1/L2 serve the reuse) instead of
 * workgroup memory: "a", "w" or "aw"; only for exact tiles (M, N multiples of the tile) and A as float16 bits.
 * group: the workgroups' order (rasterisation): 0 or absent, row tiles in dispatch order (all of a row band's column
 * tiles, then the next band: W is read again from DRAM per band when it outgrows the L2, as the 70m / 1b logits'
 * 51 / 206 MB do); g > 0, bands of g row tiles walked column by column (the g row tiles of one column tile run
 * side by side, so each W block is read about once per band of g and A's g rows stay in the L2). Plain products only.
 * stagedStores: whole tiles of plain products store their results through workgroup memory, a row of result matrices
 * at a time (storeRows of them: 1 by default), as rows of vec4 (instead of subgroupMatrixStore straight into the output).
 */
export interface HalfTile { sgM: number; sgN: number; tm: number; tn: number; bk: number; stages?: 1 | 2; direct?: "" | "a" | "w" | "aw"; group?: number; stagedStores?: boolean; storeRows?: number }

/** The staged tile of session 4 (70-79 TFLOP/s on the Pythia 1b products, scalar stores): also the fallback of direct tiles. */
export const STAGED_HALF_TILE: HalfTile = { sgM: 4, sgN: 2, tm: 2, tn: 4, bk: 32 };

/**
 * Named tiles (bench/gpu/f16-probe.ts times each; MASSIVE_WEBGPU_F16_TILE=<name> picks one in halfLinear).
 * Names: output tile, threads, K step, "db" double-buffered, "d-a"/"d-w"/"d-aw" direct operands. Each fits the
 * H200's 48 KiB of workgroup memory (the double-buffered 128 x 128 x 32 tile uses 40 KiB).
 */
export const HALF_TILES: Record<string, HalfTile> = {
  "128x128-256t-bk32": STAGED_HALF_TILE,
  "128x128-256t-bk64": { sgM: 4, sgN: 2, tm: 2, tn: 4, bk: 64 },
  "128x128-256t-bk32-db": { sgM: 4, sgN: 2, tm: 2, tn: 4, bk: 32, stages: 2 },
  "128x128-128t-bk32-db": { sgM: 2, sgN: 2, tm: 4, tn: 4, bk: 32, stages: 2 },
  "128x128-512t-bk32-db": { sgM: 4, sgN: 4, tm: 2, tn: 2, bk: 32, stages: 2 },
  "128x128-128t-bk64": { sgM: 2, sgN: 2, tm: 4, tn: 4, bk: 64 },
  "128x256-256t-bk32": { sgM: 2, sgN: 4, tm: 4, tn: 4, bk: 32 },
  "256x128-256t-bk32": { sgM: 4, sgN: 2, tm: 4, tn: 4, bk: 32 },
  "128x128-256t-bk32-d-aw": { sgM: 4, sgN: 2, tm: 2, tn: 4, bk: 32, direct: "aw" },
  "128x128-128t-bk32-d-aw": { sgM: 2, sgN: 2, tm: 4, tn: 4, bk: 32, direct: "aw" },
  "128x128-256t-bk32-db-d-w": { sgM: 4, sgN: 2, tm: 2, tn: 4, bk: 32, stages: 2, direct: "w" },
  "128x128-256t-bk32-db-d-a": { sgM: 4, sgN: 2, tm: 2, tn: 4, bk: 32, stages: 2, direct: "a" },
  "128x128-256t-bk64-d-w": { sgM: 4, sgN: 2, tm: 2, tn: 4, bk: 64, direct: "w" },
  // For products with 64 columns (P v of 64-dim heads): the 128 x 128 tiles would leave half their subgroups idle.
  "128x64-128t-bk64": { sgM: 4, sgN: 1, tm: 2, tn: 4, bk: 64 },
  // Session 8 (issue 18, the 70m float16 pass; bench/gpu/h200-2026-12-02-s8/round-1, round-2 /M): the grouped
  // workgroup order (g8) and staged stores (ss). Tried and dropped: 64 x 128 and 64 x 64 tiles, K step 32 with 4
  // subgroups, g32, persistent workgroups (in c896d66 and 53ab5f4).
  "128x128-128t-bk64-g8": { sgM: 2, sgN: 2, tm: 4, tn: 4, bk: 64, group: 8 },
  "128x128-128t-bk64-ss": { sgM: 2, sgN: 2, tm: 4, tn: 4, bk: 64, stagedStores: true },
  "128x128-128t-bk64-g8-ss": { sgM: 2, sgN: 2, tm: 4, tn: 4, bk: 64, group: 8, stagedStores: true },
  // Two rows of result matrices per round of staged stores (half the barriers; 32 KiB, within the staging's 36 KiB).
  "128x128-128t-bk64-g8-ss2": { sgM: 2, sgN: 2, tm: 4, tn: 4, bk: 64, group: 8, stagedStores: true, storeRows: 2 },
};

/**
 * The tile of batched products (halfBatchedMatMul, the attention's products) unless MASSIVE_WEBGPU_F16_TILE names
 * another, and halfLinear's before session 8 ({@link LINEAR_HALF_TILE} adds the grouped order and staged stores):
 * 4 subgroups of 64 x 64 (4 x 4 matrices, so each fragment loaded from workgroup memory feeds 4 products), K step 64,
 * one buffer. Fastest of the probe's tiles on
 * the H200 (2026-12-02 06:33, bench/gpu/h200-2026-12-02b-f16/call2): 226-260 TFLOP/s on the 1b MLP and qkv products,
 * against 148-171 for the 256-thread 128 x 128 x 32 tile and 70-79 for session 4's kernel (scalar 16-bit stores).
 */
export const DEFAULT_HALF_TILE_NAME = "128x128-128t-bk64";
export const DEFAULT_HALF_TILE: HalfTile = HALF_TILES[DEFAULT_HALF_TILE_NAME]!;

/**
 * The tile of halfLinear's products (every Linear of a float16 forward, the logits included) unless
 * MASSIVE_WEBGPU_F16_TILE names another: the default tile in the grouped order, its results stored through workgroup
 * memory. On the H200 (session 8 R2, bench/gpu/h200-2026-12-02-s8/round-2/M, f16-probe with >= 30 ms per timing),
 * against the default tile: the 70m logits [10240, 512] x [512, 50304] 2.73 vs 3.58 ms, qkv 0.092 vs 0.120, dense 0.036
 * vs 0.049, fc1 0.115 vs 0.152, fc2 (K 2048) 0.106 vs 0.118 ms; one 5 x 2048 pass's products 4.83 vs 6.22 ms (the
 * real pass, programs.js: logits 2.69 vs 3.54 ms, the 24 linears 2.56 vs 3.01-3.34). 1b (R3, round-3/M): the forward
 * 93,632 vs 88,019 tokens/s with logits, the products 248-259 vs 208-237 TFLOP/s.
 */
export const LINEAR_HALF_TILE_NAME = "128x128-128t-bk64-g8-ss";
export const LINEAR_HALF_TILE: HalfTile = HALF_TILES[LINEAR_HALF_TILE_NAME]!;

/** The tiles halfBatchedMatMul takes unless MASSIVE_WEBGPU_F16_TILE names another (halfTileFor: the default, the K-32 tile where K % 64 != 0). */
export const BATCHED_HALF_TILE_NAMES = [DEFAULT_HALF_TILE_NAME, "128x128-256t-bk32"];

/** Subgroup size the kernel assumes (NVIDIA's warp; Dawn requires the workgroup's x size to be a multiple of it). */
export const SUBGROUP = 32;

export interface HalfMatMulLayout { threads: number; bm: number; bn: number }

export function halfMatMulLayout(cfg: SubgroupMatrixShape, tile: HalfTile): HalfMatMulLayout {
  return { threads: tile.sgM * tile.sgN * SUBGROUP, bm: tile.sgM * tile.tm * cfg.M, bn: tile.sgN * tile.tn * cfg.N };
}

/** The products the kernel handles: K a multiple of the step (so rows stay 16-byte aligned), N of 4. */
export function halfMatMulFits(K: number, N: number, tile: HalfTile = STAGED_HALF_TILE): boolean {
  return K % tile.bk === 0 && K % 8 === 0 && N % 4 === 0;
}

/** Whether [M, K] x [K, N] fills whole tiles (then the kernel has no guards, direct operands and direct stores). */
export function halfMatMulExact(cfg: SubgroupMatrixShape, tile: HalfTile, M: number, N: number, K: number): boolean {
  const { bm, bn } = halfMatMulLayout(cfg, tile);
  return M % bm === 0 && N % bn === 0 && K % tile.bk === 0;
}

/** The workgroups of a product: [column tiles, row tiles, batch]. */
export function halfMatMulDispatch(cfg: SubgroupMatrixShape, tile: HalfTile, M: number, N: number, batch = 0): [number, number, number] {
  const { bm, bn } = halfMatMulLayout(cfg, tile);
  return [Math.ceil(N / bn), Math.ceil(M / bm), Math.max(batch, 1)];
}
