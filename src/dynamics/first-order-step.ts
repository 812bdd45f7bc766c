/**
 * First-order step response, a rival of Eq. 9 the paper rejects (REFERENCE.md, "Rejected alternatives"):
 * f(t) = y0 + K (1 - exp(-t / tau)). The paper writes K (1 - exp(-t/tau)); the offset y0 is added here because
 * the ratio starts near 6 at initialisation, not at 0 (without it the model cannot fit any series).
 */
import type { CurveModel } from "./curve-model";
import { logspace } from "./curve-model";
import { POSITIVE_FLOOR } from "./eq9-model";

export const firstOrderStepModel: CurveModel = {
  name: "first-order",
  label: "first-order step",
  paramNames: ["y0", "K", "τ"],
  value(p, t) {
    return p[0]! + p[1]! * (1 - Math.exp(-t / p[2]!));
  },
  // d/dy0 = 1, d/dK = 1 - e, d/dtau = -K e t / tau^2 with e = exp(-t/tau)
  gradient(p, t, out) {
    const e = Math.exp(-t / p[2]!);
    out[0] = 1;
    out[1] = 1 - e;
    out[2] = (-p[1]! * e * t) / (p[2]! * p[2]!);
  },
  lower: [-Infinity, -Infinity, POSITIVE_FLOOR],
  upper: [Infinity, Infinity, Infinity],
  shiftTime: false,
  initialGuess(_tn, yn) {
    return [yn[0]!, yn[yn.length - 1]! - yn[0]!, 0.2];
  },
  denormalise(pn, s) {
    return { p: [s.yScale * pn[0]! + s.yShift, s.yScale * pn[1]!, s.tScale * pn[2]!], jac: [[s.yScale, 0, 0], [0, s.yScale, 0], [0, 0, s.tScale]] };
  },
  normalise(p, s) {
    return [(p[0]! - s.yShift) / s.yScale, p[1]! / s.yScale, p[2]! / s.tScale];
  },
  separable: { linear: [0, 1], nonlinear: [2], grid: [logspace(-4, 1, 40)] },
};
