/**
 * Deterministic starting points for a multi-start fit, by variable projection on a grid: for every combination of
 * the model's nonlinear parameters on its grid, the linear ones (A and K for Eq. 9) are solved exactly by linear
 * least squares, giving the best RSS reachable there. The lowest-RSS grid points that lie at least two grid cells
 * apart are returned as starts, plus `random` points drawn log-uniformly in the grid's box with a seeded generator
 * (their linear parameters solved the same way).
 */
import type { CurveModel } from "./curve-model";
import type { PreparedSeries } from "./fit-curve";
import { choleskySolveInto } from "./cholesky";
import { Rng } from "../util/rng";

export interface MultiStartOptions {
  /** Grid starts kept (default 8). */
  count?: number;
  /** Seeded random starts added (default 4). */
  random?: number;
  /** Seed of the random starts (default 0). */
  seed?: number;
  /** Keep only starts (normalised parameter vectors) this accepts, e.g. a positive amplitude. */
  accept?: (p: number[]) => boolean;
}

interface Candidate {
  p: number[];
  rss: number;
  index: number[];
}

/** Scratch of {@link projectLinear}, reusable across calls on the same model and series (the grid scan makes ~10^3). */
export interface ProjectLinearWork {
  grad: Float64Array;
  M: Float64Array;
  b: Float64Array;
  cols: Float64Array;
  coef: Float64Array;
  L: Float64Array;
}

function projectLinearWork(k: number, L: number, n: number): ProjectLinearWork {
  return { grad: new Float64Array(k), M: new Float64Array(L * L), b: new Float64Array(L), cols: new Float64Array(n * L), coef: new Float64Array(L), L: new Float64Array(L * L) };
}

/** Solves the linear parameters for fixed nonlinear ones; returns the full normalised vector and its RSS. */
export function projectLinear(model: CurveModel, data: PreparedSeries, nonlinearValues: ArrayLike<number>, work?: ProjectLinearWork): { p: number[]; rss: number } | undefined {
  const sep = model.separable;
  if (!sep) return undefined;
  const k = model.paramNames.length;
  const p = new Array<number>(k).fill(1);
  sep.nonlinear.forEach((j, q) => (p[j] = nonlinearValues[q]!));
  const L = sep.linear.length;
  const n = data.tn.length;
  const { grad, M, b, cols, coef, L: chol } = work ?? projectLinearWork(k, L, n);
  M.fill(0);
  b.fill(0);
  for (let i = 0; i < n; i++) {
    model.gradient(p, data.tn[i]!, grad);
    for (let a = 0; a < L; a++) {
      const va = grad[sep.linear[a]!]!;
      if (!Number.isFinite(va)) return undefined;
      cols[i * L + a] = va;
      b[a] += va * data.yn[i]!;
      for (let c = 0; c <= a; c++) M[a * L + c] += va * grad[sep.linear[c]!]!;
    }
  }
  for (let a = 0; a < L; a++) for (let c = 0; c < a; c++) M[c * L + a] = M[a * L + c]!;
  // a tiny ridge keeps nearly collinear bases solvable; such points are poor starts anyway
  let tr = 0;
  for (let a = 0; a < L; a++) tr += M[a * L + a]!;
  for (let a = 0; a < L; a++) M[a * L + a] += 1e-12 * tr;
  if (!choleskySolveInto(M, b, L, coef, chol) || !coef.every(Number.isFinite)) return undefined;
  let rss = 0;
  for (let i = 0; i < n; i++) {
    let f = 0;
    for (let a = 0; a < L; a++) f += coef[a]! * cols[i * L + a]!;
    rss += (data.yn[i]! - f) ** 2;
  }
  sep.linear.forEach((j, a) => (p[j] = coef[a]!));
  return Number.isFinite(rss) ? { p, rss } : undefined;
}

/** Starting points (normalised) for `model` on `data`; the model's own initial guess is not included. */
export function multiStarts(model: CurveModel, data: PreparedSeries, options: MultiStartOptions = {}): number[][] {
  const sep = model.separable;
  if (!sep) return [];
  const count = options.count ?? 8;
  const grid = sep.grid;
  const cands: Candidate[] = [];
  const idx = new Array<number>(grid.length).fill(0);
  const values = new Array<number>(grid.length);
  const work = projectLinearWork(model.paramNames.length, sep.linear.length, data.tn.length);
  for (;;) {
    for (let q = 0; q < grid.length; q++) values[q] = grid[q]![idx[q]!]!;
    const r = projectLinear(model, data, values, work);
    if (r && (!options.accept || options.accept(r.p))) cands.push({ p: r.p, rss: r.rss, index: [...idx] });
    let q = 0;
    while (q < grid.length && ++idx[q]! >= grid[q]!.length) idx[q++] = 0;
    if (q === grid.length) break;
  }
  cands.sort((a, b) => a.rss - b.rss);
  const kept: Candidate[] = [];
  for (const c of cands) {
    if (kept.length >= count) break;
    if (kept.every((k) => k.index.some((v, q) => Math.abs(v - c.index[q]!) >= 2))) kept.push(c);
  }
  const starts = kept.map((c) => c.p);
  const random = options.random ?? 4;
  if (random > 0) {
    const rng = new Rng(options.seed ?? 0);
    let tries = 0;
    while (starts.length < kept.length + random && tries++ < 20 * random) {
      const v = grid.map((g) => {
        const pos = g.filter((x) => x > 0);
        const lo = Math.log(Math.min(...pos));
        const hi = Math.log(Math.max(...pos));
        return Math.exp(lo + (hi - lo) * rng.next());
      });
      const r = projectLinear(model, data, v, work);
      if (r && (!options.accept || options.accept(r.p))) starts.push(r.p);
    }
  }
  return starts;
}
