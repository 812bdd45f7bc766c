/**
 * The report's section on seeds and controls: what a trajectory score must be read against. From one
 * {@link SeedsAndControls} (src/analysis): the seed-noise ceiling, each seed family's curves inside the seeds' band,
 * each base's recipe variants against the seed range per layer, and the two tables behind them (which of the paper's
 * conclusions survive the seed spread; each variant's verdict per layer).
 */
import { LAYER_QUANTITY_LABELS, verdictPattern, formatValue, type LayerQuantity, type SeedsAndControls } from "../analysis/index";
import { controlsFigure, seedCeilingFigure, seedCurvesFigure } from "./seeds-and-controls";
import type { NamedFigure } from "./run-figures";

/** Quantities drawn per base against its seeds: the observed final ratio and the fitted asymptote K (Eq. 9). */
const CONTROL_QUANTITIES: LayerQuantity[] = ["finalRatio", "K"];

/** The section's figures: the ceiling, one seed-curves figure per family, one controls figure per base and quantity. */
export function seedsAndControlsFigures(a: SeedsAndControls): NamedFigure[] {
  const out: NamedFigure[] = [
    {
      name: "seed-noise-ceiling",
      section: "seeds",
      caption:
        `Each seed run's per-layer ratio curves (Eq. 8) predicted by the mean of its architecture's other seeds: R² per layer over the recorded steps (points), their mean per run (bars) and over runs (dashed, ${a.ceiling.meanCurveR2.toFixed(3)}). ` +
        "No prediction from the architecture alone can be expected to beat this; the headline curve R² in the provenance is printed beside it.",
      figure: seedCeilingFigure(a.ceiling.perRun, { meanCurveR2: a.ceiling.meanCurveR2 }),
    },
  ];
  for (const family of a.seedFamilies) {
    out.push({
      name: `seed-curves-${family.base}`,
      section: "seeds",
      model: family.base,
      caption: `${family.base} trained with ${family.runs.length} seeds (initialisation and data order): every layer's ratio curve per seed, the band between the seeds' minimum and maximum, and their mean (dashed).`,
      figure: seedCurvesFigure({ model: family.base, steps: family.runs[0]!.model.steps, runs: family.runs.map((r) => ({ name: r.name, ratio: r.model.ratio })) }),
    });
  }
  for (const spread of a.spreads) {
    const variants = a.controls.filter((e) => e.base === spread.base);
    if (variants.length === 0) continue;
    for (const q of CONTROL_QUANTITIES) {
      out.push({
        name: `controls-${q}-${spread.base}`,
        section: "seeds",
        model: spread.base,
        caption: `Recipe variants of ${spread.base} (one setting changed each) against the range of its ${spread.runs.length} seeds, per layer: ${LAYER_QUANTITY_LABELS[q]}. A variant outside the grey band has shown an effect; inside, it has not.`,
        figure: controlsFigure(
          {
            base: spread.base,
            quantity: LAYER_QUANTITY_LABELS[q],
            seeds: spread.perRun.map((r) => ({ name: r.run, values: r.values[q] })),
            variants: variants.map((e) => ({ name: e.variant.replace(`${spread.base}-`, ""), values: e.layers.map((l) => l.value[q]) })),
          },
          { title: `${spread.base} variants: ${LAYER_QUANTITY_LABELS[q]} per layer against the seed range` },
        ),
      });
    }
  }
  return out;
}

/**
 * One row per conclusion checked against the seed spread: the claim, the rule, whether it survives, how many cases
 * hold and the failing ones in full (the holding ones are in notebook 07's table).
 */
export function conclusionRows(a: SeedsAndControls): Record<string, string>[] {
  return a.conclusions.map((c) => {
    const failing = c.cases.filter((k) => !k.holds);
    return {
      conclusion: c.claim,
      rule: c.rule,
      survives: c.survives ? "yes" : "no",
      cases: `${c.cases.length - failing.length} of ${c.cases.length} hold${failing.length ? `; failing: ${failing.map((k) => `${k.subject} (${k.detail})`).join("; ")}` : ""}`,
    };
  });
}

/**
 * One row per variant: the setting it changes, the last layer's final ratio against its base's seed range, and the
 * per-layer verdict patterns (↑ above the seeds' maximum, ↓ below their minimum, · inside).
 */
export function variantEffectRows(a: SeedsAndControls): Record<string, string>[] {
  return a.controls.map((e) => {
    const seeds = a.spreads.find((s) => s.base === e.base)!;
    const band = seeds.layers[seeds.layers.length - 1]!.spread.finalRatio;
    return {
      variant: e.variant,
      changes: JSON.stringify(e.varies),
      "last layer final ratio (seeds min..max)": `${formatValue(e.layers[e.layers.length - 1]!.value.finalRatio)} (${formatValue(band.min)}..${formatValue(band.max)})`,
      "final ratio per layer": verdictPattern(e, "finalRatio"),
      "t_peak per layer": verdictPattern(e, "tPeak"),
      "K per layer": verdictPattern(e, "K"),
    };
  });
}
