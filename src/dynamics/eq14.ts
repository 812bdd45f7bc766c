/**
 * The solver form of Eq. 9 (Eq. 14): f(t) = exp(-beta t) (A1 ln(t + tau0) + A2) + K, with
 * beta = lambda gamma, tau0 = t0 / gamma, A1 = A exp(-lambda t0), A2 = A1 ln(gamma). An exact reparametrisation
 * (a bijection for A != 0, gamma > 0) in which A1, A2 and K enter linearly and the long curved valleys of Eq. 9
 * (A -> infinity with lambda t0 growing alike) become finite points.
 */
import type { CurveModel, Scaling } from "./curve-model";
import { logspace } from "./curve-model";
import type { Eq9Params } from "./eq9";
import { POSITIVE_FLOOR, paperInitialGuess } from "./eq9-model";

export interface Eq14Params {
  A1: number;
  A2: number;
  beta: number;
  tau0: number;
  K: number;
}

export const EQ14_PARAM_NAMES = ["A1", "A2", "β", "τ0", "K"] as const;

/** Eq. 14 at step t; NaN where t + tau0 <= 0. */
export function eq14(p: Eq14Params, t: number): number {
  const u = t + p.tau0;
  if (!(u > 0)) return NaN;
  return Math.exp(-p.beta * t) * (p.A1 * Math.log(u) + p.A2) + p.K;
}

/** Eq. 9 -> Eq. 14: beta = lambda gamma, tau0 = t0/gamma, A1 = A exp(-lambda t0), A2 = A1 ln gamma. */
export function eq9ToEq14(p: Eq9Params): Eq14Params {
  const A1 = p.A * Math.exp(-p.lambda * p.t0);
  return { A1, A2: A1 * Math.log(p.gamma), beta: p.lambda * p.gamma, tau0: p.t0 / p.gamma, K: p.K };
}

/**
 * Eq. 14 -> Eq. 9: gamma = exp(A2/A1), lambda = beta/gamma, t0 = tau0 gamma, A = A1 exp(lambda t0).
 * @throws when A1 = 0 (the curve is then exp(-beta t) A2 + K, which Eq. 9 reaches only in a limit).
 */
export function eq14ToEq9(p: Eq14Params): Eq9Params {
  if (p.A1 === 0) throw new Error("eq14ToEq9: A1 = 0 has no Eq. 9 counterpart (gamma = exp(A2/A1) is undefined)");
  const gamma = Math.exp(p.A2 / p.A1);
  const lambda = p.beta / gamma;
  const t0 = p.tau0 * gamma;
  return { A: p.A1 * Math.exp(lambda * t0), lambda, gamma, t0, K: p.K };
}

/**
 * Eq. 14's residuals and Jacobian on one data set (CurveModel.problem): exp(-beta t_i) and ln(t_i + tau0) are kept
 * from the last point's beta and tau0, so the Jacobian at the point whose residuals were just computed takes no exp
 * or log. The expressions are those of residualsInto / jacobianInto, so the numbers are the same.
 */
function eq14Problem(t: Float64Array, y: Float64Array): { residuals(p: Float64Array, out: Float64Array): void; jacobian(p: Float64Array, out: Float64Array): void } {
  const n = t.length;
  const e = new Float64Array(n);
  const L = new Float64Array(n);
  let beta = NaN;
  let tau0 = NaN;
  const terms = (p: Float64Array): void => {
    if (p[2] === beta && p[3] === tau0) return;
    beta = p[2]!;
    tau0 = p[3]!;
    for (let i = 0; i < n; i++) {
      e[i] = Math.exp(-beta * t[i]!);
      L[i] = Math.log(t[i]! + tau0);
    }
  };
  return {
    residuals(p, out) {
      terms(p);
      const A1 = p[0]!;
      const A2 = p[1]!;
      const K = p[4]!;
      for (let i = 0; i < n; i++) out[i] = e[i]! * (A1 * L[i]! + A2) + K - y[i]!;
    },
    jacobian(p, out) {
      terms(p);
      const A1 = p[0]!;
      const A2 = p[1]!;
      for (let i = 0, o = 0; i < n; i++, o += 5) {
        const ti = t[i]!;
        const ei = e[i]!;
        const Li = L[i]!;
        out[o] = ei * Li;
        out[o + 1] = ei;
        out[o + 2] = -ti * ei * (A1 * Li + A2);
        out[o + 3] = (ei * A1) / (ti + tau0);
        out[o + 4] = 1;
      }
    },
  };
}

/** Eq. 14 as a {@link CurveModel}; popt order [A1, A2, beta, tau0, K]. Bounds: beta >= 0, tau0 > 0 (t + tau0 > 0 on the data). */
export const eq14Model: CurveModel = {
  name: "eq14",
  label: "Eq. 14 (reparametrised)",
  paramNames: EQ14_PARAM_NAMES,
  value(p, t) {
    return Math.exp(-p[2]! * t) * (p[0]! * Math.log(t + p[3]!) + p[1]!) + p[4]!;
  },
  // d/dA1 = e L, d/dA2 = e, d/dbeta = -t e (A1 L + A2), d/dtau0 = e A1 / (t + tau0), d/dK = 1
  gradient(p, t, out) {
    const e = Math.exp(-p[2]! * t);
    const u = t + p[3]!;
    const L = Math.log(u);
    out[0] = e * L;
    out[1] = e;
    out[2] = -t * e * (p[0]! * L + p[1]!);
    out[3] = (e * p[0]!) / u;
    out[4] = 1;
  },
  residualsInto(p, t, y, out) {
    const A1 = p[0]!;
    const A2 = p[1]!;
    const beta = p[2]!;
    const tau0 = p[3]!;
    const K = p[4]!;
    for (let i = 0; i < t.length; i++) out[i] = Math.exp(-beta * t[i]!) * (A1 * Math.log(t[i]! + tau0) + A2) + K - y[i]!;
  },
  jacobianInto(p, t, out) {
    const A1 = p[0]!;
    const A2 = p[1]!;
    const beta = p[2]!;
    const tau0 = p[3]!;
    for (let i = 0, o = 0; i < t.length; i++, o += 5) {
      const ti = t[i]!;
      const e = Math.exp(-beta * ti);
      const u = ti + tau0;
      const L = Math.log(u);
      out[o] = e * L;
      out[o + 1] = e;
      out[o + 2] = -ti * e * (A1 * L + A2);
      out[o + 3] = (e * A1) / u;
      out[o + 4] = 1;
    }
  },
  problem: eq14Problem,
  lower: [-Infinity, -Infinity, 0, POSITIVE_FLOOR, -Infinity],
  upper: [Infinity, Infinity, Infinity, Infinity, Infinity],
  shiftTime: true,
  initialGuess(tn, yn) {
    const [A, lambda, gamma, t0, K] = paperInitialGuess(tn, yn) as [number, number, number, number, number];
    const q = eq9ToEq14({ A, lambda, gamma, t0, K });
    return [q.A1, q.A2, q.beta, q.tau0, q.K];
  },
  // with c = tShift / tScale and E = exp(beta c): beta_r = beta / Tr, tau0_r = Tr tau0 - tShift,
  // A1_r = Yr E A1, A2_r = Yr E (A2 - A1 ln Tr), K_r = Yr K + yShift
  denormalise(pn, s: Scaling) {
    const [A1, A2, beta, tau0, K] = [pn[0]!, pn[1]!, pn[2]!, pn[3]!, pn[4]!];
    const c = s.tShift / s.tScale;
    const E = Math.exp(beta * c);
    const lnT = Math.log(s.tScale);
    return {
      p: [s.yScale * E * A1, s.yScale * E * (A2 - A1 * lnT), beta / s.tScale, s.tScale * tau0 - s.tShift, s.yScale * K + s.yShift],
      jac: [
        [s.yScale * E, 0, s.yScale * E * A1 * c, 0, 0],
        [-s.yScale * E * lnT, s.yScale * E, s.yScale * E * c * (A2 - A1 * lnT), 0, 0],
        [0, 0, 1 / s.tScale, 0, 0],
        [0, 0, 0, s.tScale, 0],
        [0, 0, 0, 0, s.yScale],
      ],
    };
  },
  normalise(p, s: Scaling) {
    const beta = p[2]! * s.tScale;
    const E = Math.exp((beta * s.tShift) / s.tScale);
    const A1 = p[0]! / (s.yScale * E);
    return [A1, p[1]! / (s.yScale * E) + A1 * Math.log(s.tScale), beta, (p[3]! + s.tShift) / s.tScale, (p[4]! - s.yShift) / s.yScale];
  },
  separable: { linear: [0, 1, 4], nonlinear: [2, 3], grid: [[0, ...logspace(-2, 2.5, 28)], logspace(-5, 2, 29)] },
};
