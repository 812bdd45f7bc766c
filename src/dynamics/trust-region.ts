/**
 * Building blocks of the trust-region reflective least-squares method ({@link leastSquares}), after scipy's
 * `scipy/optimize/_lsq/common.py` and `trf.py` (Branch, Coleman & Li 1999, SIAM J. Sci. Comput. 21(1); Moré 1977,
 * "The Levenberg-Marquardt algorithm: implementation and theory"):
 * - {@link svdForTrustRegion}: the SVD of a tall matrix A (Householder QR, then one-sided Jacobi on R), with U^T f;
 * - {@link solveLsqTrustRegion}: min ||A p + f|| subject to ||p|| <= Delta (Moré's root finding on the LM parameter);
 * - the same subproblem from the normal equations (Cholesky per trial LM parameter) where they are well conditioned;
 * - Gauss-Newton steps from Cholesky or from Householder QR.
 * All matrices are row-major Float64Arrays; vectors in "hat" space are the solver's scaled variables.
 */

import { backSubstitute, choleskyFactor, forwardSubstitute } from "./cholesky";

const EPS = 2.220446049250313e-16;

/**
 * Singular values (descending), right singular vectors V (m x m, column j = vector j) and U^T f of A (rows x m);
 * W (m x m) is scratch.
 */
export interface TrustRegionSvd {
  s: Float64Array;
  V: Float64Array;
  uf: Float64Array;
  W: Float64Array;
}

/**
 * SVD of A (rows x m, rows >= m, row-major) applied to f (length rows): Householder QR A = Q R (in place, A and f
 * overwritten, unless `factored` says {@link householderQr} already ran on them), then one-sided Jacobi
 * R = U_R S V^T, so that U^T f = U_R^T (Q^T f). Cost O(rows m^2 + m^3 sweeps).
 */
export function svdForTrustRegion(A: Float64Array, f: Float64Array, rows: number, m: number, out: TrustRegionSvd, factored = false): void {
  if (!factored) householderQr(A, f, rows, m);
  // W = R (m x m)
  const W = out.W;
  W.fill(0);
  for (let i = 0; i < m; i++) for (let c = i; c < m; c++) W[i * m + c] = A[i * m + c]!;
  jacobiColumns(W, m, out.V);
  const s = out.s;
  const uf = out.uf;
  for (let j = 0; j < m; j++) {
    let norm = 0;
    for (let i = 0; i < m; i++) norm += W[i * m + j]! * W[i * m + j]!;
    norm = Math.sqrt(norm);
    s[j] = norm;
    let dot = 0;
    if (norm > 0) for (let i = 0; i < m; i++) dot += (W[i * m + j]! / norm) * f[i]!;
    uf[j] = dot;
  }
  sortDescending(out, m);
}

function sortDescending(out: TrustRegionSvd, m: number): void {
  const { s, uf, V } = out;
  // selection sort (m is small), permuting V's columns alike
  for (let j = 0; j < m; j++) {
    let k = j;
    for (let c = j + 1; c < m; c++) if (s[c]! > s[k]!) k = c;
    if (k === j) continue;
    [s[j], s[k]] = [s[k]!, s[j]!];
    [uf[j], uf[k]] = [uf[k]!, uf[j]!];
    for (let i = 0; i < m; i++) [V[i * m + j], V[i * m + k]] = [V[i * m + k]!, V[i * m + j]!];
  }
}

/** Householder QR of A (rows x m) in place: R in the upper triangle of the first m rows; f becomes Q^T f. */
export function householderQr(A: Float64Array, f: Float64Array, rows: number, m: number): void {
  // Householder QR: R in the upper triangle of A's first m rows, Q^T f in f[0..m)
  for (let j = 0; j < m; j++) {
    let norm = 0;
    for (let i = j; i < rows; i++) norm += A[i * m + j]! * A[i * m + j]!;
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    const alpha = A[j * m + j]! > 0 ? -norm : norm;
    // v = a_j - alpha e_j, stored in column j below (and on) the diagonal
    A[j * m + j] -= alpha;
    let vv = 0;
    for (let i = j; i < rows; i++) vv += A[i * m + j]! * A[i * m + j]!;
    if (vv === 0) {
      A[j * m + j] = alpha;
      continue;
    }
    for (let c = j + 1; c < m; c++) {
      let dot = 0;
      for (let i = j; i < rows; i++) dot += A[i * m + j]! * A[i * m + c]!;
      const t = (2 * dot) / vv;
      for (let i = j; i < rows; i++) A[i * m + c] -= t * A[i * m + j]!;
    }
    let dot = 0;
    for (let i = j; i < rows; i++) dot += A[i * m + j]! * f[i]!;
    const t = (2 * dot) / vv;
    for (let i = j; i < rows; i++) f[i] -= t * A[i * m + j]!;
    A[j * m + j] = alpha;
  }
}

/** One-sided Jacobi on the columns of W (m x m) until they are orthogonal; V (m x m) accumulates the rotations. */
function jacobiColumns(W: Float64Array, m: number, V: Float64Array): void {
  V.fill(0);
  for (let i = 0; i < m; i++) V[i * m + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < m - 1; p++) {
      for (let q = p + 1; q < m; q++) {
        let a = 0;
        let b = 0;
        let g = 0;
        for (let i = 0; i < m; i++) {
          const wp = W[i * m + p]!;
          const wq = W[i * m + q]!;
          a += wp * wp;
          b += wq * wq;
          g += wp * wq;
        }
        if (g === 0 || Math.abs(g) <= EPS * Math.sqrt(a * b)) continue;
        rotated = true;
        const zeta = (b - a) / (2 * g);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const sn = c * t;
        for (let i = 0; i < m; i++) {
          const wp = W[i * m + p]!;
          const wq = W[i * m + q]!;
          W[i * m + p] = c * wp - sn * wq;
          W[i * m + q] = sn * wp + c * wq;
          const vp = V[i * m + p]!;
          const vq = V[i * m + q]!;
          V[i * m + p] = c * vp - sn * vq;
          V[i * m + q] = sn * vp + c * vq;
        }
      }
    }
    if (!rotated) break;
  }
}

function lmStep(svd: TrustRegionSvd, m: number, alpha: number, p: Float64Array): number {
  const { s, V, uf } = svd;
  p.fill(0);
  for (let j = 0; j < m; j++) {
    const sj = s[j]!;
    const w = alpha === 0 ? (sj > 0 ? uf[j]! / sj : 0) : (sj * uf[j]!) / (sj * sj + alpha);
    if (w === 0) continue;
    for (let i = 0; i < m; i++) p[i] -= V[i * m + j]! * w;
  }
  let norm = 0;
  for (let i = 0; i < m; i++) norm += p[i]! * p[i]!;
  return Math.sqrt(norm);
}

/**
 * Solves min ||A p + f|| subject to ||p|| <= Delta from the SVD of A (scipy's `solve_lsq_trust_region`, Moré's
 * method): the Gauss-Newton step when A has full rank and the step fits, else p(alpha) = -(A^T A + alpha I)^-1 A^T f
 * with ||p(alpha)|| = Delta to 1%, rescaled onto the sphere. `nResiduals` decides full rank as scipy does.
 * Writes p and returns the LM parameter alpha (0 for the Gauss-Newton step).
 */
export function solveLsqTrustRegion(nResiduals: number, m: number, svd: TrustRegionSvd, Delta: number, initialAlpha: number | undefined, p: Float64Array): number {
  const { s, uf } = svd;
  const fullRank = nResiduals >= m && s[m - 1]! > EPS * nResiduals * s[0]!;
  if (fullRank && lmStep(svd, m, 0, p) <= Delta) return 0;
  const phi = (alpha: number): [number, number] => {
    let pn = 0;
    let der = 0;
    for (let j = 0; j < m; j++) {
      const suf = s[j]! * uf[j]!;
      const den = s[j]! * s[j]! + alpha;
      pn += (suf / den) ** 2;
      der += (suf * suf) / (den * den * den);
    }
    pn = Math.sqrt(pn);
    return [pn - Delta, -der / pn];
  };
  let sufNorm = 0;
  for (let j = 0; j < m; j++) sufNorm += (s[j]! * uf[j]!) ** 2;
  let alphaUpper = Math.sqrt(sufNorm) / Delta;
  let alphaLower = 0;
  if (fullRank) {
    const [ph, der] = phi(0);
    alphaLower = -ph / der;
  }
  let alpha = initialAlpha === undefined || (!fullRank && initialAlpha === 0) ? Math.max(0.001 * alphaUpper, Math.sqrt(alphaLower * alphaUpper)) : initialAlpha;
  for (let it = 0; it < 10; it++) {
    if (alpha < alphaLower || alpha > alphaUpper) alpha = Math.max(0.001 * alphaUpper, Math.sqrt(alphaLower * alphaUpper));
    const [ph, der] = phi(alpha);
    if (ph < 0) alphaUpper = alpha;
    const ratio = ph / der;
    alphaLower = Math.max(alphaLower, alpha - ratio);
    alpha -= ((ph + Delta) * ratio) / Delta;
    if (Math.abs(ph) < 0.01 * Delta) break;
  }
  const norm = lmStep(svd, m, alpha, p);
  if (norm > 0) for (let i = 0; i < m; i++) p[i] *= Delta / norm;
  return alpha;
}

/**
 * Cholesky factor L of M + alpha I (m x m, row-major) into L; false when not positive definite or when a pivot is
 * below 1e-8 of its own diagonal entry (a column of A within ~1e-4 radians of the span of the previous ones: the
 * squared system would lose digits). Relative to its own diagonal, the test reads the conditioning of A after
 * scaling its columns, which is what decides Cholesky's accuracy (van der Sluis 1969), so columns in different units
 * do not send a well-conditioned problem to the slower QR / SVD path (until 2026-12-02 the test was relative to the
 * largest diagonal entry, and half of the curve fits' iterations took that path; now a fifth).
 */
function choleskyShifted(M: Float64Array, alpha: number, m: number, L: Float64Array): boolean {
  return choleskyFactor(M, m, L, alpha, 1e-8);
}

/** p = -(L L^T)^-1 g; returns ||p|| and leaves ||L^-1 p||^2 (which gives d||p(alpha)|| / d alpha) in q[m]. */
function choleskyStep(L: Float64Array, g: Float64Array, m: number, p: Float64Array, q: Float64Array): number {
  forwardSubstitute(L, g, m, q, -1);
  backSubstitute(L, q, m, p);
  let pn = 0;
  for (let i = 0; i < m; i++) pn += p[i]! * p[i]!;
  forwardSubstitute(L, p, m, q);
  let qn = 0;
  for (let i = 0; i < m; i++) qn += q[i]! * q[i]!;
  q[m] = qn;
  return Math.sqrt(pn);
}

/** The Gauss-Newton step of the subproblem: p = -A^+ f, ||p|| and ||R^-T p||^2 (for d||p(alpha)||/d alpha at 0). */
export interface GaussNewtonStep {
  p: Float64Array;
  pn: number;
  qn: number;
}

/** The Gauss-Newton step from the Cholesky factor of M = A^T A (g = A^T f); undefined when M is ill conditioned. */
export function gaussNewtonNormal(M: Float64Array, g: Float64Array, m: number, work: { L: Float64Array; q: Float64Array }, out: GaussNewtonStep): GaussNewtonStep | undefined {
  if (!choleskyShifted(M, 0, m, work.L)) return undefined;
  out.pn = choleskyStep(work.L, g, m, out.p, work.q);
  out.qn = work.q[m]!;
  return out;
}

/**
 * The Gauss-Newton step from the Householder QR of A (rows x m), accurate where the normal equations are not:
 * A and f are factored in place unless `factored` says {@link householderQr} already ran on them; the step goes
 * into out.p, q (length m) is scratch. Undefined when A is rank deficient (|R_jj| <= eps * nResiduals * max |R_jj|,
 * scipy's test on singular values) or has fewer residuals than parameters.
 */
export function gaussNewtonQr(
  A: Float64Array, f: Float64Array, rows: number, m: number, nResiduals: number, out: GaussNewtonStep, q: Float64Array, factored = false,
): GaussNewtonStep | undefined {
  if (nResiduals < m) return undefined;
  if (!factored) householderQr(A, f, rows, m);
  let rmax = 0;
  for (let j = 0; j < m; j++) rmax = Math.max(rmax, Math.abs(A[j * m + j]!));
  for (let j = 0; j < m; j++) if (!(Math.abs(A[j * m + j]!) > EPS * nResiduals * rmax)) return undefined;
  const p = out.p;
  for (let i = m - 1; i >= 0; i--) {
    let s = -f[i]!;
    for (let k = i + 1; k < m; k++) s -= A[i * m + k]! * p[k]!;
    p[i] = s / A[i * m + i]!;
  }
  // q = R^-T p
  let pn = 0;
  let qn = 0;
  for (let i = 0; i < m; i++) {
    let s = p[i]!;
    for (let k = 0; k < i; k++) s -= A[k * m + i]! * q[k]!;
    q[i] = s / A[i * m + i]!;
    pn += p[i]! * p[i]!;
    qn += q[i]! * q[i]!;
  }
  out.pn = Math.sqrt(pn);
  out.qn = qn;
  return out;
}

/**
 * {@link solveLsqTrustRegion} from the normal equations M = A^T A and g = A^T f, with one Cholesky factorisation
 * per trial alpha > 0 (Moré's iteration as MINPACK's lmpar, with scipy's safeguards and 1% tolerance), given the
 * Gauss-Newton step (undefined: A rank deficient). Much cheaper than the SVD for a few parameters; returns
 * undefined when M + alpha I is too ill conditioned for Cholesky (use the SVD then). `work` holds L (m x m) and
 * q (m + 1).
 */
export function solveTrustRegionNormal(
  M: Float64Array, g: Float64Array, m: number, Delta: number, initialAlpha: number, gn: GaussNewtonStep | undefined, p: Float64Array,
  work: { L: Float64Array; q: Float64Array },
): number | undefined {
  const { L, q } = work;
  if (gn && gn.pn <= Delta) {
    p.set(gn.p);
    return 0;
  }
  let gnorm = 0;
  for (let i = 0; i < m; i++) gnorm += g[i]! * g[i]!;
  let alphaUpper = Math.sqrt(gnorm) / Delta;
  let alphaLower = gn ? (gn.pn - Delta) / (gn.qn / gn.pn) : 0;
  let alpha = !gn && initialAlpha === 0 ? Math.max(0.001 * alphaUpper, Math.sqrt(alphaLower * alphaUpper)) : initialAlpha;
  let pn = 0;
  for (let it = 0; it < 10; it++) {
    if (alpha < alphaLower || alpha > alphaUpper) alpha = Math.max(0.001 * alphaUpper, Math.sqrt(alphaLower * alphaUpper));
    if (!choleskyShifted(M, alpha, m, L)) return undefined;
    pn = choleskyStep(L, g, m, p, q);
    const phi = pn - Delta;
    const der = -q[m]! / pn;
    if (phi < 0) alphaUpper = alpha;
    const ratio = phi / der;
    alphaLower = Math.max(alphaLower, alpha - ratio);
    if (Math.abs(phi) < 0.01 * Delta) break;
    alpha -= ((phi + Delta) * ratio) / Delta;
  }
  if (pn > 0) for (let i = 0; i < m; i++) p[i] *= Delta / pn;
  return alpha;
}
