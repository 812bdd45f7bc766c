/**
 * The paper's model of massive-activation dynamics (Eq. 9):
 *
 *   f(t) = A * exp(-lambda * x) * ln(x) + K,   x = gamma * t + t0.
 *
 * A amplitude, lambda decay rate ("peak occurrence"), gamma time scaling ("peak location"), t0 time offset,
 * K asymptotic baseline (f -> K as t -> infinity when lambda > 0). Defined where x > 0.
 */

import type { Eq9Params } from "../util/eq9-params";

/** The five parameters of Eq. 9 (declared in util/, below io/, which reads them from files). */
export type { Eq9Params };

/** Parameter order of `popt` in the released `layer_fit_params_<series>.json` files. */
export const EQ9_PARAM_NAMES = ["A", "λ", "γ", "t0", "K"] as const;
/** The same names spelt in ASCII, as {@link Eq9Params} keys. */
export const EQ9_KEYS = ["A", "lambda", "gamma", "t0", "K"] as const;

/** `[A, lambda, gamma, t0, K]` as an object. */
export function eq9FromArray(p: ArrayLike<number>): Eq9Params {
  if (p.length !== 5) throw new Error(`eq9FromArray: expected 5 parameters (A, lambda, gamma, t0, K), got ${p.length}`);
  return { A: p[0]!, lambda: p[1]!, gamma: p[2]!, t0: p[3]!, K: p[4]! };
}

/** `{A, lambda, gamma, t0, K}` as `[A, lambda, gamma, t0, K]`. */
export function eq9ToArray(p: Eq9Params): number[] {
  return [p.A, p.lambda, p.gamma, p.t0, p.K];
}

/**
 * Eq. 9 at step t. Returns NaN where x = gamma t + t0 <= 0 (outside the model's domain).
 * @example eq9({ A: 1, lambda: 0, gamma: 1, t0: 1, K: 0 }, Math.E - 1) // => 1
 */
export function eq9(p: Eq9Params, t: number): number {
  const x = p.gamma * t + p.t0;
  if (!(x > 0)) return NaN;
  return p.A * Math.exp(-p.lambda * x) * Math.log(x) + p.K;
}

/**
 * Analytic Jacobian row of Eq. 9 at step t, d f / d [A, lambda, gamma, t0, K]:
 * with e = exp(-lambda x), L = ln x and f'(x) = A e (1/x - lambda L):
 * [e L, -A x e L, t f'(x), f'(x), 1].
 */
export function eq9Gradient(p: Eq9Params, t: number, out: Float64Array | number[] = new Float64Array(5)): Float64Array | number[] {
  const x = p.gamma * t + p.t0;
  const e = Math.exp(-p.lambda * x);
  const L = Math.log(x);
  const d = p.A * e * (1 / x - p.lambda * L);
  out[0] = e * L;
  out[1] = -p.A * x * e * L;
  out[2] = t * d;
  out[3] = d;
  out[4] = 1;
  return out;
}

/** df/dt of Eq. 9: A gamma exp(-lambda x) (1/x - lambda ln x). */
export function eq9Derivative(p: Eq9Params, t: number): number {
  const x = p.gamma * t + p.t0;
  if (!(x > 0)) return NaN;
  return p.A * p.gamma * Math.exp(-p.lambda * x) * (1 / x - p.lambda * Math.log(x));
}
