/**
 * The Yeo-Johnson power transform with its lambda found by maximum likelihood, exactly as scikit-learn's
 * `PowerTransformer(method="yeo-johnson", standardize=True)` does (the paper's transform for K).
 *
 * psi(y; lambda) = ((y + 1)^lambda - 1) / lambda            y >= 0, lambda != 0
 *                = log(1 + y)                              y >= 0, lambda == 0
 *                = -((1 - y)^(2 - lambda) - 1) / (2 - lambda)  y < 0, lambda != 2
 *                = -log(1 - y)                             y < 0, lambda == 2
 * lambda maximises the log-likelihood  -n/2 * log(var(psi(y))) + (lambda - 1) * sum sign(y) log(1 + |y|)
 * (variance with ddof 0), found by Brent's method from the bracket (-2, 2) as scipy.optimize.brent does.
 * Then the transformed values are standardised (mean 0, std 1, ddof 0).
 */
import type { TargetTransform } from "./estimator";
import { notFittedError } from "./estimator";
import { brentMinimize } from "./brent";

const EPS = 2.220446049250313e-16; // np.spacing(1.0), the threshold scikit-learn uses for lambda == 0 or 2

/** psi(y; lambda) for one value. */
export function yeoJohnson(y: number, lambda: number): number {
  if (y >= 0) return Math.abs(lambda) < EPS ? Math.log1p(y) : (Math.pow(y + 1, lambda) - 1) / lambda;
  return Math.abs(lambda - 2) > EPS ? -(Math.pow(-y + 1, 2 - lambda) - 1) / (2 - lambda) : -Math.log1p(-y);
}

/** The inverse of psi for one value. */
export function yeoJohnsonInverse(z: number, lambda: number): number {
  // Outside psi's range (possible for a regressor's prediction) the base of the power would be <= 0; it is clamped
  // to a tiny positive number so the result stays a (large) finite value instead of NaN.
  const TINY = 1e-12;
  if (z >= 0) return Math.abs(lambda) < EPS ? Math.expm1(z) : Math.pow(Math.max(z * lambda + 1, TINY), 1 / lambda) - 1;
  return Math.abs(lambda - 2) > EPS ? 1 - Math.pow(Math.max(-(2 - lambda) * z + 1, TINY), 1 / (2 - lambda)) : -Math.expm1(-z);
}

/** Negative log-likelihood of lambda (scikit-learn's `_yeo_johnson_optimize` objective). */
export function yeoJohnsonNegLogLikelihood(y: readonly number[], lambda: number): number {
  const n = y.length;
  const t = y.map((v) => yeoJohnson(v, lambda));
  const m = t.reduce((a, v) => a + v, 0) / n;
  const variance = t.reduce((a, v) => a + (v - m) ** 2, 0) / n;
  if (variance < 2.2250738585072014e-308) return Infinity;
  let s = 0;
  for (const v of y) s += Math.sign(v) * Math.log1p(Math.abs(v));
  return -(-(n / 2) * Math.log(variance) + (lambda - 1) * s);
}

export interface YeoJohnsonOptions {
  /** Standardise after the power transform (scikit-learn's default). Default true. */
  standardize?: boolean;
}

export class YeoJohnsonTransform implements TargetTransform {
  readonly standardize: boolean;
  lambda_?: number;
  mean_?: number;
  scale_?: number;

  constructor(options: YeoJohnsonOptions = {}) {
    this.standardize = options.standardize ?? true;
  }

  fit(y: readonly number[]): this {
    if (y.length < 2) throw new Error(`YeoJohnsonTransform.fit: need at least 2 values, got ${y.length}`);
    for (let i = 0; i < y.length; i++) if (!Number.isFinite(y[i]!)) throw new Error(`YeoJohnsonTransform.fit: y[${i}] is ${y[i]}`);
    const lambda = brentMinimize((l) => yeoJohnsonNegLogLikelihood(y, l), -2, 2);
    this.lambda_ = lambda;
    const t = y.map((v) => yeoJohnson(v, lambda));
    const m = t.reduce((a, v) => a + v, 0) / t.length;
    const sd = Math.sqrt(t.reduce((a, v) => a + (v - m) ** 2, 0) / t.length);
    this.mean_ = this.standardize ? m : 0;
    this.scale_ = this.standardize && sd > 0 ? sd : 1;
    return this;
  }

  transform(y: readonly number[]): number[] {
    if (this.lambda_ === undefined) throw notFittedError("YeoJohnsonTransform", "transform");
    const [l, m, s] = [this.lambda_, this.mean_!, this.scale_!];
    return y.map((v) => (yeoJohnson(v, l) - m) / s);
  }

  inverseTransform(z: readonly number[]): number[] {
    if (this.lambda_ === undefined) throw notFittedError("YeoJohnsonTransform", "inverseTransform");
    const [l, m, s] = [this.lambda_, this.mean_!, this.scale_!];
    return z.map((v) => yeoJohnsonInverse(v * s + m, l));
  }
}
