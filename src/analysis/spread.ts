/**
 * The spread of one quantity over a few runs (three seeds of one architecture), and the rule that decides whether
 * another run's value lies outside it.
 */

/** min, max, mean and sample standard deviation (n - 1 in the denominator) of a few values, with the values kept. */
export interface Spread {
  values: number[];
  min: number;
  max: number;
  mean: number;
  /** Sample standard deviation (n - 1); NaN for fewer than two values or any non-finite value. */
  sd: number;
}

/**
 * The spread of `values` (order kept). Non-finite values count: a t_peak of Infinity (lambda = 0, no stationary point)
 * makes max and mean Infinity and sd NaN, which is what it means.
 * @example spreadOf([14.3, 18.9, 23.1]) // => { min: 14.3, max: 23.1, mean: 18.77, sd: 4.40, ... }
 */
export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error("spreadOf: no values");
  const n = values.length;
  const mean = values.reduce((a, v) => a + v, 0) / n;
  const sd = n < 2 || !values.every(Number.isFinite) ? NaN : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  return { values: [...values], min: Math.min(...values), max: Math.max(...values), mean, sd };
}

/**
 * Where a value lies against a seed spread. The rule, widened by nothing: `above` when value > max, `below` when
 * value < min, otherwise `inside` (no effect shown: three seeds already cover it); `undetermined` for NaN.
 */
export type SpreadVerdict = "above" | "below" | "inside" | "undetermined";

export function verdictAgainst(value: number, spread: Spread): SpreadVerdict {
  if (Number.isNaN(value) || Number.isNaN(spread.min) || Number.isNaN(spread.max)) return "undetermined";
  if (value > spread.max) return "above";
  if (value < spread.min) return "below";
  return "inside";
}

/** Whether two spreads do not overlap and `upper` lies above `lower` (every value of one above every value of the other). */
export function entirelyAbove(upper: Spread, lower: Spread): boolean {
  return upper.min > lower.max;
}
