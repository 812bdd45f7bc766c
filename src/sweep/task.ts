/**
 * One sweep task: record one checkpoint of one model by running the command the manifest holds for it.
 * The same function serves a Slurm array task and `sweep run-local`. A task whose stats file exists is skipped;
 * the record command writes atomically, so a killed task leaves no stats file and its leftovers are swept away.
 * Each task keeps a small state file (`state/<model>/step<N>.json`: running, done or failed, with who ran it) for
 * `sweep status`.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseExp2FileName, readExp2Stats } from "../io/exp2-stats";
import { writeFileAtomic } from "../util/atomic-write";
import { UsageError } from "../util/usage-error";
import { readManifest, type SweepManifest, type SweepModel, type SweepTask } from "./manifest";

export type TaskMarkerState = "running" | "done" | "failed";

/** Contents of `state/<model>/step<N>.json`. */
export interface TaskMarker {
  state: TaskMarkerState;
  model: string;
  index: number;
  step: number;
  host: string;
  pid: number;
  /** Slurm array job id and task id when run by Slurm. */
  slurmJobId?: string;
  slurmTaskId?: string;
  /** Slurm's restart count (requeues). */
  restarts?: number;
  attempts: number;
  startedAt: string;
  endedAt?: string;
  exitCode?: number | null;
  signal?: string | null;
  reason?: string;
  /** The stats file, relative to the sweep folder, when done. */
  result?: string;
  seconds?: number;
}

export function markerPath(dir: string, model: SweepModel, task: SweepTask): string {
  return path.join(dir, "state", model.name, `step${task.step}.json`);
}

export function readMarker(dir: string, model: SweepModel, task: SweepTask): TaskMarker | undefined {
  try {
    return JSON.parse(fs.readFileSync(markerPath(dir, model, task), "utf8")) as TaskMarker;
  } catch {
    return undefined;
  }
}

/** The task's stats file (`exp2_<name>_step<N>` in its out folder) when it exists, else undefined. */
export function findResult(dir: string, task: SweepTask): string | undefined {
  const out = path.join(dir, task.out);
  let names: string[];
  try {
    names = fs.readdirSync(out);
  } catch {
    return undefined;
  }
  const hit = names.filter((n) => parseExp2FileName(n)?.step === task.step).sort()[0];
  return hit === undefined ? undefined : path.join(out, hit);
}

/**
 * Removes temporary files atomic writers left behind when they were killed (`.<name>.tmp-*`), anywhere in the task's
 * folder (which only this task writes).
 */
export function removeLeftovers(dir: string, task: SweepTask): string[] {
  const removed: string[] = [];
  const visit = (folder: string): void => {
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(folder, e.name);
      if (e.name.startsWith(".") && e.name.includes(".tmp-")) {
        fs.rmSync(p, { force: true, recursive: true });
        removed.push(path.relative(path.join(dir, task.out), p));
      } else if (e.isDirectory()) visit(p);
    }
  };
  visit(path.join(dir, task.out));
  return removed;
}

export interface RunTaskOptions {
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /** Extra environment for the record command. */
  env?: NodeJS.ProcessEnv;
}

export interface RunTaskResult {
  outcome: "skipped" | "done" | "failed";
  exitCode: number;
  result?: string;
  seconds: number;
}

function locate(m: SweepManifest, modelIndex: number, taskIndex: number): { model: SweepModel; task: SweepTask } {
  const model = m.models[modelIndex];
  if (!model) throw new UsageError(`--model-index ${modelIndex}: the sweep has ${m.models.length} model(s)`);
  const task = model.tasks[taskIndex];
  if (!task) throw new UsageError(`--index ${taskIndex}: ${model.name} has ${model.tasks.length} task(s) (0-${model.tasks.length - 1})`);
  return { model, task };
}

const SIGNALS: NodeJS.Signals[] = ["SIGTERM", "SIGINT", "SIGHUP", "SIGUSR1", "SIGUSR2"];

/**
 * Runs task `taskIndex` of model `modelIndex` of the sweep in `dir`: skips it when its stats file exists, otherwise
 * runs its record command, forwarding termination signals (Slurm's scancel, preemption, Ctrl-C) to it, and checks
 * the file it wrote. Resolves to the exit code for the process.
 */
export async function runSweepTask(dir: string, modelIndex: number, taskIndex: number, options: RunTaskOptions = {}): Promise<RunTaskResult> {
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const sweepDir = path.resolve(dir);
  const manifest = readManifest(sweepDir);
  const { model, task } = locate(manifest, modelIndex, taskIndex);
  const label = `${model.name} step${task.step} (task ${model.index}/${task.index})`;
  const t0 = Date.now();
  const previous = readMarker(sweepDir, model, task);
  const existing = findResult(sweepDir, task);
  if (existing) {
    log(`[sweep] ${label}: already done (${path.relative(sweepDir, existing)}), skipping`);
    if (previous?.state !== "done") {
      await writeFileAtomic(markerPath(sweepDir, model, task), `${JSON.stringify({ ...(previous ?? baseMarker(model, task, 0)), state: "done", result: path.relative(sweepDir, existing), endedAt: new Date().toISOString() }, null, 2)}\n`);
    }
    return { outcome: "skipped", exitCode: 0, result: existing, seconds: 0 };
  }
  const stale = removeLeftovers(sweepDir, task);
  if (stale.length) log(`[sweep] ${label}: removed ${stale.length} temporary file(s) of an interrupted attempt`);
  fs.mkdirSync(path.join(sweepDir, task.out), { recursive: true });
  const marker: TaskMarker = { ...baseMarker(model, task, (previous?.attempts ?? 0) + 1), state: "running" };
  await writeFileAtomic(markerPath(sweepDir, model, task), `${JSON.stringify(marker, null, 2)}\n`);
  const [program, ...args] = task.argv;
  if (!program) throw new Error(`${label}: empty argv in the manifest`);
  log(`[sweep] ${label}: ${task.argv.join(" ")}`);

  const child = spawn(program, args, { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, ...options.env } });
  let received: NodeJS.Signals | undefined;
  const handlers = SIGNALS.map((sig) => {
    const h = (): void => {
      received ??= sig;
      child.kill(sig);
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  const { code, signal, spawnError } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: Error }>((resolve) => {
    child.on("error", (err) => resolve({ code: null, signal: null, spawnError: err }));
    child.on("exit", (c, s) => resolve({ code: c, signal: s }));
  });
  for (const [sig, h] of handlers) process.off(sig, h);

  const seconds = (Date.now() - t0) / 1000;
  const result = findResult(sweepDir, task);
  let problem: string | undefined;
  if (spawnError) problem = `cannot start ${program}: ${spawnError.message}`;
  else if (received) problem = `stopped by ${received}`;
  else if (code !== 0) problem = signal ? `record killed by ${signal}` : `record exited with ${code}`;
  else if (!result) problem = `record exited 0 but wrote no exp2_*_step${task.step} file into ${task.out}`;
  else {
    try {
      readExp2Stats(result);
    } catch (err) {
      problem = (err as Error).message.split("\n")[0];
      fs.rmSync(result, { force: true });
    }
  }
  const done: TaskMarker = { ...marker, endedAt: new Date().toISOString(), exitCode: code, signal: signal ?? received ?? null, seconds };
  if (problem) {
    removeLeftovers(sweepDir, task);
    await writeFileAtomic(markerPath(sweepDir, model, task), `${JSON.stringify({ ...done, state: "failed", reason: problem }, null, 2)}\n`);
    log(`[sweep] ${label}: FAILED after ${seconds.toFixed(1)} s: ${problem}`);
    const exitCode = received ? 128 + (os.constants.signals[received] ?? 15) : code && code > 0 ? code : 1;
    return { outcome: "failed", exitCode, seconds };
  }
  await writeFileAtomic(markerPath(sweepDir, model, task), `${JSON.stringify({ ...done, state: "done", result: path.relative(sweepDir, result!) }, null, 2)}\n`);
  log(`[sweep] ${label}: done in ${seconds.toFixed(1)} s -> ${path.relative(sweepDir, result!)}`);
  return { outcome: "done", exitCode: 0, result, seconds };
}

function baseMarker(model: SweepModel, task: SweepTask, attempts: number): TaskMarker {
  const env = process.env;
  return {
    state: "running",
    model: model.name,
    index: task.index,
    step: task.step,
    host: os.hostname(),
    pid: process.pid,
    // only array tasks count as Slurm-run: run-local inside an salloc shares SLURM_JOB_ID but is not an array task
    ...(env.SLURM_ARRAY_JOB_ID && env.SLURM_ARRAY_TASK_ID ? { slurmJobId: env.SLURM_ARRAY_JOB_ID, slurmTaskId: env.SLURM_ARRAY_TASK_ID } : {}),
    ...(env.SLURM_RESTART_COUNT ? { restarts: Number(env.SLURM_RESTART_COUNT) } : {}),
    attempts,
    startedAt: new Date().toISOString(),
  };
}
