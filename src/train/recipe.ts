/**
 * The training recipe: the mini-pythia defaults (data/mini-pythia/README.md, `<model>/recipe.json`) and the steps
 * at which checkpoints are saved by default (the suite's: 0, 1, 2, 4, ..., 512 and every 125 steps, plus the last).
 */
export interface TrainRecipe {
  /** Peak learning rate. */
  lr: number;
  /** Linear warm-up updates. */
  warmup: number;
  /** Total updates. */
  steps: number;
  /** AdamW decoupled weight decay (every parameter). */
  weight_decay: number;
  /** Global gradient-norm clip. */
  grad_clip: number;
  /** Sequences per batch. */
  batch: number;
  /** Tokens per sequence. */
  seq: number;
  /** Seeds the initial weights (MT19937 seed 2 seed) and the data order (seed 2 seed + 1). */
  seed: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/** mini-pythia's recipe (trained there with bf16 autocast; here float32 throughout). */
export const MINI_PYTHIA_RECIPE: TrainRecipe = {
  lr: 1e-3, warmup: 30, steps: 3000, weight_decay: 0.1, grad_clip: 1.0, batch: 64, seq: 256, seed: 0,
  beta1: 0.9, beta2: 0.95, eps: 1e-8,
};

/** The suite's checkpoint steps up to `steps`: 0, powers of two to 512, multiples of 125, and `steps` itself. */
export function defaultSaveSteps(steps: number): number[] {
  const out = new Set<number>([0, steps]);
  for (let s = 1; s <= Math.min(512, steps); s *= 2) out.add(s);
  for (let s = 125; s <= steps; s += 125) out.add(s);
  return [...out].sort((a, b) => a - b);
}

/** Seeds of the two random streams of a run (initial weights, data order) from the recipe's seed. */
export function streamSeeds(seed: number): { init: number; data: number } {
  return { init: (2 * seed) >>> 0, data: (2 * seed + 1) >>> 0 };
}
