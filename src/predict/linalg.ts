/**
 * Small dense linear algebra for the linear models (p is at most a few dozen here).
 */
import { choleskySolve } from "../dynamics/index";

/**
 * Solves the symmetric positive-definite system A x = b by Cholesky; throws when A is not positive definite.
 * The factorisation is dynamics/' choleskySolve (one SPD solver in the project; predict/ may import dynamics/).
 */
export function solveSpd(A: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = A.length;
  const x = choleskySolve(Float64Array.from(A.flat()), Float64Array.from(b), n);
  if (x === undefined) throw new Error(`solveSpd: the ${n} x ${n} matrix is not positive definite; increase the regularisation`);
  return Array.from(x);
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
