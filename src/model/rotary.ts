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
