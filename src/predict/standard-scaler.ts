/**
 * Standard scaling of features (sklearn.preprocessing.StandardScaler): z = (x - mean) / std per column, std with
 * ddof 0; a constant column gets std 1 (as scikit-learn does), so it maps to 0 instead of NaN.
 */
import { checkXy, notFittedError } from "./estimator";

export class StandardScaler {
  mean_?: number[];
  scale_?: number[];

  fit(X: readonly (readonly number[])[]): this {
    const p = checkXy("StandardScaler", X);
    const n = X.length;
    const mean = new Array<number>(p).fill(0);
    for (const row of X) for (let j = 0; j < p; j++) mean[j]! += row[j]! / n;
    const v = new Array<number>(p).fill(0);
    for (const row of X) for (let j = 0; j < p; j++) v[j]! += (row[j]! - mean[j]!) ** 2 / n;
    this.mean_ = mean;
    this.scale_ = v.map((s) => (s > 0 ? Math.sqrt(s) : 1));
    return this;
  }

  transform(X: readonly (readonly number[])[]): number[][] {
    if (!this.mean_ || !this.scale_) throw notFittedError("StandardScaler", "transform");
    const [m, s] = [this.mean_, this.scale_];
    return X.map((row, i) => {
      if (row.length !== m.length) throw new Error(`StandardScaler.transform: row ${i} has ${row.length} features, fitted on ${m.length}`);
      return row.map((x, j) => (x - m[j]!) / s[j]!);
    });
  }

  fitTransform(X: readonly (readonly number[])[]): number[][] {
    return this.fit(X).transform(X);
  }

  inverseTransform(Z: readonly (readonly number[])[]): number[][] {
    if (!this.mean_ || !this.scale_) throw notFittedError("StandardScaler", "inverseTransform");
    const [m, s] = [this.mean_, this.scale_];
    return Z.map((row) => row.map((z, j) => z * s[j]! + m[j]!));
  }
}
