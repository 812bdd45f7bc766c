// lib/, what the notebooks import (scripts/build-lib.cjs): the same public API as src/index.ts, declarations tslab
// can read, worker entry points rewritten to their .js twins, and paths built from __dirname still at the project root.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as src from "../../src/index";

const root = path.resolve(__dirname, "../..");
const lib = path.join(root, "lib");

test("scripts/build-lib.cjs: lib/ exports what src/index.ts exports, with declarations, workers and paths intact", () => {
  const built = spawnSync(process.execPath, ["scripts/build-lib.cjs", "--if-stale"], { cwd: root, encoding: "utf8" });
  assert.equal(built.status, 0, built.stderr);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const compiled = require(path.join(lib, "index.js")) as Record<string, unknown>;
  assert.deepEqual(Object.keys(compiled).sort(), Object.keys(src).sort(), "same exported names");
  assert.equal(typeof compiled.loadRunResults, "function");
  const dts = fs.readFileSync(path.join(lib, "index.d.ts"), "utf8");
  assert.match(dts, /export \* from "\.\/plots\/index"/, "declarations re-export the stages");
  assert.ok(fs.existsSync(path.join(lib, "plots", "choices.d.ts")));
  // the worker shim loads the compiled worker, not a .ts file that lib/ does not have
  assert.match(fs.readFileSync(path.join(lib, "record", "worker-shim.cjs"), "utf8"), /require\("\.\/worker\.js"\)/);
  assert.ok(fs.existsSync(path.join(lib, "record", "worker.js")));
  // __dirname-relative paths: lib/<stage>/ sits at src/<stage>/'s depth, so data/ resolves to the project's
  const results = (compiled.loadRunResults as typeof src.loadRunResults)(path.join(root, "data/mini-pythia/d128-L4-H4"), { onWarning: () => undefined });
  assert.equal(results.models[0]!.parameterCount, 858_880);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const summary = require(path.join(lib, "pipeline", "summary.js")) as { paperTable1(): Record<string, number> };
  assert.equal(summary.paperTable1()["14m"], 0.9307, "data/paper/tables.json found from lib/pipeline/ (the paper's Table 1, 14m)");
});
