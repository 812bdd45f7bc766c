import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  arithmeticFields, listLocalCheckpoints, defaultRunName, readCheckpointRecord, rebuildManifest, removeStaleTempFiles,
  writeCheckpointRecord, type CheckpointRecord, type EvalInfo, type ModelSource,
} from "../../src/record/index";
import type { ModelArithmetic } from "../../src/model/gpt-neox";

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

const EVAL: EvalInfo = { sha256: "e".repeat(64), sequences: 1, seqLen: 4, source: "test" };
const MODEL: ModelSource = { kind: "local", id: "/ckpts" };

/** A record of `step` as recordRun writes it (src/record/run.ts persist), with `extra` provenance fields. */
function record(step: number, backend: string, extra: Partial<CheckpointRecord> = {}): CheckpointRecord {
  return {
    format: "massive-record/1", name: "m", step, model: MODEL, checkpointDir: `/ckpts/step${step}`, eval: EVAL,
    project: { name: "massive", version: "0" }, backend, medianMethod: "host", seconds: 1, recordedAt: "2026-12-02T00:00:00Z",
    statsFile: `exp2_m_step${step}`, statsSha256: "0".repeat(64), ...extra,
  };
}

/** Writes the records (and empty stats files) into a fresh folder and rebuilds its manifest. */
async function recorded(records: CheckpointRecord[]): Promise<{ out: string; manifest: Awaited<ReturnType<typeof rebuildManifest>> }> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "provenance-"));
  for (const r of records) {
    await writeCheckpointRecord(out, r);
    fs.writeFileSync(path.join(out, r.statsFile), "[]");
  }
  const manifest = await rebuildManifest(out, { name: "m", model: MODEL, eval: EVAL, stepsRequested: records.map((r) => r.step) });
  return { out, manifest };
}

test("a record says how webgpu computed (split products, float16 attention) and reads back with it", async () => {
  const a = (compute: "float32" | "float16", float32Product: ModelArithmetic["float32Product"], attention: ModelArithmetic["attention"]): ModelArithmetic => ({ compute, float32Product, attention });
  // [backend, model arithmetic, the record's compute field, the fields expected, the manifest's label]
  const cases: [string, ModelArithmetic, Partial<CheckpointRecord>, Partial<CheckpointRecord>, string][] = [
    ["wasm", a("float32", "simt", "per-head"), {}, {}, "float32"],
    ["webgpu", a("float32", "simt", "flash-f32"), {}, {}, "float32"],
    ["webgpu", a("float32", "split", "flash-f32"), {}, { float32Product: "split" }, "float32, split products"],
    ["webgpu", a("float32", "split-all", "flash-f32"), {}, { float32Product: "split-all" }, "float32, split-all products"],
    ["webgpu", a("float16", "simt", "products"), { compute: "float16" }, { halfAttention: "products" }, "float16, products attention"],
    ["webgpu", a("float16", "simt", "flash-f32"), { compute: "float16" }, { halfAttention: "flash-f32" }, "float16, flash-f32 attention"],
    ["webgpu", a("float16", "simt", "flash-f16"), { compute: "float16" }, { halfAttention: "flash-f16" }, "float16, flash-f16 attention"],
  ];
  for (const [backend, arithmetic, compute, fields, label] of cases) {
    const where = `${backend} ${JSON.stringify(arithmetic)}`;
    assert.deepEqual(arithmeticFields(backend, arithmetic), fields, where);
    const { out, manifest } = await recorded([record(0, backend, { ...compute, ...arithmeticFields(backend, arithmetic) })]);
    const back = readCheckpointRecord(out, 0)!;
    assert.equal(back.float32Product, fields.float32Product, where);
    assert.equal(back.halfAttention, fields.halfAttention, where);
    assert.equal(manifest.checkpoints["0"]!.float32Product, fields.float32Product, where);
    assert.equal(manifest.checkpoints["0"]!.halfAttention, fields.halfAttention, where);
    assert.deepEqual(manifest.arithmetic, [label], where);
  }
  assert.deepEqual(arithmeticFields("webgpu", undefined), {});
});

test("records written before the provenance fields still load; a run that mixes arithmetic or backends lists each", async () => {
  // An old record: the fields absent (what every record made before 2026-12-02 session 8 looks like).
  const { out, manifest } = await recorded([record(0, "webgpu"), record(1, "webgpu", { compute: "float16" })]);
  assert.equal(readCheckpointRecord(out, 0)!.float32Product, undefined);
  assert.deepEqual(manifest.stepsDone, [0, 1]);
  assert.deepEqual(manifest.arithmetic, ["float16", "float32"]);
  const mixed = await recorded([record(0, "webgpu"), record(1, "webgpu", { float32Product: "split" }), record(2, "wasm")]);
  assert.deepEqual(mixed.manifest.arithmetic, ["float32", "float32, split products"]);
  assert.deepEqual(mixed.manifest.backends, ["wasm", "webgpu"]);
  const same = await recorded([record(0, "webgpu", { float32Product: "split" }), record(1, "webgpu", { float32Product: "split" })]);
  assert.deepEqual(same.manifest.arithmetic, ["float32, split products"]);
});
