/**
 * The estimator contract shared by the regressors and transforms of this stage, in scikit-learn's style:
 * the constructor only stores options (including `seed`), `fit` learns and returns `this`, learned state is
 * kept in fields ending in `_`, and `predict`/`transform` before `fit` throw an error that says what to call.
 */

/** A regressor on a dense feature matrix `X` [n][p] and a target `y` [n]. */
export interface Regressor {
  fit(X: readonly (readonly number[])[], y: readonly number[]): this;
  /** Predictions [n]. */
  predict(X: readonly (readonly number[])[]): number[];
}

/** Builds a fresh, unfitted regressor (used by cross-validation, which must refit from scratch). */
export type RegressorFactory = () => Regressor;

/** A one-dimensional invertible transform of a target. */
export interface TargetTransform {
  fit(y: readonly number[]): this;
  transform(y: readonly number[]): number[];
  inverseTransform(z: readonly number[]): number[];
}

/** The error predict/transform throw before fit. */
export function notFittedError(estimator: string, method: string): Error {
  return new Error(`${estimator}.${method}: this ${estimator} is not fitted yet; call fit(X, y) first`);
}

/** Checks X [n][p] and y [n]: non-empty, rectangular, finite, same n. Returns p. */
export function checkXy(estimator: string, X: readonly (readonly number[])[], y?: readonly number[]): number {
  if (X.length === 0) throw new Error(`${estimator}: X must have at least one row`);
  const p = X[0]!.length;
  for (let i = 0; i < X.length; i++) {
    const row = X[i]!;
    if (row.length !== p) throw new Error(`${estimator}: X row ${i} has ${row.length} features, expected ${p}`);
    for (let j = 0; j < p; j++) if (!Number.isFinite(row[j]!)) throw new Error(`${estimator}: X[${i}][${j}] is ${row[j]}, expected a finite number`);
  }
  if (y !== undefined) {
    if (y.length !== X.length) throw new Error(`${estimator}: X has ${X.length} rows but y has ${y.length} values`);
    for (let i = 0; i < y.length; i++) if (!Number.isFinite(y[i]!)) throw new Error(`${estimator}: y[${i}] is ${y[i]}, expected a finite number`);
  }
  return p;
}

/** Checks that X has the number of features the estimator was fitted on. */
export function checkFeatureCount(estimator: string, X: readonly (readonly number[])[], expected: number): void {
  for (let i = 0; i < X.length; i++) {
    if (X[i]!.length !== expected) throw new Error(`${estimator}.predict: X row ${i} has ${X[i]!.length} features, the model was fitted on ${expected}`);
  }
}
