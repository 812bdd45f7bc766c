/**
 * `massive forward --model <dir> --ids <ids.json> --out <file.safetensors>`: runs a GPT-NeoX checkpoint (any folder
 * readCheckpoint accepts) on token ids (a JSON array of equal-length arrays, batch x seq) and writes float32
 * `layer_<i>` (decoder layer i's output, before the final LayerNorm), `final_layer_norm` and `logits`,
 * each [batch, seq, ...], as safetensors (the DESIGN.md command-line contract).
 */
import * as fs from "node:fs";
import { initBackend, tf } from "../../backend";
import { writeSafetensors } from "../../io/safetensors";
import type { HostTensor } from "../../io/host-tensor";
import { GPTNeoX } from "../../model/gpt-neox";
import { choiceOption, defineCommand, say, UsageError } from "../args";

/** Reads ids.json: a non-empty JSON array of equal-length, non-empty arrays of non-negative integers. */
export function readIdsFile(file: string): number[][] {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`${file}: ${(err as NodeJS.ErrnoException).code ?? "not valid JSON"}: ${(err as Error).message.split("\n")[0]}`);
  }
  if (!Array.isArray(json) || json.length === 0 || !json.every((r) => Array.isArray(r))) {
    throw new UsageError(`${file}: expected a JSON array of arrays of token ids (batch x seq)`);
  }
  const rows = json as unknown[][];
  const T = rows[0]!.length;
  rows.forEach((row, b) => {
    if (row.length !== T || T === 0) throw new UsageError(`${file}: row ${b} has ${row.length} ids, expected ${T} (rows must be non-empty and of equal length)`);
    row.forEach((id, t) => {
      if (!Number.isSafeInteger(id) || (id as number) < 0) throw new UsageError(`${file}: [${b}][${t}] = ${JSON.stringify(id)} is not a non-negative integer`);
    });
  });
  return rows as number[][];
}

async function toHost(t: tf.Tensor): Promise<HostTensor> {
  return { dtype: "float32", shape: t.shape, data: (await t.data()) as Float32Array };
}

export const command = defineCommand(
  {
    name: "forward",
    summary: "run a GPT-NeoX checkpoint on token ids and save every layer's output, the final LayerNorm and the logits",
    options: {
      model: { type: "string", required: true, description: "checkpoint folder (config.json + safetensors, .bin, shards or model.json)" },
      ids: { type: "string", required: true, description: "JSON file: array of equal-length arrays of token ids (batch x seq)" },
      out: { type: "string", required: true, description: "output .safetensors: float32 layer_<i>, final_layer_norm, logits" },
      compute: { type: "string", default: "float32", description: "float32, or float16: Linear layers on the GPU's tensor cores (webgpu with Dawn subgroup matrices only, docs/gpu.md)" },
    },
    examples: ["massive forward --model data/mini-pythia/checkpoints/d128-L6-H4/step3000 --ids ids.json --out out.safetensors"],
  },
  async (args) => {
    const ids = readIdsFile(args.values.ids as string);
    const compute = choiceOption(args, "compute", ["float32", "float16"] as const)!;
    const info = await initBackend();
    const dir = args.values.model as string;
    say(`forward: loading ${dir} (backend ${info.name})`);
    const model = await GPTNeoX.load(dir, { compute });
    const L = model.config.numLayers;
    const bad = ids.flat().find((id) => id >= model.config.vocabSize);
    if (bad !== undefined) throw new UsageError(`${args.values.ids as string}: token id ${bad} is outside the model's vocabulary of ${model.config.vocabSize}`);
    say(`forward: ${L} layers, hidden ${model.config.hiddenSize}; running ${ids.length} x ${ids[0]!.length} tokens`);
    const t0 = Date.now();
    const names = [...Array.from({ length: L }, (_, i) => `blocks.${i}.hook_resid_post`), "ln_final.hook_normalized"];
    const { logits, cache } = model.runWithCache(ids, { namesFilter: names });
    try {
      const out = new Map<string, HostTensor>();
      for (let i = 0; i < L; i++) out.set(`layer_${i}`, await toHost(cache.get(`blocks.${i}.hook_resid_post`)!));
      out.set("final_layer_norm", await toHost(cache.get("ln_final.hook_normalized")!));
      out.set("logits", await toHost(logits!));
      say(`forward: computed in ${((Date.now() - t0) / 1000).toFixed(2)} s; writing ${args.values.out as string}`);
      await writeSafetensors(args.values.out as string, out);
    } finally {
      tf.dispose([...cache.values(), ...(logits ? [logits] : [])]);
      model.dispose();
    }
    say(`forward: wrote ${L + 2} tensors to ${args.values.out as string}`);
    return 0;
  },
);
