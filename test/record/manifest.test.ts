import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { removeStaleTempFiles, listLocalCheckpoints, defaultRunName } from "../../src/record/index";

test("temporary files of killed writers are swept, live writers' files are kept", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "manifest-"));
  const dead = ".exp2_m_step1.tmp-2147483646-abc123"; // no such pid
  const live = `.exp2_m_step2.tmp-${process.pid}-def456`;
  for (const f of [dead, live, "exp2_m_step0"]) fs.writeFileSync(path.join(dir, f), "x");
  assert.deepEqual(removeStaleTempFiles(dir), [dead]);
  assert.deepEqual(fs.readdirSync(dir).sort(), [live, "exp2_m_step0"].sort());
});

test("local checkpoints are the step<N> folders, a missing requested step is a one-line error", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ckpts-"));
  for (const s of [10, 2, 300]) fs.mkdirSync(path.join(dir, `step${s}`));
  fs.mkdirSync(path.join(dir, "reference_stats"));
  assert.deepEqual(listLocalCheckpoints(dir).map((c) => c.step), [2, 10, 300]);
  assert.deepEqual(listLocalCheckpoints(dir, [300, 2]).map((c) => c.step), [2, 300]);
  assert.throws(() => listLocalCheckpoints(dir, [5, 7]), /no folder for steps 5, 7 \(present: 2, 10, 300\)/);
  assert.throws(() => listLocalCheckpoints(path.join(dir, "reference_stats")), /no step<N>\/ checkpoint folders/);
  assert.equal(defaultRunName({ kind: "hub", id: "EleutherAI/pythia-1.4b-deduped" }), "pythia_1.4b_deduped");
  assert.equal(defaultRunName({ kind: "local", id: "/x/d128-L6-H4/" }), "d128-L6-H4");
});
