// Public API of the predict stage; re-exported by src/index.ts.
export * from "./estimator";
export * from "./rng";
export * from "./metrics";
export * from "./architecture";
export * from "./features";
export * from "./standard-scaler";
export * from "./log1p-transform";
export * from "./yeo-johnson";
export * from "./ridge";
export * from "./lasso";
export * from "./regression-tree";
export * from "./random-forest";
export * from "./gradient-boosting";
export * from "./xgboost";
export * from "./pipeline";
export * from "./regressors";
export * from "./cross-validation";
