/**
 * Checkpoint suites on the hub, recognised by id: their sizes, seeds and step schedules, and TransformerLens's
 * checkpoint-index addressing.
 *
 * - Pythia: `EleutherAI/pythia-<size>` (14m ... 12b) and `EleutherAI/pythia-<size>-deduped` (70m ... 12b), 154
 *   branches `step<N>`.
 * - PolyPythias: `EleutherAI/pythia-<size>-seed<1..9>` (14m, 31m, 70m, 160m, 410m), the same 154 branches; nine
 *   more training seeds of the same recipe (van der Wal et al., 2025, "PolyPythias").
 * - Pythia v0 (`...-v0`, the models before the April 2023 re-release): 143 branches, no early log-spaced steps.
 *
 * The schedules are TransformerLens's `PYTHIA_CHECKPOINTS` and `PYTHIA_V0_CHECKPOINTS`
 * (github.com/TransformerLensOrg/TransformerLens, transformer_lens/loading_from_pretrained.py, commit 4cd36aae,
 * lines 1767-1773): `[0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512] + list(range(1000, 143000 + 1, 1000))` and
 * `list(range(1000, 143000 + 1, 1000))`. Its `checkpoint_index` picks `labels[checkpoint_index]` (a Python index:
 * negative counts from the end), `checkpoint_value` a step that must be in the list.
 */

/** Sizes of the Pythia suite (the paper's eight plus 14m and 31m). */
export const PYTHIA_SUITE_SIZES = ["14m", "31m", "70m", "160m", "410m", "1b", "1.4b", "2.8b", "6.9b", "12b"] as const;
/** Sizes with a deduplicated-Pile twin (`-deduped`). */
export const PYTHIA_DEDUPED_SIZES = ["70m", "160m", "410m", "1b", "1.4b", "2.8b", "6.9b", "12b"] as const;
/** PolyPythias: sizes and seeds (`-seed1` ... `-seed9`; seed 0 is the original `EleutherAI/pythia-<size>`). */
export const POLYPYTHIAS_SIZES = ["14m", "31m", "70m", "160m", "410m"] as const;
export const POLYPYTHIAS_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

/** TransformerLens's PYTHIA_CHECKPOINTS: 0, 1, 2, 4, ..., 512, then 1000 ... 143000 every 1000 (154 steps). */
export const PYTHIA_CHECKPOINT_STEPS: readonly number[] = Object.freeze([
  0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512,
  ...Array.from({ length: 143 }, (_, i) => 1000 * (i + 1)),
]);
/** TransformerLens's PYTHIA_V0_CHECKPOINTS: 1000 ... 143000 every 1000 (143 steps). */
export const PYTHIA_V0_CHECKPOINT_STEPS: readonly number[] = Object.freeze(Array.from({ length: 143 }, (_, i) => 1000 * (i + 1)));

export type SuiteFamily = "pythia" | "pythia-deduped" | "polypythias" | "pythia-v0";

/** A recognised model of a checkpoint suite. */
export interface SuiteModel {
  /** The hub id as the hub spells it (`EleutherAI/pythia-70m-seed3`). */
  id: string;
  family: SuiteFamily;
  /** `70m`, `1.4b`. */
  size: string;
  deduped: boolean;
  /** PolyPythias seed 1..9; 0 for the original Pythia models (the suite's seed 0). */
  seed: number;
  /** Training steps with a hub branch, ascending. */
  steps: readonly number[];
  /** The bundled training recipe of the same architecture (data/pythia/training-configs/<recipe>.yml). */
  recipe: string;
}

/** The hub branch of a step: `step<N>`. */
export function revisionOfStep(step: number): string {
  return `step${step}`;
}

/** The suite model a hub id names, or undefined for any other repository. Case-insensitive, as the hub is. */
export function recognizeSuiteModel(hubId: string): SuiteModel | undefined {
  const m = /^EleutherAI\/pythia-([0-9.]+[mb])(-deduped)?(?:-seed([0-9]+))?(-v0)?$/i.exec(hubId.trim());
  if (!m) return undefined;
  const size = m[1]!.toLowerCase();
  const deduped = Boolean(m[2]);
  const seed = m[3] === undefined ? 0 : Number(m[3]);
  const v0 = Boolean(m[4]);
  const canonical = `EleutherAI/pythia-${size}${deduped ? "-deduped" : ""}${m[3] !== undefined ? `-seed${seed}` : ""}${v0 ? "-v0" : ""}`;
  const recipe = `pythia-${size}${deduped ? "-deduped" : ""}`;
  if (!(PYTHIA_SUITE_SIZES as readonly string[]).includes(size)) return undefined;
  if (deduped && !(PYTHIA_DEDUPED_SIZES as readonly string[]).includes(size)) return undefined;
  if (m[3] !== undefined) {
    if (deduped || v0 || !(POLYPYTHIAS_SIZES as readonly string[]).includes(size) || !(POLYPYTHIAS_SEEDS as readonly number[]).includes(seed)) return undefined;
    return { id: canonical, family: "polypythias", size, deduped, seed, steps: PYTHIA_CHECKPOINT_STEPS, recipe };
  }
  if (v0) return { id: canonical, family: "pythia-v0", size, deduped, seed, steps: PYTHIA_V0_CHECKPOINT_STEPS, recipe };
  return { id: canonical, family: deduped ? "pythia-deduped" : "pythia", size, deduped, seed, steps: PYTHIA_CHECKPOINT_STEPS, recipe };
}

/**
 * Steps of TransformerLens checkpoint indices into a schedule (`labels[i]`, Python indexing: -1 is the last).
 * Throws a one-line error for an index out of range.
 */
export function stepsAtCheckpointIndices(steps: readonly number[], indices: number[], where: string): number[] {
  return indices.map((i) => {
    const j = i < 0 ? steps.length + i : i;
    if (!Number.isInteger(i) || j < 0 || j >= steps.length) {
      throw new Error(`${where}: checkpoint index ${i} is out of range (the schedule has ${steps.length} checkpoints: 0 ... ${steps.length - 1}, or -1 ... -${steps.length})`);
    }
    return steps[j]!;
  });
}

/** Parses `--checkpoint-index`: comma-separated integers, negatives allowed, and `a:b` inclusive ranges. */
export function parseCheckpointIndexList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(",").map((s) => s.trim())) {
    const range = /^(-?\d+):(-?\d+)$/.exec(part);
    if (range) {
      const [a, b] = [Number(range[1]), Number(range[2])];
      if (b < a) throw new Error(`--checkpoint-index: range ${part} runs backwards`);
      for (let i = a; i <= b; i++) out.push(i);
    } else if (/^-?\d+$/.test(part)) out.push(Number(part));
    else throw new Error(`--checkpoint-index: '${part}' is not an integer or a range a:b`);
  }
  return out;
}
