/**
 * The bound-handling half of the trust-region reflective method ({@link leastSquares}), after scipy's
 * `scipy/optimize/_lsq/common.py` and `trf.py` (Branch, Coleman & Li 1999): Coleman-Li scaling, step lengths to the
 * bounds, strictly feasible shifts, and the choice among the trust-region step cut at the first bound, its reflection
 * and the Cauchy step, all judged on the quadratic model in scaled ("hat") variables.
 */

/** Minimum of a t^2 + b t + c on [lo, hi] (scipy's `minimize_quadratic_1d`): [t, value]. */
export function minimizeQuadratic1d(a: number, b: number, lo: number, hi: number, c = 0): [number, number] {
  let bestT = lo;
  let best = lo * (a * lo + b) + c;
  const consider = (t: number): void => {
    const y = t * (a * t + b) + c;
    if (y < best) {
      best = y;
      bestT = t;
    }
  };
  consider(hi);
  if (a !== 0) {
    const ext = (-0.5 * b) / a;
    if (lo < ext && ext < hi) consider(ext);
  }
  return [bestT, best];
}

/**
 * Smallest t >= 0 with x + t s on a bound (scipy's `step_size_to_bound`); `hits` gets -1/+1 where the lower/upper
 * bound is reached at that t (0 elsewhere). Infinity when s points to no finite bound.
 */
export function stepSizeToBound(x: Float64Array, s: Float64Array, lb: Float64Array, ub: Float64Array, hits?: Int8Array): number {
  const m = x.length;
  let min = Infinity;
  for (let j = 0; j < m; j++) if (s[j] !== 0) min = Math.min(min, stepTo(x, s, lb, ub, j));
  if (hits) for (let j = 0; j < m; j++) hits[j] = s[j] !== 0 && stepTo(x, s, lb, ub, j) === min ? (s[j]! > 0 ? 1 : -1) : 0;
  return min;
}

function stepTo(x: Float64Array, s: Float64Array, lb: Float64Array, ub: Float64Array, j: number): number {
  return Math.max((lb[j]! - x[j]!) / s[j]!, (ub[j]! - x[j]!) / s[j]!);
}

/** The positive root t of ||x + t s|| = Delta for ||x|| <= Delta (scipy's `intersect_trust_region`). */
export function intersectTrustRegion(x: Float64Array, s: Float64Array, Delta: number): number {
  let a = 0;
  let b = 0;
  let c = -Delta * Delta;
  for (let j = 0; j < x.length; j++) {
    a += s[j]! * s[j]!;
    b += x[j]! * s[j]!;
    c += x[j]! * x[j]!;
  }
  if (a === 0) return 0;
  c = Math.min(c, 0);
  const d = Math.sqrt(b * b - a * c);
  const q = -(b + (b >= 0 ? d : -d));
  const t1 = q / a;
  const t2 = q !== 0 ? c / q : 0;
  return Math.max(t1, t2);
}

const nextBuf = new DataView(new ArrayBuffer(8));

/** The float64 next to x in the direction of `toward` (C's nextafter). */
export function nextAfter(x: number, toward: number): number {
  if (Number.isNaN(x) || Number.isNaN(toward)) return NaN;
  if (x === toward) return toward;
  if (x === 0) return toward > 0 ? Number.MIN_VALUE : -Number.MIN_VALUE;
  nextBuf.setFloat64(0, x);
  let bits = nextBuf.getBigInt64(0);
  bits += (toward > x) === (x > 0) ? 1n : -1n;
  nextBuf.setBigInt64(0, bits);
  return nextBuf.getFloat64(0);
}

/**
 * Moves x (in place) strictly inside [lb, ub] (scipy's `make_strictly_feasible`): a coordinate on or beyond a bound,
 * or within rstep * max(1, |bound|) of it, goes to that distance inside (rstep = 0: to the next float); when the
 * box is too tight for that, to its middle.
 */
export function makeStrictlyFeasible(x: Float64Array, lb: Float64Array, ub: Float64Array, rstep: number): void {
  for (let j = 0; j < x.length; j++) {
    const l = lb[j]!;
    const u = ub[j]!;
    let v = Math.min(u, Math.max(l, x[j]!));
    const lowDist = v - l;
    const upDist = u - v;
    const lowTh = rstep * Math.max(1, Math.abs(l));
    const upTh = rstep * Math.max(1, Math.abs(u));
    if (Number.isFinite(l) && lowDist <= Math.min(upDist, lowTh)) v = rstep === 0 ? nextAfter(l, u) : l + lowTh;
    else if (Number.isFinite(u) && upDist <= Math.min(lowDist, upTh)) v = rstep === 0 ? nextAfter(u, l) : u - upTh;
    if (v < l || v > u) v = 0.5 * (l + u);
    x[j] = v;
  }
}

/**
 * Coleman-Li scaling (scipy's `CL_scaling_vector`): v_j = distance to the bound the anti-gradient points at when
 * that bound is finite (dv_j = +1 towards lb, -1 towards ub), else v_j = 1, dv_j = 0.
 */
export function colemanLiScaling(x: Float64Array, g: Float64Array, lb: Float64Array, ub: Float64Array, v: Float64Array, dv: Float64Array): void {
  for (let j = 0; j < x.length; j++) {
    v[j] = 1;
    dv[j] = 0;
    if (g[j]! < 0 && Number.isFinite(ub[j]!)) {
      v[j] = ub[j]! - x[j]!;
      dv[j] = -1;
    } else if (g[j]! > 0 && Number.isFinite(lb[j]!)) {
      v[j] = x[j]! - lb[j]!;
      dv[j] = 1;
    }
  }
}

function sumSq(r: Float64Array): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += r[i]! * r[i]!;
  return s;
}

/**
 * The quadratic model in hat variables, 0.5 s'(J_h'J_h + diag_h)s + g_h's with J_h = J diag(d), evaluated through
 * J'J (m x m) so that no product touches the n rows.
 */
export class HatModel {
  private readonly u: Float64Array;
  private readonly w: Float64Array;
  constructor(
    readonly JtJ: Float64Array,
    readonly m: number,
    readonly d: Float64Array,
    readonly diagH: Float64Array,
    readonly gH: Float64Array,
  ) {
    this.u = new Float64Array(m);
    this.w = new Float64Array(m);
  }
  /** x' J_h'J_h y for x = d * a, y = d * b already scaled. */
  private form(x: Float64Array, y: Float64Array): number {
    const { m, JtJ } = this;
    let q = 0;
    for (let j = 0; j < m; j++) {
      let row = 0;
      for (let k = 0; k < m; k++) row += JtJ[j * m + k]! * y[k]!;
      q += x[j]! * row;
    }
    return q;
  }
  /** Value of the model at sH. */
  value(sH: Float64Array): number {
    for (let j = 0; j < this.m; j++) this.u[j] = this.d[j]! * sH[j]!;
    let q = this.form(this.u, this.u);
    let l = 0;
    for (let j = 0; j < this.m; j++) {
      q += this.diagH[j]! * sH[j]! * sH[j]!;
      l += this.gH[j]! * sH[j]!;
    }
    return 0.5 * q + l;
  }
  /** Coefficients [a, b, c] of t -> model(s0 + t s) (scipy's `build_quadratic_1d`; s0 absent = 0). */
  line(s: Float64Array, s0?: Float64Array): [number, number, number] {
    const { m, d, diagH, gH, u, w } = this;
    for (let j = 0; j < m; j++) u[j] = d[j]! * s[j]!;
    let a = this.form(u, u);
    let b = 0;
    let c = 0;
    for (let j = 0; j < m; j++) {
      a += s[j]! * diagH[j]! * s[j]!;
      b += gH[j]! * s[j]!;
    }
    if (s0) {
      for (let j = 0; j < m; j++) w[j] = d[j]! * s0[j]!;
      b += this.form(w, u);
      c = 0.5 * this.form(w, w);
      for (let j = 0; j < m; j++) {
        b += s0[j]! * diagH[j]! * s[j]!;
        c += gH[j]! * s0[j]! + 0.5 * s0[j]! * diagH[j]! * s0[j]!;
      }
    }
    return [0.5 * a, b, c];
  }
}

/**
 * Scipy's `select_step`: the trust-region step p (p = d * pH) if it stays in the box, else the best of p cut to
 * theta of the way to the first bound, p reflected there, and the Cauchy step; writes step and stepH and returns
 * the predicted cost reduction. p and pH are overwritten.
 */
export function selectWorkspace(m: number) {
  return { hits: new Int8Array(m), rH: new Float64Array(m), r: new Float64Array(m), xOnBound: new Float64Array(m), agH: new Float64Array(m), ag: new Float64Array(m) };
}

export function selectStep(
  x: Float64Array, model: HatModel, p: Float64Array, pH: Float64Array, Delta: number, lb: Float64Array, ub: Float64Array, theta: number,
  step: Float64Array, stepH: Float64Array, work: ReturnType<typeof selectWorkspace>,
): number {
  const m = x.length;
  const d = model.d;
  let inside = true;
  for (let j = 0; j < m; j++) if (!(x[j]! + p[j]! >= lb[j]! && x[j]! + p[j]! <= ub[j]!)) inside = false;
  if (inside) {
    step.set(p);
    stepH.set(pH);
    return -model.value(pH);
  }
  const { hits, rH, r, xOnBound, agH, ag } = work;
  const pStride = stepSizeToBound(x, p, lb, ub, hits);
  for (let j = 0; j < m; j++) {
    rH[j] = hits[j] !== 0 ? -pH[j]! : pH[j]!;
    r[j] = rH[j]! * d[j]!;
    p[j] *= pStride;
    pH[j] *= pStride;
    xOnBound[j] = x[j]! + p[j]!;
  }
  const toTr = intersectTrustRegion(pH, rH, Delta);
  const toBound = stepSizeToBound(xOnBound, r, lb, ub);
  const rStride = Math.min(toBound, toTr);
  let lo = 0;
  let hi = -1;
  if (rStride > 0) {
    lo = ((1 - theta) * pStride) / rStride;
    hi = rStride === toBound ? theta * toBound : toTr;
  }
  let rValue = Infinity;
  if (lo <= hi) {
    const [a, b, c] = model.line(rH, pH);
    const [t, value] = minimizeQuadratic1d(a, b, lo, hi, c);
    rValue = value;
    for (let j = 0; j < m; j++) {
      rH[j] = pH[j]! + t * rH[j]!;
      r[j] = rH[j]! * d[j]!;
    }
  }
  for (let j = 0; j < m; j++) {
    p[j] *= theta;
    pH[j] *= theta;
  }
  const pValue = model.value(pH);
  for (let j = 0; j < m; j++) {
    agH[j] = -model.gH[j]!;
    ag[j] = agH[j]! * d[j]!;
  }
  const agNorm = Math.sqrt(sumSq(agH));
  let agValue = Infinity;
  if (agNorm > 0) {
    const toTrAg = Delta / agNorm;
    const toBoundAg = stepSizeToBound(x, ag, lb, ub);
    const [a, b] = model.line(agH);
    const [t, value] = minimizeQuadratic1d(a, b, 0, toBoundAg < toTrAg ? theta * toBoundAg : toTrAg);
    agValue = value;
    for (let j = 0; j < m; j++) {
      agH[j] *= t;
      ag[j] *= t;
    }
  }
  if (pValue < rValue && pValue < agValue) {
    step.set(p);
    stepH.set(pH);
    return -pValue;
  }
  if (rValue < pValue && rValue < agValue) {
    step.set(r);
    stepH.set(rH);
    return -rValue;
  }
  step.set(ag);
  stepH.set(agH);
  return -agValue;
}

