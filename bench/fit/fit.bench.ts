/**
 * Fits per second: every layer of every embedded mini-pythia model, for the ratio, top1 and median series, with
 * the robust fit (the default of `massive fit`) and the paper's procedure. Prints wall time and CPU time (the
 * machine is often shared: CPU time is the stable number). Usage:
 *   node --import tsx bench/fit/fit.bench.ts [--method robust|paper|both] [--series ratio,top1,median]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readExp2Series, fitSeries, type Exp2Series, type SeriesName } from "../../src/index";

const suiteDir = path.resolve(__dirname, "../../data/mini-pythia");
const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const methods = arg("method", "both") === "both" ? (["robust", "paper"] as const) : [arg("method", "robust") as "robust" | "paper"];
const seriesNames = arg("series", "ratio,top1,median").split(",") as SeriesName[];

const models = fs.readdirSync(suiteDir).filter((d) => fs.existsSync(path.join(suiteDir, d, "stats"))).sort();
const t0 = performance.now();
const data: Exp2Series[] = models.map((m) => readExp2Series(path.join(suiteDir, m)));
console.log(`read ${models.length} models in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
console.log(`${"method".padEnd(7)} ${"series".padEnd(7)} ${"fits".padStart(5)} ${"wall s".padStart(7)} ${"cpu s".padStart(7)} ${"fits/s".padStart(7)} ${"mean R^2".padStart(9)} converged`);
for (const method of methods) {
  let allFits = 0;
  const w0 = performance.now();
  const c0 = process.cpuUsage();
  for (const series of seriesNames) {
    const w = performance.now();
    const c = process.cpuUsage();
    let n = 0;
    let r2 = 0;
    let conv = 0;
    for (const d of data) {
      for (const f of fitSeries(d, series, { method, comparePaper: false })) {
        n++;
        if (f.fit.status === "converged") conv++;
        if (f.fit.status !== "failed") r2 += f.fit.r2;
      }
    }
    const wall = (performance.now() - w) / 1000;
    const cu = process.cpuUsage(c);
    const cpu = (cu.user + cu.system) / 1e6;
    allFits += n;
    console.log(`${method.padEnd(7)} ${series.padEnd(7)} ${String(n).padStart(5)} ${wall.toFixed(2).padStart(7)} ${cpu.toFixed(2).padStart(7)} ${(n / wall).toFixed(1).padStart(7)} ${(r2 / n).toFixed(4).padStart(9)} ${conv}/${n}`);
  }
  const wall = (performance.now() - w0) / 1000;
  const cu = process.cpuUsage(c0);
  console.log(`${method.padEnd(7)} ${"all".padEnd(7)} ${String(allFits).padStart(5)} ${wall.toFixed(2).padStart(7)} ${((cu.user + cu.system) / 1e6).toFixed(2).padStart(7)} ${(allFits / wall).toFixed(1).padStart(7)}`);
}
