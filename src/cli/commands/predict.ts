/**
 * `massive predict --train <dir>[,<dir>...] --config <config.json> --steps <list> --out <file.json>`: trains on the
 * stats of the given model folders (each a model folder with config.json + stats/, or a parent folder of such
 * folders) and predicts, for the architecture in config.json, each layer's Eq. 9 parameters and its ratio trajectory
 * at the given steps. Writes {"layers": [{"layer": i, "params": {A, lambda, gamma, t0, K}, "ratio": [...]}], ...}
 * with the extra keys architecture, steps, trainedOn, method and warnings (docs/predict.md).
 */
import * as fs from "node:fs";
import { writeFileAtomic } from "../../util/atomic-write";
import { readArchitecture } from "../../predict/architecture";
import { predictArchitecture, type ArchitecturePrediction } from "../../predict/predict-architecture";
import { findModelDirs, loadTrainingModels } from "../../predict/training-data";
import { defineCommand, integerOption, parseStepList, UsageError } from "../args";

/** JSON with one line per layer (readable, and diff-friendly when re-run). */
function formatPrediction(result: ArchitecturePrediction): string {
  const { layers, ...rest } = result;
  const head = Object.entries(rest).map(([k, val]) => ` ${JSON.stringify(k)}: ${JSON.stringify(val)}`);
  const body = layers.map((l) => `  ${JSON.stringify(l)}`).join(",\n");
  return `{\n${head.join(",\n")},\n "layers": [\n${body}\n ]\n}\n`;
}

export const command = defineCommand(
  {
    name: "predict",
    summary: "predict each layer's Eq. 9 parameters and ratio trajectory for an architecture from its config.json",
    options: {
      train: { type: "string", required: true, description: "comma-separated model folders (config.json + stats/) or folders of them" },
      config: { type: "string", required: true, description: "config.json of the architecture to predict (GPT-NeoX, legacy or current spelling)" },
      steps: { type: "string", required: true, description: "training steps: 0,1000,2000 or start:stop:step ranges" },
      out: { type: "string", required: true, description: "output JSON file" },
      seed: { type: "string", default: "0", description: "seed of the fits, CV folds and trees" },
      "all-runs": { type: "boolean", description: "also train on the seed and hyperparameter runs of a suite with suite.json (by default only its architecture runs: a seed or recipe variant is not a new architecture)" },
    },
    examples: [
      "massive predict --train data/mini-pythia --config my-model/config.json --steps 0:3000:125 --out predicted.json",
      "massive predict --train data/mini-pythia/d128-L4-H4,data/mini-pythia/d512-L8-H16 --config c.json --steps 0,64,512,3000 --out p.json",
    ],
  },
  async (args) => {
    const v = args.values as Record<string, string | undefined>;
    const seed = integerOption(args, "seed")!;
    const steps = parseStepList(v.steps!);
    const dirs = v.train!.split(",").map((s) => s.trim()).filter(Boolean);
    if (dirs.length === 0) throw new UsageError("--train names no folder");
    for (const d of dirs) if (!fs.existsSync(d) || !fs.statSync(d).isDirectory()) throw new UsageError(`--train ${d} is not a folder`);
    const arch = readArchitecture(v.config!);
    const all = loadTrainingModels(dirs, { runs: "all", onWarning: (m) => process.stderr.write(`predict: warning: ${m}\n`) });
    // the default selection (architecture runs, plus any folder named directly) picks from what is loaded already
    const chosen = new Set(findModelDirs(dirs).map((d) => d.dir));
    const models = v["all-runs"] ? all : all.filter((m) => chosen.has(m.dir));
    const left = all.filter((m) => !models.some((k) => k.dir === m.dir));
    if (left.length) process.stderr.write(`predict: ${left.length} seed/hyperparameter run(s) of the suite left out of training (--all-runs keeps them): ${left.map((m) => m.name).join(", ")}\n`);
    process.stderr.write(`predict: training on ${models.length} model(s): ${models.map((m) => m.name).join(", ")}\n`);
    const started = Date.now();
    const result = predictArchitecture(models, arch, steps, {
      seed,
      onProgress: (m) => process.stderr.write(`predict: ${m}\n`),
      onWarning: (m) => process.stderr.write(`predict: warning: ${m}\n`),
    });
    await writeFileAtomic(v.out!, formatPrediction(result));
    process.stderr.write(`predict: wrote ${v.out} (${result.layers.length} layers x ${steps.length} steps) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return 0;
  },
);
