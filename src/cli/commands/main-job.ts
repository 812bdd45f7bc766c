/**
 * `massive main`: the whole pipeline on the embedded mini-pythia suite (README command 1), or on another suite folder.
 * For a hub model, record first (`massive record --model EleutherAI/pythia-70m --steps ... --out <suite>/<name>/stats`),
 * then run `massive main --suite <suite> --skip record`.
 */
import { runMainJob } from "../../pipeline/main-job";
import { parseFormats } from "../../plots/export";
import { defineCommand, integerOption, UsageError } from "../args";

const STAGES = ["record", "hypotheses", "predict", "figures", "report"] as const;

export const command = defineCommand(
  {
    name: "main",
    summary: "record, check, fit, predict, draw and report on a suite of models (default: the embedded mini-pythia suite)",
    options: {
      suite: { type: "string", default: "data/mini-pythia", description: "suite folder: <model>/{config.json,stats/}, optional checkpoints/<model>/step<N>/ and eval_sequences.json" },
      out: { type: "string", default: "results", description: "results folder" },
      series: { type: "string", default: "ratio,top1,median", description: "series to fit" },
      format: { type: "string", default: "png,svg,pdf", description: "figure formats ('none' for no files)" },
      skip: { type: "string", description: `comma-separated stages to skip: ${STAGES.join(", ")}` },
      workers: { type: "string", description: "worker threads for recording (default: automatic)" },
      seed: { type: "string", default: "0", description: "seed of the robust fits and the predictors" },
      "per-model": { type: "string", default: "default", description: "models that get their own per-model figure files: 'default' (the smallest, a middle and the largest), 'all', or comma-separated names" },
      "outer-folds": { type: "string", default: "5", description: "outer folds of the nested evaluation of the trajectory predictor: 'lomo' (leave one model out, about 8x longer) or k >= 5 grouped folds" },
    },
    examples: ["massive main", "massive main --format png --skip predict", "massive main --suite my-suite --out my-results --skip record"],
  },
  async (args) => {
    const v = args.values as Record<string, string | undefined>;
    const series = v.series!.split(",").map((s) => s.trim());
    for (const s of series) if (!["ratio", "top1", "median"].includes(s)) throw new UsageError(`--series '${s}' is not ratio, top1 or median`);
    const skip = (v.skip ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    for (const s of skip) if (!(STAGES as readonly string[]).includes(s)) throw new UsageError(`--skip '${s}' is not one of ${STAGES.join(", ")}`);
    const seed = integerOption(args, "seed")!;
    const workers = integerOption(args, "workers");
    const formats = v.format === "none" ? [] : parseFormats(v.format!);
    const outer = v["outer-folds"]!;
    if (outer !== "lomo" && !(/^\d+$/.test(outer) && Number(outer) >= 5)) throw new UsageError(`--outer-folds must be 'lomo' or an integer >= 5, got '${outer}'`);
    await runMainJob({
      suite: v.suite,
      out: v.out,
      series: series as ("ratio" | "top1" | "median")[],
      formats,
      seed,
      ...(workers !== undefined ? { workers } : {}),
      skip: skip as (typeof STAGES)[number][],
      outerFolds: outer === "lomo" ? "lomo" : Number(outer),
      perModel: v["per-model"] === "default" || v["per-model"] === "all" ? v["per-model"] : v["per-model"]!.split(",").map((s) => s.trim()).filter(Boolean),
    });
    return 0;
  },
);
