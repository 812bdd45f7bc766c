/**
 * Which of the paper's conclusions survive the seed spread, each decided by a stated rule in code. A conclusion about
 * one run ("the last layer has the largest final ratio") survives when it holds in every seed of every family; a
 * comparison between architectures ("wider models reach larger final ratios") survives when the seed ranges of the
 * two architectures do not overlap, the right one above (spread.ts, entirelyAbove). Nothing is widened.
 */
import type { Architecture } from "../predict/architecture";
import { entirelyAbove, spreadOf, type Spread } from "./spread";
import { formatValue, seedSpread, type SeedSpread } from "./seed-spread";
import { finalRatios, type FittedRun, type RunFamily } from "./suite-runs";

export interface ConclusionCase {
  /** A family, a pair of families, or a layer of them (layers 1-based in the text). */
  subject: string;
  holds: boolean;
  detail: string;
}

export interface ConclusionCheck {
  id: string;
  /** The paper's conclusion, as tested here. */
  claim: string;
  /** How `survives` is decided. */
  rule: string;
  cases: ConclusionCase[];
  /** Every case holds (and there is at least one). */
  survives: boolean;
}

/** Non-embedding parameter count L (4 d^2 + 2 d d_ff) (attention and MLP weights, biases and norms left out): orders the families by size. */
export function nonEmbeddingParameters(a: Architecture): number {
  return a.numLayers * (4 * a.hiddenSize ** 2 + 2 * a.hiddenSize * a.intermediateSize);
}

const check = (id: string, claim: string, rule: string, cases: ConclusionCase[]): ConclusionCheck => ({
  id,
  claim,
  rule,
  cases,
  survives: cases.length > 0 && cases.every((c) => c.holds),
});

const range = (s: Spread): string => `${formatValue(s.min)}..${formatValue(s.max)}`;
const archOf = (f: RunFamily<FittedRun>): Architecture => f.runs[0]!.model.arch;

/** Pairs (smaller, larger) of families with the same layer and head counts and different widths. */
function widthPairs(families: readonly RunFamily<FittedRun>[]): [RunFamily<FittedRun>, RunFamily<FittedRun>][] {
  const pairs: [RunFamily<FittedRun>, RunFamily<FittedRun>][] = [];
  for (const a of families) {
    for (const b of families) {
      const x = archOf(a);
      const y = archOf(b);
      if (x.numLayers === y.numLayers && x.numHeads === y.numHeads && x.hiddenSize < y.hiddenSize) pairs.push([a, b]);
    }
  }
  return pairs;
}

/** Per layer of a pair of same-depth families: does `upper`'s seed range of `quantity` lie entirely above `lower`'s? */
function layerwiseAbove(lowerSpread: SeedSpread, upperSpread: SeedSpread, quantity: "finalRatio" | "K"): ConclusionCase[] {
  return lowerSpread.layers.map((l, i) => {
    const lo = l.spread[quantity];
    const up = upperSpread.layers[i]!.spread[quantity];
    return { subject: `${upperSpread.base} vs ${lowerSpread.base}, layer ${i + 1}`, holds: entirelyAbove(up, lo), detail: `${range(up)} vs ${range(lo)}` };
  });
}

/**
 * Checks the paper's conclusions against the seed families (each with base and seeds, fitted). `spreads` defaults to
 * `families.map(seedSpread)`.
 */
export function seedConclusions(families: readonly RunFamily<FittedRun>[], spreads: readonly SeedSpread[] = families.map(seedSpread)): ConclusionCheck[] {
  const spreadOfFamily = (f: RunFamily<FittedRun>): SeedSpread => spreads.find((s) => s.base === f.base) ?? seedSpread(f);
  const out: ConclusionCheck[] = [];

  out.push(check("emergence", "Massive activations emerge in training: every layer's ratio ends above its value at initialisation (Fig. 3).",
    "in every seed, final ratio > step-0 ratio at every layer",
    families.map((f) => {
      const factors = f.runs.map((r) => Math.min(...finalRatios(r).map((v, l) => v / r.model.ratio[l]![0]!)));
      return { subject: f.base, holds: factors.every((x) => x > 1), detail: `smallest final/initial per seed: ${factors.map((x) => x.toFixed(2)).join(", ")}` };
    })));

  out.push(check("last-layer-largest", "The last layer carries the largest final ratio of the model.",
    "in every seed, the layer with the largest final ratio is the last",
    families.map((f) => {
      const argmax = f.runs.map((r) => {
        const v = finalRatios(r);
        return v.indexOf(Math.max(...v));
      });
      const last = f.runs[0]!.model.ratio.length - 1;
      return { subject: f.base, holds: argmax.every((a) => a === last), detail: `largest at layer ${argmax.map((a) => a + 1).join(", ")} (1-based) of ${last + 1}` };
    })));

  const bySize = [...families].sort((a, b) => nonEmbeddingParameters(archOf(a)) - nonEmbeddingParameters(archOf(b)));
  const maxFinal = (f: RunFamily<FittedRun>): Spread => spreadOf(f.runs.map((r) => Math.max(...finalRatios(r))));
  out.push(check("size-ordering", "Larger models reach larger final ratios (Fig. 2: the model's largest final ratio rises with parameter count).",
    "for families ordered by non-embedding parameters, each one's seed range of max-over-layers final ratio lies entirely above the previous one's",
    bySize.slice(1).map((f, i) => {
      const prev = bySize[i]!;
      return { subject: `${f.base} vs ${prev.base}`, holds: entirelyAbove(maxFinal(f), maxFinal(prev)), detail: `${range(maxFinal(f))} vs ${range(maxFinal(prev))}` };
    })));

  const pairs = widthPairs(families);
  out.push(check("width-per-layer", "At equal depth and head count, the wider model has the larger final ratio at every layer.",
    "per layer, the wider family's seed range of the final ratio lies entirely above the narrower one's",
    pairs.flatMap(([narrow, wide]) => layerwiseAbove(spreadOfFamily(narrow), spreadOfFamily(wide), "finalRatio"))));

  out.push(check("trajectory-kind", "Each layer follows one trajectory type (early peak or log increase; Fig. 4, docs/dynamics.md's rule).",
    "per layer, every seed's Eq. 9 fit gives the same kind",
    families.flatMap((f) => spreadOfFamily(f).layers.map((l) => ({ subject: `${f.base}, layer ${l.layer + 1}`, holds: l.kindAgrees, detail: l.kinds.join(" / ") })))));

  out.push(check("K-sign", "The asymptote K has a definite sign per layer (K is among the identifiable parameters).",
    "per layer, K has the same sign in every seed",
    families.flatMap((f) => spreadOfFamily(f).layers.map((l) => {
      const k = l.spread.K;
      return { subject: `${f.base}, layer ${l.layer + 1}`, holds: k.values.every((v) => Math.sign(v) === Math.sign(k.values[0]!) && v !== 0), detail: `K ${range(k)} (sd/mean ${formatValue(k.sd / Math.abs(k.mean))})` };
    }))));

  out.push(check("K-attention-density", "Lower attention density H/d gives a higher K (the paper's SHAP reading of its predictor).",
    "per layer, for families of equal depth and heads, the one with lower H/d (the wider) has its seed range of K entirely above the other's",
    pairs.flatMap(([narrow, wide]) => layerwiseAbove(spreadOfFamily(narrow), spreadOfFamily(wide), "K"))));

  const minMeanR2 = 0.95;
  out.push(check("eq9-fits", `Eq. 9 describes every run (the paper's mean R² over layers is 0.984; here: at least ${minMeanR2}).`,
    `in every seed, the mean over layers of the robust fit's R² is at least ${minMeanR2}`,
    families.map((f) => {
      const means = f.runs.map((r) => r.fits.reduce((a, x) => a + x.fit.r2, 0) / r.fits.length);
      return { subject: f.base, holds: means.every((m) => m >= minMeanR2), detail: `mean R² per seed: ${means.map((m) => m.toFixed(3)).join(", ")}` };
    })));
  return out;
}

/** A text summary: one line per conclusion (survives or not, cases that hold), then the failing cases. */
export function formatConclusions(checks: readonly ConclusionCheck[]): string {
  return checks
    .map((c) => {
      const held = c.cases.filter((x) => x.holds).length;
      const failing = c.cases.filter((x) => !x.holds).map((x) => `    fails: ${x.subject}: ${x.detail}`);
      return [`${c.survives ? "SURVIVES" : "DOES NOT SURVIVE"}  ${c.id} (${held}/${c.cases.length} cases): ${c.claim}`, `    rule: ${c.rule}`, ...failing].join("\n");
    })
    .join("\n");
}
