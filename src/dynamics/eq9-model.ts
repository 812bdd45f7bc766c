/**
 * Eq. 9 as a {@link CurveModel}: f = A exp(-lambda x) ln x + K, x = gamma t + t0, with the paper's single start.
 * Bounds on the normalised problem (tn in [0, 1]): lambda >= 0, gamma >= 1e-9, t0 >= 1e-9; since tn starts at 0,
 * x = gamma tn + t0 >= t0 > 0 on every data point, so the domain constraint x > 0 is a plain bound.
 */
import type { CurveModel, Scaling } from "./curve-model";
import { logspace } from "./curve-model";
import { EQ9_PARAM_NAMES } from "./eq9";

/** Strictly-positive bounds are held at this value. */
export const POSITIVE_FLOOR = 1e-9;

function std(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m += a[i]!;
  m /= a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i]! - m) ** 2;
  return Math.sqrt(v / a.length);
}

function range(a: ArrayLike<number>): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < a.length; i++) {
    lo = Math.min(lo, a[i]!);
    hi = Math.max(hi, a[i]!);
  }
  return hi - lo;
}

/**
 * The paper's initial guess (REFERENCE.md, "Fitting in the paper"), on the normalised axes:
 * A = max(y) - min(y); K = min(y) + A/2; lambda = 1/std(t) (population std); gamma = 1/range(t); t0 = 1.
 */
export function paperInitialGuess(tn: ArrayLike<number>, yn: ArrayLike<number>): number[] {
  let lo = Infinity;
  for (let i = 0; i < yn.length; i++) lo = Math.min(lo, yn[i]!);
  const A = range(yn);
  return [A, 1 / std(tn), 1 / range(tn), 1, lo + A / 2];
}

export const eq9Model: CurveModel = {
  name: "eq9",
  label: "Eq. 9 (original)",
  paramNames: EQ9_PARAM_NAMES,
  value(p, t) {
    const x = p[2]! * t + p[3]!;
    return p[0]! * Math.exp(-p[1]! * x) * Math.log(x) + p[4]!;
  },
  gradient(p, t, out) {
    const A = p[0]!;
    const lam = p[1]!;
    const x = p[2]! * t + p[3]!;
    const e = Math.exp(-lam * x);
    const L = Math.log(x);
    const d = A * e * (1 / x - lam * L);
    out[0] = e * L;
    out[1] = -A * x * e * L;
    out[2] = t * d;
    out[3] = d;
    out[4] = 1;
  },
  residualsInto(p, t, y, out) {
    const A = p[0]!;
    const lam = p[1]!;
    const g = p[2]!;
    const t0 = p[3]!;
    const K = p[4]!;
    for (let i = 0; i < t.length; i++) {
      const x = g * t[i]! + t0;
      out[i] = A * Math.exp(-lam * x) * Math.log(x) + K - y[i]!;
    }
  },
  jacobianInto(p, t, out) {
    const A = p[0]!;
    const lam = p[1]!;
    const g = p[2]!;
    const t0 = p[3]!;
    for (let i = 0, o = 0; i < t.length; i++, o += 5) {
      const ti = t[i]!;
      const x = g * ti + t0;
      const e = Math.exp(-lam * x);
      const L = Math.log(x);
      const d = A * e * (1 / x - lam * L);
      out[o] = e * L;
      out[o + 1] = -A * x * e * L;
      out[o + 2] = ti * d;
      out[o + 3] = d;
      out[o + 4] = 1;
    }
  },
  lower: [-Infinity, 0, POSITIVE_FLOOR, POSITIVE_FLOOR, -Infinity],
  upper: [Infinity, Infinity, Infinity, Infinity, Infinity],
  shiftTime: true,
  initialGuess: paperInitialGuess,
  // A = Yr A_n; lambda = lambda_n; gamma = gamma_n / Tr; t0 = t0_n - gamma_n tmin / Tr; K = Yr K_n + ymin
  denormalise(pn, s) {
    const c = s.tShift / s.tScale;
    return {
      p: [s.yScale * pn[0]!, pn[1]!, pn[2]! / s.tScale, pn[3]! - pn[2]! * c, s.yScale * pn[4]! + s.yShift],
      jac: [
        [s.yScale, 0, 0, 0, 0],
        [0, 1, 0, 0, 0],
        [0, 0, 1 / s.tScale, 0, 0],
        [0, 0, -c, 1, 0],
        [0, 0, 0, 0, s.yScale],
      ],
    };
  },
  normalise(p, s: Scaling) {
    return [p[0]! / s.yScale, p[1]!, p[2]! * s.tScale, p[3]! + p[2]! * s.tShift, (p[4]! - s.yShift) / s.yScale];
  },
  separable: {
    linear: [0, 4],
    nonlinear: [1, 2, 3],
    grid: [[0, ...logspace(-2, 2, 13)], logspace(-1, 4, 16), logspace(-4, 1.5, 12)],
  },
};
