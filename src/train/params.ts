/**
 * GPT-NeoX parameters as trainable tf.Variables, keyed by their Hugging Face names, in the order
 * `model.named_parameters()` lists them (that order fixes the summation order of the global gradient norm).
 *
 * Linear weights live transposed, [in, out], so the forward pass is `x @ Wt` without transposeB (slow on wasm,
 * and wrong when fused with a bias there); they are transposed back to torch's [out, in] when saved.
 * Initialisation follows transformers' GPTNeoXPreTrainedModel._init_weights: Linear and Embedding weights
 * ~ N(0, initializer_range), biases 0, LayerNorm weight 1 and bias 0.
 */
import { tf } from "../backend";
import type { NeoXConfig } from "../io/config";
import type { HostTensor } from "../io/host-tensor";
import { selectNeoXParams, type Param } from "../model/weights";
import { MT19937 } from "../record/numpy-random";

export type ParamKind = "embedding" | "linear" | "bias" | "norm-weight" | "norm-bias";

export interface ParamSpec {
  /** Hugging Face name, e.g. `gpt_neox.layers.0.attention.query_key_value.weight`. */
  name: string;
  /** Shape in torch's layout ([out, in] for linear weights). */
  shape: number[];
  kind: ParamKind;
}

/** The output projection's name in saved files: Pythia's (`embed_out.weight`); transformers 5 reads it too. */
export const OUTPUT_PROJECTION = "embed_out.weight";

/** Every trainable parameter of `config`, in `named_parameters()` order. Tied embeddings have no output projection. */
export function neoxParamSpecs(config: NeoXConfig, outputName = OUTPUT_PROJECTION): ParamSpec[] {
  const C = config.hiddenSize;
  const F = config.intermediateSize;
  const specs: ParamSpec[] = [{ name: "gpt_neox.embed_in.weight", shape: [config.vocabSize, C], kind: "embedding" }];
  for (let i = 0; i < config.numLayers; i++) {
    const p = `gpt_neox.layers.${i}.`;
    specs.push(
      { name: `${p}input_layernorm.weight`, shape: [C], kind: "norm-weight" },
      { name: `${p}input_layernorm.bias`, shape: [C], kind: "norm-bias" },
      { name: `${p}post_attention_layernorm.weight`, shape: [C], kind: "norm-weight" },
      { name: `${p}post_attention_layernorm.bias`, shape: [C], kind: "norm-bias" },
      { name: `${p}attention.query_key_value.weight`, shape: [3 * C, C], kind: "linear" },
      ...(config.attentionBias ? [{ name: `${p}attention.query_key_value.bias`, shape: [3 * C], kind: "bias" as const }] : []),
      { name: `${p}attention.dense.weight`, shape: [C, C], kind: "linear" },
      ...(config.attentionBias ? [{ name: `${p}attention.dense.bias`, shape: [C], kind: "bias" as const }] : []),
      { name: `${p}mlp.dense_h_to_4h.weight`, shape: [F, C], kind: "linear" },
      { name: `${p}mlp.dense_h_to_4h.bias`, shape: [F], kind: "bias" },
      { name: `${p}mlp.dense_4h_to_h.weight`, shape: [C, F], kind: "linear" },
      { name: `${p}mlp.dense_4h_to_h.bias`, shape: [C], kind: "bias" },
    );
  }
  specs.push(
    { name: "gpt_neox.final_layer_norm.weight", shape: [C], kind: "norm-weight" },
    { name: "gpt_neox.final_layer_norm.bias", shape: [C], kind: "norm-bias" },
  );
  if (!config.tieWordEmbeddings) specs.push({ name: outputName, shape: [config.vocabSize, C], kind: "linear" });
  return specs;
}

/** Host copies of every parameter in torch layout, keyed by HF name. */
export type HostParams = Map<string, Float32Array>;

/** Standard normal draws from MT19937 by the polar Box-Muller method (deterministic for a seed). */
function normalSampler(rng: MT19937): () => number {
  let spare: number | undefined;
  const uniform = (): number => (rng.nextUint32() + 0.5) / 4294967296;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u: number, v: number, r: number;
    do {
      u = 2 * uniform() - 1;
      v = 2 * uniform() - 1;
      r = u * u + v * v;
    } while (r >= 1 || r === 0);
    const f = Math.sqrt((-2 * Math.log(r)) / r);
    spare = v * f;
    return u * f;
  };
}

/** Fresh initial weights (transformers' scheme, see the module comment), seeded: same seed, same bytes. */
export function initialParams(config: NeoXConfig, seed: number): HostParams {
  const std = typeof config.raw.initializer_range === "number" ? config.raw.initializer_range : 0.02;
  const normal = normalSampler(new MT19937(seed >>> 0));
  const out: HostParams = new Map();
  for (const s of neoxParamSpecs(config)) {
    const data = new Float32Array(s.shape.reduce((a, b) => a * b, 1));
    if (s.kind === "embedding" || s.kind === "linear") for (let i = 0; i < data.length; i++) data[i] = normal() * std;
    else if (s.kind === "norm-weight") data.fill(1);
    out.set(s.name, data);
  }
  return out;
}

/**
 * Host parameters from a state dict (any name spelling {@link selectNeoXParams} accepts: with or without the
 * `gpt_neox.` prefix, `embed_out.weight` or `lm_head.weight`), every shape checked; `source` names it in errors.
 */
export function hostParamsFromWeights(config: NeoXConfig, weights: Map<string, HostTensor>, source: string): HostParams {
  const p = selectNeoXParams(config, weights, source);
  const byRole = new Map<string, Param | undefined>();
  byRole.set("gpt_neox.embed_in.weight", p.embed);
  p.layers.forEach((l, i) => {
    const q = `gpt_neox.layers.${i}.`;
    byRole.set(`${q}input_layernorm.weight`, l.ln1Weight).set(`${q}input_layernorm.bias`, l.ln1Bias);
    byRole.set(`${q}post_attention_layernorm.weight`, l.ln2Weight).set(`${q}post_attention_layernorm.bias`, l.ln2Bias);
    byRole.set(`${q}attention.query_key_value.weight`, l.qkvWeight).set(`${q}attention.query_key_value.bias`, l.qkvBias);
    byRole.set(`${q}attention.dense.weight`, l.denseWeight).set(`${q}attention.dense.bias`, l.denseBias);
    byRole.set(`${q}mlp.dense_h_to_4h.weight`, l.fc1Weight).set(`${q}mlp.dense_h_to_4h.bias`, l.fc1Bias);
    byRole.set(`${q}mlp.dense_4h_to_h.weight`, l.fc2Weight).set(`${q}mlp.dense_4h_to_h.bias`, l.fc2Bias);
  });
  byRole.set("gpt_neox.final_layer_norm.weight", p.lnfWeight).set("gpt_neox.final_layer_norm.bias", p.lnfBias);
  byRole.set(OUTPUT_PROJECTION, p.unembed);
  const out: HostParams = new Map();
  for (const s of neoxParamSpecs(config)) out.set(s.name, Float32Array.from(byRole.get(s.name)!.data));
  return out;
}

/** The trainable model: one tf.Variable per parameter (linear weights transposed, see the module comment). */
export class TrainableParams {
  readonly specs: ParamSpec[];
  readonly vars = new Map<string, tf.Variable>();

  constructor(readonly config: NeoXConfig, host: HostParams) {
    this.specs = neoxParamSpecs(config);
    for (const s of this.specs) {
      const data = host.get(s.name);
      if (!data) throw new Error(`TrainableParams: no values for '${s.name}'`);
      const value = tf.tidy(() => {
        const t = tf.tensor(data, s.shape, "float32");
        return s.kind === "linear" ? tf.transpose(t) : t;
      });
      this.vars.set(s.name, tf.variable(value, true));
      value.dispose();
    }
  }

  /** The variable of `name` (linear weights: [in, out]). */
  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`TrainableParams: no parameter '${name}'`);
    return v;
  }

  /** Variables in named_parameters() order. */
  list(): tf.Variable[] {
    return this.specs.map((s) => this.get(s.name));
  }

  /** Downloads every parameter in torch layout (HF names), as float32 host tensors ready to save. */
  async toHost(): Promise<Map<string, HostTensor>> {
    const out = new Map<string, HostTensor>();
    for (const s of this.specs) {
      const t = s.kind === "linear" ? tf.transpose(this.get(s.name)) : this.get(s.name);
      const data = (await t.data()) as Float32Array;
      if (t !== this.get(s.name)) t.dispose();
      out.set(s.name, { dtype: "float32", shape: s.shape, data: Float32Array.from(data) });
    }
    return out;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
