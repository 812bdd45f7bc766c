/**
 * `massive sweep status`: where every task of a sweep stands, from the stats files on disk, the tasks' state files
 * and, when present, the Slurm queue (`squeue`) and accounting (`sacct`).
 */
import * as os from "node:os";
import * as path from "node:path";
import { readManifest, type SweepManifest, type SweepModel } from "./manifest";
import { arraySpec, querySacct, querySqueue, SLURM_FAILED_STATES, SLURM_PENDING_STATES, type SlurmTaskState } from "./slurm";
import { findResult, readMarker } from "./task";

export const TASK_STATES = ["done", "running", "pending", "failed", "missing"] as const;
export type TaskState = (typeof TASK_STATES)[number];

export interface TaskStatus {
  index: number;
  step: number;
  state: TaskState;
  /** Why (failure reason, Slurm state, host). */
  detail?: string;
  result?: string;
}

export interface ModelStatus {
  name: string;
  id: string;
  script: string;
  counts: Record<TaskState, number>;
  tasks: TaskStatus[];
}

export interface SweepStatus {
  dir: string;
  /** Which sources were consulted. */
  sources: { squeue: boolean; sacct: boolean };
  models: ModelStatus[];
  total: Record<TaskState, number>;
}

export interface StatusOptions {
  /** Consult squeue/sacct (default true; they are skipped silently when absent). */
  slurm?: boolean;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

const zero = (): Record<TaskState, number> => ({ done: 0, running: 0, pending: 0, failed: 0, missing: 0 });

/** Classifies every task. Precedence: stats file > queue > accounting > state file > missing. */
export function sweepStatus(dir: string, options: StatusOptions = {}): SweepStatus {
  const sweepDir = path.resolve(dir);
  const m: SweepManifest = readManifest(sweepDir);
  const queue = options.slurm === false ? undefined : querySqueue(m);
  const acct = options.slurm === false ? undefined : querySacct(m);
  const key = (jobName: string, i: number): string => `${jobName}|${i}`;
  const queued = new Map<string, SlurmTaskState>((queue ?? []).map((q) => [key(q.jobName, q.taskIndex), q]));
  const accounted = new Map<string, SlurmTaskState>((acct ?? []).map((q) => [key(q.jobName, q.taskIndex), q]));
  const host = os.hostname();
  const total = zero();
  const models = m.models.map((model: SweepModel): ModelStatus => {
    const counts = zero();
    const tasks = model.tasks.map((task): TaskStatus => {
      const base = { index: task.index, step: task.step };
      let st: TaskStatus;
      const result = findResult(sweepDir, task);
      const q = queued.get(key(model.jobName, task.index));
      const a = accounted.get(key(model.jobName, task.index));
      const marker = readMarker(sweepDir, model, task);
      if (result) st = { ...base, state: "done", result: path.relative(sweepDir, result) };
      else if (q && SLURM_PENDING_STATES.has(q.state)) st = { ...base, state: "pending", detail: `slurm ${q.jobId}_${q.taskIndex} ${q.state}${q.reason && q.reason !== "None" ? ` (${q.reason})` : ""}` };
      else if (q) st = { ...base, state: "running", detail: `slurm ${q.jobId}_${q.taskIndex} ${q.state}` };
      else if (marker?.state === "running") {
        const local = marker.host === host && !marker.slurmJobId;
        if (local && !pidAlive(marker.pid)) st = { ...base, state: "failed", detail: `process ${marker.pid} on ${host} is gone` };
        else if (marker.slurmJobId && queue !== undefined) st = { ...base, state: "failed", detail: `slurm ${marker.slurmJobId}_${marker.slurmTaskId ?? ""} is no longer queued${a ? ` (${a.state})` : ""}` };
        else st = { ...base, state: "running", detail: `${marker.host} pid ${marker.pid}${marker.slurmJobId ? ` slurm ${marker.slurmJobId}_${marker.slurmTaskId ?? ""}` : ""}` };
      } else if (a && SLURM_FAILED_STATES.has(a.state)) st = { ...base, state: "failed", detail: `slurm ${a.jobId}_${a.taskIndex} ${a.state}${a.reason ? ` ${a.reason}` : ""}` };
      else if (marker?.state === "failed") st = { ...base, state: "failed", detail: marker.reason };
      else st = { ...base, state: "missing" };
      counts[st.state]++;
      total[st.state]++;
      return st;
    });
    return { name: model.name, id: model.id, script: model.script, counts, tasks };
  });
  return { dir: sweepDir, sources: { squeue: queue !== undefined, sacct: acct !== undefined }, models, total };
}

/** The status as a table plus, for unfinished work, the sbatch line that resubmits exactly those tasks. */
export function formatStatus(s: SweepStatus, m?: SweepManifest): string {
  const w = Math.max(5, ...s.models.map((x) => x.name.length));
  const head = `${"model".padEnd(w)}  ${TASK_STATES.map((k) => k.padStart(7)).join(" ")}   total`;
  const row = (name: string, c: Record<TaskState, number>): string =>
    `${name.padEnd(w)}  ${TASK_STATES.map((k) => String(c[k]).padStart(7)).join(" ")}  ${String(TASK_STATES.reduce((a, k) => a + c[k], 0)).padStart(6)}`;
  const lines = [head, ...s.models.map((x) => row(x.name, x.counts))];
  if (s.models.length > 1) lines.push(row("all", s.total));
  lines.push(`(sources: stats files, task state files${s.sources.squeue ? ", squeue" : ""}${s.sources.sacct ? ", sacct" : ""})`);
  for (const x of s.models) {
    const failed = x.tasks.filter((t) => t.state === "failed");
    for (const t of failed.slice(0, 5)) lines.push(`  ${x.name} step${t.step} (index ${t.index}) failed: ${t.detail ?? "?"}`);
    if (failed.length > 5) lines.push(`  ... and ${failed.length - 5} more failed in ${x.name}`);
    const redo = x.tasks.filter((t) => t.state === "failed" || t.state === "missing").map((t) => t.index);
    if (redo.length) {
      const conc = m?.slurm.concurrency ?? 0;
      lines.push(`  resubmit ${x.name}: sbatch --array=${arraySpec(redo, conc)} ${path.join(s.dir, x.script)}   (or: massive sweep submit ${s.dir} --unfinished)`);
    }
  }
  return lines.join("\n");
}
