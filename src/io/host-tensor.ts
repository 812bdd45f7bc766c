/**
 * Tensors held in host (JavaScript) memory, as the checkpoint readers return them: a dtype, a row-major shape and
 * a typed array. `float16` and `bfloat16` keep their raw 16-bit patterns in a Uint16Array (the readers widen them
 * to float32 unless asked not to); `int64` uses a BigInt64Array; `bool` a Uint8Array of 0/1.
 */
import { bfloat16ToFloat32, halfToFloat32 } from "../util/float-bits";

// The float16 / bfloat16 conversions live in util/ (the backend's float16 programs use them too); re-exported here.
export { bfloat16ToFloat32, float32ToHalf, floatToHalf, halfToFloat, halfToFloat32 } from "../util/float-bits";

export type HostDType =
  | "float16" | "bfloat16" | "float32" | "float64"
  | "int8" | "uint8" | "int16" | "int32" | "int64" | "bool";

export type HostData =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | BigInt64Array;

export interface HostTensor {
  dtype: HostDType;
  shape: number[];
  data: HostData;
}

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<HostDType, number>> = {
  float16: 2, bfloat16: 2, float32: 4, float64: 8, int8: 1, uint8: 1, int16: 2, int32: 4, int64: 8, bool: 1,
};

/** Number of elements of a shape (1 for a scalar `[]`). */
export function numElements(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** True when `shape` is a list of non-negative safe integers. */
export function isValidShape(shape: unknown): shape is number[] {
  return Array.isArray(shape) && shape.every((d) => Number.isSafeInteger(d) && d >= 0);
}

/**
 * Wraps little-endian bytes as a typed array of `dtype` (copying only when `bytes` is not aligned for it).
 * `bytes.byteLength` must equal numElements * DTYPE_BYTES[dtype].
 */
export function typedArrayFromBytes(dtype: HostDType, bytes: Uint8Array): HostData {
  const size = DTYPE_BYTES[dtype];
  const aligned = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  const { buffer, byteOffset, byteLength } = aligned;
  const n = byteLength / size;
  switch (dtype) {
    case "float16": case "bfloat16": return new Uint16Array(buffer, byteOffset, n);
    case "float32": return new Float32Array(buffer, byteOffset, n);
    case "float64": return new Float64Array(buffer, byteOffset, n);
    case "int8": return new Int8Array(buffer, byteOffset, n);
    case "uint8": case "bool": return new Uint8Array(buffer, byteOffset, n);
    case "int16": return new Int16Array(buffer, byteOffset, n);
    case "int32": return new Int32Array(buffer, byteOffset, n);
    case "int64": return new BigInt64Array(buffer, byteOffset, n);
  }
}

/** The bytes behind a typed array (a view, no copy). */
export function bytesOf(data: HostData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** float16/bfloat16 tensors widened to float32; other tensors returned as they are. */
export function widenHalf(t: HostTensor): HostTensor {
  if (t.dtype === "float16") return { dtype: "float32", shape: t.shape, data: halfToFloat32(t.data as Uint16Array) };
  if (t.dtype === "bfloat16") return { dtype: "float32", shape: t.shape, data: bfloat16ToFloat32(t.data as Uint16Array) };
  return t;
}

/** Any floating tensor as float32 values (float64 narrowed, halves widened); integer tensors are refused. */
export function toFloat32(t: HostTensor, where: string): Float32Array {
  switch (t.dtype) {
    case "float32": return t.data as Float32Array;
    case "float16": return halfToFloat32(t.data as Uint16Array);
    case "bfloat16": return bfloat16ToFloat32(t.data as Uint16Array);
    case "float64": return Float32Array.from(t.data as Float64Array);
    default: throw new Error(`${where}: expected a floating-point tensor, got ${t.dtype}`);
  }
}
