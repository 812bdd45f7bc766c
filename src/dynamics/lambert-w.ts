/**
 * Lambert W function, principal branch W0: the solution w >= -1 of w e^w = x, for x >= -1/e.
 * Used for the peak of Eq. 9: x* = exp(W(1/lambda)) = 1 / (lambda W(1/lambda)) (REFERENCE.md, "Peak").
 *
 * Method: a starting value from the branch-point series (near -1/e), a rational guess (moderate x) or the
 * asymptotic series ln x - ln ln x + ln ln x / ln x (large x), then Halley iterations
 * w <- w - (w e^w - x) / (e^w (w + 1) - (w + 2)(w e^w - x) / (2w + 2)) until the step is below 1e-15 |w|.
 * Relative error below 1e-12 over [-1/e, 1e300] (tested against scipy.special.lambertw).
 *
 * @throws when x < -1/e (no real value) or x is NaN.
 * @example lambertW0(1) // => 0.5671432904097838 (the omega constant)
 */
export function lambertW0(x: number): number {
  if (Number.isNaN(x)) throw new Error("lambertW0: argument 'x' is NaN");
  const branch = -1 / Math.E;
  if (x < branch) {
    if (x > branch - 1e-15) x = branch; // rounding of -1/e itself
    else throw new Error(`lambertW0: argument 'x' must be >= -1/e, got ${x}`);
  }
  if (x === 0) return 0;
  if (x === Infinity) return Infinity;
  if (x === branch) return -1;
  let w: number;
  if (x < -0.3) {
    // series around the branch point in p = sqrt(2 (e x + 1))
    const p = Math.sqrt(2 * (Math.E * x + 1));
    w = -1 + p - (p * p) / 3 + (11 / 72) * p * p * p;
  } else if (x < 3) {
    w = (x * (1 + (4 / 3) * x)) / (1 + (7 / 3) * x + (5 / 6) * x * x); // Winitzki-type rational guess
    if (x < 0) w = x * (1 - x + 1.5 * x * x);
  } else {
    const l1 = Math.log(x);
    const l2 = Math.log(l1);
    w = l1 - l2 + l2 / l1;
  }
  for (let i = 0; i < 100; i++) {
    // Halley's step on g(w) = w - x e^{-w} (better scaled for large x than w e^w - x)
    const ew = Math.exp(-w);
    const g = w - x * ew;
    const g1 = 1 + x * ew;
    const g2 = -x * ew;
    const step = g / (g1 - (g * g2) / (2 * g1));
    const next = w - step;
    if (!Number.isFinite(next)) break;
    if (Math.abs(step) <= 1e-15 * Math.max(Math.abs(next), 1e-300)) return next;
    w = next;
  }
  return w;
}
