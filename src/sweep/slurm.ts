/**
 * Slurm: the array script of one model (one array task per checkpoint), submission, and reading the queue
 * (`squeue`) and the accounting database (`sacct`) when they are there. The scheduler does the scheduling; this
 * module only writes scripts and reads its answers.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import type { SweepManifest, SweepModel } from "./manifest";
import { formatBytes, formatSeconds, slurmTime } from "./resources";
import { compressIndices } from "./schedule";

/** Quotes a word for bash. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The `--comment` that tags every job of a sweep, so status can tell them from other jobs. */
export function sweepComment(m: SweepManifest): string {
  return `massive-sweep=${m.sweepId}`;
}

/** `#SBATCH --array=` value for some task indices of a model, with the `%N` throttle. */
export function arraySpec(indices: number[], concurrency: number): string {
  return `${compressIndices(indices)}${concurrency > 0 ? `%${concurrency}` : ""}`;
}

/** The sbatch script of one model: an array with one task per checkpoint, each running `massive sweep task`. */
export function renderArrayScript(m: SweepManifest, model: SweepModel): string {
  const s = m.slurm;
  const r = model.resources;
  const n = model.tasks.length;
  const lines = [
    "#!/bin/bash",
    `#SBATCH --job-name=${model.jobName}`,
    `#SBATCH --array=${arraySpec(model.tasks.map((t) => t.index), s.concurrency)}`,
    "#SBATCH --requeue",
    "#SBATCH --open-mode=append",
    `#SBATCH --time=${s.time ?? slurmTime(r.timeMinutes)}`,
    `#SBATCH --mem=${s.mem ?? `${r.cpuMemGiB}G`}`,
    "#SBATCH --nodes=1",
    "#SBATCH --ntasks=1",
    `#SBATCH --cpus-per-task=${s.cpusPerTask}`,
    `#SBATCH --chdir=${m.dir}`,
    "#SBATCH --output=logs/%x_%A_%a.out",
    `#SBATCH --comment=${sweepComment(m)}`,
  ];
  if (s.partition) lines.push(`#SBATCH --partition=${s.partition}`);
  if (s.account) lines.push(`#SBATCH --account=${s.account}`);
  if (s.gres) lines.push(`#SBATCH --gres=${s.gres}`);
  else if (s.gpusPerTask > 0) lines.push(`#SBATCH --gres=gpu:${s.gpusPerTask}`);
  for (const e of s.extra) lines.push(`#SBATCH ${e.startsWith("-") ? e : `--${e}`}`);
  lines.push(
    "#",
    `# ${model.id}: ${n} checkpoints (steps ${model.tasks[0]?.step ?? "-"} ... ${model.tasks[n - 1]?.step ?? "-"}), ${(model.params.total / 1e6).toFixed(1)}M parameters, ${model.fileDtype} files of ${formatBytes(model.checkpointBytes)}`,
    `# estimate per task: ${formatSeconds(r.estimatedSeconds)} on ${r.basis}; GPU memory ${r.gpuMemGiB ? `${r.gpuMemGiB} GiB (one float32 layer at a time + activations)` : "none (CPU)"}; host memory ${r.cpuMemGiB} GiB`,
    "# Written by `massive sweep plan`; submit with `sbatch` from anywhere (or `massive sweep submit <dir>`).",
    "# Each task records one checkpoint into records/<model>/step<N>/ (atomic writes; a finished task exits at once).",
    "set -euo pipefail",
    ...(s.env ?? []).map((kv) => {
      const i = kv.indexOf("=");
      return `export ${kv.slice(0, i)}="${kv.slice(i + 1).replace(/(["\\`])/g, "\\$1")}"`;
    }),
    `exec ${m.massive.map(shellQuote).join(" ")} sweep task ${shellQuote(m.dir)} --model-index ${model.index} --index "$SLURM_ARRAY_TASK_ID"`,
    "",
  );
  return lines.join("\n");
}

/** One array task as the scheduler sees it. */
export interface SlurmTaskState {
  jobId: string;
  taskIndex: number;
  state: string;
  jobName: string;
  reason?: string;
}

/**
 * Parses `squeue -h -r -o "%F|%K|%T|%j|%k|%r"` (array job id, task id, state, name, comment, reason), keeping the
 * lines whose comment is `comment`.
 */
export function parseSqueue(text: string, comment: string): SlurmTaskState[] {
  const out: SlurmTaskState[] = [];
  for (const line of text.split("\n")) {
    const [jobId, task, state, jobName, cmt, reason] = line.trim().split("|");
    if (!jobId || !task || !state || cmt !== comment) continue;
    if (!/^\d+$/.test(task)) continue;
    out.push({ jobId, taskIndex: Number(task), state, jobName: jobName ?? "", reason });
  }
  return out;
}

/** Queue entries of a sweep, or undefined when squeue is absent or fails. */
export function querySqueue(m: SweepManifest): SlurmTaskState[] | undefined {
  try {
    const text = execFileSync("squeue", ["-h", "-r", "-o", "%F|%K|%T|%j|%k|%r"], { encoding: "utf8", timeout: 30_000, stdio: ["ignore", "pipe", "ignore"] });
    return parseSqueue(text, sweepComment(m));
  } catch {
    return undefined;
  }
}

/**
 * Parses `sacct -n -P -X -o JobID,JobName,State,ExitCode,Comment`: array tasks appear as `<job>_<task>`; keeps the
 * jobs whose comment is `comment` (or, when the cluster does not store comments, whose name is one of `names`).
 * Later lines win, so a requeued or resubmitted task reports its newest state.
 */
export function parseSacct(text: string, comment: string, names: Set<string>): SlurmTaskState[] {
  const byKey = new Map<string, SlurmTaskState>();
  for (const line of text.split("\n")) {
    const [id, jobName, state, exit, cmt] = line.trim().split("|");
    const m = /^(\d+)_(\d+)$/.exec(id ?? "");
    if (!m || !state) continue;
    if (cmt ? cmt !== comment : !names.has(jobName ?? "")) continue;
    byKey.set(`${jobName}|${m[2]}`, { jobId: m[1]!, taskIndex: Number(m[2]), state: state.split(" ")[0]!, jobName: jobName ?? "", reason: exit ? `exit ${exit}` : undefined });
  }
  return [...byKey.values()];
}

/** Accounting entries since the sweep was planned, or undefined when sacct is absent or accounting is off. */
export function querySacct(m: SweepManifest): SlurmTaskState[] | undefined {
  const names = m.models.map((x) => x.jobName);
  try {
    // sacct reads -S in local time: start a day early rather than miss jobs in another time zone
    const start = new Date(Date.parse(m.created) - 86_400_000).toISOString().slice(0, 19);
    const text = execFileSync("sacct", ["-n", "-P", "-X", "-S", start, "--name", names.join(","), "-o", "JobID,JobName,State,ExitCode,Comment"], {
      encoding: "utf8",
      timeout: 60_000,
      stdio: ["ignore", "pipe", "ignore"],
    });
    return parseSacct(text, sweepComment(m), new Set(names));
  } catch {
    return undefined;
  }
}

/** Slurm states that mean the task will not finish on its own. */
export const SLURM_FAILED_STATES = new Set(["FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE"]);
/** Slurm states of a task that is queued but not started. */
export const SLURM_PENDING_STATES = new Set(["PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD", "SUSPENDED", "STOPPED", "RESIZING", "SPECIAL_EXIT"]);

/** Submits a model's script (optionally only some indices); returns the array job id. */
export function submitArray(m: SweepManifest, model: SweepModel, indices?: number[]): string {
  const args = ["--parsable"];
  if (indices) args.push(`--array=${arraySpec(indices, m.slurm.concurrency)}`);
  args.push(path.join(m.dir, model.script));
  const out = execFileSync("sbatch", args, { encoding: "utf8", timeout: 60_000, stdio: ["ignore", "pipe", "pipe"] }).trim();
  const id = /^(\d+)/.exec(out)?.[1];
  if (!id) throw new Error(`sbatch answered '${out}' for ${model.script}`);
  return id;
}
