/**
 * The paper's hypothesis comparison (Table 5 shape): for each model (a set of layer series) and each hypothesis,
 * the mean R^2 and mean AIC over layers. Hypotheses: Eq. 9 ("original_eq9"), its reparametrisation Eq. 14
 * ("reparametrized_eq14"), the first-order step response and the second-order step response (per layer the best
 * of under-, critically and over-damped by AIC). With method "paper" each curve gets its single default start
 * (Eq. 9's is the paper's); with "robust" (default) every curve gets the multi-start fit, so differences between
 * hypotheses reflect the curves, not the optimiser.
 */
import type { CurveModel } from "./curve-model";
import { eq9Model } from "./eq9-model";
import { eq14Model } from "./eq14";
import { fitCurve, type FitResult } from "./fit-curve";
import { firstOrderStepModel } from "./first-order-step";
import { paperProcedure } from "./paper-procedure";
import { robustFit } from "./robust-fit";
import { secondOrderCriticalModel, secondOrderOverModel, secondOrderUnderModel } from "./second-order-step";
import { mean } from "../util/statistics";

export const HYPOTHESES = ["original_eq9", "reparametrized_eq14", "first_order_step", "second_order_step"] as const;
export type Hypothesis = (typeof HYPOTHESES)[number];

/** The curve models behind each hypothesis (the second-order one has three variants). */
export const HYPOTHESIS_MODELS: Record<Hypothesis, CurveModel[]> = {
  original_eq9: [eq9Model],
  reparametrized_eq14: [eq14Model],
  first_order_step: [firstOrderStepModel],
  second_order_step: [secondOrderUnderModel, secondOrderCriticalModel, secondOrderOverModel],
};

export interface HypothesisInput {
  /** Row name, e.g. the model "d256-L8-H16" or "410m". */
  name: string;
  steps: number[];
  /** [layers][steps] */
  layers: number[][];
}

export interface HypothesisRow {
  name: string;
  hypothesis: Hypothesis;
  /** Mean over the layers whose fit did not fail (NaN when all failed). */
  meanR2: number;
  meanAic: number;
  /** Layers fitted and layers whose fit failed (left out of the means). */
  layers: number;
  failed: number;
  /** Per-layer fits (for second_order_step the chosen variant). */
  fits: FitResult[];
}

/** Fits one layer series under one hypothesis. */
export function fitHypothesis(hypothesis: Hypothesis, steps: number[], y: number[], options: { method?: "paper" | "robust"; seed?: number } = {}): FitResult {
  const method = options.method ?? "robust";
  const fits = HYPOTHESIS_MODELS[hypothesis].map((model) => {
    if (method === "paper") return model === eq9Model ? paperProcedure(steps, y) : fitCurve(model, steps, y);
    return robustFit(steps, y, { model, seed: options.seed });
  });
  const ok = fits.filter((f) => f.status !== "failed");
  if (ok.length === 0) return fits[0]!;
  return ok.reduce((best, f) => (f.aic < best.aic ? f : best));
}

/** Table 5: one row per (input, hypothesis). */
export function compareHypotheses(inputs: HypothesisInput[], options: { method?: "paper" | "robust"; seed?: number; hypotheses?: readonly Hypothesis[] } = {}): HypothesisRow[] {
  const rows: HypothesisRow[] = [];
  for (const input of inputs) {
    for (const hypothesis of options.hypotheses ?? HYPOTHESES) {
      const fits = input.layers.map((y) => fitHypothesis(hypothesis, input.steps, y, options));
      const ok = fits.filter((f) => f.status !== "failed");
      rows.push({ name: input.name, hypothesis, meanR2: mean(ok.map((f) => f.r2)), meanAic: mean(ok.map((f) => f.aic)), layers: fits.length, failed: fits.length - ok.length, fits });
    }
  }
  return rows;
}

/** Formats rows as a fixed-width text table: one line per input, "R^2 / AIC" per hypothesis. */
export function formatHypothesisTable(rows: HypothesisRow[]): string {
  const names = [...new Set(rows.map((r) => r.name))];
  const hyps = [...new Set(rows.map((r) => r.hypothesis))];
  const w = Math.max(4, ...names.map((n) => n.length));
  const cell = (r: HypothesisRow | undefined): string => (r && Number.isFinite(r.meanR2) ? `${r.meanR2.toFixed(4)} / ${r.meanAic.toFixed(1)}`.padEnd(22) : "failed".padEnd(22));
  const lines = [`${"".padEnd(w)}  ${hyps.map((h) => h.padEnd(22)).join("")}`, `${"".padEnd(w)}  ${hyps.map(() => "mean R^2 / mean AIC".padEnd(22)).join("")}`];
  for (const n of names) lines.push(`${n.padEnd(w)}  ${hyps.map((h) => cell(rows.find((r) => r.name === n && r.hypothesis === h))).join("")}`);
  return lines.join("\n");
}
