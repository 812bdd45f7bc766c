/**
 * Side by side on the NIST StRD problems (raw units, analytic Jacobians, both starts, default tolerances): this
 * project's leastSquares against scipy's least_squares "trf" and "lm" (rows from bench/lsq/scipy_nist.py).
 * Solved = every parameter within 4 significant digits of NIST's certified value. Usage:
 *   /usr/bin/python3 bench/lsq/scipy_nist.py > /tmp/scipy-nist.json
 *   node --import tsx bench/lsq/compare.ts /tmp/scipy-nist.json > bench/lsq/results-<date>.txt
 */
import * as fs from "node:fs";
import { median, runNist, type NistRow } from "./run";

interface ScipyRow extends Omit<NistRow, "status"> {
  method: "trf" | "lm" | "trf-jac" | "trf-r1e3" | "trf-r1e-3";
  status: number;
}

const file = process.argv[2];
if (!file) {
  console.error("usage: compare.ts <scipy_nist.py output>");
  process.exit(2);
}
const scipy = JSON.parse(fs.readFileSync(file, "utf8")) as { scipy: string; numpy: string; rows: ScipyRow[] };
const ours = runNist();
const key = (r: { problem: string; start: number }): string => `${r.problem} ${r.start}`;
const byMethod = (m: ScipyRow["method"]): Map<string, ScipyRow> => new Map(scipy.rows.filter((r) => r.method === m).map((r) => [key(r), r]));
const trf = byMethod("trf");
const lm = byMethod("lm");
const cell = (solved: boolean, lre: number, nfev: number): string => `${solved ? "ok" : "--"} ${lre.toFixed(1).padStart(5)} ${String(nfev).padStart(5)}`;
console.log(`NIST StRD nonlinear regression, ${ours.length} problem/start pairs; scipy ${scipy.scipy} (numpy ${scipy.numpy}), default tolerances and x_scale`);
console.log("columns: solved (every parameter to 4 significant digits), min log relative error, residual evaluations");
console.log(`${"problem".padEnd(12)} ${"ours".padEnd(14)}  ${"scipy trf".padEnd(14)}  ${"scipy lm".padEnd(14)}`);
for (const r of ours) {
  const t = trf.get(key(r))!;
  const l = lm.get(key(r))!;
  console.log(`${key(r).padEnd(12)} ${cell(r.solved, r.minLre, r.nfev)}  ${cell(t.solved, t.minLre, t.nfev)}  ${cell(l.solved, l.minLre, l.nfev)}   ${r.status} (${r.message.slice(0, 40)})`);
}
const summary = (name: string, rows: { solved: boolean; nfev: number }[]): string => {
  const total = rows.reduce((a, r) => a + r.nfev, 0);
  return `${name.padEnd(34)} solved ${String(rows.filter((r) => r.solved).length).padStart(2)}/${rows.length}  median nfev ${String(median(rows.map((r) => r.nfev))).padEnd(4)}  mean ${(total / rows.length).toFixed(1).padStart(5)}  total ${total}`;
};
// ours with y in other units must give the same rows (unit-free); scipy's trf does not (its gtol is absolute)
const sameRows = (a: NistRow[], b: NistRow[]): boolean => a.every((r, i) => r.nfev === b[i]!.nfev && r.solved === b[i]!.solved);
const ours1e3 = runNist(undefined, 1e3);
const ours1em3 = runNist(undefined, 1e-3);
console.log("");
console.log(summary("ours (budget 1000 m)", ours));
console.log(summary("ours, scipy's budget 100 m", runNist("scipy")));
console.log(summary(`ours, residuals x 1e3 ${sameRows(ours, ours1e3) ? "(= ours)" : "(DIFFERS)"}`, ours1e3));
console.log(summary(`ours, residuals x 1e-3 ${sameRows(ours, ours1em3) ? "(= ours)" : "(DIFFERS)"}`, ours1em3));
console.log(summary("scipy trf", [...trf.values()]));
console.log(summary("scipy lm", [...lm.values()]));
console.log(summary("scipy trf x_scale=jac", [...byMethod("trf-jac").values()]));
console.log(summary("scipy trf, residuals x 1e3", [...byMethod("trf-r1e3").values()]));
console.log(summary("scipy trf, residuals x 1e-3", [...byMethod("trf-r1e-3").values()]));
