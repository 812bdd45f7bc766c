/**
 * Float16 compute on the GPU (opt-in, GPTNeoXOptions.compute = "float16"): torch.nn.Linear products with the
 * weights kept as float16 bits on the GPU and multiplied on the tensor cores through Dawn's experimental
 * subgroup matrices (WGSL in ./backend-webgpu-f16-code.ts), activations rounded to float16 as they are staged,
 * float32 accumulation and output. webgpu only, and only where the adapter offers `shader-f16`, `subgroups`,
 * `chromium-experimental-subgroup-matrix` (Dawn toggle allow_unsafe_apis) and an f16 x f16 -> f32 configuration:
 * {@link halfComputeAvailable} says so. Forward only (no gradients).
 *
 * tfjs creates its own GPUDevice, without these features, and writes its own shader preamble: {@link enableHalfCompute}
 * wraps Dawn's GPU object before tfjs starts, so that the device is asked for the features and every shader module
 * that uses them gets the `enable` / `diagnostic` directives moved to its top (WGSL wants them before any
 * declaration). Other programs are left untouched: the float32 path stays as it was.
 */
import * as tf from "@tensorflow/tfjs-core";
import { HALF_ATTENTION_UNIFORMS, HALF_MATMUL_DIRECTIVES, HalfAttentionProduct, halfMatMulCode } from "./backend-webgpu-f16-code";
import { DEFAULT_HALF_TILE, HALF_TILES, HalfTile, LINEAR_HALF_TILE, STAGED_HALF_TILE, SubgroupMatrixShape, halfMatMulDispatch, halfMatMulExact, halfMatMulFits, halfMatMulLayout } from "./backend-webgpu-f16-tiles";
import { FlatProgram, TensorInfo, Uniform, runFlatProgram, webgpuRunner } from "./backend-webgpu-program";

export { HALF_TILES, halfMatMulFits } from "./backend-webgpu-f16-tiles";

/** The device features the float16 products need. */
export const HALF_FEATURES = ["shader-f16", "subgroups", "chromium-experimental-subgroup-matrix"];

/**
 * Dawn toggles the float16 products need: allow_unsafe_apis exposes the experimental subgroup matrices, and
 * vulkan_enable_f16_on_nvidia exposes shader-f16 on NVIDIA (off by default in Dawn; without it the H200 offers
 * only the u8/i8 subgroup-matrix configurations, measured 2026-12-02 by bench/gpu/f16-probe.ts).
 */
export const HALF_DAWN_TOGGLES = ["allow_unsafe_apis", "vulkan_enable_f16_on_nvidia"];

interface MatrixConfig { componentType: string; resultComponentType: string; M: number; N: number; K: number }
interface HalfAdapter {
  features: { has(name: string): boolean };
  info?: { subgroupMatrixConfigs?: Iterable<MatrixConfig> };
  requestDevice(desc?: { requiredFeatures?: string[] }): Promise<HalfDevice>;
}
interface HalfDevice { createShaderModule(desc: { code: string }): unknown }
interface HalfGpu { requestAdapter(options?: object): Promise<HalfAdapter | null> }

let config: SubgroupMatrixShape | undefined;
let unavailable = "the webgpu backend was not set up";

/** Whether {@link halfLinear} can run: webgpu backend, device with {@link HALF_FEATURES} and an f16 -> f32 config. */
export function halfComputeAvailable(): boolean {
  return config !== undefined && tf.getBackend() === "webgpu";
}

/** Why float16 compute is not available (for the one-line error of GPTNeoX). */
export function halfComputeMissing(): string {
  return tf.getBackend() !== "webgpu" ? `backend is ${tf.getBackend()}, not webgpu` : unavailable;
}

/** Throws the one-line reason unless {@link halfComputeAvailable} (for GPTNeoXOptions.compute = "float16"). */
export function requireHalfCompute(): void {
  if (!halfComputeAvailable()) throw new Error(`compute float16 needs the webgpu backend with float16 subgroup matrices: ${halfComputeMissing()}`);
}

/** The tensor-core configuration in use (M x N x K of one subgroup product), or undefined. */
export function halfMatrixConfig(): SubgroupMatrixShape | undefined {
  return config;
}

const DIRECTIVE = /^\s*(enable\s+[a-z0-9_,\s]+;|diagnostic\s*\([^)]*\)\s*;)\s*$/;

/** WGSL with its `enable` and `diagnostic` directives (one per line) moved, once each, to the top. */
export function hoistDirectives(code: string): string {
  if (!code.includes("enable chromium_experimental_subgroup_matrix") && !code.includes("enable f16")) return code;
  const directives: string[] = [];
  const rest: string[] = [];
  for (const line of code.split("\n")) {
    if (DIRECTIVE.test(line)) {
      const d = line.trim();
      if (!directives.includes(d)) directives.push(d);
    } else rest.push(line);
  }
  // enable before diagnostic (WGSL allows either order; kept stable for the shader cache).
  directives.sort((a, b) => Number(a.startsWith("diagnostic")) - Number(b.startsWith("diagnostic")));
  return [...directives, ...rest].join("\n");
}

/**
 * Wraps Dawn's GPU object (before tfjs-backend-webgpu requests its adapter) so that the device gets
 * {@link HALF_FEATURES} when the adapter has them and an f16 -> f32 subgroup-matrix configuration, and its shader
 * modules get their directives hoisted. Needs Dawn created with the toggle {@link HALF_DAWN_TOGGLE}.
 */
export function enableHalfCompute(gpu: object): void {
  const g = gpu as HalfGpu;
  const requestAdapter = g.requestAdapter.bind(g);
  g.requestAdapter = async (options?: object): Promise<HalfAdapter | null> => {
    const adapter = await requestAdapter(options);
    if (!adapter) return adapter;
    const missing = HALF_FEATURES.filter((f) => !adapter.features.has(f));
    const configs = [...(adapter.info?.subgroupMatrixConfigs ?? [])];
    const cfg = configs.find((c) => c.componentType === "f16" && c.resultComponentType === "f32");
    if (missing.length || !cfg) {
      unavailable = missing.length ? `the adapter lacks ${missing.join(", ")}` : "the adapter has no f16 -> f32 subgroup-matrix configuration";
      return adapter;
    }
    const requestDevice = adapter.requestDevice.bind(adapter);
    return withMethod(adapter, "requestDevice", async (desc: { requiredFeatures?: string[] } = {}): Promise<HalfDevice> => {
      const device = await requestDevice({ ...desc, requiredFeatures: [...(desc.requiredFeatures ?? []), ...HALF_FEATURES] });
      const create = device.createShaderModule.bind(device);
      config = { M: cfg.M, N: cfg.N, K: cfg.K };
      return withMethod(device, "createShaderModule", (d: { code: string }): unknown => create({ ...d, code: hoistDirectives(d.code) }));
    });
  };
}

/**
 * obj with its method `name` replaced: assigned on the object when Dawn's wrapper allows it (no cost on other
 * calls), else through a Proxy that binds the other methods to the original object.
 */
function withMethod<T extends object>(obj: T, name: string, fn: unknown): T {
  try {
    (obj as Record<string, unknown>)[name] = fn;
    if ((obj as Record<string, unknown>)[name] === fn) return obj;
  } catch {
    // read-only on this build: fall through to the Proxy
  }
  return new Proxy(obj, {
    get(target, prop): unknown {
      if (prop === name) return fn;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * tfjs program: out [M, N] = A [M, K] @ W^T (+ bias), W float16 bits [N, K] as int32 words [N, K / 2]; with
 * `batch` > 0, out [batch, M, N] = A [batch, M, K] @ W [batch, N, K]^T per batch (workgroupId.z; no bias). batch 0
 * is halfLinear's program, code and shader key unchanged.
 */
class HalfMatMulProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[]; y: number[]; z?: number[] } = { x: [1], y: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  /** vec4<f32> results, or vec2<i32> (four float16 values) for a merged float16 context; A, W, bias stay vec4 arrays. */
  outputComponent = 4;
  variableComponents?: number[];
  uniforms = "dimM : i32, dimN : i32, dimK : i32,";
  /** The WGSL, generated when tfjs compiles the program (on a pipeline-cache miss), not at every dispatch: ~0.1 ms of host time each. */
  private readonly makeCode: () => string;

  constructor(cfg: SubgroupMatrixShape, tile: HalfTile, M: number, N: number, K: number, bias: boolean, aHalf: boolean, batch = 0, att?: HalfAttentionProduct & { outputShape?: number[]; seqLen: number }) {
    const { threads } = halfMatMulLayout(cfg, tile);
    // A merged result may store whole tiles only when no padded query row exists (rows past T belong to the next sequence).
    const exact = halfMatMulExact(cfg, tile, M, N, K) && !(att?.merged && att.seqLen !== M);
    const batched = batch > 0;
    this.variableNames = bias ? ["A", "W", "bias"] : ["A", "W"];
    this.outputShape = att?.outputShape ?? (batched ? [batch, M, N] : [M, N]);
    if (att) this.uniforms += HALF_ATTENTION_UNIFORMS;
    if (att?.half) {
      this.outputComponent = 2;
      this.variableComponents = [4, 4];
    }
    if (batched) this.dispatchLayout = { x: [2], y: [1], z: [0] } as HalfMatMulProgram["dispatchLayout"];
    this.workgroupSize = [threads, 1, 1];
    this.dispatch = halfMatMulDispatch(cfg, tile, M, N, batch);
    const t = `${tile.sgM}x${tile.sgN}x${tile.tm}x${tile.tn}x${tile.bk}x${tile.stages ?? 1}${tile.direct ?? ""}${tile.group ? `g${tile.group}` : ""}${tile.stagedStores ? `ss${tile.storeRows ?? ""}` : ""}`;
    const a = att ? `_${att.causal}_${att.merged}${att.half ? "_half" : ""}` : "";
    this.shaderKey = `massiveHalfMatMul_${cfg.M}x${cfg.N}x${cfg.K}_${t}_${bias}_${aHalf}_${exact}${batched ? "_batched" : ""}${a}`;
    const attention = att && { causal: att.causal, merged: att.merged, half: att.half };
    this.makeCode = () => `${HALF_MATMUL_DIRECTIVES.join("\n")}\n${halfMatMulCode(cfg, tile, { bias, aHalf, exact, batched, attention })}`;
  }

  getUserCode(): string {
    return this.makeCode();
  }
}

/**
 * The tile MASSIVE_WEBGPU_F16_TILE names for a product, or undefined (the default): a comma-separated list of
 * `KxN:<tile>` entries (plain products of that K and N; for measuring choices per shape) and at most one bare
 * `<tile>` for the rest (batched products take only that).
 */
function envTileName(N: number, K: number, plain: boolean): string | undefined {
  let name: string | undefined;
  for (const entry of (process.env.MASSIVE_WEBGPU_F16_TILE ?? "").split(",").map((e) => e.trim()).filter(Boolean)) {
    const at = entry.indexOf(":");
    const tile = at < 0 ? entry : entry.slice(at + 1);
    if (!HALF_TILES[tile]) throw new Error(`MASSIVE_WEBGPU_F16_TILE=${entry}: not one of ${Object.keys(HALF_TILES).join(", ")}`);
    if (at >= 0 && plain && entry.slice(0, at) === `${K}x${N}`) return tile;
    if (at < 0) name = tile;
  }
  return name;
}

/**
 * The tile for one product: `tile`, or the one MASSIVE_WEBGPU_F16_TILE names ({@link envTileName}: bench/gpu/f16-probe.ts's
 * names, for measuring), or the default (LINEAR_HALF_TILE for `plain` products: halfLinear's; DEFAULT_HALF_TILE for
 * batched ones), made staged where it reads operands directly but the product does not fill whole tiles (or A is
 * float32), and the staged tile of K step 32 where K is not a multiple of its step.
 */
export function halfTileFor(cfg: SubgroupMatrixShape, M: number, N: number, K: number, aHalf: boolean, tile?: HalfTile, plain = false): HalfTile {
  const named = tile ? undefined : envTileName(N, K, plain);
  let t = tile ?? (named ? HALF_TILES[named]! : plain ? LINEAR_HALF_TILE : DEFAULT_HALF_TILE);
  if (K % t.bk !== 0) t = STAGED_HALF_TILE;
  if (t.direct && (!aHalf || !halfMatMulExact(cfg, t, M, N, K))) t = { ...t, direct: "" };
  return t;
}

/** float32 pairs -> float16 bits in one int32 word (the same f16() conversion as the product kernel's staging). */
const PACK_HALF_CODE = `enable f16;
  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    result[index] = bitcast<i32>(vec2<f16>(f16(X[2 * index]), f16(X[2 * index + 1])));
  }`;

/** x [M, K] float32 (K even) as float16 bits packed two per int32 word: [M, K / 2] int32. */
export function packHalfActivations(x: tf.Tensor2D): tf.Tensor2D {
  const [M, K] = x.shape;
  const words = (M * K) / 2;
  const program = new FlatProgram({
    key: "massivePackHalf", outputShape: [M, K / 2], variableNames: ["X"], uniforms: "", code: PACK_HALF_CODE,
    threads: 256, workgroups: Math.ceil(words / 256), sizeUniform: true,
  });
  return runFlatProgram(program, [x], "int32") as tf.Tensor2D;
}

/**
 * Whether halfLinear converts the activations to float16 once, in a pass of their own (or in the program that
 * makes them: fusedLayerNorm's and fusedGelu's `half`), before the product (default), or in every workgroup as it
 * stages them (`MASSIVE_WEBGPU_F16_A=float32`): the results are the same.
 */
export function packActivationsFirst(): boolean {
  return process.env.MASSIVE_WEBGPU_F16_A !== "float32";
}

/**
 * Whether the programs that make a float16 product's activations (fused LayerNorm, GELU, the float32 flash
 * attention: src/model/gpt-neox.ts) write them as float16 bits themselves (default, one dispatch fewer per product),
 * or as float32 for a packing pass of halfLinear's own (`MASSIVE_WEBGPU_F16_PACK=separate`: the arrangement before
 * 2026-12-02 session 7, kept for comparisons). The same bits either way (test/backend/webgpu-f16.test.ts).
 */
export function producersPackHalf(): boolean {
  return packActivationsFirst() && process.env.MASSIVE_WEBGPU_F16_PACK !== "separate";
}

/** A torch.nn.Linear weight [out, in] as float16 bits, packed two per int32 word: [out, in / 2] int32 on the GPU. */
export function packHalfWeight(bits: Uint16Array, shape: [number, number]): tf.Tensor2D {
  const [N, K] = shape;
  if (bits.length !== N * K || K % 2 !== 0) throw new Error(`packHalfWeight: ${bits.length} values for [${N}, ${K}] (in must be even)`);
  const aligned = bits.byteOffset % 4 === 0 ? bits : bits.slice();
  return tf.tensor2d(new Int32Array(aligned.buffer, aligned.byteOffset, (N * K) / 2), [N, K / 2], "int32");
}

/**
 * x [M, K] float32, or its float16 bits [M, K / 2] int32 (packHalfActivations' layout), @ W^T + b with W from
 * {@link packHalfWeight}: float16 products on the tensor cores, float32 sums. Throws unless
 * {@link halfComputeAvailable} and halfMatMulFits(K, N).
 */
export function halfLinear(x: tf.Tensor2D, packedW: tf.Tensor2D, b?: tf.Tensor1D, tile?: HalfTile): tf.Tensor2D {
  const packed = x.dtype === "int32";
  const M = x.shape[0], K = packed ? 2 * x.shape[1] : x.shape[1];
  const N = packedW.shape[0];
  const cfg = checkedConfig("halfLinear", M, N, K);
  if (packedW.dtype !== "int32" || packedW.shape[1] * 2 !== K) throw new Error(`halfLinear: weight [${packedW.shape}] ${packedW.dtype} does not match x [${x.shape}] ${x.dtype}`);
  if (b && (b.shape[0] !== N || b.dtype !== "float32")) throw new Error(`halfLinear: bias [${b.shape}] for ${N} outputs`);
  const aHalf = packed || packActivationsFirst();
  const a = aHalf && !packed ? packHalfActivations(x) : x;
  try {
    return runHalfProduct(cfg, [a, packedW, ...(b ? [b] : [])], M, N, K, aHalf, b !== undefined, tile, 0) as tf.Tensor2D;
  } finally {
    if (a !== x) a.dispose();
  }
}

/**
 * Per batch a @ w^T on the tensor cores: a [batch, M, K] float32 (rounded to float16 as staged) or float16 bits
 * [batch, M, K / 2] int32 (packHalfActivations), w float16 bits [batch, N, K / 2] int32 -> [batch, M, N] float32
 * (float32 sums). halfLinear's kernel and tile choice (halfTileFor) with workgroupId.z as the batch index.
 * Needs K % 32 == 0 (K % 64 for the default tile, else the staged tile of K step 32) and N % 4 == 0: pad first.
 */
export function halfBatchedMatMul(a: tf.Tensor3D, w: tf.Tensor3D, tile?: HalfTile): tf.Tensor3D {
  const [batch, M] = a.shape;
  const aHalf = a.dtype === "int32";
  const K = aHalf ? a.shape[2] * 2 : a.shape[2];
  const [wBatch, N, wWords] = w.shape;
  const cfg = checkedConfig("halfBatchedMatMul", M, N, K);
  if (w.dtype !== "int32" || wBatch !== batch || wWords * 2 !== K) throw new Error(`halfBatchedMatMul: w [${w.shape}] ${w.dtype} does not match a [${a.shape}] ${a.dtype}`);
  return runHalfProduct(cfg, [a, w], M, N, K, aHalf, false, tile, batch) as tf.Tensor3D;
}

/** Which pairs an attention product covers, where its operands start and where its result goes (see {@link halfAttentionProduct}). */
export interface HalfAttentionProductSpec extends HalfAttentionProduct {
  /** Rows M of each pair's A block, columns N of the result (rows of W), the product's K. */
  M: number;
  N: number;
  K: number;
  /** The group's number of pairs and, for a merged result, its first (sequence, head) pair. */
  count: number;
  pair0: number;
  /** Where the group's first A and W blocks start in their tensors, in int32 words (multiples of 4). */
  aWords: number;
  wWords: number;
  /** Sequences B, tokens T, heads H: T drops padded rows of a merged result, B and H shape it ([B * T, H * N]). */
  B: number;
  T: number;
  H: number;
  /** A merged result of an earlier group, written into in place (its other pairs' rows are left as they are). */
  output?: tf.Tensor2D;
}

/**
 * One of the causal attention's products for `count` (sequence, head) pairs (src/backend-webgpu-attention-tc.ts):
 * per pair A [M, K] @ W [N, K]^T on the tensor cores, both float16 bits packed two per int32 word, read from
 * `a` and `w` (any shape, possibly the same tensor) from spec.aWords / wWords on in blocks of M x K / 2 and
 * N x K / 2 words, float32 sums. Result [count, M, N], or with spec.merged the context [B * T, H * N] (spec.output
 * when given). Causal skipping: HalfAttentionProduct.
 */
export function halfAttentionProduct(a: tf.Tensor, w: tf.Tensor, spec: HalfAttentionProductSpec, tile?: HalfTile): tf.Tensor {
  const { M, N, K, count, pair0, B, T, H } = spec;
  const cfg = checkedConfig("halfAttentionProduct", M, N, K);
  const fits = (t: tf.Tensor, at: number, rows: number): boolean => t.dtype === "int32" && at % 4 === 0 && at + (count * rows * K) / 2 <= t.size;
  if (!fits(a, spec.aWords, M) || !fits(w, spec.wWords, N)) {
    throw new Error(`halfAttentionProduct: a [${a.shape}] ${a.dtype} from word ${spec.aWords}, w [${w.shape}] ${w.dtype} from word ${spec.wWords}: not ${count} blocks of [${M}, ${K}] and [${N}, ${K}] float16`);
  }
  if (spec.merged && (B * H < pair0 + count || T > M)) throw new Error(`halfAttentionProduct: pairs up to ${pair0 + count} of B ${B} x H ${H}, T ${T} of ${M} rows`);
  if (spec.half && (!spec.merged || N % 4 !== 0)) throw new Error(`halfAttentionProduct: a float16 result needs a merged context of N % 4 == 0 (N ${N})`);
  const outputShape = spec.merged ? [B * T, (H * N) / (spec.half ? 2 : 1)] : [count, M, N];
  const program = new HalfMatMulProgram(cfg, attentionProductTile(cfg, M, N, K, tile), M, N, K, false, true, count, { ...spec, outputShape, seqLen: T });
  const uniforms = [M, N, K, spec.aWords / 4, spec.wWords / 4, pair0, T, H].map((v): Uniform => ({ type: "int32", data: [v] }));
  if (!spec.output) return runFlatProgram(program, [a, w], spec.half ? "int32" : "float32", uniforms);
  webgpuRunner().runWebGPUProgram(program, [a, w] as unknown as TensorInfo[], "float32", uniforms, spec.output as unknown as TensorInfo);
  return spec.output;
}

/** The tile of an attention product (halfTileFor's choice, operands always staged): its bm is where P v stops. */
export function attentionProductTile(cfg: SubgroupMatrixShape, M: number, N: number, K: number, tile?: HalfTile): HalfTile {
  return { ...halfTileFor(cfg, M, N, K, true, tile), direct: "", group: 0 };
}

/** The configuration in use, after the checks both products share: float16 compute available, the shape rule. */
function checkedConfig(caller: string, M: number, N: number, K: number): SubgroupMatrixShape {
  if (!config || !halfComputeAvailable()) throw new Error(`float16 compute is not available: ${halfComputeMissing()}`);
  if (!halfMatMulFits(K, N)) throw new Error(`${caller}: [${M}, ${K}] x [${K}, ${N}] needs K % ${STAGED_HALF_TILE.bk} == 0 and N % 4 == 0`);
  return config;
}

/** The product of halfLinear (batch 0) and halfBatchedMatMul (batch > 0): tile choice and dispatch. */
function runHalfProduct(cfg: SubgroupMatrixShape, inputs: tf.Tensor[], M: number, N: number, K: number, aHalf: boolean, bias: boolean, tile: HalfTile | undefined, batch: number): tf.Tensor {
  const t = halfTileFor(cfg, M, N, K, aHalf, tile, batch === 0);
  // The grouped workgroup order is for plain products (batched ones keep the dispatch order: the batch is z).
  const program = new HalfMatMulProgram(cfg, batch > 0 && t.group ? { ...t, group: 0 } : t, M, N, K, bias, aHalf, batch);
  return runFlatProgram(program, inputs, "float32", [{ type: "int32", data: [M] }, { type: "int32", data: [N] }, { type: "int32", data: [K] }]);
}
