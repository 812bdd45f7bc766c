/**
 * The solver with option variants on both problem sets of bench/lsq (NIST StRD, the set choices are made on, and the
 * held-out Moré-Garbow-Hillstrom set): solved counts, median and mean residual evaluations per variant. "scipyLike"
 * (fixed scales 1, first radius ||p0||) is scipy trf's configuration, used to attribute differences from scipy
 * (docs/dynamics.md). Usage: node --import tsx bench/lsq/variants.ts [variant ...]   (ROWS=1 adds per-pair JSON)
 */
import { leastSquares, type LeastSquaresOptions } from "../../src/index";
import { loadNistFixtures, minLre, nistProblem } from "../../test/helpers/nist-strd";
import { loadMghFixtures, mghProblem, mghSolved, mghStarts } from "../../test/helpers/mgh";
import { median } from "./run";
const variants: Record<string, (m: number) => LeastSquaresOptions> = {
  current: () => ({}),
  factor1: () => ({ factor: 1 }),
  factor100: () => ({ factor: 100 }),
  scipyLike: (m) => ({ xScale: new Array(m).fill(1), factor: 1 }),
};
const sel = process.argv.slice(2);
for (const [name, opt] of Object.entries(variants)) {
  if (sel.length && !sel.includes(name)) continue;
  const nist: { k: string; nfev: number; ok: boolean }[] = [];
  for (const fx of loadNistFixtures()) fx.starts.forEach((s, i) => { const r = leastSquares(nistProblem(fx), s, opt(s.length)); nist.push({ k: `${fx.name} ${i + 1}`, nfev: r.nfev, ok: minLre(r.p, fx.certified) >= 4 }); });
  const mgh: { k: string; nfev: number; ok: boolean }[] = [];
  for (const fx of loadMghFixtures()) mghStarts(fx).forEach((s, i) => { const r = leastSquares(mghProblem(fx), s, opt(s.length)); mgh.push({ k: `${fx.number} ${i + 1}`, nfev: r.nfev, ok: mghSolved(2 * r.cost, fx.fstar) }); });
  const sum = (rows: typeof nist) => `solved ${rows.filter((r) => r.ok).length}/${rows.length} median ${median(rows.map((r) => r.nfev))} mean ${(rows.reduce((a, r) => a + r.nfev, 0) / rows.length).toFixed(1)}`;
  console.log(name.padEnd(12), "NIST", sum(nist), " | MGH", sum(mgh));
  if (process.env.ROWS) console.log(JSON.stringify({ name, nist, mgh }));
}
