/**
 * The Moré-Garbow-Hillstrom least-squares test problems (ACM TOMS 7(1):17-41, 1981, section 3) in their published
 * form: residuals and hand-written analytic Jacobians, keyed by the paper's problem number. Starts, sizes and the
 * published minima f* (of f = sum r_i^2) come from test/fixtures/mgh/mgh.json (see its README), which also holds the
 * residuals and Jacobians at both starts from bench/lsq/mgh_problems.py (sympy): test/dynamics/mgh.test.ts checks
 * these functions against them. Used by bench/lsq/run.ts (the held-out set of the solver bench).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { LeastSquaresProblem } from "../../src/index";

export const MGH_FILE = path.resolve(__dirname, "../fixtures/mgh/mgh.json");

export interface MghFixture {
  number: number;
  name: string;
  n: number;
  m: number;
  x0: number[];
  fstar: number;
  note: string;
  /** At x0 and 10 x0: the sympy residuals and Jacobian (m rows of n). */
  at: { x: number[]; residuals: number[]; jacobian: number[][] }[];
}

/** Residuals into r (length m) and the Jacobian into J (row-major m x n) at x. */
type MghFunction = (x: Float64Array, r: Float64Array, J: Float64Array | undefined, m: number) => void;

const { exp, sqrt, sin, cos } = Math;

/** Writes J[i][j] for row-major m x n. */
const setter = (J: Float64Array | undefined, n: number) => (i: number, j: number, v: number): void => {
  if (J) J[i * n + j] = v;
};

const rosenbrockBlocks: MghFunction = (x, r, J) => {
  const n = x.length;
  J?.fill(0);
  const s = setter(J, n);
  for (let k = 0; k < n; k += 2) {
    r[k] = 10 * (x[k + 1]! - x[k]! ** 2);
    r[k + 1] = 1 - x[k]!;
    s(k, k, -20 * x[k]!);
    s(k, k + 1, 10);
    s(k + 1, k, -1);
  }
};

const powellBlocks: MghFunction = (x, r, J) => {
  const n = x.length;
  J?.fill(0);
  const s = setter(J, n);
  for (let k = 0; k < n; k += 4) {
    const [a, b, c, d] = [x[k]!, x[k + 1]!, x[k + 2]!, x[k + 3]!];
    r[k] = a + 10 * b;
    r[k + 1] = sqrt(5) * (c - d);
    r[k + 2] = (b - 2 * c) ** 2;
    r[k + 3] = sqrt(10) * (a - d) ** 2;
    s(k, k, 1);
    s(k, k + 1, 10);
    s(k + 1, k + 2, sqrt(5));
    s(k + 1, k + 3, -sqrt(5));
    s(k + 2, k + 1, 2 * (b - 2 * c));
    s(k + 2, k + 2, -4 * (b - 2 * c));
    s(k + 3, k, 2 * sqrt(10) * (a - d));
    s(k + 3, k + 3, -2 * sqrt(10) * (a - d));
  }
};

const BARD_Y = [0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.1, 4.39];
const GAUSSIAN_Y = [0.0009, 0.0044, 0.0175, 0.054, 0.1295, 0.242, 0.3521, 0.3989, 0.3521, 0.242, 0.1295, 0.054, 0.0175, 0.0044, 0.0009];
const MEYER_Y = [34780, 28610, 23650, 19630, 16370, 13720, 11540, 9744, 8261, 7030, 6005, 5147, 4427, 3820, 3307, 2872];
const KO_Y = [0.1957, 0.1947, 0.1735, 0.16, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246];
const KO_U = [4, 2, 1, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625];
const OSBORNE1_Y = [
  0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.85, 0.818, 0.784, 0.751, 0.718, 0.685, 0.658, 0.628, 0.603, 0.58, 0.558, 0.538,
  0.522, 0.506, 0.49, 0.478, 0.467, 0.457, 0.448, 0.438, 0.431, 0.424, 0.42, 0.414, 0.411, 0.406,
];
const OSBORNE2_Y = [
  1.366, 1.191, 1.112, 1.013, 0.991, 0.885, 0.831, 0.847, 0.786, 0.725, 0.746, 0.679, 0.608, 0.655, 0.616, 0.606, 0.602, 0.626, 0.651,
  0.724, 0.649, 0.649, 0.694, 0.644, 0.624, 0.661, 0.612, 0.558, 0.533, 0.495, 0.5, 0.423, 0.395, 0.375, 0.372, 0.391, 0.396, 0.405,
  0.428, 0.429, 0.523, 0.562, 0.607, 0.653, 0.672, 0.708, 0.633, 0.668, 0.645, 0.632, 0.591, 0.559, 0.597, 0.625, 0.739, 0.71, 0.729,
  0.72, 0.636, 0.581, 0.428, 0.292, 0.162, 0.098, 0.054,
];

/** Residuals linear in x plus Jacobian rows, for problems 32-34: r = A x + c with A given row by row. */
const linear = (row: (i: number, n: number, m: number) => { a: number[]; c: number }): MghFunction => (x, r, J, m) => {
  const n = x.length;
  for (let i = 0; i < m; i++) {
    const { a, c } = row(i, n, m);
    let v = c;
    for (let j = 0; j < n; j++) v += a[j]! * x[j]!;
    r[i] = v;
    if (J) for (let j = 0; j < n; j++) J[i * n + j] = a[j]!;
  }
};

/** Shifted Chebyshev T_k(2x - 1) and its derivative in x, k = 0..kmax, by the three-term recurrence. */
function chebyshevShifted(x: number, kmax: number, t: Float64Array, dt: Float64Array): void {
  const y = 2 * x - 1;
  t[0] = 1;
  dt[0] = 0;
  t[1] = y;
  dt[1] = 2;
  for (let k = 2; k <= kmax; k++) {
    t[k] = 2 * y * t[k - 1]! - t[k - 2]!;
    dt[k] = 4 * t[k - 1]! + 2 * y * dt[k - 1]! - dt[k - 2]!;
  }
}

export const MGH_FUNCTIONS: Record<number, MghFunction> = {
  1: rosenbrockBlocks,
  2: (x, r, J) => {
    const [a, b] = [x[0]!, x[1]!];
    r[0] = -13 + a + ((5 - b) * b - 2) * b;
    r[1] = -29 + a + ((b + 1) * b - 14) * b;
    J?.set([1, 10 * b - 3 * b * b - 2, 1, 3 * b * b + 2 * b - 14]);
  },
  3: (x, r, J) => {
    const [a, b] = [x[0]!, x[1]!];
    r[0] = 1e4 * a * b - 1;
    r[1] = exp(-a) + exp(-b) - 1.0001;
    J?.set([1e4 * b, 1e4 * a, -exp(-a), -exp(-b)]);
  },
  4: (x, r, J) => {
    const [a, b] = [x[0]!, x[1]!];
    r[0] = a - 1e6;
    r[1] = b - 2e-6;
    r[2] = a * b - 2;
    J?.set([1, 0, 0, 1, b, a]);
  },
  5: (x, r, J) => {
    const y = [1.5, 2.25, 2.625];
    for (let i = 0; i < 3; i++) {
      const p = x[1]! ** (i + 1);
      r[i] = y[i]! - x[0]! * (1 - p);
      if (J) {
        J[i * 2] = -(1 - p);
        J[i * 2 + 1] = x[0]! * (i + 1) * x[1]! ** i;
      }
    }
  },
  6: (x, r, J, m) => {
    for (let i = 1; i <= m; i++) {
      const [e1, e2] = [exp(i * x[0]!), exp(i * x[1]!)];
      r[i - 1] = 2 + 2 * i - (e1 + e2);
      J?.set([-i * e1, -i * e2], (i - 1) * 2);
    }
  },
  7: (x, r, J) => {
    const [a, b, c] = [x[0]!, x[1]!, x[2]!];
    const theta = Math.atan(b / a) / (2 * Math.PI) + (a > 0 ? 0 : 0.5);
    const rho2 = a * a + b * b;
    const rho = sqrt(rho2);
    r[0] = 10 * (c - 10 * theta);
    r[1] = 10 * (rho - 1);
    r[2] = c;
    // d theta / da = -b / (2 pi rho^2), d theta / db = a / (2 pi rho^2)
    J?.set([(100 * b) / (2 * Math.PI * rho2), (-100 * a) / (2 * Math.PI * rho2), 10, (10 * a) / rho, (10 * b) / rho, 0, 0, 0, 1]);
  },
  8: (x, r, J) => {
    for (let i = 1; i <= 15; i++) {
      const [u, v] = [i, 16 - i];
      const w = Math.min(u, v);
      const den = v * x[1]! + w * x[2]!;
      r[i - 1] = BARD_Y[i - 1]! - (x[0]! + u / den);
      J?.set([-1, (u * v) / (den * den), (u * w) / (den * den)], (i - 1) * 3);
    }
  },
  9: (x, r, J) => {
    for (let i = 1; i <= 15; i++) {
      const d = (8 - i) / 2 - x[2]!;
      const e = exp((-x[1]! * d * d) / 2);
      r[i - 1] = x[0]! * e - GAUSSIAN_Y[i - 1]!;
      J?.set([e, (-x[0]! * e * d * d) / 2, x[0]! * e * x[1]! * d], (i - 1) * 3);
    }
  },
  10: (x, r, J) => {
    for (let i = 1; i <= 16; i++) {
      const w = 45 + 5 * i + x[2]!;
      const e = exp(x[1]! / w);
      r[i - 1] = x[0]! * e - MEYER_Y[i - 1]!;
      J?.set([e, (x[0]! * e) / w, (-x[0]! * e * x[1]!) / (w * w)], (i - 1) * 3);
    }
  },
  12: (x, r, J, m) => {
    for (let i = 1; i <= m; i++) {
      const t = i / 10;
      const [e1, e2] = [exp(-t * x[0]!), exp(-t * x[1]!)];
      const c = exp(-t) - exp(-10 * t);
      r[i - 1] = e1 - e2 - x[2]! * c;
      J?.set([-t * e1, t * e2, -c], (i - 1) * 3);
    }
  },
  13: powellBlocks,
  14: (x, r, J) => {
    const [a, b, c, d] = [x[0]!, x[1]!, x[2]!, x[3]!];
    const s90 = sqrt(90);
    const s10 = sqrt(10);
    r.set([10 * (b - a * a), 1 - a, s90 * (d - c * c), 1 - c, s10 * (b + d - 2), (b - d) / s10]);
    J?.set([-20 * a, 10, 0, 0, -1, 0, 0, 0, 0, 0, -2 * s90 * c, s90, 0, 0, -1, 0, 0, s10, 0, s10, 0, 1 / s10, 0, -1 / s10]);
  },
  15: (x, r, J) => {
    for (let i = 0; i < 11; i++) {
      const u = KO_U[i]!;
      const num = u * u + u * x[1]!;
      const den = u * u + u * x[2]! + x[3]!;
      r[i] = KO_Y[i]! - (x[0]! * num) / den;
      J?.set([-num / den, (-x[0]! * u) / den, (x[0]! * num * u) / (den * den), (x[0]! * num) / (den * den)], i * 4);
    }
  },
  16: (x, r, J, m) => {
    for (let i = 1; i <= m; i++) {
      const t = i / 5;
      const a = x[0]! + t * x[1]! - exp(t);
      const b = x[2]! + x[3]! * sin(t) - cos(t);
      r[i - 1] = a * a + b * b;
      J?.set([2 * a, 2 * a * t, 2 * b, 2 * b * sin(t)], (i - 1) * 4);
    }
  },
  17: (x, r, J) => {
    for (let i = 0; i < 33; i++) {
      const t = 10 * i;
      const [e4, e5] = [exp(-t * x[3]!), exp(-t * x[4]!)];
      r[i] = OSBORNE1_Y[i]! - (x[0]! + x[1]! * e4 + x[2]! * e5);
      J?.set([-1, -e4, -e5, t * x[1]! * e4, t * x[2]! * e5], i * 5);
    }
  },
  18: (x, r, J, m) => {
    for (let i = 1; i <= m; i++) {
      const t = i / 10;
      const y = exp(-t) - 5 * exp(-10 * t) + 3 * exp(-4 * t);
      const [e1, e2, e5] = [exp(-t * x[0]!), exp(-t * x[1]!), exp(-t * x[4]!)];
      r[i - 1] = x[2]! * e1 - x[3]! * e2 + x[5]! * e5 - y;
      J?.set([-t * x[2]! * e1, t * x[3]! * e2, e1, -e2, -t * x[5]! * e5, e5], (i - 1) * 6);
    }
  },
  19: (x, r, J) => {
    for (let i = 0; i < 65; i++) {
      const t = i / 10;
      const e0 = exp(-t * x[4]!);
      let model = x[0]! * e0;
      if (J) {
        J.fill(0, i * 11, i * 11 + 11);
        J[i * 11] = -e0;
        J[i * 11 + 4] = t * x[0]! * e0;
      }
      // three Gaussian terms x_k exp(-(t - x_{k+7})^2 x_{k+4}), k = 1, 2, 3 (0-based)
      for (let k = 1; k <= 3; k++) {
        const d = t - x[k + 7]!;
        const e = exp(-d * d * x[k + 4]!);
        model += x[k]! * e;
        if (J) {
          J[i * 11 + k] = -e;
          J[i * 11 + k + 4] = x[k]! * e * d * d;
          J[i * 11 + k + 7] = -2 * x[k]! * e * d * x[k + 4]!;
        }
      }
      r[i] = OSBORNE2_Y[i]! - model;
    }
  },
  21: rosenbrockBlocks,
  22: powellBlocks,
  23: (x, r, J) => {
    const n = x.length;
    const a = sqrt(1e-5);
    J?.fill(0);
    let s = 0;
    for (let j = 0; j < n; j++) {
      r[j] = a * (x[j]! - 1);
      if (J) J[j * n + j] = a;
      s += x[j]! * x[j]!;
    }
    r[n] = s - 0.25;
    if (J) for (let j = 0; j < n; j++) J[n * n + j] = 2 * x[j]!;
  },
  24: (x, r, J) => {
    const n = x.length;
    const a = sqrt(1e-5);
    J?.fill(0);
    const set = setter(J, n);
    const e = (j: number): number => exp(x[j]! / 10);
    r[0] = x[0]! - 0.2;
    set(0, 0, 1);
    for (let i = 2; i <= n; i++) {
      r[i - 1] = a * (e(i - 1) + e(i - 2) - (exp(i / 10) + exp((i - 1) / 10)));
      set(i - 1, i - 1, (a * e(i - 1)) / 10);
      set(i - 1, i - 2, (a * e(i - 2)) / 10);
    }
    for (let i = n + 1; i < 2 * n; i++) {
      r[i - 1] = a * (e(i - n) - exp(-0.1));
      set(i - 1, i - n, (a * e(i - n)) / 10);
    }
    let s = 0;
    for (let j = 1; j <= n; j++) {
      s += (n - j + 1) * x[j - 1]! ** 2;
      set(2 * n - 1, j - 1, 2 * (n - j + 1) * x[j - 1]!);
    }
    r[2 * n - 1] = s - 1;
  },
  25: (x, r, J) => {
    const n = x.length;
    J?.fill(0);
    let s = 0;
    for (let j = 0; j < n; j++) {
      r[j] = x[j]! - 1;
      if (J) J[j * n + j] = 1;
      s += (j + 1) * (x[j]! - 1);
    }
    r[n] = s;
    r[n + 1] = s * s;
    if (J) for (let j = 0; j < n; j++) [J[n * n + j], J[(n + 1) * n + j]] = [j + 1, 2 * s * (j + 1)];
  },
  26: (x, r, J) => {
    const n = x.length;
    let c = 0;
    for (let j = 0; j < n; j++) c += cos(x[j]!);
    for (let i = 0; i < n; i++) {
      r[i] = n - c + (i + 1) * (1 - cos(x[i]!)) - sin(x[i]!);
      if (J) for (let j = 0; j < n; j++) J[i * n + j] = sin(x[j]!) + (i === j ? (i + 1) * sin(x[i]!) - cos(x[i]!) : 0);
    }
  },
  27: (x, r, J) => {
    const n = x.length;
    let s = 0;
    let prod = 1;
    for (let j = 0; j < n; j++) {
      s += x[j]!;
      prod *= x[j]!;
    }
    for (let i = 0; i < n - 1; i++) {
      r[i] = x[i]! + s - (n + 1);
      if (J) for (let j = 0; j < n; j++) J[i * n + j] = i === j ? 2 : 1;
    }
    r[n - 1] = prod - 1;
    if (J) {
      for (let j = 0; j < n; j++) {
        let p = 1;
        for (let k = 0; k < n; k++) if (k !== j) p *= x[k]!;
        J[(n - 1) * n + j] = p;
      }
    }
  },
  28: (x, r, J) => {
    const n = x.length;
    const h = 1 / (n + 1);
    J?.fill(0);
    const set = setter(J, n);
    for (let i = 0; i < n; i++) {
      const c = x[i]! + (i + 1) * h + 1;
      r[i] = 2 * x[i]! - (i > 0 ? x[i - 1]! : 0) - (i < n - 1 ? x[i + 1]! : 0) + (h * h * c ** 3) / 2;
      set(i, i, 2 + 1.5 * h * h * c * c);
      if (i > 0) set(i, i - 1, -1);
      if (i < n - 1) set(i, i + 1, -1);
    }
  },
  29: (x, r, J) => {
    const n = x.length;
    const h = 1 / (n + 1);
    const t = (j: number): number => (j + 1) * h;
    for (let i = 0; i < n; i++) {
      let s1 = 0;
      let s2 = 0;
      for (let j = 0; j <= i; j++) s1 += t(j) * (x[j]! + t(j) + 1) ** 3;
      for (let j = i + 1; j < n; j++) s2 += (1 - t(j)) * (x[j]! + t(j) + 1) ** 3;
      r[i] = x[i]! + (h * ((1 - t(i)) * s1 + t(i) * s2)) / 2;
      if (J) {
        for (let j = 0; j < n; j++) {
          const w = j <= i ? (1 - t(i)) * t(j) : t(i) * (1 - t(j));
          J[i * n + j] = (i === j ? 1 : 0) + (h * w * 3 * (x[j]! + t(j) + 1) ** 2) / 2;
        }
      }
    }
  },
  30: (x, r, J) => {
    const n = x.length;
    J?.fill(0);
    const set = setter(J, n);
    for (let i = 0; i < n; i++) {
      r[i] = (3 - 2 * x[i]!) * x[i]! - (i > 0 ? x[i - 1]! : 0) - 2 * (i < n - 1 ? x[i + 1]! : 0) + 1;
      set(i, i, 3 - 4 * x[i]!);
      if (i > 0) set(i, i - 1, -1);
      if (i < n - 1) set(i, i + 1, -2);
    }
  },
  31: (x, r, J) => {
    const n = x.length;
    J?.fill(0);
    const set = setter(J, n);
    for (let i = 0; i < n; i++) {
      let v = x[i]! * (2 + 5 * x[i]! ** 2) + 1;
      set(i, i, 2 + 15 * x[i]! ** 2);
      // the band j in [i - 5, i + 1], j != i
      for (let j = Math.max(0, i - 5); j <= Math.min(n - 1, i + 1); j++) {
        if (j === i) continue;
        v -= x[j]! * (1 + x[j]!);
        set(i, j, -(1 + 2 * x[j]!));
      }
      r[i] = v;
    }
  },
  32: linear((i, n, m) => ({ a: Array.from({ length: n }, (_, j) => (i === j ? 1 : 0) - 2 / m), c: -1 })),
  33: linear((i, n) => ({ a: Array.from({ length: n }, (_, j) => (i + 1) * (j + 1)), c: -1 })),
  34: linear((i, n, m) => ({ a: Array.from({ length: n }, (_, j) => (i === 0 || i === m - 1 || j === 0 || j === n - 1 ? 0 : i * (j + 1))), c: -1 })),
  35: (x, r, J) => {
    const n = x.length;
    const t = new Float64Array(n + 1);
    const dt = new Float64Array(n + 1);
    r.fill(0);
    for (let i = 1; i <= n; i++) r[i - 1] = i % 2 === 0 ? 1 / (i * i - 1) : 0;
    for (let j = 0; j < n; j++) {
      chebyshevShifted(x[j]!, n, t, dt);
      for (let i = 1; i <= n; i++) {
        r[i - 1] += t[i]! / n;
        if (J) J[(i - 1) * n + j] = dt[i]! / n;
      }
    }
  },
};

export function loadMghFixtures(): MghFixture[] {
  const text = fs.readFileSync(MGH_FILE, "utf8");
  const parsed = JSON.parse(text) as { problems?: MghFixture[] };
  if (!Array.isArray(parsed.problems)) throw new Error(`${MGH_FILE}: no "problems" array`);
  return parsed.problems;
}

/** The problem as a LeastSquaresProblem (cost 0.5 sum r^2, i.e. half the paper's f). */
export function mghProblem(fx: MghFixture): LeastSquaresProblem {
  const fn = MGH_FUNCTIONS[fx.number];
  if (!fn) throw new Error(`${MGH_FILE}: no residual function for MGH problem ${fx.number}`);
  return {
    n: fx.m,
    residuals: (p, out) => fn(p, out, undefined, fx.m),
    jacobian: (p, out) => fn(p, new Float64Array(fx.m), out, fx.m),
  };
}

/** The starts of the bench: the published x0 and 10 x0. */
export function mghStarts(fx: MghFixture): number[][] {
  return [fx.x0, fx.x0.map((v) => 10 * v)];
}

/** The bench's criterion (as bench/lsq/mgh_problems.py): f = sum r^2 within 4 digits of f* (f* > 0), or <= 1e-10. */
export function mghSolved(f: number, fstar: number): boolean {
  return Number.isFinite(f) && (fstar === 0 ? f <= 1e-10 : f <= fstar * (1 + 1e-4));
}
