/**
 * Runs the project's `leastSquares` on the NIST StRD nonlinear-regression problems (test/fixtures/nist-strd), raw
 * units, analytic Jacobians, both NIST starts, default tolerances, and prints one line per problem/start plus the
 * summary: problems solved (every parameter within 4 significant digits of NIST's certified value, i.e. log
 * relative error >= 4) and the median number of residual evaluations. With --json, writes the rows as JSON instead.
 *   node --import tsx bench/lsq/run.ts [--max-nfev N] [--json]
 * bench/lsq/scipy_nist.py does the same with scipy's least_squares (trf and lm); bench/lsq/compare.ts prints both.
 */
import { leastSquares, type LeastSquaresProblem } from "../../src/index";
import { loadNistFixtures, minLre, nistProblem } from "../../test/helpers/nist-strd";
import { loadMghFixtures, mghProblem, mghSolved, mghStarts } from "../../test/helpers/mgh";

export interface NistRow {
  problem: string;
  start: number;
  status: string;
  message: string;
  nfev: number;
  minLre: number;
  solved: boolean;
  cost: number;
}

/** Residuals and Jacobian times `factor`: the same problem with y in other units (same optimum). */
function scaledResiduals(problem: LeastSquaresProblem, factor: number): LeastSquaresProblem {
  if (factor === 1) return problem;
  return {
    n: problem.n,
    residuals(p, out) {
      problem.residuals(p, out);
      for (let i = 0; i < out.length; i++) out[i] *= factor;
    },
    jacobian(p, out) {
      problem.jacobian(p, out);
      for (let i = 0; i < out.length; i++) out[i] *= factor;
    },
  };
}

/**
 * Solves every problem from both starts. `maxNfev`: undefined = the solver's default, or a number, or "scipy" =
 * scipy's trf default 100 * (number of parameters); `residualScale` multiplies residuals and Jacobian (y in other
 * units: a unit-free solver gives the same rows).
 */
export function runNist(maxNfev?: number | "scipy", residualScale = 1): NistRow[] {
  const rows: NistRow[] = [];
  for (const fx of loadNistFixtures()) {
    const problem = scaledResiduals(nistProblem(fx), residualScale);
    fx.starts.forEach((start, s) => {
      const budget = maxNfev === "scipy" ? 100 * start.length : maxNfev;
      const r = leastSquares(problem, start, budget === undefined ? {} : { maxNfev: budget });
      const lre = minLre(r.p, fx.certified);
      rows.push({ problem: fx.name, start: s + 1, status: r.status, message: r.message, nfev: r.nfev, minLre: lre, solved: lre >= 4, cost: r.cost / residualScale ** 2 });
    });
  }
  return rows;
}

/** One row of the held-out set: the Moré-Garbow-Hillstrom problem's number and name, f = sum r^2 at the end. */
export interface MghRow {
  problem: string;
  number: number;
  start: number;
  status: string;
  message: string;
  nfev: number;
  f: number;
  solved: boolean;
}

/**
 * The held-out set: the Moré-Garbow-Hillstrom problems of test/fixtures/mgh from x0 and 10 x0 (published form,
 * analytic Jacobians, default tolerances); solved = f within 4 digits of the published f* (see mghSolved).
 * `residualScale` as in {@link runNist}.
 */
export function runMgh(maxNfev?: number | "scipy", residualScale = 1): MghRow[] {
  const rows: MghRow[] = [];
  for (const fx of loadMghFixtures()) {
    const problem = scaledResiduals(mghProblem(fx), residualScale);
    mghStarts(fx).forEach((start, s) => {
      const budget = maxNfev === "scipy" ? 100 * start.length : maxNfev;
      const r = leastSquares(problem, start, budget === undefined ? {} : { maxNfev: budget });
      const f = (2 * r.cost) / residualScale ** 2;
      rows.push({ problem: fx.name, number: fx.number, start: s + 1, status: r.status, message: r.message, nfev: r.nfev, f, solved: mghSolved(f, fx.fstar) });
    });
  }
  return rows;
}

export function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h]! : 0.5 * (s[h - 1]! + s[h]!);
}

if (require.main === module) {
  const i = process.argv.indexOf("--max-nfev");
  const rows = runNist(i >= 0 ? Number(process.argv[i + 1]) : undefined);
  if (process.argv.includes("--json")) console.log(JSON.stringify(rows));
  else {
    for (const r of rows) console.log(`${r.problem.padEnd(9)} start ${r.start}  ${r.solved ? "solved" : "      "}  LRE ${r.minLre.toFixed(1).padStart(4)}  nfev ${String(r.nfev).padStart(5)}  ${r.status} (${r.message})`);
    console.log(`solved ${rows.filter((r) => r.solved).length}/${rows.length}, median nfev ${median(rows.map((r) => r.nfev))}`);
  }
}
