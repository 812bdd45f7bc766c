/**
 * Run bookkeeping beside the results, so runs resume and results say where they came from:
 * - `<out>/.record/step<N>.json`: one per finished checkpoint (model, revision and commit, evaluation set sha256,
 *   project version, backend and on webgpu how it computed, seconds, the stats file's sha256). Written atomically BEFORE the stats file, so a
 *   stats file always has its record; a record without its stats file means "not finished".
 *   Per-checkpoint files keep checkpoints independent: separate processes (a Slurm array) never write the same file.
 * - `<out>/record-manifest.json`: the run's summary, rebuilt from those files after every checkpoint (atomic).
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { isProcessAlive } from "../io/hub/lock";
import type { ModelArithmetic } from "../model/gpt-neox";
import { writeFileAtomic } from "../util/atomic-write";

export const MANIFEST_FILE = "record-manifest.json";
export const RECORDS_DIR = ".record";
export const MANIFEST_FORMAT = "massive-record/1";

/** The project's name and version from package.json. */
export function projectVersion(): { name: string; version: string } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require("../../package.json") as { name: string; version: string };
  return { name: pkg.name, version: pkg.version };
}

/** Where the checkpoints came from. */
export interface ModelSource {
  kind: "local" | "hub";
  /** Folder of step<N>/ checkpoints, or the hub repo id. */
  id: string;
}

export interface EvalInfo {
  sha256: string;
  sequences: number;
  seqLen: number;
  source: string;
  details?: Record<string, unknown>;
}

/** `.record/step<N>.json`. */
export interface CheckpointRecord {
  format: typeof MANIFEST_FORMAT;
  name: string;
  step: number;
  model: ModelSource;
  /** Hub revision (step<N>) and the commit it resolved to; local checkpoints: the folder. */
  revision?: string;
  commit?: string;
  /** Hub checkpoints: each weight file's sha256 (the hub's LFS sha256, checked on download) and size. */
  weights?: { file: string; sha256: string; size: number }[];
  checkpointDir: string;
  eval: EvalInfo;
  project: { name: string; version: string };
  backend: string;
  medianMethod: string;
  /** Present when recorded with float16 compute (GPTNeoXOptions.compute); absent means float32. */
  compute?: "float16";
  /**
   * webgpu, float32 compute: present when split float16 products (GPTNeoXOptions.float32Product,
   * MASSIVE_WEBGPU_F32_PRODUCT; float32-accurate, not bit-identical to SIMT) multiplied some Linear weights.
   * Absent: the float32 SIMT products (every other backend, and records made before the field, 2026-12-02).
   */
  float32Product?: "split" | "split-all";
  /**
   * webgpu, float16 compute: the attention that ran (MASSIVE_WEBGPU_ATTENTION_F16 resolved for the model's head size:
   * src/model/attention.ts batchedAttentionKind). Absent in float16 records made before the field (2026-12-02).
   */
  halfAttention?: ModelArithmetic["attention"];
  seconds: number;
  recordedAt: string;
  statsFile: string;
  statsSha256: string;
}

export interface RunManifest {
  format: typeof MANIFEST_FORMAT;
  name: string;
  model: ModelSource;
  eval: EvalInfo;
  project: { name: string; version: string };
  stepsDone: number[];
  /** Steps asked for in the latest run, done or not. */
  stepsRequested: number[];
  backends: string[];
  /**
   * The arithmetic of the checkpoints, one {@link arithmeticLabel} each (`float32`, `float32, split products`,
   * `float16, products attention`, ...), sorted: more than one means the folder mixes them, as `backends` says for backends.
   */
  arithmetic: string[];
  checkpoints: Record<string, Omit<CheckpointRecord, "format" | "name" | "model" | "eval" | "project" | "step">>;
  /** Steps of the latest run left out by the hub audit (duplicates, missing branches), by step; figures mark them. */
  skippedCheckpoints?: Record<string, SkippedCheckpoint>;
  updatedAt: string;
}

/** A checkpoint the hub audit left out (src/io/hub/audit.ts). */
export interface SkippedCheckpoint {
  reason: "duplicate-model" | "duplicate-shard" | "missing-branch" | "missing-file";
  /** Branches serving the same bytes, the genuine one first. */
  sameAs?: string[];
  message: string;
}

/**
 * A record's provenance fields for what a webgpu model computed with ({@link CheckpointRecord.float32Product},
 * {@link CheckpointRecord.halfAttention}); none on other backends, where there is one way to compute.
 */
export function arithmeticFields(backend: string, a: ModelArithmetic | undefined): Pick<CheckpointRecord, "float32Product" | "halfAttention"> {
  if (backend !== "webgpu" || !a) return {};
  if (a.compute === "float16") return { halfAttention: a.attention };
  return a.float32Product === "simt" ? {} : { float32Product: a.float32Product };
}

/** One line for a record's arithmetic: `float32`, `float32, split products`, `float16, products attention`, `float16`. */
export function arithmeticLabel(r: Pick<CheckpointRecord, "compute" | "float32Product" | "halfAttention">): string {
  const parts = [r.compute ?? "float32"];
  if (r.float32Product) parts.push(`${r.float32Product} products`);
  if (r.halfAttention) parts.push(`${r.halfAttention} attention`);
  return parts.join(", ");
}

export function recordPath(out: string, step: number): string {
  return path.join(out, RECORDS_DIR, `step${step}.json`);
}

export function sha256Hex(data: string | Uint8Array): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}

/** Reads a checkpoint's record; undefined when absent or unreadable. */
export function readCheckpointRecord(out: string, step: number): CheckpointRecord | undefined {
  try {
    const r = JSON.parse(fs.readFileSync(recordPath(out, step), "utf8")) as CheckpointRecord;
    return r && r.format === MANIFEST_FORMAT && r.step === step ? r : undefined;
  } catch {
    return undefined;
  }
}

export async function writeCheckpointRecord(out: string, record: CheckpointRecord): Promise<void> {
  await writeFileAtomic(recordPath(out, record.step), `${JSON.stringify(record, null, 2)}\n`);
}

/**
 * Rebuilds `<out>/record-manifest.json` from the per-checkpoint records of this name and evaluation set whose
 * stats files exist. Returns the manifest written.
 */
export async function rebuildManifest(out: string, base: { name: string; model: ModelSource; eval: EvalInfo; stepsRequested: number[]; skippedCheckpoints?: Record<string, SkippedCheckpoint> }): Promise<RunManifest> {
  const checkpoints: RunManifest["checkpoints"] = {};
  const backends = new Set<string>(), arithmetic = new Set<string>();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(path.join(out, RECORDS_DIR));
  } catch {
    entries = [];
  }
  const steps = entries.map((f) => /^step(\d+)\.json$/.exec(f)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
  for (const step of steps) {
    const r = readCheckpointRecord(out, step);
    if (!r || r.name !== base.name || r.eval.sha256 !== base.eval.sha256 || !fs.existsSync(path.join(out, r.statsFile))) continue;
    const { format: _f, name: _n, model: _m, eval: _e, project: _p, step: _s, ...rest } = r;
    checkpoints[String(step)] = rest;
    backends.add(r.backend);
    arithmetic.add(arithmeticLabel(r));
  }
  const manifest: RunManifest = {
    format: MANIFEST_FORMAT,
    name: base.name,
    model: base.model,
    eval: base.eval,
    project: projectVersion(),
    stepsDone: Object.keys(checkpoints).map(Number).sort((a, b) => a - b),
    stepsRequested: base.stepsRequested,
    backends: [...backends].sort(),
    arithmetic: [...arithmetic].sort(),
    checkpoints,
    ...(base.skippedCheckpoints && Object.keys(base.skippedCheckpoints).length ? { skippedCheckpoints: base.skippedCheckpoints } : {}),
    updatedAt: new Date().toISOString(),
  };
  await writeFileAtomic(path.join(out, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * Removes temporary files that writeFileAtomic left behind in `dir` when its process was killed
 * (`.<name>.tmp-<pid>-<rand>` whose pid is no longer running on this machine). Returns the names removed.
 */
export function removeStaleTempFiles(dir: string): string[] {
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return removed;
  }
  for (const f of entries) {
    const m = /^\..+\.tmp-(\d+)-[a-z0-9]+$/.exec(f);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && !isProcessAlive(pid)) {
      fs.rmSync(path.join(dir, f), { force: true });
      removed.push(f);
    }
  }
  return removed;
}

/** A merged sweep's stats folder: the steps the hub audit left out of the plan (src/sweep/merge.ts). */
export const SKIPPED_CHECKPOINTS_FILE = "skipped-checkpoints.json";

/**
 * The checkpoints the hub audit left out of a stats folder (its record-manifest.json's `skippedCheckpoints`, or a
 * merged sweep's skipped-checkpoints.json), for figures and reports to mark; undefined when none or unreadable.
 */
export function readSkippedCheckpoints(statsDir: string): Record<string, SkippedCheckpoint> | undefined {
  const read = (file: string, pick: (json: Record<string, unknown>) => unknown): Record<string, SkippedCheckpoint> | undefined => {
    try {
      const s = pick(JSON.parse(fs.readFileSync(path.join(statsDir, file), "utf8")) as Record<string, unknown>);
      return s && typeof s === "object" && !Array.isArray(s) && Object.keys(s).length ? (s as Record<string, SkippedCheckpoint>) : undefined;
    } catch {
      return undefined;
    }
  };
  return read(MANIFEST_FILE, (m) => m.skippedCheckpoints) ?? read(SKIPPED_CHECKPOINTS_FILE, (m) => m);
}

/** `512 (duplicate-model of step1000), 3000 (missing-branch)`: skipped checkpoints in one line. */
export function describeSkippedCheckpoints(skipped: Record<string, SkippedCheckpoint>): string {
  return Object.entries(skipped)
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([step, s]) => `${step} (${s.reason}${s.sameAs?.length ? ` of ${s.sameAs[0]}` : ""})`)
    .join(", ");
}
