/**
 * Interpretation of a fitted parameter model, as plain data for the plots module: SHAP values (exact TreeSHAP for
 * the tree models, exact Shapley over the features for the linear ones), permutation importance and partial
 * dependence. The model is refitted on all samples (features standard-scaled, target transformed as in the paper),
 * and everything is in the transformed target's units. `shap` has the plots module's ShapSummaryInput shape and
 * `partialDependence` its {target, panels} shape.
 */
import { exactShapley } from "./shapley";
import { kFold, gridSearchCV } from "./cross-validation";
import { partialDependence, type PartialDependence } from "./partial-dependence";
import { permutationImportance, type PermutationImportance } from "./permutation-importance";
import type { ParamDataset, ParamName } from "./param-dataset";
import { ScaledRegressor } from "./pipeline";
import { PAPER_TRANSFORMS, makeTargetTransform } from "./protocols";
import type { TreeEnsemble } from "./regression-tree";
import { REGRESSORS, type RegressorName } from "./regressors";
import { treeShap } from "./tree-shap";

export interface ParamInterpretation {
  target: ParamName;
  regressor: RegressorName;
  options: Record<string, unknown>;
  /** E[model] (transformed units). */
  expectedValue: number;
  shap: { target: string; features: string[]; shapValues: number[][]; featureValues: number[][] };
  permutation: PermutationImportance;
  partialDependence: { target: string; panels: PartialDependence[] };
}

export interface InterpretOptions {
  /** Hyperparameters; default chosen by 5-fold CV over the regressor's grid. */
  options?: Record<string, unknown>;
  seed?: number;
  /** Grid points per partial-dependence panel. Default 20. */
  resolution?: number;
  /** Permutation repeats. Default 5. */
  nRepeats?: number;
}

export function interpretParamModel(ds: ParamDataset, target: ParamName, regressor: RegressorName = "xgboost", o: InterpretOptions = {}): ParamInterpretation {
  const seed = o.seed ?? 0;
  const spec = REGRESSORS[regressor];
  const z = makeTargetTransform(PAPER_TRANSFORMS[target]).fit(ds.targets[target]).transform(ds.targets[target]);
  const options = o.options ?? gridSearchCV((opt) => new ScaledRegressor(spec.make(opt, seed)), spec.grid, ds.X, z, kFold(ds.X.length, Math.min(5, ds.X.length), seed)).bestOptions;
  const model = new ScaledRegressor(spec.make(options, seed)).fit(ds.X, z);
  const inner = model.regressor as { ensemble_?: TreeEnsemble };
  const Xs = model.scaler_!.transform(ds.X);
  const { expectedValue, shapValues } = inner.ensemble_ ? treeShap(inner.ensemble_, Xs) : exactShapley((rows) => model.regressor.predict(rows), Xs, Xs);
  return {
    target,
    regressor,
    options,
    expectedValue,
    shap: { target, features: [...ds.featureNames], shapValues, featureValues: ds.X.map((r) => r.slice()) },
    permutation: permutationImportance(model, ds.X, z, ds.featureNames, { nRepeats: o.nRepeats ?? 5, seed }),
    partialDependence: { target, panels: ds.featureNames.map((f, j) => partialDependence(model, ds.X, j, f, o.resolution ?? 20)) },
  };
}
