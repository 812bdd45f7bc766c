/**
 * The seed-noise ceiling of curve R^2: how well one seed's per-layer ratio curves are predicted by the mean of the
 * other seeds' curves of the same architecture and recipe. No predictor from architecture can be expected to beat
 * it, since the held-out run's own architecture and recipe, trained again, do no better.
 *
 * Definition (the same score as the trajectory predictors get, predict/curve-score): for run r of a family of n seeds
 * and layer l, the prediction is p_l(t) = mean over the other n - 1 seeds s of ratio_s,l(t), at the recorded steps t
 * (the seeds share their steps); R^2_r,l = 1 - SS_res / SS_tot with SS_res = sum_t (ratio_r,l(t) - p_l(t))^2 and
 * SS_tot = sum_t (ratio_r,l(t) - mean_t ratio_r,l)^2 over the layer's steps (sklearn's r2_score). A run's score is
 * the mean of its layers' R^2; the ceiling is the mean over runs of those (as the leave-one-model-out headline
 * averages per held-out model).
 */
import { curveScore } from "../predict/curve-score";
import { loadRunFamilies, type RunFamily } from "./suite-runs";

export interface SeedCeilingRun {
  run: string;
  base: string;
  /** R^2 per 0-based layer. */
  layerR2: number[];
  /** Mean of layerR2. */
  meanCurveR2: number;
  /** One R^2 over all (layer, step) points of the run, around its grand mean. */
  pooledR2: number;
}

export interface SeedNoiseCeiling {
  /** Mean over runs of each run's mean per-layer curve R^2: the ceiling printed beside trajectory scores. */
  meanCurveR2: number;
  /** Mean over every layer of every run (runs with more layers weigh more). */
  meanLayerR2: number;
  /** Mean over runs of the pooled R^2. */
  meanPooledR2: number;
  perRun: SeedCeilingRun[];
}

/**
 * The seed-noise ceiling of a suite folder with `suite.json` (its seed families) or of families already loaded
 * (`loadRunFamilies(dir, "seed")`). Needs at least two runs per family with identical recorded steps.
 * @example seedNoiseCeiling("data/mini-pythia").meanCurveR2 // => 0.386 on mini-pythia v2
 */
export function seedNoiseCeiling(suite: string | readonly RunFamily[]): SeedNoiseCeiling {
  const families = typeof suite === "string" ? loadRunFamilies(suite, "seed") : suite;
  const perRun: SeedCeilingRun[] = [];
  for (const family of families) {
    if (family.runs.length < 2) throw new Error(`seedNoiseCeiling: family ${family.base} has ${family.runs.length} run; need at least 2`);
    const first = family.runs[0]!.model;
    for (const r of family.runs) {
      if (r.model.steps.join(",") !== first.steps.join(",")) throw new Error(`seedNoiseCeiling: ${r.name} was recorded at other steps than ${family.runs[0]!.name}`);
      if (r.model.ratio.length !== first.ratio.length) throw new Error(`seedNoiseCeiling: ${r.name} has ${r.model.ratio.length} layers, ${family.runs[0]!.name} ${first.ratio.length}`);
    }
    for (const held of family.runs) {
      const others = family.runs.filter((r) => r !== held).map((r) => r.model.ratio);
      const predicted = held.model.ratio.map((curve, l) => curve.map((_, t) => others.reduce((a, o) => a + o[l]![t]!, 0) / others.length));
      const score = curveScore(held.model.ratio, predicted);
      perRun.push({ run: held.name, base: family.base, layerR2: score.perLayer, meanCurveR2: score.layerMean, pooledR2: score.pooled });
    }
  }
  const mean = (v: number[]): number => v.reduce((a, x) => a + x, 0) / v.length;
  return {
    meanCurveR2: mean(perRun.map((r) => r.meanCurveR2)),
    meanLayerR2: mean(perRun.flatMap((r) => r.layerR2)),
    meanPooledR2: mean(perRun.map((r) => r.pooledR2)),
    perRun,
  };
}

/** A text table: one row per run (per-layer R^2, 1-based layers, its mean and pooled R^2), then the means. */
export function formatSeedCeiling(c: SeedNoiseCeiling): string {
  const w = Math.max(14, ...c.perRun.map((r) => r.run.length));
  const rows = c.perRun.map((r) => `${r.run.padEnd(w)}  ${r.meanCurveR2.toFixed(3).padStart(7)}  ${r.pooledR2.toFixed(3).padStart(7)}  ${r.layerR2.map((v) => v.toFixed(2)).join(" ")}`);
  return [
    "seed-noise ceiling: each seed's ratio curves predicted by the mean of its other seeds (R^2 = 1 - SS_res/SS_tot per layer over the recorded steps)",
    `${"run".padEnd(w)}  ${"mean".padStart(7)}  ${"pooled".padStart(7)}  R^2 per layer (1-based order)`,
    ...rows,
    `${"mean over runs".padEnd(w)}  ${c.meanCurveR2.toFixed(3).padStart(7)}  ${c.meanPooledR2.toFixed(3).padStart(7)}  (mean over all layers ${c.meanLayerR2.toFixed(3)})`,
  ].join("\n");
}
