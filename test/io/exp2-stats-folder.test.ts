/** io/exp2-stats: where a model folder's exp2 files are (the rule plots/results and predict/training-data share). */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { exp2StatsFolder, hasExp2Stats } from "../../src/io/exp2-stats";

test("exp2StatsFolder / hasExp2Stats: <dir>/stats when it is a folder, else the folder itself", () => {
  const model = "data/mini-pythia/d128-L4-H4";
  assert.equal(exp2StatsFolder(model), path.join(model, "stats"));
  assert.equal(hasExp2Stats(model), true);
  assert.equal(hasExp2Stats(path.join(model, "stats")), true);
  assert.equal(hasExp2Stats("data/mini-pythia"), false); // a suite, not a model folder
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "exp2-folder-"));
  fs.mkdirSync(path.join(dir, "empty", "stats"), { recursive: true });
  assert.equal(exp2StatsFolder(path.join(dir, "empty")), path.join(dir, "empty", "stats"));
  assert.equal(hasExp2Stats(path.join(dir, "empty")), false);
  fs.mkdirSync(path.join(dir, "bare"));
  fs.writeFileSync(path.join(dir, "bare", "exp2_m_step0"), "");
  fs.writeFileSync(path.join(dir, "bare", "exp2_m_stepX"), "");
  assert.equal(exp2StatsFolder(path.join(dir, "bare")), path.join(dir, "bare"));
  assert.equal(hasExp2Stats(path.join(dir, "bare")), true);
  fs.writeFileSync(path.join(dir, "not-a-folder"), "");
  assert.equal(hasExp2Stats(path.join(dir, "not-a-folder")), false);
  assert.equal(hasExp2Stats(path.join(dir, "absent")), false);
});
