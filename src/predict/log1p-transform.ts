/**
 * The paper's target transform for A, lambda, gamma and t0: z = log(1 + y). Signed so that it stays defined when a
 * fitted value is negative (A and t0 can be): z = sign(y) * log(1 + |y|), inverse y = sign(z) * (exp(|z|) - 1).
 * For y >= 0 it equals numpy.log1p exactly.
 */
import type { TargetTransform } from "./estimator";

export class SignedLog1pTransform implements TargetTransform {
  /** Stateless; fit only checks the input. */
  fit(y: readonly number[]): this {
    for (let i = 0; i < y.length; i++) if (!Number.isFinite(y[i]!)) throw new Error(`SignedLog1pTransform.fit: y[${i}] is ${y[i]}`);
    return this;
  }

  transform(y: readonly number[]): number[] {
    return y.map((v) => Math.sign(v) * Math.log1p(Math.abs(v)));
  }

  inverseTransform(z: readonly number[]): number[] {
    return z.map((v) => Math.sign(v) * Math.expm1(Math.abs(v)));
  }
}

/** The identity, for targets used as they are. */
export class IdentityTransform implements TargetTransform {
  fit(_y: readonly number[]): this {
    return this;
  }
  transform(y: readonly number[]): number[] {
    return y.slice();
  }
  inverseTransform(z: readonly number[]): number[] {
    return z.slice();
  }
}
