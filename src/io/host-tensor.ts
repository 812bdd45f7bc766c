/**
 * Tensors held in host (JavaScript) memory, as the checkpoint readers return them: a dtype, a row-major shape and
 * a typed array. `float16` and `bfloat16` keep their raw 16-bit patterns in a Uint16Array (the readers widen them
 * to float32 unless asked not to); `int64` uses a BigInt64Array; `bool` a Uint8Array of 0/1.
 */

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

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** IEEE half-precision bits -> number (exact). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** number -> IEEE half-precision bits, round to nearest even (as torch's .half()). */
export function floatToHalf(value: number): number {
  F32[0] = value;
  const x = U32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let h = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) h++;
  e = h >>> 10;
  return sign | (e >= 31 ? 0x7c00 : h);
}

let HALF_TABLE: Float32Array | undefined;

/** float16 bits -> float32 values (via a 64K lookup table). */
export function halfToFloat32(src: Uint16Array): Float32Array {
  if (!HALF_TABLE) {
    HALF_TABLE = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) HALF_TABLE[i] = halfToFloat(i);
  }
  const table = HALF_TABLE;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = table[src[i]!]!;
  return out;
}

/** bfloat16 bits -> float32 values (exact: the upper half of a float32). */
export function bfloat16ToFloat32(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < src.length; i++) bits[i] = src[i]! << 16;
  return out;
}

/** float32 values -> float16 bits (round to nearest even). */
export function float32ToHalf(src: Float32Array): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = floatToHalf(src[i]!);
  return out;
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
