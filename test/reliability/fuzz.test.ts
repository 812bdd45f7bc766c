/**
 * 500 fuzz cases per parser (bench/fuzz, light mode: the small parity-fixture checkpoint as the torch seed, the
 * 400-token tokenizer cut, pickles at most 100,000 levels deep), each in a child process under a time limit and a
 * capped heap. Every case must parse or fail with a one-line Error naming the file; no hang, crash, uncaught error or
 * allocation beyond the file's size. The full benchmark (10,000 cases per parser) is `npx tsx bench/fuzz/run.ts`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as os from "node:os";
import { fuzz, formatReports } from "../../bench/fuzz/harness";

const CASES = 500;

test(`fuzz: ${CASES} cases per parser, no contract violation`, { timeout: 600_000 }, async (t) => {
  const reports = await fuzz({
    cases: CASES, light: true, seed: 20260801, timeoutMs: 10_000, jobs: Math.min(2, os.availableParallelism()), shrinkBudgetMs: 20_000,
    outDir: `${os.tmpdir()}/massive-fuzz-test-out`,
  });
  t.diagnostic(formatReports(reports).split("\n").join(" | "));
  // A parser that cannot be loaded is a failure, not a skip: the contract is about the parsers we ship.
  assert.deepEqual(reports.filter((r) => r.status !== "ran").map((r) => `${r.name}: ${r.note}`), [], "parsers that could not be loaded");
  for (const r of reports) {
    assert.equal(r.cases, CASES, `${r.name}: cases run`);
    assert.equal(r.failures, 0, `${r.name}: ${r.failures} failures: ${r.details.slice(0, 5).join(" ; ")}`);
    assert.ok(r.parsed + r.rejected === CASES);
  }
  // Every parser the issue names is present in the harness.
  assert.deepEqual(reports.map((r) => r.name).sort(),
    ["config", "eval-sequences", "exp2", "fit-params", "fit-params-plots", "pickle", "safetensors", "tokenizer", "torch-zip"]);
});
