/**
 * Small dense linear algebra for the linear models (p is at most a few dozen here).
 */

/** Solves the symmetric positive-definite system A x = b by Cholesky; throws when A is not positive definite. */
export function solveSpd(A: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = A.length;
  const Lm: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i]![j]!;
      for (let k = 0; k < j; k++) s -= Lm[i]![k]! * Lm[j]![k]!;
      if (i === j) {
        if (!(s > 0)) throw new Error(`solveSpd: matrix is not positive definite (pivot ${i} is ${s}); increase the regularisation`);
        Lm[i]![i] = Math.sqrt(s);
      } else Lm[i]![j] = s / Lm[j]![j]!;
    }
  }
  const z = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= Lm[i]![k]! * z[k]!;
    z[i] = s / Lm[i]![i]!;
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < n; k++) s -= Lm[k]![i]! * x[k]!;
    x[i] = s / Lm[i]![i]!;
  }
  return x;
}

/** Column means of X [n][p]. */
export function columnMeans(X: readonly (readonly number[])[]): number[] {
  const p = X[0]!.length;
  const m = new Array<number>(p).fill(0);
  for (const row of X) for (let j = 0; j < p; j++) m[j]! += row[j]! / X.length;
  return m;
}

/** Dot product. */
export function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
