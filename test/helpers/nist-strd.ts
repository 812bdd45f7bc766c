/**
 * The NIST StRD nonlinear-regression problems of test/fixtures/nist-strd (see its README for provenance), with each
 * model's value and analytic gradient, as least-squares problems in their published raw units.
 * Used by test/dynamics/nist-strd.test.ts and bench/lsq/run.ts; bench/lsq/scipy_nist.py holds the same models.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { LeastSquaresProblem } from "../../src/index";

export const NIST_DIR = path.resolve(__dirname, "../fixtures/nist-strd");

export interface NistFixture {
  name: string;
  difficulty: "lower" | "average" | "higher";
  model: string;
  columns: string[];
  data: Record<string, number[]>;
  starts: [number[], number[]];
  certified: number[];
  certifiedSd: number[];
  certifiedRss: number;
  source: string;
}

/** Model value at (b, x1, x2); writes d value / d b into g. */
type NistModel = (b: Float64Array, x: number, x2: number, g: Float64Array) => number;

const exp = Math.exp;

const misra1a: NistModel = (b, x, _x2, g) => {
  const e = exp(-b[1]! * x);
  g[0] = 1 - e;
  g[1] = b[0]! * x * e;
  return b[0]! * (1 - e);
};
const chwirut: NistModel = (b, x, _x2, g) => {
  const den = b[1]! + b[2]! * x;
  const f = exp(-b[0]! * x) / den;
  g[0] = -x * f;
  g[1] = -f / den;
  g[2] = (-x * f) / den;
  return f;
};
const lanczos: NistModel = (b, x, _x2, g) => {
  let f = 0;
  for (let k = 0; k < 3; k++) {
    const e = exp(-b[2 * k + 1]! * x);
    g[2 * k] = e;
    g[2 * k + 1] = -b[2 * k]! * x * e;
    f += b[2 * k]! * e;
  }
  return f;
};
const gauss: NistModel = (b, x, _x2, g) => {
  const e = exp(-b[1]! * x);
  g[0] = e;
  g[1] = -b[0]! * x * e;
  let f = b[0]! * e;
  // two Gaussian peaks: b3 exp(-(x - b4)^2 / b5^2) + b6 exp(-(x - b7)^2 / b8^2)
  for (const k of [2, 5]) {
    const u = x - b[k + 1]!;
    const w2 = b[k + 2]! * b[k + 2]!;
    const q = exp(-(u * u) / w2);
    g[k] = q;
    g[k + 1] = (b[k]! * q * 2 * u) / w2;
    g[k + 2] = (b[k]! * q * 2 * u * u) / (w2 * b[k + 2]!);
    f += b[k]! * q;
  }
  return f;
};
/** (b1 + b2 x + ... + b_{k} x^{k-1}) / (1 + b_{k+1} x + ... ) with k numerator and (m - k) denominator terms. */
const rational = (k: number): NistModel => (b, x, _x2, g) => {
  const m = b.length;
  let num = 0;
  let den = 1;
  for (let j = 0, xp = 1; j < k; j++, xp *= x) num += b[j]! * xp;
  for (let j = k, xp = x; j < m; j++, xp *= x) den += b[j]! * xp;
  for (let j = 0, xp = 1; j < k; j++, xp *= x) g[j] = xp / den;
  for (let j = k, xp = x; j < m; j++, xp *= x) g[j] = (-num * xp) / (den * den);
  return num / den;
};
const danwood: NistModel = (b, x, _x2, g) => {
  const xp = x ** b[1]!;
  g[0] = xp;
  g[1] = b[0]! * xp * Math.log(x);
  return b[0]! * xp;
};
const misra1b: NistModel = (b, x, _x2, g) => {
  const u = 1 + (b[1]! * x) / 2;
  g[0] = 1 - u ** -2;
  g[1] = b[0]! * x * u ** -3;
  return b[0]! * (1 - u ** -2);
};
const misra1c: NistModel = (b, x, _x2, g) => {
  const u = 1 + 2 * b[1]! * x;
  g[0] = 1 - u ** -0.5;
  g[1] = b[0]! * x * u ** -1.5;
  return b[0]! * (1 - u ** -0.5);
};
const misra1d: NistModel = (b, x, _x2, g) => {
  const u = 1 + b[1]! * x;
  g[0] = (b[1]! * x) / u;
  g[1] = (b[0]! * x) / (u * u);
  return (b[0]! * b[1]! * x) / u;
};
const nelson: NistModel = (b, x1, x2, g) => {
  const e = exp(-b[2]! * x2);
  g[0] = 1;
  g[1] = -x1 * e;
  g[2] = b[1]! * x1 * x2 * e;
  return b[0]! - b[1]! * x1 * e;
};
const mgh17: NistModel = (b, x, _x2, g) => {
  const e4 = exp(-x * b[3]!);
  const e5 = exp(-x * b[4]!);
  g[0] = 1;
  g[1] = e4;
  g[2] = e5;
  g[3] = -b[1]! * x * e4;
  g[4] = -b[2]! * x * e5;
  return b[0]! + b[1]! * e4 + b[2]! * e5;
};
const roszman1: NistModel = (b, x, _x2, g) => {
  const w = x - b[3]!;
  const u = b[2]! / w;
  const k = 1 / (Math.PI * (1 + u * u));
  g[0] = 1;
  g[1] = -x;
  g[2] = -k / w;
  g[3] = (-k * b[2]!) / (w * w);
  return b[0]! - b[1]! * x - Math.atan(u) / Math.PI;
};
const enso: NistModel = (b, x, _x2, g) => {
  const a = (2 * Math.PI * x) / 12;
  const a4 = (2 * Math.PI * x) / b[3]!;
  const a7 = (2 * Math.PI * x) / b[6]!;
  g[0] = 1;
  g[1] = Math.cos(a);
  g[2] = Math.sin(a);
  g[4] = Math.cos(a4);
  g[5] = Math.sin(a4);
  g[3] = ((b[4]! * Math.sin(a4) - b[5]! * Math.cos(a4)) * a4) / b[3]!;
  g[7] = Math.cos(a7);
  g[8] = Math.sin(a7);
  g[6] = ((b[7]! * Math.sin(a7) - b[8]! * Math.cos(a7)) * a7) / b[6]!;
  return b[0]! + b[1]! * g[1]! + b[2]! * g[2]! + b[4]! * g[4]! + b[5]! * g[5]! + b[7]! * g[7]! + b[8]! * g[8]!;
};
const mgh09: NistModel = (b, x, _x2, g) => {
  const num = x * x + x * b[1]!;
  const den = x * x + x * b[2]! + b[3]!;
  g[0] = num / den;
  g[1] = (b[0]! * x) / den;
  g[2] = (-b[0]! * num * x) / (den * den);
  g[3] = (-b[0]! * num) / (den * den);
  return (b[0]! * num) / den;
};
const rat42: NistModel = (b, x, _x2, g) => {
  const e = exp(b[1]! - b[2]! * x);
  const q = 1 + e;
  g[0] = 1 / q;
  g[1] = (-b[0]! * e) / (q * q);
  g[2] = (b[0]! * x * e) / (q * q);
  return b[0]! / q;
};
const mgh10: NistModel = (b, x, _x2, g) => {
  const w = x + b[2]!;
  const e = exp(b[1]! / w);
  g[0] = e;
  g[1] = (b[0]! * e) / w;
  g[2] = (-b[0]! * e * b[1]!) / (w * w);
  return b[0]! * e;
};
const eckerle4: NistModel = (b, x, _x2, g) => {
  const u = (x - b[2]!) / b[1]!;
  const e = exp(-0.5 * u * u);
  g[0] = e / b[1]!;
  g[1] = ((b[0]! * e) / (b[1]! * b[1]!)) * (u * u - 1);
  g[2] = ((b[0]! * e) / (b[1]! * b[1]!)) * u;
  return (b[0]! / b[1]!) * e;
};
const rat43: NistModel = (b, x, _x2, g) => {
  const e = exp(b[1]! - b[2]! * x);
  const q = 1 + e;
  const f = b[0]! * q ** (-1 / b[3]!);
  g[0] = q ** (-1 / b[3]!);
  g[1] = (-f * e) / (b[3]! * q);
  g[2] = (f * e * x) / (b[3]! * q);
  g[3] = (f * Math.log(q)) / (b[3]! * b[3]!);
  return f;
};
const bennett5: NistModel = (b, x, _x2, g) => {
  const w = b[1]! + x;
  const f = b[0]! * w ** (-1 / b[2]!);
  g[0] = w ** (-1 / b[2]!);
  g[1] = -f / (b[2]! * w);
  g[2] = (f * Math.log(w)) / (b[2]! * b[2]!);
  return f;
};

export const NIST_MODELS: Record<string, NistModel> = {
  Misra1a: misra1a, BoxBOD: misra1a, Chwirut1: chwirut, Chwirut2: chwirut, Lanczos1: lanczos, Lanczos2: lanczos, Lanczos3: lanczos,
  Gauss1: gauss, Gauss2: gauss, Gauss3: gauss, DanWood: danwood, Misra1b: misra1b, Kirby2: rational(3), Hahn1: rational(4), Thurber: rational(4),
  Nelson: nelson, MGH17: mgh17, Misra1c: misra1c, Misra1d: misra1d, Roszman1: roszman1, ENSO: enso, MGH09: mgh09, Rat42: rat42, MGH10: mgh10,
  Eckerle4: eckerle4, Rat43: rat43, Bennett5: bennett5,
};

/** Every fixture, in NIST's order of the brief (file names sorted). */
export function loadNistFixtures(): NistFixture[] {
  return fs
    .readdirSync(NIST_DIR)
    .filter((f) => f.endsWith(".json") && !f.startsWith("scipy"))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(NIST_DIR, f), "utf8")) as NistFixture);
}

/** The fixture as a least-squares problem: r_i = f(b, x_i) - y_i (for Nelson, log y_i as its model states). */
export function nistProblem(fx: NistFixture): LeastSquaresProblem & { m: number } {
  const model = NIST_MODELS[fx.name];
  if (!model) throw new Error(`no model for NIST problem ${fx.name}`);
  const x = fx.data.x ?? fx.data.x1!;
  const x2 = fx.data.x2 ?? [];
  const target = fx.name === "Nelson" ? fx.data.y!.map(Math.log) : fx.data.y!;
  const n = target.length;
  const m = fx.certified.length;
  const g = new Float64Array(m);
  return {
    n,
    m,
    residuals(b, out) {
      for (let i = 0; i < n; i++) out[i] = model(b, x[i]!, x2[i] ?? 0, g) - target[i]!;
    },
    jacobian(b, out) {
      for (let i = 0; i < n; i++) {
        model(b, x[i]!, x2[i] ?? 0, g);
        for (let j = 0; j < m; j++) out[i * m + j] = g[j]!;
      }
    },
  };
}

/** NIST's log relative error, min over parameters of -log10(|b - cert| / |cert|) (capped at 15). */
export function minLre(b: ArrayLike<number>, certified: number[]): number {
  let min = 15;
  certified.forEach((c, j) => {
    const rel = Math.abs(b[j]! - c) / Math.abs(c);
    const lre = rel === 0 ? 15 : Number.isFinite(rel) ? -Math.log10(rel) : 0;
    min = Math.min(min, lre);
  });
  return min;
}
