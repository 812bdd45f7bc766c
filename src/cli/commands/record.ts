/**
 * `massive record`: exp2 statistics (top-3 and torch.median of |h| per sequence and layer) for every checkpoint.
 *   massive record --checkpoints <dir> --eval <eval.json> --out <dir>      (step<N>/ folders; --steps picks some)
 *   massive record --model <hub id> --steps <list> --eval <eval.json> --out <dir>
 * `--eval` takes a JSON file of token ids or `redpajama[:<folder>]` (the paper's upstream draw); `--text <file>`
 * tokenises a text instead. `--save-eval <file>` keeps the evaluation set (alone, without a model: just build it).
 * Resumable and atomic (see src/record/run.ts); progress on stderr; exit 1 when a checkpoint failed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { HubClient } from "../../io/hub/client";
import { loadTokenizer, ByteTokenizer } from "../../io/tokenizer";
import { writeFileAtomic } from "../../util/atomic-write";
import { evalSetSha256, readEvalSequences, sequencesFromTextFile, type EvalSet, type TextTokenizer } from "../../record/eval-sequences";
import { redPajamaEvalSet } from "../../record/redpajama";
import { hubCheckpoints, listLocalCheckpoints, recordRun, type CheckpointRef, type RecordRunOptions } from "../../record/run";
import { gateStepsByAudit } from "../../io/hub/audit";
import { hubStepsFromArgs } from "../hub-steps";
import type { MedianMethod } from "../../record/stats";
import type { ModelSource } from "../../record/manifest";
import { choiceOption, defineCommand, integerOption, parseStepList, say, stringOption as str, UsageError } from "../args";

const PYTHIA_TOKENIZER = path.resolve(__dirname, "../../../data/pythia/20B_tokenizer.json");


/** The tokenizer for text sources: --tokenizer (a tokenizer.json or `bytes`), else one beside the checkpoints. */
async function chooseTokenizer(spec: string | undefined, near: { dir?: string; hub?: { client: HubClient; repo: string; revision: string } }, vocabSize: number | undefined): Promise<{ tokenizer: TextTokenizer; label: string }> {
  if (spec === "bytes") return { tokenizer: new ByteTokenizer(), label: "bytes" };
  if (spec) return { tokenizer: await loadTokenizer(spec), label: spec };
  if (near.dir && fs.existsSync(path.join(near.dir, "tokenizer.json"))) {
    const f = path.join(near.dir, "tokenizer.json");
    return { tokenizer: await loadTokenizer(f), label: f };
  }
  if (near.hub) {
    try {
      const f = await near.hub.client.downloadFile(near.hub.repo, "tokenizer.json", { revision: near.hub.revision });
      return { tokenizer: await loadTokenizer(f), label: `${near.hub.repo}@${near.hub.revision}/tokenizer.json` };
    } catch {
      // fall through to the defaults below
    }
  }
  if (vocabSize !== undefined && vocabSize <= 256) return { tokenizer: new ByteTokenizer(), label: "bytes" };
  return { tokenizer: await loadTokenizer(PYTHIA_TOKENIZER), label: "data/pythia/20B_tokenizer.json" };
}

function vocabOf(configFile: string): number | undefined {
  try {
    const v = (JSON.parse(fs.readFileSync(configFile, "utf8")) as { vocab_size?: unknown }).vocab_size;
    return typeof v === "number" ? v : undefined;
  } catch {
    return undefined;
  }
}

export const command = defineCommand(
  {
    name: "record",
    summary: "record exp2 statistics (top1-3 and median of |decoder-layer output|) for every checkpoint, resumably",
    options: {
      checkpoints: { type: "string", description: "folder of step<N>/ checkpoints (config.json + weights)" },
      model: { type: "string", description: "Hugging Face model id, e.g. EleutherAI/pythia-70m, EleutherAI/pythia-160m-deduped, EleutherAI/pythia-70m-seed3 (revisions step<N>)" },
      steps: { type: "string", description: "steps: 0,1000,2000 or 0:143000:1000 ranges, or 'all' (default with --checkpoints: all folders; with --model: the suite's schedule)" },
      "checkpoint-index": { type: "string", description: "with --model: TransformerLens checkpoint indices into the schedule instead of --steps (0,5,-1 or 0:10)" },
      "keep-duplicates": { type: "boolean", description: "with --model: record branches the hub audit finds byte-identical to another branch (skipped by default)" },
      "no-audit": { type: "boolean", description: "with --model: record the steps without checking them against the hub audit (sweep tasks, whose plan did)" },
      eval: { type: "string", description: "evaluation sequences: a JSON file of token ids, or redpajama[:<folder>] (upstream draw; hub if no folder)" },
      text: { type: "string", description: "a UTF-8 text file tokenised and cut into --chunks sequences of --seq-len tokens (instead of --eval)" },
      chunks: { type: "string", description: "sequences cut from --text or the RedPajama draw", default: "10" },
      "seq-len": { type: "string", description: "tokens per sequence for --text / redpajama (default 2048, capped at the model's context)" },
      tokenizer: { type: "string", description: "tokenizer.json for --text / redpajama, or 'bytes' (default: the checkpoint's, else by vocabulary size)" },
      seed: { type: "string", description: "numpy seed of the RedPajama draw", default: "1" },
      "save-eval": { type: "string", description: "write the evaluation set used (JSON of token ids) to this file" },
      out: { type: "string", description: "output folder: exp2_<name>_step<N> files, record-manifest.json, .record/" },
      name: { type: "string", description: "name in exp2_<name>_step<N> (default: folder name, or pythia_70m for EleutherAI/pythia-70m)" },
      "batch-size": { type: "string", description: "sequences per forward pass (default: as many as keep all layers' outputs under ~1 GiB)" },
      workers: { type: "string", description: "worker threads, one backend each (default: CPU cores / memory on wasm, 1 on GPU)" },
      median: { type: "string", description: "median method: auto, host or device", default: "auto" },
      compute: { type: "string", description: "float32, or float16: Linear layers on the GPU's tensor cores (webgpu with Dawn subgroup matrices only, docs/gpu.md); noted per checkpoint, never mixed with float32 results", default: "float32" },
      force: { type: "boolean", description: "record finished checkpoints again (and overwrite results of another evaluation set)" },
      "evict-weights": { type: "boolean", description: "delete each hub checkpoint's weights from the HF cache once recorded" },
    },
    examples: [
      "massive record --checkpoints data/mini-pythia/checkpoints/d128-L6-H4 --eval data/mini-pythia/eval_sequences.json --out results/d128-L6-H4/stats",
      "massive record --checkpoints data/mini-pythia/checkpoints/d128-L6-H4 --steps 1000 --eval data/mini-pythia/eval_sequences.json --out out/step1000",
      "massive record --model EleutherAI/pythia-70m --steps 0,1000:143000:1000 --eval redpajama --out results/pythia_70m/stats",
      "massive record --model EleutherAI/pythia-70m-seed3 --checkpoint-index 0,-1 --eval redpajama-eval.json --out results/pythia_70m_seed3/stats",
      "massive record --eval redpajama --tokenizer data/pythia/20B_tokenizer.json --save-eval redpajama-eval.json",
    ],
  },
  async (args) => {
    const ckDir = str(args, "checkpoints");
    const hubId = str(args, "model");
    const out = str(args, "out");
    const saveEval = str(args, "save-eval");
    if (ckDir && hubId) throw new UsageError("give --checkpoints or --model, not both");
    if (!ckDir && !hubId && !saveEval) throw new UsageError("--checkpoints <dir> or --model <hub id> is required (see massive record --help)");
    if ((ckDir || hubId) && !out) throw new UsageError("--out is required (see massive record --help)");
    const evalSpec = str(args, "eval");
    const textFile = str(args, "text");
    if (!evalSpec === !textFile) throw new UsageError("give exactly one of --eval <file|redpajama> and --text <file>");
    const median: MedianMethod = choiceOption(args, "median", ["auto", "host", "device"] as const)!;
    const compute = choiceOption(args, "compute", ["float32", "float16"] as const)!;
    const hub = new HubClient();

    // Which checkpoints.
    let checkpoints: CheckpointRef[] = [];
    let model: ModelSource | undefined;
    let skippedCheckpoints: RecordRunOptions["skippedCheckpoints"];
    const stepsText = str(args, "steps");
    if (ckDir) {
      model = { kind: "local", id: path.resolve(ckDir) };
      const steps = stepsText && stepsText !== "all" ? parseStepList(stepsText) : undefined;
      checkpoints = listLocalCheckpoints(ckDir, steps);
    } else if (hubId) {
      const indexText = str(args, "checkpoint-index");
      if (!stepsText && !indexText) throw new UsageError("--model needs --steps (a list, ranges, or 'all') or --checkpoint-index");
      model = { kind: "hub", id: hubId };
      const steps = await hubStepsFromArgs(hub, hubId, stepsText, indexText, "record");
      const gate = args.values["no-audit"]
        ? { steps, skipped: [], keptDuplicates: [], warnings: [] }
        : await gateStepsByAudit(hub, hubId, steps, { keepDuplicates: Boolean(args.values["keep-duplicates"]), log: say });
      for (const w of gate.warnings) say(`[record] warning: ${w}`);
      for (const d of gate.skipped) say(`[record] skipping step ${d.step}: ${d.message}${d.reason.startsWith("duplicate") ? " (--keep-duplicates records it anyway)" : ""}`);
      for (const d of gate.keptDuplicates) say(`[record] keeping step ${d.step} (--keep-duplicates): ${d.message}`);
      if (gate.steps.length === 0) throw new Error(`${hubId}: every requested step was left out by the hub audit (massive audit --model ${hubId} shows why)`);
      checkpoints = hubCheckpoints(hubId, gate.steps);
      skippedCheckpoints = gate.skipped.map(({ step, reason, sameAs, message }) => ({ step, reason, ...(sameAs ? { sameAs } : {}), message }));
    }
    const first = checkpoints[0];
    const firstDir = first?.kind === "local" ? first.dir : undefined;
    const vocab = firstDir ? vocabOf(path.join(firstDir, "config.json")) : undefined;
    let maxCtx: number | undefined;
    if (firstDir) {
      try {
        maxCtx = (JSON.parse(fs.readFileSync(path.join(firstDir, "config.json"), "utf8")) as { max_position_embeddings?: number }).max_position_embeddings;
      } catch {
        maxCtx = undefined;
      }
    }
    const near = { dir: firstDir, hub: first?.kind === "hub" ? { client: hub, repo: first.repo, revision: first.revision } : undefined };

    // Which evaluation sequences.
    const chunks = integerOption(args, "chunks", { min: 1 })!;
    const seqLen = integerOption(args, "seq-len", { min: 1 }) ?? Math.min(2048, maxCtx ?? 2048);
    let evalSet: EvalSet;
    if (textFile) {
      const { tokenizer, label } = await chooseTokenizer(str(args, "tokenizer"), near, vocab);
      evalSet = sequencesFromTextFile(textFile, tokenizer, { chunks, seqLen });
      evalSet.details = { ...evalSet.details, tokenizer: label };
    } else if (/^redpajama(:|$)/.test(evalSpec!)) {
      const folder = evalSpec!.slice("redpajama".length + 1) || undefined;
      const { tokenizer, label } = await chooseTokenizer(str(args, "tokenizer"), near, vocab);
      const seed = integerOption(args, "seed", { max: 0xffffffff })!;
      process.stderr.write(`[record] drawing the RedPajama sample (seed ${seed}) from ${folder ?? "the hub"}, tokenizer ${label}\n`);
      evalSet = await redPajamaEvalSet(folder ? { dir: folder } : { hub }, tokenizer, { seed, chunks, seqLen });
      evalSet.details = { ...evalSet.details, tokenizer: label };
    } else {
      evalSet = readEvalSequences(evalSpec!);
    }
    if (saveEval) {
      const seqs = evalSet.sequences;
      await writeFileAtomic(saveEval, `{"source": ${JSON.stringify(evalSet.source)}, "seq_len": ${seqs[0]!.length}, "sha256": "${evalSetSha256(seqs)}", "details": ${JSON.stringify(evalSet.details ?? {})},\n "sequences": [\n${seqs.map((s) => `  ${JSON.stringify(s)}`).join(",\n")}\n]}\n`);
      process.stderr.write(`[record] evaluation set (${seqs.length} x ${seqs[0]!.length} tokens) written to ${saveEval}\n`);
    }
    if (!model) return 0;

    const summary = await recordRun({
      out: out!,
      model,
      checkpoints,
      evalSet,
      name: str(args, "name"),
      workers: integerOption(args, "workers", { min: 1 }),
      batchSize: integerOption(args, "batch-size", { min: 1 }),
      medianMethod: median,
      compute,
      hub,
      force: Boolean(args.values.force),
      skippedCheckpoints,
      evictWeights: Boolean(args.values["evict-weights"]),
    });
    const per = summary.recorded.length ? summary.recorded.reduce((a, r) => a + r.seconds, 0) / summary.recorded.length : 0;
    process.stderr.write(`[record] ${summary.name}: ${summary.recorded.length} recorded (${per.toFixed(2)} s per checkpoint, ${summary.workers || 0} worker(s)), ${summary.skipped.length} already done, ${summary.failed.length} failed, ${summary.seconds.toFixed(1)} s; results in ${summary.out}\n`);
    const { backends, arithmetic } = summary.manifest;
    // Results of different arithmetic differ in their low bits (split vs SIMT) or more (float16 attentions): say so once.
    if (backends.length > 1 || arithmetic.length > 1) process.stderr.write(`[record] note: ${summary.out} holds checkpoints recorded ${backends.length > 1 ? `on backends ${backends.join(" and ")}` : ""}${backends.length > 1 && arithmetic.length > 1 ? " and " : ""}${arithmetic.length > 1 ? `with ${arithmetic.map((a) => `(${a})`).join(" and ")}` : ""} (record-manifest.json says which per step)\n`);
    if (summary.failed.length) throw new Error(`${summary.failed.length} checkpoint(s) failed: ${summary.failed.map((f) => `step ${f.step}: ${f.message}`).join("; ")}`);
    return 0;
  },
);
