/**
 * Uncertainty beyond the paper: a bootstrap over the evaluation sequences. Each replicate draws the S sequences
 * with replacement (seeded), recomputes the layer's series from the drawn sequences (Eq. 8: mean top1 / mean
 * median over the drawn sequences, or the mean top1 / median alone), refits Eq. 9 with the same estimator as
 * the point fit ({@link robustFit}, seeded per replicate) and records every parameter and the peak time of the
 * converged refits. Cost: one robust fit per replicate (about 50 ms of CPU for 35 points).
 */
import type { Exp2Series } from "../io/exp2-stats";
import { eq9FromArray, EQ9_KEYS } from "./eq9";
import type { FitResult } from "./fit-curve";
import { peakAnalysis } from "./peak";
import { robustFit } from "./robust-fit";
import { Rng } from "../util/rng";

export type SeriesName = "ratio" | "top1" | "median";

export interface BootstrapStat {
  mean: number;
  std: number;
  /** 2.5% and 97.5% percentiles (linear interpolation). */
  ci95: [number, number];
  /** Replicates that contributed (finite values). */
  n: number;
}

export interface BootstrapSummary {
  replicates: number;
  /** Replicates whose refit converged. */
  converged: number;
  seed: number;
  params: Record<(typeof EQ9_KEYS)[number], BootstrapStat>;
  /** Over replicates with a finite peak time. */
  tPeak: BootstrapStat;
  /** Fraction of converged replicates classified "early peak". */
  earlyPeakFraction: number;
  /** Every replicate's parameters [A, lambda, gamma, t0, K] (converged ones). */
  samples: number[][];
}

/** Percentile by linear interpolation between order statistics (numpy's default). */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function summarise(values: number[]): BootstrapStat {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  const n = v.length;
  // scaled by the largest magnitude so that parameters far out in Eq. 9's valleys (A ~ 1e200) do not overflow
  const scale = n ? Math.max(Math.abs(v[0]!), Math.abs(v[n - 1]!)) || 1 : 1;
  const meanScaled = n ? v.reduce((a, b) => a + b / scale, 0) / n : NaN;
  const mean = meanScaled * scale;
  const std = n > 1 ? scale * Math.sqrt(v.reduce((a, b) => a + (b / scale - meanScaled) ** 2, 0) / (n - 1)) : NaN;
  return { mean, std, ci95: [percentile(v, 0.025), percentile(v, 0.975)], n };
}

/** One layer's series from a subset of sequences (indices may repeat). */
export function resampledLayerSeries(series: Exp2Series, layer: number, which: SeriesName, sequences: number[]): number[] {
  return series.checkpoints.map((c) => {
    let top1 = 0;
    let med = 0;
    for (const s of sequences) {
      top1 += c.values[s]![0]![layer]!;
      med += c.values[s]![3]![layer]!;
    }
    return which === "ratio" ? top1 / med : which === "top1" ? top1 / sequences.length : med / sequences.length;
  });
}

/**
 * Bootstrap of one layer's Eq. 9 fit over the evaluation sequences.
 * @param fit the full-data fit; nothing is resampled when it failed.
 */
export function bootstrapLayer(series: Exp2Series, layer: number, which: SeriesName, fit: FitResult, options: { replicates?: number; seed?: number } = {}): BootstrapSummary {
  const B = options.replicates ?? 200;
  const seed = options.seed ?? 0;
  const rng = new Rng((seed ^ Math.imul(layer, 0x9e3779b1)) >>> 0);
  const S = series.numSequences;
  const window: [number, number] = [series.steps[0]!, series.steps[series.steps.length - 1]!];
  const samples: number[][] = [];
  const tPeaks: number[] = [];
  let early = 0;
  for (let b = 0; b < (fit.status === "failed" ? 0 : B); b++) {
    const draw = Array.from({ length: S }, () => rng.int(S));
    const y = resampledLayerSeries(series, layer, which, draw);
    // the same estimator as the point fit (a bootstrap must repeat the whole procedure), seeded per replicate
    const refit = robustFit(series.steps, y, { seed: seed + b });
    if (refit.status !== "converged") continue;
    const p = eq9FromArray(refit.popt);
    samples.push(refit.popt);
    const peak = peakAnalysis(p, window);
    if (Number.isFinite(peak.tPeak)) tPeaks.push(peak.tPeak);
    if (peak.kind === "early peak") early++;
  }
  const params = {} as BootstrapSummary["params"];
  EQ9_KEYS.forEach((k, j) => (params[k] = summarise(samples.map((s) => s[j]!))));
  return { replicates: B, converged: samples.length, seed, params, tPeak: summarise(tPeaks), earlyPeakFraction: samples.length ? early / samples.length : NaN, samples };
}
