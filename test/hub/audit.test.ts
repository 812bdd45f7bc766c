/**
 * The hub audit against the mock hub's planted suite (test/helpers/planted-suite.ts): every planted defect is found,
 * nothing else is flagged, no weight byte is served, a second audit costs one request, offline uses the cache.
 * Suite recognition and checkpoint indices against TransformerLens's PYTHIA_CHECKPOINTS (loading_from_pretrained.py).
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { HubClient } from "../../src/io/hub/client";
import { auditRepo, readCachedAudit } from "../../src/io/hub/audit";
import { skipDecisions } from "../../src/io/hub/audit-findings";
import { PYTHIA_CHECKPOINT_STEPS, PYTHIA_V0_CHECKPOINT_STEPS, parseCheckpointIndexList, recognizeSuiteModel, stepsAtCheckpointIndices } from "../../src/io/hub/suites";
import { MockHub } from "../helpers/mock-hub";
import { PLANTED, plantedPythiaSuite } from "../helpers/planted-suite";

const quiet = { progress: false, onWarning: () => undefined, retryBaseMs: 5 } as const;
let hub: MockHub;

before(async () => {
  hub = await MockHub.start([plantedPythiaSuite()]);
});
after(() => hub.close());

test("TransformerLens's Pythia schedule: 154 steps, v0 143; checkpoint indices are Python indices", () => {
  // python: PYTHIA_CHECKPOINTS = [0,1,2,4,8,16,32,64,128,256,512] + list(range(1000, 143000 + 1, 1000)); len = 154
  assert.equal(PYTHIA_CHECKPOINT_STEPS.length, 154);
  assert.deepEqual(PYTHIA_CHECKPOINT_STEPS.slice(0, 13), [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000, 2000]);
  assert.equal(PYTHIA_CHECKPOINT_STEPS[153], 143000);
  assert.equal(PYTHIA_V0_CHECKPOINT_STEPS.length, 143);
  assert.equal(PYTHIA_V0_CHECKPOINT_STEPS[0], 1000);
  // labels[11] == 1000, labels[-1] == 143000, labels[-154] == 0
  assert.deepEqual(stepsAtCheckpointIndices(PYTHIA_CHECKPOINT_STEPS, [0, 11, -1, -154], "t"), [0, 1000, 143000, 0]);
  assert.throws(() => stepsAtCheckpointIndices(PYTHIA_CHECKPOINT_STEPS, [154], "t"), /checkpoint index 154 is out of range \(the schedule has 154/);
  assert.deepEqual(parseCheckpointIndexList("0,3:5,-1"), [0, 3, 4, 5, -1]);
  assert.throws(() => parseCheckpointIndexList("1,x"), /'x' is not an integer/);
});

test("suites are recognised by id: Pythia, deduped, PolyPythias seeds, v0; others are not", () => {
  const seed = recognizeSuiteModel("EleutherAI/pythia-70m-seed3")!;
  assert.deepEqual({ family: seed.family, size: seed.size, seed: seed.seed, recipe: seed.recipe, n: seed.steps.length }, { family: "polypythias", size: "70m", seed: 3, recipe: "pythia-70m", n: 154 });
  const dd = recognizeSuiteModel("eleutherai/Pythia-160M-Deduped")!;
  assert.deepEqual({ id: dd.id, family: dd.family, deduped: dd.deduped, seed: dd.seed, recipe: dd.recipe }, { id: "EleutherAI/pythia-160m-deduped", family: "pythia-deduped", deduped: true, seed: 0, recipe: "pythia-160m-deduped" });
  assert.equal(recognizeSuiteModel("EleutherAI/pythia-1.4b-v0")!.steps.length, 143);
  for (const bad of ["EleutherAI/pythia-1b-seed3", "EleutherAI/pythia-70m-seed10", "EleutherAI/pythia-14m-deduped", "EleutherAI/pythia-3b", "gpt2", "EleutherAI/gpt-neox-20b"]) {
    assert.equal(recognizeSuiteModel(bad), undefined, bad);
  }
});

test("the audit finds every planted defect, flags nothing else, and downloads no weight", async () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-"));
  const client = new HubClient({ endpoint: hub.url, cacheDir, ...quiet });
  const before = hub.requests.length;
  const report = await auditRepo(client, PLANTED.repo);
  assert.equal(report.schedule, "pythia");
  assert.equal(report.steps.length, 154);
  assert.equal(report.summary.present, 153);
  const got = report.findings.map((f) => `${f.kind} ${f.revision}${f.file ? ` ${f.file}` : ""}${f.sameAs ? ` = ${f.sameAs[0]}` : ""}`);
  assert.deepEqual(got, [
    "duplicate-model step1000 = step143000",
    "duplicate-model step2000 = step143000",
    "missing-branch step3000",
    "duplicate-model step5000 = step143000",
    `unusual-size step7000 ${PLANTED.truncated.file}`,
    `missing-file step9000 ${PLANTED.missingFile.file}`,
    `duplicate-shard step50000 ${PLANTED.duplicateShard.file} = step143000`,
  ]);
  assert.match(report.findings[4]!.message, /is 1000 bytes, the median over 152 branches is 2048 \(truncated\?\)/);
  assert.equal(hub.bytesServedFor(), 0, "no weight byte was served");
  assert.equal(hub.requests.slice(before).filter((r) => r.url.includes(".safetensors") && !r.url.includes("index.json")).length, 0);
  // the decisions recording takes
  const skip = skipDecisions(report, [0, 1000, 3000, 7000, 9000, 50000, 143000]);
  assert.deepEqual(skip.map((d) => [d.step, d.reason]), [[1000, "duplicate-model"], [3000, "missing-branch"], [9000, "missing-file"], [50000, "duplicate-shard"]]);
  // the report is cached; auditing again costs one request (refs); offline the cached report is served
  const n = hub.requests.length;
  const again = await auditRepo(client, PLANTED.repo);
  assert.deepEqual(again.findings, report.findings);
  assert.deepEqual(hub.requests.slice(n).map((r) => r.url), [`/api/models/${PLANTED.repo}/refs`]);
  const offline = new HubClient({ endpoint: hub.url, cacheDir, offline: true, ...quiet });
  const m = hub.requests.length;
  assert.deepEqual((await auditRepo(offline, PLANTED.repo)).findings, report.findings);
  assert.equal(hub.requests.length, m);
  assert.equal(readCachedAudit(client, PLANTED.repo)!.summary["duplicate-model"], 3);
  const empty = new HubClient({ endpoint: hub.url, cacheDir: fs.mkdtempSync(path.join(os.tmpdir(), "audit-")), offline: true, ...quiet });
  await assert.rejects(auditRepo(empty, PLANTED.repo), /HF_HUB_OFFLINE is set and no cached audit of EleutherAI\/pythia-14m/);
});
