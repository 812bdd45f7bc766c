/**
 * A resumable recording run: every checkpoint of a model (a local folder of `step<N>/` checkpoints, or hub revisions
 * `step<N>`) recorded on one evaluation set into `<out>/exp2_<name>_step<N>`, the released dataset's format.
 *
 * - Resumable: a checkpoint whose stats file and record (`.record/step<N>.json`, same evaluation set) exist is
 *   skipped; a stats file recorded on another evaluation set stops the run (unless `force`).
 * - Atomic: every file is written to a temporary name, flushed and renamed; temporaries of killed runs are swept.
 * - Independent per checkpoint: recording one step touches only that step's files (plus the rebuilt summary), so
 *   separate processes (one Slurm task per checkpoint) can share an output folder.
 * - Parallel on CPU: checkpoints spread over worker threads, one backend each; hub downloads go one at a time in
 *   the main thread, overlapping the workers' computation.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initBackend } from "../backend";
import { requireHalfCompute } from "../backend-webgpu-f16";
import { exp2FileName, formatExp2Values, readExp2Stats, writeExp2Stats } from "../io/exp2-stats";
import type { HubClient, HubSnapshot } from "../io/hub/client";
import { stepBranchSteps } from "../io/hub/audit";
import { startProgress } from "../util/progress";
import { ensureDirSync } from "../util/atomic-write";
import { InProcessEngine, WorkerEngine, type EngineOptions, type RecordEngine, type RecordResult } from "./engine";
import { evalSetSha256, type EvalSet } from "./eval-sequences";
import {
  arithmeticFields, projectVersion, readCheckpointRecord, rebuildManifest, removeStaleTempFiles, sha256Hex, writeCheckpointRecord,
  RECORDS_DIR, type EvalInfo, type ModelSource, type RunManifest, type SkippedCheckpoint,
} from "./manifest";

/** One checkpoint to record. */
export type CheckpointRef =
  | { step: number; kind: "local"; dir: string }
  | { step: number; kind: "hub"; repo: string; revision: string };

/**
 * The `step<N>/` folders of a local checkpoints folder, sorted by step; `steps` picks some (each must exist).
 */
export function listLocalCheckpoints(dir: string, steps?: number[]): CheckpointRef[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw new Error(`${dir}: cannot list checkpoints: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const found = new Map<number, string>();
  for (const e of entries) {
    const m = /^step(\d+)$/.exec(e.name);
    if (m && (e.isDirectory() || e.isSymbolicLink())) found.set(Number(m[1]), path.join(dir, e.name));
  }
  if (found.size === 0) throw new Error(`${dir}: no step<N>/ checkpoint folders`);
  const wanted = steps ?? [...found.keys()];
  const missing = wanted.filter((s) => !found.has(s));
  if (missing.length) throw new Error(`${dir}: no folder for step${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (present: ${[...found.keys()].sort((a, b) => a - b).join(", ")})`);
  return [...new Set(wanted)].sort((a, b) => a - b).map((step) => ({ step, kind: "local" as const, dir: found.get(step)! }));
}

/** Hub revisions `step<N>` of a model repo. */
export function hubCheckpoints(repo: string, steps: number[]): CheckpointRef[] {
  return [...new Set(steps)].sort((a, b) => a - b).map((step) => ({ step, kind: "hub" as const, repo, revision: `step${step}` }));
}

/** The steps of a hub model's `step<N>` branches (network). */
export async function hubSteps(client: HubClient, repo: string): Promise<number[]> {
  return stepBranchSteps((await client.listRefs(repo)).branches.map((b) => b.name));
}

/** The released dataset's model name for a hub id: `EleutherAI/pythia-70m` -> `pythia_70m`. */
export function defaultRunName(source: ModelSource): string {
  return source.kind === "hub" ? source.id.split("/").pop()!.replace(/-/g, "_") : path.basename(path.resolve(source.id));
}

export interface RecordRunOptions extends EngineOptions {
  out: string;
  model: ModelSource;
  checkpoints: CheckpointRef[];
  evalSet: EvalSet;
  /** Name in `exp2_<name>_step<N>` (default {@link defaultRunName}). */
  name?: string;
  /** Worker threads (default: 1 on GPU backends; on CPU as many as cores, checkpoints and memory allow). */
  workers?: number;
  /** Needed for hub checkpoints. */
  hub?: HubClient;
  /** Redo finished checkpoints and overwrite results of another evaluation set. */
  force?: boolean;
  /** Steps the hub audit left out (src/io/hub/audit.ts gateStepsByAudit), noted in the manifest. */
  skippedCheckpoints?: ({ step: number } & SkippedCheckpoint)[];
  /** Delete each hub checkpoint's weight files from the cache once recorded (sweeps over large models). */
  evictWeights?: boolean;
  /** Progress and notes (default stderr). */
  log?: (line: string) => void;
}

export interface RecordRunSummary {
  name: string;
  out: string;
  recorded: { step: number; seconds: number; backend: string }[];
  skipped: number[];
  failed: { step: number; message: string }[];
  workers: number;
  seconds: number;
  manifest: RunManifest;
}

/** Checks a finished checkpoint; returns "done", "todo" or throws for another evaluation set or compute precision. */
function finishedState(out: string, name: string, step: number, evalInfo: EvalInfo, force: boolean, log: (l: string) => void, compute = "float32"): "done" | "todo" {
  const file = path.join(out, exp2FileName(name, step));
  if (!fs.existsSync(file)) return "todo";
  const record = readCheckpointRecord(out, step);
  if (force) return "todo";
  if (record && record.eval.sha256 !== evalInfo.sha256) {
    throw new Error(`${file} was recorded on another evaluation set (sha256 ${record.eval.sha256.slice(0, 12)}..., now ${evalInfo.sha256.slice(0, 12)}...): use another --out, or --force to overwrite`);
  }
  if (record && (record.compute ?? "float32") !== compute) {
    throw new Error(`${file} was recorded with ${record.compute ?? "float32"} compute, now ${compute}: use another --out, or --force to overwrite`);
  }
  try {
    const stats = readExp2Stats(file);
    if (stats.values.length !== evalInfo.sequences) {
      log(`[record] step ${step}: ${file} holds ${stats.values.length} sequences, not ${evalInfo.sequences}; recording it again`);
      return "todo";
    }
  } catch (err) {
    log(`[record] step ${step}: unreadable stats file (${(err as Error).message}); recording it again`);
    return "todo";
  }
  if (!record) log(`[record] step ${step}: ${file} has no record in ${RECORDS_DIR}/ (made elsewhere?); keeping it (--force redoes it)`);
  return "done";
}

function defaultWorkers(backend: string, checkpoints: CheckpointRef[]): number {
  if (backend !== "wasm" && backend !== "cpu") return 1;
  const cpus = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  let perWorker = 0;
  const first = checkpoints[0];
  if (first?.kind === "local") {
    for (const f of fs.readdirSync(first.dir)) {
      if (/\.(bin|safetensors)$/.test(f)) perWorker += fs.statSync(path.join(first.dir, f)).size;
    }
    perWorker *= 3; // fp16 file -> fp32 host copy -> backend copy
  } else {
    return 1; // unknown size until downloaded; pass --workers to override
  }
  const byMemory = perWorker > 0 ? Math.max(1, Math.floor((os.freemem() * 0.5) / perWorker)) : cpus;
  return Math.max(1, Math.min(cpus, checkpoints.length, byMemory));
}

/** Records every checkpoint not yet finished; see the module comment. */
export async function recordRun(options: RecordRunOptions): Promise<RecordRunSummary> {
  const t0 = performance.now();
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const out = path.resolve(options.out);
  const name = options.name ?? defaultRunName(options.model);
  if (!/^[\w.-]+$/.test(name)) throw new Error(`run name '${name}' must use letters, digits, '.', '_' or '-' only`);
  const sequences = options.evalSet.sequences;
  const evalInfo: EvalInfo = {
    sha256: evalSetSha256(sequences),
    sequences: sequences.length,
    seqLen: sequences[0]!.length,
    source: options.evalSet.source,
    ...(options.evalSet.details ? { details: options.evalSet.details } : {}),
  };
  ensureDirSync(path.join(out, RECORDS_DIR)); // a one-line error with the real reason (EROFS, EACCES, ...)
  for (const dir of [out, path.join(out, RECORDS_DIR)]) {
    const removed = removeStaleTempFiles(dir);
    if (removed.length) log(`[record] removed ${removed.length} temporary file(s) of an interrupted run in ${dir}`);
  }
  const skippedCheckpoints = Object.fromEntries((options.skippedCheckpoints ?? []).map(({ step, ...why }) => [String(step), why]));
  const base = { name, model: options.model, eval: evalInfo, stepsRequested: options.checkpoints.map((c) => c.step), skippedCheckpoints };
  const todo: CheckpointRef[] = [];
  const skipped: number[] = [];
  for (const c of options.checkpoints) {
    if (finishedState(out, name, c.step, evalInfo, Boolean(options.force), log, options.compute) === "done") skipped.push(c.step);
    else todo.push(c);
  }
  if (skipped.length) log(`[record] ${name}: ${skipped.length} checkpoint(s) already recorded, skipped (steps ${skipped.join(", ")})`);
  const recorded: RecordRunSummary["recorded"] = [];
  const failed: RecordRunSummary["failed"] = [];
  let workers = 0;
  if (todo.length) {
    if (todo.some((c) => c.kind === "hub") && !options.hub) throw new Error("recordRun: hub checkpoints need options.hub (a HubClient)");
    const info = await initBackend();
    workers = Math.max(1, Math.min(options.workers ?? defaultWorkers(info.name, todo), todo.length));
    if (options.compute === "float16") requireHalfCompute(); // fail once, not per checkpoint
    const engineOptions: EngineOptions = { batchSize: options.batchSize, medianMethod: options.medianMethod, compute: options.compute };
    const engines: RecordEngine[] = workers === 1 ? [new InProcessEngine(sequences, engineOptions)] : Array.from({ length: workers }, () => new WorkerEngine(sequences, engineOptions));
    log(`[record] ${name}: recording ${todo.length} checkpoint(s) on ${evalInfo.sequences} x ${evalInfo.seqLen} tokens with ${workers} ${workers === 1 ? "engine (in process)" : "worker threads"}, backend ${info.name}, into ${out}`);
    const progress = startProgress(`[record] ${name}`, todo.length);
    const queue = todo.slice();
    let downloads: Promise<unknown> = Promise.resolve();
    const fetchCheckpoint = (c: CheckpointRef): Promise<{ dir: string; snapshot?: HubSnapshot }> => {
      if (c.kind === "local") return Promise.resolve({ dir: c.dir });
      const p = downloads.then(async () => {
        const snapshot = await options.hub!.downloadCheckpoint(c.repo, c.revision);
        return { dir: snapshot.dir, snapshot };
      });
      downloads = p.catch(() => undefined);
      return p;
    };
    const persist = async (c: CheckpointRef, where: { dir: string; snapshot?: HubSnapshot }, r: RecordResult): Promise<void> => {
      const statsFile = exp2FileName(name, c.step);
      await writeCheckpointRecord(out, {
        format: "massive-record/1",
        name,
        step: c.step,
        model: options.model,
        ...(c.kind === "hub" ? { revision: c.revision, commit: where.snapshot?.commit, weights: where.snapshot?.weights } : {}),
        checkpointDir: where.dir,
        eval: evalInfo,
        project: projectVersion(),
        backend: r.backend,
        medianMethod: r.medianMethod,
        ...(options.compute === "float16" ? { compute: "float16" as const } : {}),
        ...arithmeticFields(r.backend, r.arithmetic),
        seconds: Math.round(r.seconds * 1000) / 1000,
        recordedAt: new Date().toISOString(),
        statsFile,
        statsSha256: sha256Hex(formatExp2Values(r.values)),
      });
      await writeExp2Stats(out, name, { step: c.step, values: r.values });
      await rebuildManifest(out, base);
    };
    const loop = async (engine: RecordEngine): Promise<void> => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        try {
          const where = await fetchCheckpoint(c);
          const r = await engine.record(where.dir);
          await persist(c, where, r);
          recorded.push({ step: c.step, seconds: r.seconds, backend: r.backend });
          progress.tick(1, `step ${c.step} ${r.seconds.toFixed(1)}s`);
          if (options.evictWeights && where.snapshot) evictSnapshotWeights(where.snapshot, log);
        } catch (err) {
          const message = (err as Error).message.split("\n")[0]!;
          failed.push({ step: c.step, message });
          log(`[record] step ${c.step} failed: ${message}`);
          progress.tick(1, `step ${c.step} failed`);
        }
      }
    };
    try {
      await Promise.all(engines.map(loop));
    } finally {
      await Promise.all(engines.map((e) => e.close()));
    }
    progress.done(`${recorded.length} recorded, ${failed.length} failed`);
  }
  const manifest = await rebuildManifest(out, base);
  recorded.sort((a, b) => a.step - b.step);
  return { name, out, recorded, skipped, failed, workers, seconds: (performance.now() - t0) / 1000, manifest };
}

/** Removes a recorded hub checkpoint's weight files (blob and snapshot link) from the cache. */
function evictSnapshotWeights(snapshot: HubSnapshot, log: (l: string) => void): void {
  for (const f of snapshot.files) {
    if (!/\.(bin|safetensors)$/.test(f)) continue;
    const link = path.join(snapshot.dir, f);
    try {
      const blob = fs.realpathSync(link);
      fs.rmSync(blob, { force: true });
      fs.rmSync(link, { force: true });
    } catch (err) {
      log(`[record] could not evict ${link}: ${(err as Error).message}`);
    }
  }
}
