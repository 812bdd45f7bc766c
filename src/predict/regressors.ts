/**
 * The paper's five regressors by name, with the hyperparameter grids searched by cross-validation.
 * Grids are kept small: the suite has about 60 samples, and the protocols refit every candidate per fold.
 */
import type { Regressor } from "./estimator";
import { GradientBoostingRegressor } from "./gradient-boosting";
import { Lasso } from "./lasso";
import { RandomForestRegressor } from "./random-forest";
import { Ridge } from "./ridge";
import { XGBoostRegressor } from "./xgboost";

export const REGRESSOR_NAMES = ["ridge", "lasso", "random_forest", "gradient_boosting", "xgboost"] as const;
export type RegressorName = (typeof REGRESSOR_NAMES)[number];

export interface RegressorSpec {
  label: string;
  /** A fresh regressor with these options and seed. */
  make(options: Record<string, unknown>, seed: number): Regressor;
  grid: Record<string, readonly unknown[]>;
}

export const REGRESSORS: Record<RegressorName, RegressorSpec> = {
  ridge: { label: "Ridge", make: (o, seed) => new Ridge({ ...o, seed }), grid: { alpha: [0.01, 0.1, 1, 10, 100] } },
  lasso: { label: "Lasso", make: (o, seed) => new Lasso({ tol: 1e-6, maxIter: 2000, ...o, seed }), grid: { alpha: [0.001, 0.01, 0.1, 0.5] } },
  random_forest: {
    label: "Random Forest",
    make: (o, seed) => new RandomForestRegressor({ nEstimators: 60, ...o, seed }),
    grid: { maxDepth: [4, Infinity], maxFeatures: [0.5, 1.0] },
  },
  gradient_boosting: {
    label: "Gradient Boosting",
    make: (o, seed) => new GradientBoostingRegressor({ maxDepth: 3, ...o, seed }),
    grid: { nEstimators: [50, 100], learningRate: [0.05, 0.1] },
  },
  xgboost: {
    label: "XGBoost-style",
    make: (o, seed) => new XGBoostRegressor({ nEstimators: 60, learningRate: 0.1, ...o, seed }),
    grid: { maxDepth: [3, 6], lambda: [1, 5] },
  },
};
