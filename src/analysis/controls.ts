/**
 * Hyperparameter controls: how one changed setting (weight decay, learning rate, d_ff, rotary fraction, sequential
 * residual, precision) moves every layer's final ratio, t_peak and the five Eq. 9 parameters, read against the seed
 * spread of its base model. The rule (spread.ts, verdictAgainst), widened by nothing: a variant value above the
 * seeds' maximum or below their minimum has shown an effect; one inside [min, max] has not.
 *
 * The seed spread includes a different initialisation and data order, while a variant keeps the base's seed; a
 * variant inside the spread may still differ from its base run, but three seeds already differ as much.
 */
import { LAYER_QUANTITIES, runLayerValues, formatValue, type LayerQuantity, type SeedSpread } from "./seed-spread";
import { verdictAgainst, type SpreadVerdict } from "./spread";
import type { FittedRun } from "./suite-runs";

export interface ControlLayerEffect {
  /** 0-based layer. */
  layer: number;
  value: Record<LayerQuantity, number>;
  verdict: Record<LayerQuantity, SpreadVerdict>;
  /** (value - seed mean) / seed sd: how many seed standard deviations away (NaN where sd is undefined). */
  seedSds: Record<LayerQuantity, number>;
}

export interface ControlEffect {
  variant: string;
  base: string;
  /** The changed setting, from suite.json (`{lr: 0.003}`). */
  varies: Record<string, unknown> | null;
  layers: ControlLayerEffect[];
  /** Per quantity, how many layers lie above / below / inside the seed spread. */
  counts: Record<LayerQuantity, Record<SpreadVerdict, number>>;
}

/** The effect of one variant against its base's seed spread (same layer count required). */
export function controlEffect(variant: FittedRun, baseSeeds: SeedSpread): ControlEffect {
  const v = runLayerValues(variant);
  if (v.r2.length !== baseSeeds.layers.length) throw new Error(`controlEffect: ${variant.name} has ${v.r2.length} layers, its base ${baseSeeds.base} ${baseSeeds.layers.length}`);
  const layers = baseSeeds.layers.map((seedLayer, l): ControlLayerEffect => {
    const value = Object.fromEntries(LAYER_QUANTITIES.map((q) => [q, v.values[q][l]!])) as Record<LayerQuantity, number>;
    return {
      layer: l,
      value,
      verdict: Object.fromEntries(LAYER_QUANTITIES.map((q) => [q, verdictAgainst(value[q], seedLayer.spread[q])])) as Record<LayerQuantity, SpreadVerdict>,
      seedSds: Object.fromEntries(LAYER_QUANTITIES.map((q) => [q, (value[q] - seedLayer.spread[q].mean) / seedLayer.spread[q].sd])) as Record<LayerQuantity, number>,
    };
  });
  const counts = Object.fromEntries(
    LAYER_QUANTITIES.map((q) => {
      const c: Record<SpreadVerdict, number> = { above: 0, below: 0, inside: 0, undetermined: 0 };
      for (const l of layers) c[l.verdict[q]]++;
      return [q, c];
    }),
  ) as Record<LayerQuantity, Record<SpreadVerdict, number>>;
  return { variant: variant.name, base: variant.base, varies: variant.varies, layers, counts };
}

/** The variants' effects, each against the seed spread of its base; a variant whose base has no seed runs is an error. */
export function controlEffects(variants: readonly FittedRun[], seedSpreads: readonly SeedSpread[]): ControlEffect[] {
  return variants.map((run) => {
    const spread = seedSpreads.find((s) => s.base === run.base);
    if (!spread) throw new Error(`controlEffects: ${run.name} varies ${run.base}, which has no seed runs to compare with`);
    return controlEffect(run, spread);
  });
}

const ARROW: Record<SpreadVerdict, string> = { above: "↑", below: "↓", inside: "·", undetermined: "?" };

/** One-line description of a verdict pattern over layers (1-based): e.g. `↑↑↑↑↑↑ (6 above)`. */
export function verdictPattern(e: ControlEffect, q: LayerQuantity): string {
  const c = e.counts[q];
  const parts = (["above", "below", "inside"] as const).filter((k) => c[k] > 0).map((k) => `${c[k]} ${k}`);
  return `${e.layers.map((l) => ARROW[l.verdict[q]]).join("")} (${parts.join(", ")})`;
}

/** Rows for a table: one per variant and layer (1-based), each quantity's value with ↑ / ↓ / · against the seed spread. */
export function controlRows(effects: readonly ControlEffect[], quantities: readonly LayerQuantity[] = LAYER_QUANTITIES): Record<string, string | number>[] {
  return effects.flatMap((e) =>
    e.layers.map((l) => ({
      variant: e.variant,
      varies: JSON.stringify(e.varies),
      "layer (1-based)": l.layer + 1,
      ...Object.fromEntries(quantities.map((q) => [q, `${formatValue(l.value[q])} ${ARROW[l.verdict[q]]}`])),
    })),
  );
}

/** Text summary: per variant, the final ratio and t_peak patterns over layers and the last layer's final ratio. */
export function formatControlEffects(effects: readonly ControlEffect[], seedSpreads: readonly SeedSpread[]): string {
  const w = Math.max(8, ...effects.map((e) => e.variant.length));
  const lines = effects.map((e) => {
    const seeds = seedSpreads.find((s) => s.base === e.base)!;
    const last = e.layers[e.layers.length - 1]!;
    const band = seeds.layers[seeds.layers.length - 1]!.spread.finalRatio;
    return `${e.variant.padEnd(w)}  last-layer final ratio ${formatValue(last.value.finalRatio)} (seeds ${formatValue(band.min)}..${formatValue(band.max)})  final ratio ${verdictPattern(e, "finalRatio")}  t_peak ${verdictPattern(e, "tPeak")}  K ${verdictPattern(e, "K")}`;
  });
  return ["variant effects against the base's seed range per layer (↑ above max, ↓ below min, · inside: no effect shown)", ...lines].join("\n");
}
