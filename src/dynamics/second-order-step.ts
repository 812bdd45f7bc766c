/**
 * Second-order step responses, rivals of Eq. 9 the paper rejects (REFERENCE.md, "Rejected alternatives"), with
 * natural frequency omega, damping ratio zeta, offset y0 and gain K: f(t) = y0 + K (1 - h(t)) with
 * - under-damped (0 <= zeta < 1): h = e^{-zeta omega t} (cos(omega_d t) + zeta/sqrt(1 - zeta^2) sin(omega_d t)),
 *   omega_d = omega sqrt(1 - zeta^2);
 * - critically damped (zeta = 1): h = (1 + omega t) e^{-omega t};
 * - over-damped (zeta > 1): h = (s2 e^{-s1 t} - s1 e^{-s2 t}) / (s2 - s1), s1,2 = omega (zeta -+ sqrt(zeta^2 - 1)).
 * Analytic gradients (checked against finite differences in test/dynamics/jacobians.test.ts):
 * under: dh/domega = -t e^{-a t} sin(omega_d t)/sqrt(1-zeta^2) (a = zeta omega);
 *        dh/dzeta = e^{-a t} [-omega t (cos + q sin) + (omega zeta t / s)(sin - q cos) + sin / s^3], q = zeta/s, s = sqrt(1-zeta^2);
 * critical: dh/domega = -omega t^2 e^{-omega t}; over: chain rule through s1, s2.
 */
import type { CurveModel, Scaling } from "./curve-model";
import { logspace } from "./curve-model";
import { POSITIVE_FLOOR } from "./eq9-model";

const scaleDenorm = (pn: ArrayLike<number>, s: Scaling, k: number): { p: number[]; jac: number[][] } => {
  // [y0, K, omega, (zeta)]: y0 = Yr y0n + ymin, K = Yr Kn, omega = omega_n / Tr, zeta unchanged
  const diag = [s.yScale, s.yScale, 1 / s.tScale, 1].slice(0, k);
  const p = [s.yScale * pn[0]! + s.yShift, s.yScale * pn[1]!, pn[2]! / s.tScale, ...(k > 3 ? [pn[3]!] : [])];
  return { p, jac: diag.map((d, i) => diag.map((_, j) => (i === j ? d : 0))) };
};
const scaleNorm = (p: ArrayLike<number>, s: Scaling, k: number): number[] => [(p[0]! - s.yShift) / s.yScale, p[1]! / s.yScale, p[2]! * s.tScale, ...(k > 3 ? [p[3]!] : [])];
const stepGuess = (yn: ArrayLike<number>, rest: number[]): number[] => [yn[0]!, yn[yn.length - 1]! - yn[0]!, ...rest];

export const secondOrderUnderModel: CurveModel = {
  name: "second-order-under",
  label: "second-order step (under-damped)",
  paramNames: ["y0", "K", "ω", "ζ"],
  value(p, t) {
    const [w, z] = [p[2]!, p[3]!];
    const s = Math.sqrt(1 - z * z);
    const wd = w * s;
    const h = Math.exp(-z * w * t) * (Math.cos(wd * t) + (z / s) * Math.sin(wd * t));
    return p[0]! + p[1]! * (1 - h);
  },
  gradient(p, t, out) {
    const [K, w, z] = [p[1]!, p[2]!, p[3]!];
    const s = Math.sqrt(1 - z * z);
    const q = z / s;
    const wd = w * s;
    const e = Math.exp(-z * w * t);
    const C = Math.cos(wd * t);
    const S = Math.sin(wd * t);
    const h = e * (C + q * S);
    const dhdw = (-t * e * S) / s;
    const dhdz = e * (-w * t * (C + q * S) + ((w * z * t) / s) * (S - q * C) + S / (s * s * s));
    out[0] = 1;
    out[1] = 1 - h;
    out[2] = -K * dhdw;
    out[3] = -K * dhdz;
  },
  lower: [-Infinity, -Infinity, POSITIVE_FLOOR, 0],
  upper: [Infinity, Infinity, Infinity, 1 - 1e-6],
  shiftTime: false,
  initialGuess: (_tn, yn) => stepGuess(yn, [10, 0.5]),
  denormalise: (pn, s) => scaleDenorm(pn, s, 4),
  normalise: (p, s) => scaleNorm(p, s, 4),
  separable: { linear: [0, 1], nonlinear: [2, 3], grid: [logspace(-0.5, 3, 22), [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.97]] },
};

export const secondOrderCriticalModel: CurveModel = {
  name: "second-order-critical",
  label: "second-order step (critically damped)",
  paramNames: ["y0", "K", "ω"],
  value(p, t) {
    const w = p[2]!;
    return p[0]! + p[1]! * (1 - (1 + w * t) * Math.exp(-w * t));
  },
  gradient(p, t, out) {
    const w = p[2]!;
    const e = Math.exp(-w * t);
    out[0] = 1;
    out[1] = 1 - (1 + w * t) * e;
    out[2] = p[1]! * w * t * t * e;
  },
  lower: [-Infinity, -Infinity, POSITIVE_FLOOR],
  upper: [Infinity, Infinity, Infinity],
  shiftTime: false,
  initialGuess: (_tn, yn) => stepGuess(yn, [10]),
  denormalise: (pn, s) => scaleDenorm(pn, s, 3),
  normalise: (p, s) => scaleNorm(p, s, 3),
  separable: { linear: [0, 1], nonlinear: [2], grid: [logspace(-1, 4, 40)] },
};

/** s1 = omega (zeta - r) computed as omega / (zeta + r) (no cancellation), s2 = omega (zeta + r), r = sqrt(zeta^2 - 1). */
function overRoots(w: number, z: number): { s1: number; s2: number; r: number } {
  const r = Math.sqrt(z * z - 1);
  return { s1: w / (z + r), s2: w * (z + r), r };
}

export const secondOrderOverModel: CurveModel = {
  name: "second-order-over",
  label: "second-order step (over-damped)",
  paramNames: ["y0", "K", "ω", "ζ"],
  value(p, t) {
    const { s1, s2 } = overRoots(p[2]!, p[3]!);
    const h = (s2 * Math.exp(-s1 * t) - s1 * Math.exp(-s2 * t)) / (s2 - s1);
    return p[0]! + p[1]! * (1 - h);
  },
  gradient(p, t, out) {
    const [K, w, z] = [p[1]!, p[2]!, p[3]!];
    const { s1, s2, r } = overRoots(w, z);
    const E1 = Math.exp(-s1 * t);
    const E2 = Math.exp(-s2 * t);
    const dlt = s2 - s1;
    const num = s2 * E1 - s1 * E2;
    const h = num / dlt;
    const dhds1 = ((-t * s2 * E1 - E2) * dlt + num) / (dlt * dlt);
    const dhds2 = ((E1 + t * s1 * E2) * dlt - num) / (dlt * dlt);
    // ds1/domega = s1/omega, ds2/domega = s2/omega; ds1/dzeta = -s1/r, ds2/dzeta = s2/r
    const dhdw = (dhds1 * s1 + dhds2 * s2) / w;
    const dhdz = (-dhds1 * s1 + dhds2 * s2) / r;
    out[0] = 1;
    out[1] = 1 - h;
    out[2] = -K * dhdw;
    out[3] = -K * dhdz;
  },
  lower: [-Infinity, -Infinity, POSITIVE_FLOOR, 1 + 1e-4],
  upper: [Infinity, Infinity, Infinity, Infinity],
  shiftTime: false,
  initialGuess: (_tn, yn) => stepGuess(yn, [10, 2]),
  denormalise: (pn, s) => scaleDenorm(pn, s, 4),
  normalise: (p, s) => scaleNorm(p, s, 4),
  separable: { linear: [0, 1], nonlinear: [2, 3], grid: [logspace(-1, 4, 22), [1.01, 1.1, 1.3, 1.6, 2, 3, 5, 8, 13, 20, 40]] },
};
