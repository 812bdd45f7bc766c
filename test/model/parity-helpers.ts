/** Shared by the GPT-NeoX parity tests: the tiny-neox-a fixture and its expected Hugging Face outputs. */
import * as path from "node:path";
import { tf } from "../../src/backend";
import { readSafetensors } from "../../src/io/safetensors";
import type { GPTNeoX } from "../../src/model/gpt-neox";

export const TINY_DIR = path.join(__dirname, "..", "fixtures", "gpt-neox", "tiny-neox-a");
export const MINI_PYTHIA_DIR = path.join(__dirname, "..", "..", "data", "mini-pythia", "checkpoints", "d128-L6-H4");

/** input_ids [batch][seq] and every expected float32 output, from expected.safetensors (transformers 5.17, fp32). */
export async function loadExpected(): Promise<{ ids: number[][]; expected: Map<string, Float32Array> }> {
  const exp = await readSafetensors(path.join(TINY_DIR, "expected.safetensors"));
  const t = exp.get("input_ids")!;
  const [B, T] = t.shape as [number, number];
  const flat = Array.from(t.data as Int32Array);
  const ids = Array.from({ length: B }, (_, b) => flat.slice(b * T, (b + 1) * T));
  const expected = new Map<string, Float32Array>();
  for (const [name, v] of exp) if (name !== "input_ids") expected.set(name, v.data as Float32Array);
  return { ids, expected };
}

/** Max |ours - expected| of every output (layer_<i>, final_layer_norm, logits, embeddings); disposes the tensors. */
export async function parityErrors(model: GPTNeoX, ids: number[][], expected: Map<string, Float32Array>): Promise<Map<string, number>> {
  const { logits, cache } = model.runWithCache(ids);
  const ours = new Map<string, tf.Tensor>([
    ["embeddings", cache.get("hook_embed")!],
    ["final_layer_norm", cache.get("ln_final.hook_normalized")!],
    ["logits", logits!],
  ]);
  for (let i = 0; i < model.config.numLayers; i++) ours.set(`layer_${i}`, cache.get(`blocks.${i}.hook_resid_post`)!);
  const errors = new Map<string, number>();
  for (const [name, want] of expected) {
    const got = ours.get(name);
    if (!got) throw new Error(`no output for expected tensor '${name}'`);
    const a = await got.data(); // not dataSync: WebGPU in Node cannot read synchronously
    if (a.length !== want.length) throw new Error(`'${name}': ${a.length} values, expected ${want.length}`);
    let max = 0;
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - want[i]!));
    errors.set(name, max);
  }
  tf.dispose([...cache.values(), logits!]);
  return errors;
}
