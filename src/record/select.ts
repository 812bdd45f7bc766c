/**
 * Exact order statistics of float32 data on the host: the k-th smallest value by quickselect (median-of-3 pivots,
 * Hoare partition, a sort fallback when partitions keep coming out lopsided), and the three largest values in one
 * scan. Used on |h| downloaded from the backend: on wasm the data is already in host memory and one O(n) pass
 * beats any sort- or top-k-based kernel.
 */
import { bitsToFloat } from "../util/float-bits";

/**
 * The k-th smallest element (0-based) of `a`, which is reordered in place. Exact for any input without NaN.
 * @throws when k is outside [0, a.length).
 */
export function selectKth(a: Float32Array, k: number): number {
  const n = a.length;
  if (!Number.isInteger(k) || k < 0 || k >= n) throw new Error(`selectKth: k must be an integer in [0, ${n}), got ${k}`);
  let lo = 0;
  let hi = n - 1;
  let budget = 2 * Math.ceil(Math.log2(n + 1)) + 8;
  while (hi > lo) {
    if (budget-- <= 0) {
      const sorted = a.subarray(lo, hi + 1).sort();
      return sorted[k - lo]!;
    }
    // median of three as pivot
    const mid = (lo + hi) >>> 1;
    let x = a[lo]!;
    let y = a[mid]!;
    let z = a[hi]!;
    if (x > y) [x, y] = [y, x];
    if (y > z) [y, z] = [z, y];
    if (x > y) [x, y] = [y, x];
    const pivot = y;
    let i = lo - 1;
    let j = hi + 1;
    for (;;) {
      do i++;
      while (a[i]! < pivot);
      do j--;
      while (a[j]! > pivot);
      if (i >= j) break;
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    // a[lo..j] <= pivot <= a[j+1..hi]
    if (k <= j) hi = j;
    else lo = j + 1;
  }
  return a[k]!;
}

/** torch.median's value for n values: the element at index floor((n - 1) / 2) of the ascending order. */
export function lowerMedianIndex(n: number): number {
  return Math.floor((n - 1) / 2);
}

export interface AbsStats {
  top1: number;
  top2: number;
  top3: number;
  median: number;
}

const HIST_BINS = 1 << 16;
const hist = new Uint32Array(HIST_BINS);

/**
 * top1, top2, top3 (largest first, repeats counted) and torch.median's lower median of |x| over `x`, exactly,
 * in two passes and without sorting: |x| of a float32 is its bit pattern with the sign cleared, and non-negative
 * floats order like those bit patterns as unsigned integers. Pass 1 tracks the top three and a histogram of the
 * high 16 bits; the bucket holding the median's rank is found from the cumulative counts; pass 2 histograms the
 * low 16 bits of that bucket's members, which pins the median's exact bit pattern.
 * @throws when x holds NaN or infinities, or fewer than 3 values.
 */
export function absStats(x: Float32Array): AbsStats {
  const n = x.length;
  if (n < 3) throw new Error(`absStats: need at least 3 values, got ${n}`);
  const xb = new Uint32Array(x.buffer, x.byteOffset, n);
  hist.fill(0);
  let t1 = 0;
  let t2 = 0;
  let t3 = 0;
  for (let i = 0; i < n; i++) {
    const b = (xb[i]! & 0x7fffffff) >>> 0;
    hist[b >>> 16]!++;
    if (b >= t3) {
      if (b >= t1) {
        t3 = t2;
        t2 = t1;
        t1 = b;
      } else if (b >= t2) {
        t3 = t2;
        t2 = b;
      } else t3 = b;
    }
  }
  if (t1 >= 0x7f800000) throw new Error(`absStats: the activations hold ${t1 > 0x7f800000 ? "NaN" : "infinite"} values`);
  const want = lowerMedianIndex(n) + 1; // 1-based rank of the median in ascending order
  let cum = 0;
  let high = 0;
  while (cum + hist[high]! < want) cum += hist[high++]!;
  const rank = want - cum;
  hist.fill(0);
  for (let i = 0; i < n; i++) {
    const b = (xb[i]! & 0x7fffffff) >>> 0;
    if (b >>> 16 === high) hist[b & 0xffff]!++;
  }
  let low = 0;
  cum = 0;
  while (cum + hist[low]! < rank) cum += hist[low++]!;
  return { top1: bitsToFloat(t1), top2: bitsToFloat(t2), top3: bitsToFloat(t3), median: bitsToFloat(((high << 16) | low) >>> 0) };
}
