/**
 * The architecture of a GPT-NeoX model as the predictor sees it: the few numbers of `config.json` that the
 * features are built from. Configs are read with the io stage's `readNeoXConfig`-compatible spellings: Pythia's
 * legacy keys (`rotary_pct`, `rotary_emb_base`) and transformers' (`rope_parameters.partial_rotary_factor`,
 * `rope_parameters.rope_theta`, or top-level `partial_rotary_factor` / `rope_theta`).
 */
import * as fs from "node:fs";

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

/** Builds an Architecture from a parsed config object; `file` names the source in one-line errors. */
export function parseArchitecture(json: unknown, file: string): Architecture {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error(`${file}: config is not a JSON object`);
  const raw = json as Record<string, unknown>;
  const int = (key: string): number => {
    const v = raw[key];
    if (v === undefined) throw new Error(`${file}: missing '${key}'`);
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0) throw new Error(`${file}: '${key}' must be a positive integer, got ${JSON.stringify(v)}`);
    return v;
  };
  const rope = (raw.rope_parameters ?? null) as Record<string, unknown> | null;
  if (rope !== null && (typeof rope !== "object" || Array.isArray(rope))) throw new Error(`${file}: 'rope_parameters' must be an object`);
  const num = (key: string, v: unknown, lo: number, hi: number): number => {
    if (typeof v !== "number" || !Number.isFinite(v) || v <= lo || v > hi) throw new Error(`${file}: '${key}' must be a number in (${lo}, ${hi}], got ${JSON.stringify(v)}`);
    return v;
  };
  const arch: Architecture = {
    hiddenSize: int("hidden_size"),
    numLayers: int("num_hidden_layers"),
    numHeads: int("num_attention_heads"),
    intermediateSize: raw.intermediate_size === undefined ? 4 * int("hidden_size") : int("intermediate_size"),
    rotaryPct: num("rotary_pct", rope?.partial_rotary_factor ?? raw.partial_rotary_factor ?? raw.rotary_pct ?? 0.25, 0, 1),
    rotaryBase: num("rotary_emb_base", rope?.rope_theta ?? raw.rope_theta ?? raw.rotary_emb_base ?? 10000, 0, Infinity),
  };
  if (arch.hiddenSize % arch.numHeads !== 0) throw new Error(`${file}: hidden_size ${arch.hiddenSize} is not divisible by num_attention_heads ${arch.numHeads}`);
  return arch;
}

/** Reads `config.json` into an Architecture; throws a one-line error naming the file and the problem. */
export function readArchitecture(file: string): Architecture {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`${file}: cannot read config: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: config is not valid JSON: ${(err as Error).message.split("\n")[0]}`);
  }
  return parseArchitecture(json, file);
}
