/**
 * Composition of the paper's preprocessing with a regressor: features standard-scaled (fitted on the training
 * rows only), the target transformed (log1p, Yeo-Johnson or none) before fitting and transformed back after
 * predicting, like scikit-learn's Pipeline(StandardScaler(), model) inside TransformedTargetRegressor.
 */
import { notFittedError, type Regressor, type TargetTransform } from "./estimator";
import { StandardScaler } from "./standard-scaler";

/** Standard-scales X, then fits/predicts with the inner regressor. */
export class ScaledRegressor implements Regressor {
  readonly regressor: Regressor;
  scaler_?: StandardScaler;

  constructor(regressor: Regressor) {
    this.regressor = regressor;
  }

  fit(X: readonly (readonly number[])[], y: readonly number[]): this {
    this.scaler_ = new StandardScaler().fit(X);
    this.regressor.fit(this.scaler_.transform(X), y);
    return this;
  }

  predict(X: readonly (readonly number[])[]): number[] {
    if (!this.scaler_) throw notFittedError("ScaledRegressor", "predict");
    return this.regressor.predict(this.scaler_.transform(X));
  }
}

/** Fits the inner regressor on transform(y); predict returns inverseTransform(inner prediction). */
export class TransformedTargetRegressor implements Regressor {
  readonly regressor: Regressor;
  readonly transform: TargetTransform;
  private fitted = false;

  constructor(regressor: Regressor, transform: TargetTransform) {
    this.regressor = regressor;
    this.transform = transform;
  }

  fit(X: readonly (readonly number[])[], y: readonly number[]): this {
    const z = this.transform.fit(y).transform(y);
    this.regressor.fit(X, z);
    this.fitted = true;
    return this;
  }

  /** Predictions in the transformed space. */
  predictTransformed(X: readonly (readonly number[])[]): number[] {
    if (!this.fitted) throw notFittedError("TransformedTargetRegressor", "predictTransformed");
    return this.regressor.predict(X);
  }

  predict(X: readonly (readonly number[])[]): number[] {
    if (!this.fitted) throw notFittedError("TransformedTargetRegressor", "predict");
    return this.transform.inverseTransform(this.regressor.predict(X));
  }
}
