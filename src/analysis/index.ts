// Public API of the analysis stage (seed variability and hyperparameter controls of a suite); re-exported by src/index.ts.
export { spreadOf, verdictAgainst, entirelyAbove, type Spread, type SpreadVerdict } from "./spread";
export { loadRunFamilies, fitFamilies, finalRatios, type SuiteRun, type FittedRun, type RunFamily, type FitRunsOptions } from "./suite-runs";
export { seedNoiseCeiling, formatSeedCeiling, type SeedNoiseCeiling, type SeedCeilingRun } from "./seed-ceiling";
export { seedSpread, runLayerValues, seedSpreadRows, formatValue, LAYER_QUANTITIES, LAYER_QUANTITY_LABELS, type LayerQuantity, type LayerSeedSpread, type SeedSpread, type RunLayerValues, type TrajectoryKind } from "./seed-spread";
export { seedConclusions, formatConclusions, nonEmbeddingParameters, type ConclusionCheck, type ConclusionCase } from "./seed-conclusions";
export { controlEffect, controlEffects, controlRows, verdictPattern, formatControlEffects, type ControlEffect, type ControlLayerEffect } from "./controls";
export { analyseSeedsAndControls, type SeedsAndControls } from "./seeds-and-controls";
