/**
 * Seed variability per base architecture and layer: the spread over the seeds of the fitted five parameters of Eq. 9
 * (A, lambda, gamma, t0, K), the stationary-point time t_peak (Lambert W, dynamics/peak), the final ratio and the
 * fit's R^2, plus each seed's trajectory kind (early peak / log increase).
 */
import { EQ9_KEYS, type Eq9Params } from "../dynamics/eq9";
import { spreadOf, type Spread } from "./spread";
import { finalRatios, type FittedRun, type RunFamily } from "./suite-runs";

/** The quantities compared across seeds and against variants, per layer. */
export const LAYER_QUANTITIES = ["finalRatio", "tPeak", ...EQ9_KEYS] as const;
export type LayerQuantity = (typeof LAYER_QUANTITIES)[number];

/** Axis/table labels with units; t_peak is the stationary point (a trough when A < 0). */
export const LAYER_QUANTITY_LABELS: Record<LayerQuantity, string> = {
  finalRatio: "final ratio (top1/median, last step)",
  tPeak: "t_peak (steps; a trough when A < 0)",
  A: "A (amplitude, ratio units)",
  lambda: "λ (decay rate, per unit of x)",
  gamma: "γ (time scaling, per step)",
  t0: "t0 (time offset, units of x)",
  K: "K (asymptote, ratio units)",
};

export type TrajectoryKind = "early peak" | "log increase" | "fit failed";

/** One run's per-layer values of every quantity (NaN for a failed fit). */
export interface RunLayerValues {
  run: string;
  /** values[quantity][layer] */
  values: Record<LayerQuantity, number[]>;
  r2: number[];
  kinds: TrajectoryKind[];
}

/** The values of every quantity of one run, per 0-based layer. */
export function runLayerValues(run: FittedRun): RunLayerValues {
  const finals = finalRatios(run);
  const param = (key: keyof Eq9Params): number[] => run.fits.map((f) => (f.fit.status === "failed" ? NaN : (f.fit.params as Eq9Params)[key]));
  const values = {
    finalRatio: finals,
    tPeak: run.fits.map((f) => f.peak?.tPeak ?? NaN),
    ...Object.fromEntries(EQ9_KEYS.map((k) => [k, param(k)])),
  } as Record<LayerQuantity, number[]>;
  return { run: run.name, values, r2: run.fits.map((f) => f.fit.r2), kinds: run.fits.map((f) => f.peak?.kind ?? "fit failed") };
}

export interface LayerSeedSpread {
  /** 0-based layer. */
  layer: number;
  spread: Record<LayerQuantity, Spread>;
  r2: Spread;
  /** Each seed's trajectory kind, in run order. */
  kinds: TrajectoryKind[];
  /** Whether every seed has the same kind. */
  kindAgrees: boolean;
}

export interface SeedSpread {
  base: string;
  /** Run names in order (base first). */
  runs: string[];
  layers: LayerSeedSpread[];
  /** Per run, its per-layer values (the spread's inputs). */
  perRun: RunLayerValues[];
}

/** The spread over a family's seeds of every quantity, per layer. Every run must have the same number of layers. */
export function seedSpread(family: RunFamily<FittedRun>): SeedSpread {
  const perRun = family.runs.map(runLayerValues);
  const numLayers = perRun[0]!.r2.length;
  for (const r of perRun) if (r.r2.length !== numLayers) throw new Error(`seedSpread: ${r.run} has ${r.r2.length} layers, ${perRun[0]!.run} ${numLayers}`);
  const layers = Array.from({ length: numLayers }, (_, l): LayerSeedSpread => {
    const kinds = perRun.map((r) => r.kinds[l]!);
    return {
      layer: l,
      spread: Object.fromEntries(LAYER_QUANTITIES.map((q) => [q, spreadOf(perRun.map((r) => r.values[q][l]!))])) as Record<LayerQuantity, Spread>,
      r2: spreadOf(perRun.map((r) => r.r2[l]!)),
      kinds,
      kindAgrees: kinds.every((k) => k === kinds[0]),
    };
  });
  return { base: family.base, runs: family.runs.map((r) => r.name), layers, perRun };
}

/** Compact number for tables: 4 significant digits, exponent form outside [1e-3, 1e5). */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}

/** Rows for a table (notebook display / docs): one per layer, min..max (mean ± sd) of each quantity, 1-based layers. */
export function seedSpreadRows(s: SeedSpread, quantities: readonly LayerQuantity[] = LAYER_QUANTITIES): Record<string, string | number>[] {
  return s.layers.map((l) => ({
    model: s.base,
    "layer (1-based)": l.layer + 1,
    ...Object.fromEntries(quantities.map((q) => [q, `${formatValue(l.spread[q].min)} .. ${formatValue(l.spread[q].max)} (${formatValue(l.spread[q].mean)} ± ${formatValue(l.spread[q].sd)})`])),
    "R² range": `${l.r2.min.toFixed(3)} .. ${l.r2.max.toFixed(3)}`,
    kinds: l.kindAgrees ? `${l.kinds[0]} (all)` : l.kinds.join(" / "),
  }));
}
