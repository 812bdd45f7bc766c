/**
 * Rotary position embedding tables, computed on the host in float32 exactly as transformers does
 * (GPTNeoXRotaryEmbedding, rope_type "default"):
 *   inv_freq[i] = 1 / base ** (2i / dim)            (float32 arithmetic, i = 0 .. dim/2 - 1)
 *   freqs[t, i] = t * inv_freq[i];  emb = cat(freqs, freqs);  cos = cos(emb), sin = sin(emb)
 * Never taken from a checkpoint's `rotary_emb.inv_freq` buffer: Pythia stores it in fp16, which shifts the
 * frequencies enough to move layer outputs by about 1e-3 relative.
 */
const f = Math.fround;

/** inv_freq as float32 values, length dim / 2. */
export function rotaryInvFreq(dim: number, base: number): Float32Array {
  const out = new Float32Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) out[i] = f(1 / f(Math.pow(base, f((2 * i) / dim))));
  return out;
}

/**
 * cos and "signed sin" tables, each [seqLen, dim] row-major. The signed sin holds -sin on the first half of each
 * row, so that rotate_half(x) * sin == cat(x2, x1) * signedSin exactly (negation is exact in floating point).
 */
export function rotaryTables(seqLen: number, dim: number, base: number): { cos: Float32Array; signedSin: Float32Array } {
  const inv = rotaryInvFreq(dim, base);
  const half = dim / 2;
  const cos = new Float32Array(seqLen * dim);
  const signedSin = new Float32Array(seqLen * dim);
  for (let t = 0; t < seqLen; t++) {
    for (let i = 0; i < half; i++) {
      const angle = f(t * inv[i]!);
      const c = f(Math.cos(angle));
      const s = f(Math.sin(angle));
      cos[t * dim + i] = c;
      cos[t * dim + half + i] = c;
      signedSin[t * dim + i] = -s;
      signedSin[t * dim + half + i] = s;
    }
  }
  return { cos, signedSin };
}

/**
 * Per-head rotary tables for the exact permutation form x * cosFull + (x @ perm) * sinFull on [.., hs] rows:
 * cosFull / sinFull [seqLen, headSize] hold cos / signed sin on the first `dim` (rotary) dims and 1 / 0 on the
 * pass-through dims; perm [headSize, headSize] is the 0/1 rotate-half permutation ((x @ perm)[:, i] = x[:, i + dim/2]
 * for i < dim/2, x[:, i - dim/2] for dim/2 <= i < dim, 0 elsewhere). Also returns the plain {@link rotaryTables}.
 */
export function headRotaryTables(seqLen: number, headSize: number, dim: number, base: number): { cos: Float32Array; signedSin: Float32Array; cosFull: Float32Array; sinFull: Float32Array; perm: Float32Array } {
  const { cos, signedSin } = rotaryTables(seqLen, dim, base);
  const half = dim / 2;
  const cosFull = new Float32Array(seqLen * headSize).fill(1);
  const sinFull = new Float32Array(seqLen * headSize);
  for (let t = 0; t < seqLen; t++) {
    cosFull.set(cos.subarray(t * dim, (t + 1) * dim), t * headSize);
    sinFull.set(signedSin.subarray(t * dim, (t + 1) * dim), t * headSize);
  }
  const perm = new Float32Array(headSize * headSize);
  for (let i = 0; i < dim; i++) perm[(i < half ? i + half : i - half) * headSize + i] = 1;
  return { cos, signedSin, cosFull, sinFull, perm };
}

/** HF's causal-mask fill value: the most negative float32. */
export const CAUSAL_MASK_VALUE = -3.4028234663852886e38;

/** Additive causal mask [seqLen, seqLen] (row = query): 0 on and below the diagonal, {@link CAUSAL_MASK_VALUE} above. */
export function causalMask(seqLen: number): Float32Array {
  const mask = new Float32Array(seqLen * seqLen);
  for (let q = 0; q < seqLen; q++) mask.fill(CAUSAL_MASK_VALUE, q * seqLen + q + 1, (q + 1) * seqLen);
  return mask;
}
