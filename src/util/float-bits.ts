/**
 * Float32 <-> bit pattern, through one shared 4-byte buffer. Non-negative float32 values order like their bit
 * patterns read as unsigned integers, which record/'s exact top-k and median searches rely on. Also float16 and
 * bfloat16 bits <-> float32 (checkpoints in io/, the float16 programs of the webgpu backend).
 */
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** The float32 whose IEEE 754 bit pattern is `bits` (an unsigned 32-bit integer). */
export function bitsToFloat(bits: number): number {
  U32[0] = bits;
  return F32[0]!;
}

/** The IEEE 754 bit pattern of `value` rounded to float32, as an unsigned 32-bit integer. */
export function floatToBits(value: number): number {
  F32[0] = value;
  return U32[0]!;
}

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
