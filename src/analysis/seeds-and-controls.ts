/**
 * The whole seed and control analysis of a suite folder with `suite.json`, in one call: the seed-noise ceiling, the
 * per-layer seed spread, which conclusions survive it, and every hyperparameter variant against its base's seeds.
 * Each run is fitted once (robust Eq. 9 fit of the ratio series, seeded).
 */
import { controlEffects, type ControlEffect } from "./controls";
import { seedConclusions, type ConclusionCheck } from "./seed-conclusions";
import { seedNoiseCeiling, type SeedNoiseCeiling } from "./seed-ceiling";
import { seedSpread, type SeedSpread } from "./seed-spread";
import { fitFamilies, loadRunFamilies, type FitRunsOptions, type FittedRun, type RunFamily } from "./suite-runs";

export interface SeedsAndControls {
  ceiling: SeedNoiseCeiling;
  /** Base + seeds, fitted. */
  seedFamilies: RunFamily<FittedRun>[];
  spreads: SeedSpread[];
  conclusions: ConclusionCheck[];
  /** Base + hyperparameter variants, fitted (the bases are the same objects as in seedFamilies). */
  controlFamilies: RunFamily<FittedRun>[];
  controls: ControlEffect[];
}

export function analyseSeedsAndControls(suiteDir: string, options: FitRunsOptions & { onWarning?: (m: string) => void } = {}): SeedsAndControls {
  const seedRuns = loadRunFamilies(suiteDir, "seed", options);
  const controlRuns = loadRunFamilies(suiteDir, "hyperparameter", options);
  const cache = new Map<string, FittedRun>();
  // total counts distinct runs across both analyses, for progress
  const total = new Set([...seedRuns, ...controlRuns].flatMap((f) => f.runs.map((r) => r.name))).size;
  let done = 0;
  const fitOptions: FitRunsOptions = { seed: options.seed, onRun: (run) => options.onRun?.(run, ++done, total) };
  const seedFamilies = fitFamilies(seedRuns, fitOptions, cache);
  const controlFamilies = fitFamilies(controlRuns, fitOptions, cache);
  const spreads = seedFamilies.map(seedSpread);
  return {
    ceiling: seedNoiseCeiling(seedRuns),
    seedFamilies,
    spreads,
    conclusions: seedConclusions(seedFamilies, spreads),
    controlFamilies,
    controls: controlEffects(controlFamilies.flatMap((f) => f.runs.slice(1)), spreads),
  };
}
