/**
 * Fuzzes the project's parsers: `npx tsx bench/fuzz/run.ts [--cases N] [--parser name[,name...]] [--seed S]
 * [--timeout MS] [--jobs J] [--json FILE]`. Prints per parser the cases run, failures and the slowest case;
 * minimal failing inputs go to bench/out/fuzz/<parser>/. Exit status 1 when any case broke the contract or a
 * parser could not be loaded.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fuzz, formatReports } from "./harness";
import { GENERATORS, ROOT } from "./generators";

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  if (args.includes("--help")) {
    process.stdout.write(`usage: npx tsx bench/fuzz/run.ts [--cases N] [--parser ${Object.keys(GENERATORS).join("|")}[,...]] [--seed S] [--timeout MS] [--jobs J] [--light] [--json FILE]\n`);
    return;
  }
  const cases = Number(opt("cases") ?? 10000);
  const targets = opt("parser")?.split(",");
  for (const t of targets ?? []) if (!GENERATORS[t]) { process.stderr.write(`unknown parser ${t}; known: ${Object.keys(GENERATORS).join(", ")}\n`); process.exit(2); }
  if (!Number.isInteger(cases) || cases < 1) { process.stderr.write(`--cases must be a positive integer\n`); process.exit(2); }
  const started = new Date();
  void fuzz({
    cases, targets, seed: opt("seed") ? Number(opt("seed")) : undefined, timeoutMs: opt("timeout") ? Number(opt("timeout")) : undefined,
    jobs: opt("jobs") ? Number(opt("jobs")) : undefined, light: args.includes("--light"), log: (l) => process.stderr.write(`${l}\n`),
  }).then((reports) => {
    process.stdout.write(`fuzz run ${started.toISOString()} (node ${process.version}), ${cases} cases per parser\n${formatReports(reports)}\n`);
    const json = opt("json") ?? path.join(ROOT, "bench", "out", "fuzz", "summary.json");
    fs.mkdirSync(path.dirname(json), { recursive: true });
    fs.writeFileSync(json, `${JSON.stringify({ date: started.toISOString(), node: process.version, cases, reports }, null, 1)}\n`);
    process.exit(reports.some((r) => r.failures > 0 || r.status !== "ran") ? 1 : 0);
  }, (err: Error) => {
    process.stderr.write(`fuzz: ${err.message}\n`);
    process.exit(2);
  });
}
main();
