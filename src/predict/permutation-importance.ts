/**
 * Permutation importance (sklearn.inspection.permutation_importance with R^2 scoring): the drop of R^2 when one
 * feature's column is shuffled, nRepeats seeded shuffles per feature.
 */
import type { Regressor } from "./estimator";
import { r2Score } from "./metrics";
import { Rng } from "../util/rng";

export interface PermutationImportance {
  features: string[];
  /** Mean R^2 drop per feature. */
  importancesMean: number[];
  importancesStd: number[];
  /** importances[feature][repeat]. */
  importances: number[][];
  baselineScore: number;
}

export function permutationImportance(model: Regressor, X: readonly (readonly number[])[], y: readonly number[], features: readonly string[], options: { nRepeats?: number; seed?: number } = {}): PermutationImportance {
  const nRepeats = options.nRepeats ?? 5;
  const rng = new Rng(options.seed ?? 0);
  const p = X[0]?.length ?? 0;
  if (features.length !== p) throw new Error(`permutationImportance: ${features.length} feature names for ${p} columns`);
  const baselineScore = r2Score(y, model.predict(X));
  const importances = Array.from({ length: p }, (_, j) =>
    Array.from({ length: nRepeats }, () => {
      const perm = rng.shuffle(X.map((r) => r[j]!));
      const Xp = X.map((r, i) => r.map((v, k) => (k === j ? perm[i]! : v)));
      return baselineScore - r2Score(y, model.predict(Xp));
    }),
  );
  const meanOf = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
  return {
    features: [...features],
    importances,
    importancesMean: importances.map(meanOf),
    importancesStd: importances.map((a) => Math.sqrt(meanOf(a.map((v) => (v - meanOf(a)) ** 2)))),
    baselineScore,
  };
}
