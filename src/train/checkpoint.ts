/**
 * Training checkpoints on disk: `<out>/step<N>/` holds the weights after N updates as Hugging Face saves them
 * (`config.json` + `model.safetensors`, float32, HF names), plus what resuming needs: `optimizer.safetensors`
 * (AdamW moments `exp_avg.<name>` / `exp_avg_sq.<name>`, torch layout) and `trainer_state.json` (update count,
 * sampler position, the recipe and the log so far). `trainer_state.json` is written last, atomically, so a folder
 * with it is complete; a run killed while saving resumes from the previous complete step.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { HostTensor } from "../io/host-tensor";
import { readSafetensors, writeSafetensors } from "../io/safetensors";
import { writeFileAtomic } from "../util/atomic-write";
import type { TrainRecipe } from "./recipe";

export interface TrainLogEntry {
  /** Update index k (0-based). */
  step: number;
  /** Mean next-token cross-entropy of the batch before update k (nats per token). */
  loss: number;
  /** Global L2 norm of the gradients before clipping. */
  grad_norm: number;
  /** Learning rate of update k. */
  lr: number;
}

export interface TrainerState {
  /** Updates taken: the weights in this folder are the weights after `step` updates. */
  step: number;
  /** Batches the sampler has drawn (equals `step` unless batches come from a file). */
  sampler_position: number;
  recipe: TrainRecipe;
  log: TrainLogEntry[];
}

export const TRAINER_STATE = "trainer_state.json";
const OPTIMIZER_FILE = "optimizer.safetensors";

export function stepDir(out: string, step: number): string {
  return path.join(out, `step${step}`);
}

/** Writes weights (and, with `optimizer`, the resume state) of step N; the state file goes last. */
export async function saveCheckpoint(out: string, step: number, configJson: Record<string, unknown>, weights: Map<string, HostTensor>, resume?: { moments: Map<string, HostTensor>; state: TrainerState }): Promise<void> {
  const dir = stepDir(out, step);
  await writeFileAtomic(path.join(dir, "config.json"), `${JSON.stringify({ ...configJson, torch_dtype: "float32" }, null, 2)}\n`);
  await writeSafetensors(path.join(dir, "model.safetensors"), weights);
  if (resume) {
    await writeSafetensors(path.join(dir, OPTIMIZER_FILE), resume.moments);
    await writeFileAtomic(path.join(dir, TRAINER_STATE), `${JSON.stringify(resume.state)}\n`);
  }
}

/** Removes the resume files of an older step (its weights stay), once a newer complete state exists. */
export function dropResumeState(out: string, step: number): void {
  const dir = stepDir(out, step);
  fs.rmSync(path.join(dir, TRAINER_STATE), { force: true });
  fs.rmSync(path.join(dir, OPTIMIZER_FILE), { force: true });
}

/** Steps of `out` with a complete resume state, ascending. */
export function resumableSteps(out: string): number[] {
  if (!fs.existsSync(out)) return [];
  return fs.readdirSync(out)
    .map((n) => /^step(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .filter((s) => fs.existsSync(path.join(stepDir(out, s), TRAINER_STATE)) && fs.existsSync(path.join(stepDir(out, s), OPTIMIZER_FILE)))
    .sort((a, b) => a - b);
}

/** Reads the resume state of step N: trainer state, weights and optimizer moments. */
export async function loadCheckpoint(out: string, step: number): Promise<{ state: TrainerState; weights: Map<string, HostTensor>; moments: Map<string, HostTensor> }> {
  const dir = stepDir(out, step);
  const file = path.join(dir, TRAINER_STATE);
  let state: TrainerState;
  try {
    state = JSON.parse(fs.readFileSync(file, "utf8")) as TrainerState;
  } catch (err) {
    throw new Error(`${file}: cannot read the trainer state: ${(err as Error).message.split("\n")[0]}`);
  }
  if (typeof state?.step !== "number" || state.step !== step || !Array.isArray(state.log) || typeof state.sampler_position !== "number") {
    throw new Error(`${file}: not a trainer state of step ${step}`);
  }
  return { state, weights: await readSafetensors(path.join(dir, "model.safetensors")), moments: await readSafetensors(path.join(dir, OPTIMIZER_FILE)) };
}
