/**
 * Per-(model, layer) features.
 *
 * Table 4 of the paper: l/L, (l/L)^2, (l/L)^3, sqrt(l/L), H/d, d_ff/d, d/L, H/L, log(d), l*L, with d hidden size,
 * L layers, H heads, d_ff MLP width. Here l is 1-BASED (l = layer index + 1, so l/L is in (0, 1]): the paper shows
 * layers 1-based, and with l/L = 1 the last layer of every model sits at the same point, which matters because the
 * last layer behaves alike in all models (early peak, highest ratio); 0-based l would give l/L = 0 and l*L = 0 to
 * the first layer of every model and never reach 1. Layer indices elsewhere in code and files stay 0-based.
 *
 * Core features: d, L, H, d_ff, rotary base and rotary fraction, straight from config.json.
 *
 * Smooth features (used by the trajectory predictor, which must extrapolate to unseen sizes): log d, log(d/H)
 * (head width), log L, relative depth x = index/(L-1) in [0, 1] (0 first layer, 1 last), x^2, a last-layer
 * indicator and H/d.
 */
import type { Architecture } from "./architecture";

export const TABLE4_FEATURES = ["l/L", "(l/L)^2", "(l/L)^3", "sqrt(l/L)", "H/d", "d_ff/d", "d/L", "H/L", "log(d)", "l*L"] as const;
export const CORE_FEATURES = ["d", "L", "H", "d_ff", "rotary_base", "rotary_pct"] as const;
export const SMOOTH_FEATURES = ["log(d)", "log(d/H)", "log(L)", "x", "x^2", "last", "H/d"] as const;

function checkLayer(arch: Architecture, layer: number): void {
  if (!Number.isInteger(layer) || layer < 0 || layer >= arch.numLayers) {
    throw new Error(`features: layer ${layer} is outside 0..${arch.numLayers - 1} for a ${arch.numLayers}-layer model`);
  }
}

/** Table 4 features of 0-based layer `layer` (l = layer + 1 inside), in TABLE4_FEATURES order. */
export function table4Features(arch: Architecture, layer: number): number[] {
  checkLayer(arch, layer);
  const { hiddenSize: d, numLayers: L, numHeads: H, intermediateSize: dff } = arch;
  const l = layer + 1;
  const r = l / L;
  return [r, r * r, r * r * r, Math.sqrt(r), H / d, dff / d, d / L, H / L, Math.log(d), l * L];
}

/** Core features in CORE_FEATURES order (the same for every layer of a model). */
export function coreFeatures(arch: Architecture): number[] {
  return [arch.hiddenSize, arch.numLayers, arch.numHeads, arch.intermediateSize, arch.rotaryBase, arch.rotaryPct];
}

/** Smooth features of 0-based layer `layer`, in SMOOTH_FEATURES order. */
export function smoothFeatures(arch: Architecture, layer: number): number[] {
  checkLayer(arch, layer);
  const { hiddenSize: d, numLayers: L, numHeads: H } = arch;
  const x = L > 1 ? layer / (L - 1) : 1;
  return [Math.log(d), Math.log(d / H), Math.log(L), x, x * x, layer === L - 1 ? 1 : 0, H / d];
}

export type FeatureSet = "table4" | "table4+core" | "smooth";

/** Feature names of a set. */
export function featureNames(set: FeatureSet): string[] {
  if (set === "table4") return [...TABLE4_FEATURES];
  if (set === "table4+core") return [...TABLE4_FEATURES, ...CORE_FEATURES];
  return [...SMOOTH_FEATURES];
}

/** The features of one (architecture, layer) in a set. */
export function layerFeatures(arch: Architecture, layer: number, set: FeatureSet): number[] {
  if (set === "table4") return table4Features(arch, layer);
  if (set === "table4+core") return [...table4Features(arch, layer), ...coreFeatures(arch)];
  return smoothFeatures(arch, layer);
}
