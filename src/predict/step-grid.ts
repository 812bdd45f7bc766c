/**
 * Curves over training steps live on a step grid; values at other steps are interpolated linearly in
 * u = log(1 + step) (the natural time axis of Eq. 9's ln(gamma t + t0)). Beyond the grid's last step the last value
 * is held (the curves plateau late in training), before the first the first value.
 */

/** Linear interpolation of (xs, ys) at x in u = log1p(step) space; xs ascending steps. */
export function interpolateInLogStep(steps: readonly number[], values: readonly number[], at: number): number {
  const u = Math.log1p(at);
  const n = steps.length;
  if (n === 0) throw new Error("interpolateInLogStep: empty grid");
  if (at <= steps[0]!) return values[0]!;
  if (at >= steps[n - 1]!) return values[n - 1]!;
  let hi = 1;
  while (steps[hi]! < at) hi++;
  const [u0, u1] = [Math.log1p(steps[hi - 1]!), Math.log1p(steps[hi]!)];
  const w = (u - u0) / (u1 - u0);
  return values[hi - 1]! * (1 - w) + values[hi]! * w;
}

/** A curve on `steps` resampled at `at`. */
export function resampleCurve(steps: readonly number[], values: readonly number[], at: readonly number[]): number[] {
  if (steps.length !== values.length) throw new Error(`resampleCurve: ${steps.length} steps but ${values.length} values`);
  return at.map((s) => interpolateInLogStep(steps, values, s));
}

/**
 * The common grid of several models' steps: the union of their steps up to the smallest last step (so no model is
 * extrapolated), ascending.
 */
export function commonStepGrid(stepLists: readonly (readonly number[])[]): number[] {
  if (stepLists.length === 0) throw new Error("commonStepGrid: no models");
  const end = Math.min(...stepLists.map((s) => s[s.length - 1]!));
  return [...new Set(stepLists.flat())].filter((s) => s <= end).sort((a, b) => a - b);
}
