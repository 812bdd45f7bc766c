/**
 * Peak of Eq. 9 (REFERENCE.md, "The model of the dynamics"): f'(t) = A gamma e^{-lambda x} (1/x - lambda ln x)
 * vanishes where x ln x = 1/lambda, i.e. x* = exp(W(1/lambda)) = 1 / (lambda W(1/lambda)) (W: principal Lambert W),
 * so t_peak = (x* - t0) / gamma. It is observable when x* > t0 (after step 0 when the series starts at 0).
 */
import { eq9, type Eq9Params } from "./eq9";
import { lambertW0 } from "./lambert-w";

export interface PeakAnalysis {
  /** x* = 1 / (lambda W(1/lambda)); Infinity when lambda = 0 (no peak). */
  xStar: number;
  /** (x* - t0) / gamma in steps; Infinity when lambda = 0. */
  tPeak: number;
  /** Whether tPeak lies inside the observed window [first step, last step]. */
  inWindow: boolean;
  /**
   * "early peak": A > 0, lambda > 0 and the peak comes no later than the window's end (rise, peak, decay to K);
   * otherwise "log increase" (lambda = 0, a peak after the window, or A < 0 where the stationary point is a trough
   * followed by a rise towards K).
   */
  kind: "early peak" | "log increase";
  /** Whether the stationary point is a maximum (A > 0), a minimum (A < 0) or absent (lambda = 0 or A = 0). */
  extremum: "maximum" | "minimum" | "none";
  /** x* > t0: the stationary point lies after t = 0. */
  observable: boolean;
  /** f(tPeak) when finite, else K (the limit). */
  valueAtPeak: number;
}

/**
 * Peak time and classification of one Eq. 9 fit.
 * @param window [first step, last step] of the observed series.
 * @example peakAnalysis(released410mLayer0Median, [0, 143000]).tPeak // => about 38,900
 */
export function peakAnalysis(p: Eq9Params, window: [number, number]): PeakAnalysis {
  if (!(p.lambda >= 0) || !(p.gamma > 0)) throw new Error(`peakAnalysis: need lambda >= 0 and gamma > 0, got lambda=${p.lambda}, gamma=${p.gamma}`);
  if (p.lambda === 0 || p.A === 0) {
    return { xStar: Infinity, tPeak: Infinity, inWindow: false, kind: "log increase", extremum: "none", observable: false, valueAtPeak: p.lambda === 0 ? Infinity : p.K };
  }
  const w = lambertW0(1 / p.lambda);
  // for tiny lambda, 1/lambda overflows to Infinity and W too: x* -> Infinity
  const xStar = Number.isFinite(w) ? 1 / (p.lambda * w) : Infinity;
  const tPeak = (xStar - p.t0) / p.gamma;
  const inWindow = tPeak >= window[0] && tPeak <= window[1];
  const extremum = p.A > 0 ? "maximum" : "minimum";
  const kind = p.A > 0 && tPeak <= window[1] ? "early peak" : "log increase";
  const v = Number.isFinite(tPeak) ? eq9(p, tPeak) : p.K;
  return { xStar, tPeak, inWindow, kind, extremum, observable: xStar > p.t0, valueAtPeak: Number.isFinite(v) ? v : p.K };
}
