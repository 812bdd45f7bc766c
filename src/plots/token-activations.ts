/**
 * Activation magnitudes of one layer of one forward pass, per token: |h[t, c]| of the few hidden dimensions that
 * reach the largest values (where the massive activations live), against the median |h| over all dimensions of
 * the same token. Not a paper figure; interpretability users look at it to see *which* tokens and dimensions carry
 * the top1 values that the paper's statistics summarise.
 */
import { requireNonEmpty, type PlotlyFigure } from "./figure";
import { themedAxis, themedConfig, themedLayout, sequenceColor, THEME } from "./theme";
import { choiceFigure, framesGroup } from "./choices";

export interface TokenActivations {
  model: string;
  step: number;
  /** 0-based layer (shown 1-based). */
  layer: number;
  /** The hidden states h[t][c] of one sequence (signed; the figure takes |h|). */
  values: number[][];
  /** Label of each token (shown on hover), e.g. the decoded text. */
  tokens?: string[];
}

/** Hidden dimensions ordered by their largest |h| over tokens, the first `k` of them. */
export function topHiddenDims(values: number[][], k: number): number[] {
  requireNonEmpty("topHiddenDims", "values", values);
  const C = values[0]!.length;
  const peak = new Array<number>(C).fill(0);
  for (const row of values) row.forEach((v, c) => (peak[c] = Math.max(peak[c]!, Math.abs(v))));
  return peak.map((v, c) => [v, c] as const).sort((a, b) => b[0] - a[0]).slice(0, Math.max(0, k)).map(([, c]) => c);
}

/** Median of |h| over the hidden dimensions of each token. */
export function tokenMedianMagnitude(values: number[][]): number[] {
  return values.map((row) => {
    const a = row.map(Math.abs).sort((x, y) => x - y);
    return a.length % 2 ? a[(a.length - 1) / 2]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2;
  });
}

/**
 * |h| per token position for the `topDims` hidden dimensions with the largest values (lines, coloured by rank), with
 * the per-token median over all dimensions (dashed, grey) for scale. Linear y by default (near-zero values of a
 * dimension make a log axis spiky); `logY` for activations orders of magnitude above the median (large models).
 */
export function tokenActivationsFigure(input: TokenActivations, options: { topDims?: number; title?: string; logY?: boolean } = {}): PlotlyFigure {
  requireNonEmpty("tokenActivationsFigure", "values", input.values);
  const dims = topHiddenDims(input.values, options.topDims ?? 4);
  const x = input.values.map((_, t) => t);
  const text = input.tokens ? input.tokens.map((s) => JSON.stringify(s)) : undefined;
  const where = `${input.model}<br>layer ${input.layer + 1}<br>step ${input.step}`;
  const hover = (what: string) => `${where}<br>${what}<br>token %{x}${text ? " %{text}" : ""}<br>|h| = %{y:.4g}<extra></extra>`;
  const floor = options.logY ? 1e-6 : 0;
  return {
    data: [
      ...dims.map((c, i) => ({
        type: "scatter",
        mode: "lines",
        name: `dim ${c}`,
        x,
        y: input.values.map((row) => Math.max(Math.abs(row[c]!), floor)),
        ...(text ? { text } : {}),
        hovertemplate: hover(`hidden dim ${c}`),
        line: { color: sequenceColor(i, dims.length), width: 1.5 },
      })),
      {
        type: "scatter",
        mode: "lines",
        name: "median over dims",
        x,
        y: tokenMedianMagnitude(input.values).map((v) => Math.max(v, floor)),
        ...(text ? { text } : {}),
        hovertemplate: hover("median |h| over hidden dims"),
        line: { color: THEME.axisColor, width: 1.5, dash: "dash" },
      },
    ],
    layout: themedLayout(options.title ?? `${input.model}, step ${input.step}: |h| per token, layer ${input.layer + 1} (1-based), top ${dims.length} hidden dims`, {
      xaxis: themedAxis("token position in the sequence"),
      yaxis: themedAxis(options.logY ? "|h| (activation units, log scale)" : "|h| (activation units)", { log: Boolean(options.logY) }),
    }),
    config: themedConfig(`token-activations-layer${input.layer + 1}`),
  };
}

/**
 * {@link tokenActivationsFigure} at several checkpoints of the same layer and sequence, with a slider over the
 * checkpoints (no kernel needed); each checkpoint shows its own top hidden dims. Starts at (and exports) the last.
 */
export function tokenActivationsOverTrainingFigure(inputs: TokenActivations[], options: { topDims?: number; logY?: boolean; title?: string } = {}): PlotlyFigure {
  requireNonEmpty("tokenActivationsOverTrainingFigure", "checkpoints", inputs);
  const frames = inputs.map((input) => ({ label: String(input.step), figure: tokenActivationsFigure(input, { topDims: options.topDims, logY: options.logY }) }));
  const first = inputs[0]!;
  const layout = {
    ...frames[0]!.figure.layout,
    title: { ...(frames[0]!.figure.layout.title as object), text: options.title ?? `${first.model}: |h| per token, layer ${first.layer + 1} (1-based), top hidden dims at the chosen step` },
  };
  const fig = choiceFigure([framesGroup(first.model, frames, { layout })], { groupName: "model", optionName: "step", optionControl: "slider" });
  return { ...fig, config: themedConfig(`token-activations-layer${first.layer + 1}`) };
}
