// Stand-ins for src/dynamics functions, used only until that stage exports them (then this file goes).
/**
 * Principal branch W0 of the Lambert W function for x >= 0 (w e^w = x), by Halley's iteration.
 * A stand-in used only until src/dynamics exports its own `lambertW0`; Fig. 8 takes W as an argument.
 * @example lambertW0Local(1) // => 0.5671432904097838 (the omega constant; scipy.special.lambertw(1).real)
 */
export function lambertW0Local(x: number): number {
  if (Number.isNaN(x) || x < -1 / Math.E) return NaN;
  if (x === 0) return 0;
  if (x === Infinity) return Infinity;
  let w = x < 1 ? x * (1 - x) : Math.log(x) - Math.log(Math.max(Math.log(x), 1e-300) + 1) * (x > 3 ? 1 : 0.5);
  if (!(w > -1)) w = -0.5;
  for (let i = 0; i < 60; i++) {
    const e = Math.exp(w);
    const f = w * e - x;
    const wp1 = w + 1;
    const next = w - f / (e * wp1 - ((w + 2) * f) / (2 * wp1));
    if (Math.abs(next - w) <= 1e-15 * (1 + Math.abs(next))) return next;
    w = next;
  }
  return w;
}

/** Eq. 9, f(t) = A exp(-lambda x) ln(x) + K with x = gamma t + t0 (NaN where x <= 0); stand-in for src/dynamics' eq9. */
export function eq9Local(p: { A: number; lambda: number; gamma: number; t0: number; K: number }, t: number): number {
  const x = p.gamma * t + p.t0;
  return x > 0 ? p.A * Math.exp(-p.lambda * x) * Math.log(x) + p.K : NaN;
}
