/**
 * WGSL of the split-float16 products' own programs (./backend-webgpu-split.ts; the product itself is the float16
 * tensor-core kernel of ./backend-webgpu-f16-code.ts): the split of the activations into float16 high parts and
 * corrections with per-row power-of-two scales (one program), a weight's split, and the float32 sum of the K chunks'
 * partial results with the scales undone.
 * Written against tfjs-backend-webgpu's names (`fn main(index)`, `result`, the inputs by variable name, `uniforms`,
 * `localId`); free of tfjs imports.
 */

/** Scaled values have their largest |value| in (2^(E-1), 2^E]: float16 holds up to 65504 (just under 2^16). */
export const SPLIT_TARGET_EXPONENT = 14;

/** Threads of the activations' split program (one workgroup per row: its largest |value|, then its halves). */
export const SPLIT_ROW_THREADS = 256;

/**
 * The power of two for a row whose largest |value| is m (the WGSL twin of splitScale in ./backend-webgpu-split.ts):
 * ceil(log2 m) read from m's bits (exact, no log2), the scale built from its exponent bits; 1 for a non-finite m
 * (the product then carries the Inf/NaN as float32 would), 2^100 for a subnormal m.
 */
const SCALE_FN = `
  fn massiveSplitScale(m : f32) -> f32 {
    let b = bitcast<u32>(m);
    let e = i32((b >> 23u) & 0xffu);
    if (e == 255 || m == 0.0) { return 1.0; }
    let ceilLog2 = select(e - 127 + select(1, 0, (b & 0x7fffffu) == 0u), -126, e == 0);
    let k = clamp(${SPLIT_TARGET_EXPONENT} - ceilLog2, -100, 100);
    return bitcast<f32>(u32(127 + k) << 23u);
  }`;

/**
 * float16 bits (the low 16 of h) -> float32 by integer arithmetic only. On the H200 (round 1, 2026-12-02) every
 * correction came out 0 with `lo = vec2<f16>(x - vec2<f32>(hi))`: the driver's compiler either folded f32(f16(x))
 * back to x or evaluated the difference in float16. So hi's value is rebuilt from its bits, where no float
 * conversion can be folded into it. Exact for every pattern (subnormals: mant * 2^-24).
 */
const HALF_VALUE_FN = `
  fn massiveSplitHalfValue(h : u32) -> f32 {
    let sign = (h & 0x8000u) << 16u;
    let e = (h >> 10u) & 0x1fu;
    let mant = h & 0x3ffu;
    if (e == 0u) { return bitcast<f32>(sign | bitcast<u32>(f32(mant) * ${2 ** -24})); }
    if (e == 31u) { return bitcast<f32>(sign | 0x7f800000u | (mant << 13u)); }
    return bitcast<f32>(sign | ((e + 112u) << 23u) | (mant << 13u));
  }`;

/**
 * The float16 pairs of x (two scaled values) as two int32 words: hi = f16(x) and lo = f16(x - hi). x - hi is exact
 * in float32 (hi is one of x's two nearest float16 values).
 */
const PAIR_FN = `${HALF_VALUE_FN}
  fn massiveSplitPairs(x : vec2<f32>) -> vec2<i32> {
    let hi = bitcast<u32>(vec2<f16>(x));
    let hiValue = vec2<f32>(massiveSplitHalfValue(hi & 0xffffu), massiveSplitHalfValue(hi >> 16u));
    // The remainder passes through its bits too, so no compiler can evaluate x - hi in float16 (which gives 0).
    let rest = bitcast<vec2<f32>>(bitcast<vec2<u32>>(x - hiValue));
    let lo = bitcast<u32>(vec2<f16>(rest));
    return vec2<i32>(bitcast<i32>(hi), bitcast<i32>(lo));
  }`;

/**
 * One int32 word (two float16) per invocation of the output [chunks, rows, parts chunkK / 2]: row m, chunk c holds
 * `parts` copies of X[m, c chunkK .. (c + 1) chunkK) scaled by S[m]: hi = f16(x), but lo = f16(x - hi) in part
 * `loPart` (0 for the activations, 1 for a weight of 3 parts, -1: none, a float16 weight of 2 parts).
 */
export function splitOperandCode(loPart: number, parts: number): string {
  return `enable f16;${PAIR_FN}
  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    let half = uniforms.chunkK / 2;
    let j = index % (${parts} * half);
    let rc = index / (${parts} * half);
    let m = rc % uniforms.rows;
    let k = (rc / uniforms.rows) * uniforms.chunkK + 2 * (j % half);
    let x = vec2<f32>(X[m * uniforms.cols + k], X[m * uniforms.cols + k + 1]) * S[m];
    let pairs = massiveSplitPairs(x);
    result[index] = select(pairs.x, pairs.y, j / half == ${loPart});
  }`;
}

/**
 * The activations' split in one program, one workgroup per row of X [rows, cols]: the row's scale from its largest
 * |value| (tree reduction), then its words of the output's first part [chunks, rows, parts chunkK / 2] ([lo | hi | hi]
 * per chunk for 3 parts, [lo | hi] for 2: as {@link splitOperandCode} with loPart 0; each pair of values read and
 * split once, written to every part: a third of the reads of one word per step); the scale's float32 bits go to
 * result[scaleOffset + row] (scaleOffset = chunks rows parts chunkK / 2, the words after the halves). The extra
 * workgroups of a folded dispatch write nothing.
 */
export function splitRowsCode(parts: number): string {
  const t = SPLIT_ROW_THREADS;
  return `enable f16;${SCALE_FN}${PAIR_FN}
  var<workgroup> red : array<f32, ${t}>;
  fn main(index : i32) {
    let row = min(index / ${t}, uniforms.rows - 1);
    let tid = i32(localId.x) % ${t};
    let base = row * uniforms.cols;
    var m = 0.0;
    for (var c = tid; c < uniforms.cols; c = c + ${t}) { m = max(m, abs(X[base + c])); }
    red[tid] = m;
    workgroupBarrier();
    for (var k = ${t / 2}; k > 0; k = k >> 1) {
      if (tid < k) { red[tid] = max(red[tid], red[tid + k]); }
      workgroupBarrier();
    }
    let s = massiveSplitScale(red[0]);
    if (index / ${t} >= uniforms.rows) { return; }
    if (tid == 0) { result[uniforms.scaleOffset + row] = bitcast<i32>(s); }
    // One pair of values per step: read once, split once, written to each part (lo first, then hi).
    let half = uniforms.chunkK / 2;
    for (var p = tid; p < uniforms.cols / 2; p = p + ${t}) {
      let pairs = massiveSplitPairs(vec2<f32>(X[base + 2 * p], X[base + 2 * p + 1]) * s);
      let o = ((p / half) * uniforms.rows + row) * ${parts} * half + p % half;
      result[o] = pairs.y;
      ${Array.from({ length: parts - 1 }, (_, i) => `result[o + ${i + 1} * half] = pairs.x;`).join(" ")}
    }
  }`;
}

/**
 * result[m, n] = (sum over chunks of P[c, m, n], in order, float32) / s_m * invT (+ Bias[n]), s_m the float32 bits in
 * S[scaleOffset + m] (from {@link splitRowsCode}), written at result[outOffset + m N + n] (outOffset: the first
 * row's offset when pieces of rows fill one output in place, else 0). 1 / s_m from its bits (a power of two:
 * exact); invT is the weight's 1 / scale, a power of two too.
 */
export function splitFinishCode(bias: boolean): string {
  return `
  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    var acc = P[index];
    for (var c = 1; c < uniforms.chunks; c = c + 1) { acc = acc + P[c * uniforms.size + index]; }
    let inv = bitcast<f32>(0x7f000000u - bitcast<u32>(S[uniforms.scaleOffset + index / uniforms.cols]));
    result[uniforms.outOffset + index] = acc * inv * uniforms.invT${bias ? " + Bias[index % uniforms.cols]" : ""};
  }`;
}
