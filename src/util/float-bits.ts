/**
 * Float32 <-> bit pattern, through one shared 4-byte buffer. Non-negative float32 values order like their bit
 * patterns read as unsigned integers, which record/'s exact top-k and median searches rely on.
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
