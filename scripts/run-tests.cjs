#!/usr/bin/env node
// Runs every test/**/*.test.ts with node's test runner through tsx (no build step).
// Usage: node scripts/run-tests.cjs [substring ...]  — only files whose path contains one of the substrings.
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const root = path.resolve(__dirname, "..");
function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.name.endsWith(".test.ts") ? [p] : [];
  });
}
const filters = process.argv.slice(2);
const files = walk(path.join(root, "test"))
  .map((f) => path.relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(" ")}`);
  process.exit(1);
}
// Two test files at a time (node's default is availableParallelism() - 1: one on the 2-core CI machine). On that
// machine, idle, a fresh clone's suite took 1087 s one file at a time and 824 s two at a time (each test ran about 1.5x
// slower, sharing the cores; bench/test-suite/README.md). node runs the files in sorted order whatever the order given.
// MASSIVE_TEST_CONCURRENCY=1 runs one file at a time.
const concurrency = Number(process.env.MASSIVE_TEST_CONCURRENCY ?? "2");
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error(`MASSIVE_TEST_CONCURRENCY must be a whole number >= 1, got "${process.env.MASSIVE_TEST_CONCURRENCY}"`);
  process.exit(2);
}
// lib/ (what the notebooks' kernel imports) is built once here: test files running at the same time would otherwise
// each rebuild it on a fresh clone, replacing the folder under one another's kernels.
if (files.some((f) => f.startsWith(path.join("test", "notebooks")))) {
  const built = spawnSync(process.execPath, [path.join(root, "scripts", "build-lib.cjs"), "--if-stale"], { cwd: root, stdio: "inherit" });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, "--test-reporter=spec", ...files], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, MASSIVE_QUIET: process.env.MASSIVE_QUIET ?? "1" },
});
process.exit(result.status ?? 1);
