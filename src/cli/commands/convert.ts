/**
 * `massive convert <hf-dir> <out-dir> [--dtype float16|float32]`: a Hugging Face GPT-NeoX checkpoint folder
 * (safetensors, pytorch_model.bin or sharded) to TensorFlow.js's weights-manifest format (model.json + binary
 * shards + config.json), which `massive forward --model <out-dir>` and readCheckpoint load like the original.
 */
import { convertCheckpoint } from "../../model/convert";
import { choiceOption, defineCommand } from "../args";

export const command = defineCommand(
  {
    name: "convert",
    summary: "convert a Hugging Face GPT-NeoX checkpoint folder to TensorFlow.js weights (model.json + shards)",
    positionals: ["hf-dir", "out-dir"],
    options: {
      dtype: { type: "string", default: "float32", description: "storage dtype of the weights: float16 or float32 (compute is always float32)" },
    },
    examples: ["massive convert data/mini-pythia/checkpoints/d128-L6-H4/step3000 /tmp/step3000-tfjs --dtype float16"],
  },
  async (args) => {
    const dtype = choiceOption(args, "dtype", ["float16", "float32"] as const)!;
    const [hfDir, outDir] = args.positionals as [string, string];
    process.stderr.write(`convert: reading ${hfDir}\n`);
    const res = await convertCheckpoint(hfDir, outDir, { dtype });
    process.stderr.write(`convert: wrote ${res.tensors} tensors (${(res.bytes / 1e6).toFixed(1)} MB, ${dtype}) in ${res.files.length - 1} shard(s) + model.json to ${outDir}\n`);
    return 0;
  },
);
