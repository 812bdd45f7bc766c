/**
 * One-dimensional minimisation by Brent's method (golden section with parabolic steps), after a downhill
 * bracket search from two starting points, as scipy.optimize.brent(func, brack=(a, b)) does. The tolerance is
 * tighter than scipy's default (1.48e-8 relative) so both land on the same minimum to about 1e-8.
 */

const GOLD = 1.618034;
const CGOLD = 0.381966;

/** Finds xa, xb, xc with f(xb) < f(xa), f(xb) <= f(xc) by walking downhill from xa, xb (golden growth). */
function bracket(f: (x: number) => number, xa: number, xb: number): [number, number, number, number] {
  let fa = f(xa);
  let fb = f(xb);
  if (fa < fb) [xa, xb, fa, fb] = [xb, xa, fb, fa];
  let xc = xb + GOLD * (xb - xa);
  let fc = f(xc);
  for (let iter = 0; fc < fb; iter++) {
    if (iter > 1000) throw new Error("brentMinimize: no bracket found after 1000 steps (is the function bounded below?)");
    [xa, xb, xc] = [xb, xc, xc + GOLD * (xc - xb)];
    [fa, fb, fc] = [fb, fc, f(xc)];
  }
  return [xa, xb, xc, fb];
}

/**
 * Minimises f starting from the bracket guess (a, b); returns the argmin.
 * @throws when no bracket is found (f decreasing without bound).
 */
export function brentMinimize(f: (x: number) => number, a0: number, b0: number, tol = 1e-11, maxIter = 500): number {
  const [xa, xb, xc, fb] = bracket(f, a0, b0);
  let a = Math.min(xa, xc);
  let b = Math.max(xa, xc);
  let x = xb;
  let w = xb;
  let v = xb;
  let fx = fb;
  let fw = fb;
  let fv = fb;
  let d = 0;
  let e = 0;
  for (let iter = 0; iter < maxIter; iter++) {
    const xm = 0.5 * (a + b);
    const tol1 = tol * Math.abs(x) + 1e-11;
    const tol2 = 2 * tol1;
    if (Math.abs(x - xm) <= tol2 - 0.5 * (b - a)) break;
    let useGolden = true;
    if (Math.abs(e) > tol1) {
      const r = (x - w) * (fx - fv);
      let q = (x - v) * (fx - fw);
      let p = (x - v) * q - (x - w) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p;
      q = Math.abs(q);
      const eOld = e;
      e = d;
      if (Math.abs(p) < Math.abs(0.5 * q * eOld) && p > q * (a - x) && p < q * (b - x)) {
        d = p / q;
        const u = x + d;
        if (u - a < tol2 || b - u < tol2) d = xm >= x ? tol1 : -tol1;
        useGolden = false;
      }
    }
    if (useGolden) {
      e = x >= xm ? a - x : b - x;
      d = CGOLD * e;
    }
    const u = Math.abs(d) >= tol1 ? x + d : x + (d >= 0 ? tol1 : -tol1);
    const fu = f(u);
    if (fu <= fx) {
      if (u >= x) a = x;
      else b = x;
      [v, w, x] = [w, x, u];
      [fv, fw, fx] = [fw, fx, fu];
    } else {
      if (u < x) a = u;
      else b = u;
      if (fu <= fw || w === x) {
        [v, w] = [w, u];
        [fv, fw] = [fw, fu];
      } else if (fu <= fv || v === x || v === w) {
        v = u;
        fv = fu;
      }
    }
  }
  return x;
}
