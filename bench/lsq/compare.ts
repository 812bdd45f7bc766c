/**
 * Side by side, this project's leastSquares against scipy's least_squares "trf" and "lm" (default tolerances and
 * x_scale, analytic Jacobians), on two problem sets in their published units, both starts each:
 * - NIST StRD nonlinear regression (the set the solver's choices were made on; rows from bench/lsq/scipy_nist.py),
 *   solved = every parameter within 4 significant digits of NIST's certified value;
 * - Moré-Garbow-Hillstrom (held out: not used to choose anything; rows from bench/lsq/scipy_mgh.py), starts x0 and
 *   10 x0, solved = f = sum r^2 within 4 significant digits of the published minimum f* (below 1e-10 where f* = 0).
 * Usage:
 *   /usr/bin/python3 bench/lsq/scipy_nist.py > /tmp/scipy-nist.json
 *   /usr/bin/python3 bench/lsq/scipy_mgh.py > /tmp/scipy-mgh.json
 *   node --import tsx bench/lsq/compare.ts /tmp/scipy-nist.json /tmp/scipy-mgh.json > bench/lsq/results-<date>.txt
 */
import * as fs from "node:fs";
import { median, runMgh, runNist, type MghRow, type NistRow } from "./run";

interface ScipyRow {
  problem: string;
  start: number;
  method: "trf" | "lm" | "trf-jac" | "lm-jac" | "trf-r1e3" | "trf-r1e-3";
  nfev: number;
  solved: boolean;
  minLre?: number;
  f?: number;
}

const [nistFile, mghFile] = process.argv.slice(2);
if (!nistFile || !mghFile) {
  console.error("usage: compare.ts <scipy_nist.py output> <scipy_mgh.py output>");
  process.exit(2);
}
const readScipy = (file: string): { scipy: string; numpy: string; rows: ScipyRow[] } => JSON.parse(fs.readFileSync(file, "utf8"));
const key = (r: { problem: string; start: number }): string => `${r.problem} ${r.start}`;
const byMethod = (rows: ScipyRow[], m: ScipyRow["method"]): Map<string, ScipyRow> => new Map(rows.filter((r) => r.method === m).map((r) => [key(r), r]));
const summary = (name: string, rows: { solved: boolean; nfev: number }[]): string => {
  const total = rows.reduce((a, r) => a + r.nfev, 0);
  return `${name.padEnd(34)} solved ${String(rows.filter((r) => r.solved).length).padStart(2)}/${rows.length}  median nfev ${String(median(rows.map((r) => r.nfev))).padEnd(4)}  mean ${(total / rows.length).toFixed(1).padStart(5)}  total ${total}`;
};
// ours with y in other units must give the same rows (unit-free); scipy's trf does not (its gtol is absolute)
const sameRows = (a: { nfev: number; solved: boolean }[], b: { nfev: number; solved: boolean }[]): boolean => a.every((r, i) => r.nfev === b[i]!.nfev && r.solved === b[i]!.solved);
const scaledSummary = (name: string, ours: { nfev: number; solved: boolean }[], scaled: { nfev: number; solved: boolean }[]): string =>
  summary(`${name} ${sameRows(ours, scaled) ? "(= ours)" : "(DIFFERS)"}`, scaled);

/** The per-pair table: `value` is the accuracy column (NIST: min log relative error; MGH: f). */
function table<R extends { problem: string; start: number; solved: boolean; nfev: number; status: string; message: string; minLre?: number; f?: number }>(
  ours: R[], trf: Map<string, ScipyRow>, lm: Map<string, ScipyRow>, width: number, value: (r: { minLre?: number; f?: number }) => string,
): void {
  const cell = (solved: boolean, v: string, nfev: number): string => `${solved ? "ok" : "--"} ${v} ${String(nfev).padStart(5)}`;
  const colWidth = 9 + value({ minLre: 0, f: 0 }).length;
  console.log(`${"problem".padEnd(width)} ${"ours".padEnd(colWidth)}  ${"scipy trf".padEnd(colWidth)}  ${"scipy lm".padEnd(colWidth)}`);
  for (const r of ours) {
    const t = trf.get(key(r))!;
    const l = lm.get(key(r))!;
    console.log(`${key(r).padEnd(width)} ${cell(r.solved, value(r), r.nfev)}  ${cell(t.solved, value(t), t.nfev)}  ${cell(l.solved, value(l), l.nfev)}   ${r.status} (${r.message.slice(0, 40)})`);
  }
}

// NIST StRD
const nist = readScipy(nistFile);
const nistOurs: NistRow[] = runNist();
console.log(`NIST StRD nonlinear regression, ${nistOurs.length} problem/start pairs; scipy ${nist.scipy} (numpy ${nist.numpy}), default tolerances and x_scale`);
console.log("columns: solved (every parameter to 4 significant digits), min log relative error, residual evaluations");
const nistTrf = byMethod(nist.rows, "trf");
const nistLm = byMethod(nist.rows, "lm");
table(nistOurs, nistTrf, nistLm, 12, (r) => (r.minLre ?? NaN).toFixed(1).padStart(5));
console.log("");
console.log(summary("ours (budget 1000 m)", nistOurs));
console.log(summary("ours, scipy's budget 100 m", runNist("scipy")));
console.log(scaledSummary("ours, residuals x 1e3", nistOurs, runNist(undefined, 1e3)));
console.log(scaledSummary("ours, residuals x 1e-3", nistOurs, runNist(undefined, 1e-3)));
console.log(summary("scipy trf", [...nistTrf.values()]));
console.log(summary("scipy lm", [...nistLm.values()]));
console.log(summary("scipy trf x_scale=jac", [...byMethod(nist.rows, "trf-jac").values()]));
console.log(summary("scipy trf, residuals x 1e3", [...byMethod(nist.rows, "trf-r1e3").values()]));
console.log(summary("scipy trf, residuals x 1e-3", [...byMethod(nist.rows, "trf-r1e-3").values()]));

// Moré-Garbow-Hillstrom (held out)
const mgh = readScipy(mghFile);
const mghOurs: MghRow[] = runMgh();
const mghKey = (r: MghRow): MghRow => ({ ...r, problem: `${r.number} ${r.problem.slice(0, 16)}` });
const relabel = (m: Map<string, ScipyRow>): Map<string, ScipyRow> => new Map([...m.values()].map((r) => {
  const o = mghOurs.find((q) => q.problem === r.problem && q.start === r.start)!;
  return [key(mghKey(o)), r];
}));
const mghTrf = byMethod(mgh.rows, "trf");
const mghLm = byMethod(mgh.rows, "lm");
console.log("");
console.log(`Moré-Garbow-Hillstrom (ACM TOMS 1981), held out, ${mghOurs.length} problem/start pairs (x0 and 10 x0); scipy ${mgh.scipy} (numpy ${mgh.numpy}), default tolerances, x_scale and budget`);
console.log("columns: solved (f = sum r^2 within 4 significant digits of the published f*, or <= 1e-10 where f* = 0), f, residual evaluations");
table(mghOurs.map(mghKey), relabel(mghTrf), relabel(mghLm), 22, (r) => (r.f ?? NaN).toExponential(2).padStart(9));
console.log("");
console.log(summary("ours (budget 1000 m)", mghOurs));
console.log(summary("ours, scipy's budget 100 m", runMgh("scipy")));
console.log(scaledSummary("ours, residuals x 1e3", mghOurs, runMgh(undefined, 1e3)));
console.log(scaledSummary("ours, residuals x 1e-3", mghOurs, runMgh(undefined, 1e-3)));
// x 1e3 rounds every residual, which shows on paths that end at the rounding floor or on rank-deficient problems;
// a power of two does not round: the rows must then be equal, evaluation for evaluation
console.log(scaledSummary("ours, residuals x 2^10", mghOurs, runMgh(undefined, 1024)));
console.log(scaledSummary("ours, residuals x 2^-10", mghOurs, runMgh(undefined, 1 / 1024)));
console.log(summary("scipy trf", [...mghTrf.values()]));
console.log(summary("scipy lm", [...mghLm.values()]));
console.log(summary("scipy trf x_scale=jac", [...byMethod(mgh.rows, "trf-jac").values()]));
console.log(summary("scipy lm x_scale=jac", [...byMethod(mgh.rows, "lm-jac").values()]));
