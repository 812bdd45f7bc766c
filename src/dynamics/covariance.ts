/**
 * Parameter covariance of a least-squares fit as scipy's `curve_fit` computes it (absolute_sigma=False):
 * pcov = s^2 (J^T J)^+, s^2 = RSS / (n - k), the pseudo-inverse from the SVD of J with singular values below
 * eps * max(n, k) * s_max dropped. `propagateCovariance` carries it through a reparametrisation with Jacobian S:
 * S pcov S^T (used to go from the normalised fit back to raw units).
 */
import { Matrix, SingularValueDecomposition } from "ml-matrix";

export interface CovarianceResult {
  pcov: number[][];
  /** Numerical rank of J (less than k means some combinations of parameters are not determined). */
  rank: number;
}

/** `jac` row-major n x k. Returns Infinity entries when n <= k (no residual degrees of freedom), as scipy does. */
export function leastSquaresCovariance(jac: Float64Array, n: number, k: number, residualSumOfSquares: number): CovarianceResult {
  if (n <= k) return { pcov: Array.from({ length: k }, () => new Array<number>(k).fill(Infinity)), rank: 0 };
  const J = new Matrix(n, k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) J.set(i, j, jac[i * k + j]!);
  const svd = new SingularValueDecomposition(J, { computeLeftSingularVectors: false, computeRightSingularVectors: true, autoTranspose: true });
  const s = svd.diagonal;
  const V = svd.rightSingularVectors;
  const threshold = Number.EPSILON * Math.max(n, k) * Math.max(...s);
  const s2 = residualSumOfSquares / (n - k);
  const pcov = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let rank = 0;
  for (let q = 0; q < s.length; q++) {
    if (!(s[q]! > threshold)) continue;
    rank++;
    const w = s2 / (s[q]! * s[q]!);
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) pcov[a]![b]! += w * V.get(a, q) * V.get(b, q);
  }
  return { pcov, rank };
}

/** S C S^T. */
export function propagateCovariance(S: number[][], C: number[][]): number[][] {
  const r = S.length;
  const k = C.length;
  const SC = S.map((row) => Array.from({ length: k }, (_, b) => row.reduce((acc, v, a) => acc + v * C[a]![b]!, 0)));
  return Array.from({ length: r }, (_, i) => Array.from({ length: r }, (_, j) => SC[i]!.reduce((acc, v, b) => acc + v * S[j]![b]!, 0)));
}
