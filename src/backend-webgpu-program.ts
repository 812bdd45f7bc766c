/**
 * The plumbing shared by this project's own WebGPU programs (./backend-webgpu-kernels.ts for the forward and
 * recording paths, ./backend-webgpu-train.ts for training): a program over flat buffers for tfjs-backend-webgpu's
 * runWebGPUProgram, the backend handle, and turning its output into an ordinary tfjs tensor. webgpu backend only.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { TensorInfo, WebGpuBackendLike } from "./backend-webgpu-matmul";

export type { TensorInfo } from "./backend-webgpu-matmul";

/** A uniform value as runWebGPUProgram takes it (in the order of the program's `uniforms` declaration). */
export type Uniform = { type: "float32" | "int32"; data: number[] };

/** tfjs-backend-webgpu's program runner, with the optional output tensor of an in-place write. */
export interface WebGpuProgramRunner extends WebGpuBackendLike {
  runWebGPUProgram(program: object, inputs: TensorInfo[], dtype: string, uniforms?: { type: string; data: number[] }[], output?: TensorInfo): TensorInfo;
}

/** The active backend as the webgpu program runner (callers check that the backend is webgpu). */
export function webgpuRunner<T extends WebGpuProgramRunner = WebGpuProgramRunner>(): T {
  return tf.backend() as unknown as T;
}

/** A tensor (owned by the engine) for the output of runWebGPUProgram. */
export function toTensor(info: TensorInfo): tf.Tensor {
  return tf.engine().makeTensorFromTensorInfo(info as unknown as Parameters<ReturnType<typeof tf.engine>["makeTensorFromTensorInfo"]>[0]);
}

/**
 * Runs `program` (a {@link FlatProgram}, or another program object of runWebGPUProgram) on `inputs` into a new tensor
 * of `dtype`, the program's `outputShape` unless `shape` (same element count) is given: the one place this project's
 * programs go through runWebGPUProgram when they make a new output. `uniforms` follow the program's declaration.
 */
export function runFlatProgram(program: object, inputs: readonly (tf.Tensor | TensorInfo)[], dtype: "float32" | "int32", uniforms: Uniform[] = [], shape?: number[]): tf.Tensor {
  const info = webgpuRunner().runWebGPUProgram(program, inputs as TensorInfo[], dtype, uniforms);
  return toTensor(shape === undefined ? info : { ...info, shape });
}

export interface FlatProgramSpec {
  /** tfjs's cache key of the compiled shader (with the shapes and dtypes tfjs adds itself). */
  key: string;
  outputShape: number[];
  variableNames: string[];
  /** WGSL declarations of the program's own uniforms, e.g. "rows : i32, eps : f32,". */
  uniforms: string;
  /** WGSL with `fn main(index : i32)`; index is the flat invocation number (see below). */
  code: string;
  /** Threads per workgroup (x only). */
  threads: number;
  /** Workgroups to dispatch (x only). */
  workgroups: number;
  /** Whether tfjs declares its `uniforms.size` (the output's element count). */
  sizeUniform?: boolean;
}

/**
 * A program over flat buffers: `workgroups` workgroups of `threads` threads running `main(index)`. tfjs folds more
 * than 65,535 workgroups into a 2-D dispatch of ceil(sqrt(n))^2; index / threads is still the workgroup's number, so
 * a row-per-workgroup program must clamp its row (the extra workgroups get rows past the last) and an
 * element-per-invocation program must guard its index.
 */
export class FlatProgram {
  outputShape: number[];
  variableNames: string[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  size: boolean;
  uniforms: string;
  private readonly code: string;

  constructor(spec: FlatProgramSpec) {
    this.outputShape = spec.outputShape;
    this.variableNames = spec.variableNames;
    this.shaderKey = spec.key;
    this.uniforms = spec.uniforms;
    this.code = spec.code;
    this.dispatchLayout = { x: spec.outputShape.map((_, i) => i) };
    this.dispatch = [spec.workgroups, 1, 1];
    this.workgroupSize = [spec.threads, 1, 1];
    this.size = spec.sizeUniform ?? false;
  }

  getUserCode(): string {
    return this.code;
  }
}

/** Threads per workgroup of a one-invocation-per-element {@link flatProgram}. */
export const FLAT_THREADS = 256;

/**
 * A flat program, `main(index)`: one invocation per output element, or with `rowThreads` one workgroup of that many
 * threads per row of a [rows, cols] output (the row being index / rowThreads); tfjs folds large dispatches into 2-D.
 */
export function flatProgram(key: string, outputShape: number[], variableNames: string[], uniforms: string, code: string, rowThreads?: number): FlatProgram {
  return new FlatProgram({
    key: rowThreads ? `${key}_${rowThreads}` : key, outputShape, variableNames, uniforms, code, sizeUniform: true,
    threads: rowThreads ? rowThreads : FLAT_THREADS,
    workgroups: rowThreads ? outputShape[0]! : Math.ceil(outputShape.reduce((a, b) => a * b, 1) / FLAT_THREADS),
  });
}
