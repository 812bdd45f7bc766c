/**
 * `massive sweep run-local`: the manifest on one machine, for users without a cluster. Up to `workers` child
 * processes run `massive sweep task <dir> --model-index M --index I` (exactly what a Slurm array task runs), so a
 * local sweep and a Slurm sweep share the code path and the results on disk, and either can finish the other's work.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { readManifest } from "./manifest";
import { findResult } from "./task";

export interface RunLocalOptions {
  workers: number;
  /** Only these model names (default all). */
  models?: string[];
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface RunLocalSummary {
  done: number;
  skipped: number;
  failed: { model: string; step: number; exitCode: number | null }[];
  seconds: number;
}

export async function runLocal(dir: string, options: RunLocalOptions): Promise<RunLocalSummary> {
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const sweepDir = path.resolve(dir);
  const m = readManifest(sweepDir);
  const t0 = Date.now();
  const queue: { model: number; name: string; index: number; step: number }[] = [];
  let skipped = 0;
  for (const model of m.models) {
    if (options.models && !options.models.includes(model.name)) continue;
    for (const task of model.tasks) {
      if (findResult(sweepDir, task)) skipped++;
      else queue.push({ model: model.index, name: model.name, index: task.index, step: task.step });
    }
  }
  const total = queue.length;
  log(`[sweep] run-local: ${total} task(s) to run with ${options.workers} worker(s), ${skipped} already done`);
  const summary: RunLocalSummary = { done: 0, skipped, failed: [], seconds: 0 };
  const children = new Set<ReturnType<typeof spawn>>();
  let stopping: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    stopping = sig;
    for (const c of children) c.kill("SIGTERM");
  };
  const sigs: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const s of sigs) process.on(s, onSignal);
  const [program, ...pre] = m.massive;
  let finished = 0;
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next && !stopping; next = queue.shift()) {
      const job = next;
      const child = spawn(program!, [...pre, "sweep", "task", sweepDir, "--model-index", String(job.model), "--index", String(job.index)], {
        stdio: ["ignore", "inherit", "inherit"],
        env: { ...process.env, ...options.env },
      });
      children.add(child);
      const code = await new Promise<number | null>((resolve) => {
        child.on("error", () => resolve(null));
        child.on("exit", (c) => resolve(c));
      });
      children.delete(child);
      finished++;
      if (code === 0) summary.done++;
      else summary.failed.push({ model: job.name, step: job.step, exitCode: code });
      log(`[sweep] run-local: ${finished}/${total} ${job.name} step${job.step} ${code === 0 ? "ok" : `FAILED (exit ${code})`}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.workers, total || 1)) }, worker));
  } finally {
    for (const s of sigs) process.off(s, onSignal);
  }
  summary.seconds = (Date.now() - t0) / 1000;
  if (stopping) throw new Error(`stopped by ${stopping} after ${finished} of ${total} task(s); rerun to continue`);
  return summary;
}
