/**
 * Checkpoint schedules for a sweep: Pythia's 154 hub branches and the `--steps` grammar of `massive sweep plan`.
 */
import { UsageError } from "../util/usage-error";
import { parseStepList } from "../util/step-list";
import { PYTHIA_CHECKPOINT_STEPS } from "../io/hub/suites";

/** The word `--steps` accepts for Pythia's full hub schedule. */
export const PYTHIA_SCHEDULE = "pythia-schedule";

/**
 * Pythia's 154 checkpoint steps as hub branches `step<N>`: 0, the powers of two 1 ... 512, then every 1000 steps
 * from 1000 to 143000 (TransformerLens's PYTHIA_CHECKPOINTS, src/io/hub/suites.ts).
 */
export function pythiaSchedule(): number[] {
  return [...PYTHIA_CHECKPOINT_STEPS];
}

/** What `--steps` asked for: an explicit sorted list, Pythia's schedule, or every step a local model has. */
export type StepRequest = { kind: "list"; steps: number[] } | { kind: "pythia-schedule"; steps: number[] } | { kind: "all" };

/** Parses `--steps`: `pythia-schedule`, `all` (every `step<N>/` folder of a local model), or a step list. */
export function parseStepRequest(text: string): StepRequest {
  const t = text.trim();
  if (t === PYTHIA_SCHEDULE) return { kind: "pythia-schedule", steps: pythiaSchedule() };
  if (t === "all") return { kind: "all" };
  if (t === "") throw new UsageError("--steps: empty");
  return { kind: "list", steps: parseStepList(t) };
}

/** Compresses sorted indices into Slurm's array syntax: [0,1,2,5,7,8] -> "0-2,5,7-8". */
export function compressIndices(indices: number[]): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}
