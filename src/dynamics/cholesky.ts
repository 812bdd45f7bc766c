/**
 * Cholesky factorisation and the two triangular substitutions, on row-major k x k Float64Arrays, allocation-free
 * (callers pass scratch). One home for the solver's normal-equation solves: the least-squares solver's small SPD
 * systems ({@link choleskySolveInto}) and the trust-region subproblem's shifted systems (./trust-region.ts).
 */

/**
 * Lower-triangular L with L L^T = M + shift I (only the lower triangle of L is written). Returns false when a pivot
 * is not above `minPivotRatio` times its own diagonal entry of M + shift I (0: merely positive), i.e. when the matrix
 * is not positive definite or, with a ratio > 0, too close to singular for the squared system to keep its digits.
 */
export function choleskyFactor(M: Float64Array, k: number, L: Float64Array, shift = 0, minPivotRatio = 0): boolean {
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = M[i * k + j]! + (i === j ? shift : 0);
      for (let q = 0; q < j; q++) s -= L[i * k + q]! * L[j * k + q]!;
      if (i === j) {
        if (!(s > (minPivotRatio === 0 ? 0 : minPivotRatio * (M[i * k + i]! + shift)))) return false;
        L[i * k + i] = Math.sqrt(s);
      } else L[i * k + j] = s / L[j * k + j]!;
    }
  }
  return true;
}

/** y = L^-1 (sign * b) for the lower-triangular L of {@link choleskyFactor} (y may not alias b). */
export function forwardSubstitute(L: Float64Array, b: ArrayLike<number>, k: number, y: Float64Array, sign: 1 | -1 = 1): void {
  for (let i = 0; i < k; i++) {
    let s = sign === 1 ? b[i]! : -b[i]!;
    for (let q = 0; q < i; q++) s -= L[i * k + q]! * y[q]!;
    y[i] = s / L[i * k + i]!;
  }
}

/** x = L^-T y (x may alias y). */
export function backSubstitute(L: Float64Array, y: ArrayLike<number>, k: number, x: Float64Array): void {
  for (let i = k - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let q = i + 1; q < k; q++) s -= L[q * k + i]! * x[q]!;
    x[i] = s / L[i * k + i]!;
  }
}

/**
 * Solves the symmetric positive definite system M x = b (k x k, row-major) by Cholesky into x (and scratch L);
 * returns false when M is not positive definite.
 */
export function choleskySolveInto(M: Float64Array, b: Float64Array, k: number, x: Float64Array, L: Float64Array): boolean {
  if (!choleskyFactor(M, k, L)) return false;
  forwardSubstitute(L, b, k, x);
  backSubstitute(L, x, k, x);
  return true;
}

/** Solves M x = b for symmetric positive definite M (k x k, row-major); undefined if not SPD. */
export function choleskySolve(M: Float64Array, b: Float64Array, k: number): Float64Array | undefined {
  const x = new Float64Array(k);
  return choleskySolveInto(M, b, k, x, new Float64Array(k * k)) ? x : undefined;
}
