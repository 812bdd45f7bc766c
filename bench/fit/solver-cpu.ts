/**
 * In-process CPU time of the fits alone (no start-up, no data reading): robustFit and paperProcedure on every layer of
 * the ratio, top1 and median series of a few embedded mini-pythia models. For before/after comparisons of the solver,
 * run it alternately in two checkouts and compare the pairs (the machine is shared: one run proves nothing). Usage:
 *   node --import tsx bench/fit/solver-cpu.ts [model,model,...] [robust|paper|both]
 */
import * as path from "node:path";
import { readExp2Series, layerSeries, paperProcedure, robustFit } from "../../src/index";

const suiteDir = path.resolve(__dirname, "../../data/mini-pythia");
const models = (process.argv[2] ?? "d128-L8-H8,d256-L8-H16,d512-L6-H8").split(",");
const method = process.argv[3] ?? "both";
const data = models.map((m) => readExp2Series(path.join(suiteDir, m)));
for (const which of ["robust", "paper"] as const) {
  if (method !== "both" && method !== which) continue;
  let r2 = 0;
  let n = 0;
  const c0 = process.cpuUsage();
  for (const s of data) {
    for (const series of ["ratio", "top1", "median"] as const) {
      for (const y of layerSeries(s, series)) {
        r2 += (which === "robust" ? robustFit(s.steps, y) : paperProcedure(s.steps, y)).r2;
        n++;
      }
    }
  }
  const c = process.cpuUsage(c0);
  console.log(`${which} fits ${n} mean r2 ${(r2 / n).toFixed(6)} cpu ${((c.user + c.system) / 1e6).toFixed(3)} s`);
}
