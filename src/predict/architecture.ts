/**
 * The architecture of a GPT-NeoX model as the predictor sees it: the few numbers of `config.json` that the
 * features are built from. Configs are read by the io stage's `readNeoXConfig`, which accepts Pythia's legacy keys
 * (`rotary_pct`, `rotary_emb_base`) and transformers' (`rope_parameters.partial_rotary_factor`, `rope_theta`).
 */
import { readNeoXConfig, type NeoXConfig } from "../io/config";

export interface Architecture {
  /** d: hidden size. */
  hiddenSize: number;
  /** L: number of decoder layers. */
  numLayers: number;
  /** H: attention heads. */
  numHeads: number;
  /** d_ff: MLP width. */
  intermediateSize: number;
  /** Fraction of each head's dimensions that are rotated (Pythia 0.25). */
  rotaryPct: number;
  /** Rotary base theta (Pythia 10000). */
  rotaryBase: number;
}

/** Short name `d<hidden>-L<layers>-H<heads>` (the mini-pythia naming). */
export function architectureName(a: Architecture): string {
  return `d${a.hiddenSize}-L${a.numLayers}-H${a.numHeads}`;
}

/** The predictor's view of a parsed config. */
export function architectureOf(c: NeoXConfig): Architecture {
  return { hiddenSize: c.hiddenSize, numLayers: c.numLayers, numHeads: c.numHeads, intermediateSize: c.intermediateSize, rotaryPct: c.rotaryPct, rotaryBase: c.rotaryBase };
}

/** Reads `config.json` into an Architecture; throws a one-line error naming the file and the problem. */
export function readArchitecture(file: string): Architecture {
  return architectureOf(readNeoXConfig(file));
}
