/**
 * Prints the per-parser reports under bench/out/fuzz/<parser>/report.json (or under another folder of that layout,
 * e.g. a committed run in bench/fuzz/results-<date>/) as a Markdown table (for docs/reliability.md):
 * `npx tsx bench/fuzz/table.ts [folder]`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "./generators";
import type { TargetReport } from "./harness";

const dir = process.argv[2] ? path.resolve(process.argv[2]) : path.join(ROOT, "bench", "out", "fuzz");
const rows: string[] = [
  "| parser | cases | parsed | rejected cleanly | failures (crash / hang / other) | slowest case | mean | largest buffer / file size | seeds | finished |",
  "| --- | ---: | ---: | ---: | --- | --- | ---: | ---: | --- | --- |",
];
for (const name of fs.readdirSync(dir).sort()) {
  const file = path.join(dir, name, "report.json");
  if (!fs.existsSync(file)) continue;
  const { date, light, report: r } = JSON.parse(fs.readFileSync(file, "utf8")) as { date: string; light: boolean; report: TargetReport };
  const kinds = Object.entries(r.byKind).map(([k, n]) => `${k} ${n}`).join(", ");
  const slow = r.slowest ? `${r.slowest.ms.toFixed(0)} ms (${(r.slowest.size / 1024).toFixed(0)} KiB: ${r.slowest.desc.slice(0, 70).replace(/\|/g, "\\|")}...)` : "-";
  rows.push(`| ${name} | ${r.cases} | ${r.parsed} | ${r.rejected} | ${r.failures}${kinds ? ` (${kinds})` : ""} | ${slow} | ${r.meanMs.toFixed(1)} ms | ${r.maxAllocRatio.toFixed(2)} | ${light ? "light" : "full"} | ${date.slice(0, 16).replace("T", " ")} UTC |`);
}
process.stdout.write(`${rows.join("\n")}\n`);
