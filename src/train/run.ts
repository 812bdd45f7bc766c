/**
 * A whole training run, resumable: `trainRun` is what `massive train` does, callable from notebooks.
 *
 * Writes `<out>/step<N>/` (weights after N updates, see ./checkpoint.ts) at the save steps, `<out>/train_log.json`
 * (`{"steps": [{"step", "loss", "grad_norm", "lr"}, ...]}`, loss before update k, gradient norm before clipping),
 * and with an evaluation set `<out>/<name>/stats/exp2_<name>_step<N>` (exp2 statistics, recorded by the same code
 * as `massive record`), `<out>/<name>/eval_loss.json`, `<out>/<name>/config.json`, `<out>/eval_sequences.json` and
 * `<out>/suite.json`, so that `<out>` is a suite folder for `massive main --suite <out>`.
 * When `<out>` holds a complete state of an earlier run with the same recipe it resumes from its last saved step;
 * floating-point work on one backend is deterministic, so the weights equal those of an uninterrupted run.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { initBackend, tf } from "../backend";
import type { NeoXConfig } from "../io/config";
import { writeExp2Stats } from "../io/exp2-stats";
import type { HostTensor } from "../io/host-tensor";
import { readSafetensors } from "../io/safetensors";
import { GPTNeoX } from "../model/gpt-neox";
import { recordCheckpointStats } from "../record/stats";
import { writeFileAtomic } from "../util/atomic-write";
import { startProgress } from "../util/progress";
import { dropResumeState, loadCheckpoint, resumableSteps, saveCheckpoint, type TrainerState, type TrainLogEntry } from "./checkpoint";
import { BatchSampler, type Corpus } from "./data";
import { causalLmLoss, defaultMicroBatch, disposeTables, lossAndGradients, positionTables } from "./forward";
import { AdamW, learningRateAt } from "./optimizer";
import { TrainableParams, hostParamsFromWeights, initialParams, type HostParams } from "./params";
import { defaultSaveSteps, MINI_PYTHIA_RECIPE, streamSeeds, type TrainRecipe } from "./recipe";

/** Where batches come from: a corpus sampled by the seeded sampler, or exact `[step]` batches of B x T ids. */
export type TrainData = { kind: "corpus"; corpus: Corpus } | { kind: "batches"; batches: Int32Array[]; source: string };

export interface TrainOptions {
  config: NeoXConfig;
  out: string;
  data: TrainData;
  /** Recipe settings that differ from mini-pythia's. */
  recipe?: Partial<TrainRecipe>;
  /** Initial weights (a state dict, e.g. read from `--init`); default: seeded fresh initialisation. */
  init?: Map<string, HostTensor>;
  /** Steps to save (0 = initial weights), or "all"; default {@link defaultSaveSteps}. The last step is always saved. */
  saveSteps?: number[] | "all";
  /** Evaluation sequences for exp2 statistics and eval loss at every saved step. */
  evalSequences?: number[][];
  /** Model name in `<out>/<name>/` and exp2 file names; default: the folder name of `out`. */
  name?: string;
  /** Sequences per forward/backward pass (gradients are accumulated over the batch); default {@link defaultMicroBatch}. */
  microBatch?: number;
  /** Called after every update with its log entry. */
  onStep?: (entry: TrainLogEntry) => void;
}

export interface TrainResult {
  recipe: TrainRecipe;
  log: TrainLogEntry[];
  savedSteps: number[];
  /** The step the run resumed from (undefined for a fresh start). */
  resumedFrom?: number;
  evalLoss: Record<string, number>;
  /** Seconds spent in this call, and updates taken in it. */
  seconds: number;
  updates: number;
}

/** A row-major [rows, cols] matrix transposed on the host (no synchronous device read: WebGPU in Node has none). */
function transposeHost(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c]!;
  return out;
}

function readJsonOr<T>(file: string, fallback: T): T {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch {
    return fallback;
  }
}

/** Checks a recipe and returns it complete. */
export function resolveRecipe(overrides: Partial<TrainRecipe> = {}, data?: TrainData): TrainRecipe {
  const r: TrainRecipe = { ...MINI_PYTHIA_RECIPE, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  if (data?.kind === "batches") {
    const first = data.batches[0]!;
    r.seq = overrides.seq ?? r.seq;
    if (overrides.steps === undefined) r.steps = data.batches.length;
    if (r.steps > data.batches.length) throw new Error(`${data.source}: holds ${data.batches.length} batches, --steps asks for ${r.steps}`);
    if (first.length % r.seq !== 0) throw new Error(`${data.source}: a batch of ${first.length} ids is not a multiple of --seq ${r.seq}`);
    r.batch = first.length / r.seq;
  }
  const positiveInts: (keyof TrainRecipe)[] = ["steps", "batch", "seq"];
  for (const k of positiveInts) if (!Number.isInteger(r[k]) || r[k] < 1) throw new Error(`recipe: ${k} must be a positive integer, got ${r[k]}`);
  if (r.seq < 2) throw new Error(`recipe: seq must be at least 2, got ${r.seq}`);
  if (!Number.isInteger(r.warmup) || r.warmup < 0) throw new Error(`recipe: warmup must be a non-negative integer, got ${r.warmup}`);
  if (!Number.isInteger(r.seed) || r.seed < 0) throw new Error(`recipe: seed must be a non-negative integer, got ${r.seed}`);
  for (const k of ["lr", "weight_decay", "grad_clip", "eps"] as const) if (!Number.isFinite(r[k]) || r[k] < 0) throw new Error(`recipe: ${k} must be a non-negative number, got ${r[k]}`);
  return r;
}

/** Trains (or resumes) a run; see the module comment for what lands on disk. */
export async function trainRun(options: TrainOptions): Promise<TrainResult> {
  await initBackend();
  const started = Date.now();
  const { config, out, data } = options;
  const recipe = resolveRecipe(options.recipe, data);
  if (recipe.seq > config.maxPositionEmbeddings) throw new Error(`recipe: seq ${recipe.seq} exceeds the model's max_position_embeddings ${config.maxPositionEmbeddings}`);
  const name = options.name ?? path.basename(path.resolve(out));
  const save = new Set(options.saveSteps === "all" ? Array.from({ length: recipe.steps + 1 }, (_, i) => i) : (options.saveSteps ?? defaultSaveSteps(recipe.steps)).filter((s) => s <= recipe.steps));
  save.add(recipe.steps);
  const seeds = streamSeeds(recipe.seed);

  // Resume from the last complete state of the same recipe, or start fresh.
  const done = resumableSteps(out);
  let resumeStep: number | undefined;
  let host: HostParams;
  let state: TrainerState | undefined;
  let moments: Map<string, HostTensor> | undefined;
  if (done.length > 0) {
    resumeStep = done[done.length - 1]!;
    const loaded = await loadCheckpoint(out, resumeStep);
    if (JSON.stringify(loaded.state.recipe) !== JSON.stringify(recipe)) {
      throw new Error(`${out}: holds a run with another recipe (${JSON.stringify(loaded.state.recipe)}); use another --out or the same settings`);
    }
    state = loaded.state;
    moments = loaded.moments;
    host = hostParamsFromWeights(config, loaded.weights, `${out}/step${resumeStep}/model.safetensors`);
  } else {
    host = options.init ? hostParamsFromWeights(config, options.init, "--init weights") : initialParams(config, seeds.init);
  }
  const params = new TrainableParams(config, host);
  const opt = new AdamW(params.list(), { weightDecay: recipe.weight_decay, beta1: recipe.beta1, beta2: recipe.beta2, eps: recipe.eps });
  if (state && moments) {
    const get = (k: string): Float32Array => {
      const t = moments!.get(k);
      if (!t) throw new Error(`${out}/step${resumeStep}/optimizer.safetensors: missing '${k}'`);
      return t.data as Float32Array;
    };
    // Moments are saved in torch layout; linear weights live transposed on the backend.
    const layout = (k: string, name: string): Float32Array => {
      const s = params.specs.find((x) => x.name === name)!;
      return s.kind === "linear" ? transposeHost(get(k), s.shape[0]!, s.shape[1]!) : get(k);
    };
    opt.restore(params.specs.map((s) => layout(`exp_avg.${s.name}`, s.name)), params.specs.map((s) => layout(`exp_avg_sq.${s.name}`, s.name)), state.step);
  }
  const log: TrainLogEntry[] = state ? state.log.slice(0, state.step) : [];
  const sampler = data.kind === "corpus" ? new BatchSampler(data.corpus, recipe.batch, recipe.seq, seeds.data) : undefined;
  if (sampler && state) sampler.skip(state.sampler_position);
  const tables = positionTables(config, recipe.seq);
  const microBatch = options.microBatch ?? defaultMicroBatch(config, recipe.seq, recipe.batch);
  const modelDir = path.join(out, name);
  const evalLossFile = path.join(modelDir, "eval_loss.json");
  const evalLoss = readJsonOr<Record<string, number>>(evalLossFile, {});
  const saved: number[] = [];
  let lastResumable = resumeStep;

  const writeLog = (): Promise<void> => writeFileAtomic(path.join(out, "train_log.json"), `${JSON.stringify({ steps: log, recipe, name, saved_steps: [...save].sort((a, b) => a - b) })}\n`);

  const saveStep = async (step: number): Promise<void> => {
    const weights = await params.toHost();
    const { m, v } = await opt.toHost();
    const momentTensors = new Map<string, HostTensor>();
    params.specs.forEach((s, i) => {
      const torchLayout = (x: Float32Array): Float32Array => (s.kind === "linear" ? transposeHost(x, s.shape[1]!, s.shape[0]!) : x);
      momentTensors.set(`exp_avg.${s.name}`, { dtype: "float32", shape: s.shape, data: torchLayout(m[i]!) });
      momentTensors.set(`exp_avg_sq.${s.name}`, { dtype: "float32", shape: s.shape, data: torchLayout(v[i]!) });
    });
    if (options.evalSequences) await evaluate(step, weights);
    const trainerState: TrainerState = { step, sampler_position: sampler?.position ?? step, recipe, log: log.slice(0, step) };
    await saveCheckpoint(out, step, config.raw, weights, { moments: momentTensors, state: trainerState });
    await writeLog();
    if (lastResumable !== undefined && lastResumable !== step) dropResumeState(out, lastResumable);
    lastResumable = step;
    saved.push(step);
  };

  const evaluate = async (step: number, weights: Map<string, HostTensor>): Promise<void> => {
    const sequences = options.evalSequences!;
    const model = new GPTNeoX(config);
    model.loadWeights(weights, `step ${step}`);
    try {
      const values = await recordCheckpointStats(model, sequences);
      await writeExp2Stats(path.join(modelDir, "stats"), name, { step, values });
    } finally {
      model.dispose();
    }
    const evalTables = positionTables(config, sequences[0]!.length);
    const ids = tf.tensor2d(sequences, undefined, "int32");
    const loss = causalLmLoss(params, ids, evalTables);
    evalLoss[String(step)] = (await loss.data())[0]!;
    tf.dispose([ids, loss]);
    disposeTables(evalTables);
    await writeFileAtomic(evalLossFile, `${JSON.stringify(Object.fromEntries(Object.entries(evalLoss).sort((a, b) => Number(a[0]) - Number(b[0]))), null, 1)}\n`);
  };

  if (options.evalSequences) await writeSuiteFiles(out, name, config, options.evalSequences);
  const start = state?.step ?? 0;
  try {
    if (start === 0 && resumeStep === undefined) await saveStep(0);
    const progress = startProgress(`train ${name}`, recipe.steps - start);
    const loopStart = Date.now();
    for (let k = start; k < recipe.steps; k++) {
      const ids = tf.tensor2d(data.kind === "corpus" ? sampler!.next() : data.batches[k]!, [recipe.batch, recipe.seq], "int32");
      const lr = learningRateAt(k, recipe);
      const { loss, grads } = lossAndGradients(params, ids, tables, microBatch);
      const norm = opt.step(grads, lr, recipe.grad_clip);
      const entry: TrainLogEntry = { step: k, loss: (await loss.data())[0]!, grad_norm: (await norm.data())[0]!, lr };
      tf.dispose([ids, loss, norm, ...grads]);
      if (!Number.isFinite(entry.loss)) throw new Error(`update ${k}: the loss is ${entry.loss} (diverged; try a lower --lr)`);
      log.push(entry);
      options.onStep?.(entry);
      progress.tick(1, `loss ${entry.loss.toFixed(4)}, ${((k + 1 - start) / Math.max((Date.now() - loopStart) / 1000, 1e-9)).toFixed(2)} steps/s`);
      if (save.has(k + 1)) await saveStep(k + 1);
    }
    progress.done(`loss ${log[log.length - 1]?.loss.toFixed(4) ?? "-"}`);
  } finally {
    disposeTables(tables);
    params.dispose();
    opt.dispose();
  }
  return {
    recipe, log, savedSteps: saved, evalLoss, seconds: (Date.now() - started) / 1000, updates: recipe.steps - start,
    ...(resumeStep !== undefined ? { resumedFrom: resumeStep } : {}),
  };
}

/** `<out>/suite.json`, `<out>/<name>/config.json` and `<out>/eval_sequences.json`: `<out>` becomes a one-model suite. */
async function writeSuiteFiles(out: string, name: string, config: NeoXConfig, evalSequences: number[][]): Promise<void> {
  const suite = {
    description: `trained by massive train (${name})`,
    models: [{ name, group: "architecture", base: name, varies: null, hidden_size: config.hiddenSize, num_hidden_layers: config.numLayers, num_attention_heads: config.numHeads }],
  };
  await writeFileAtomic(path.join(out, "suite.json"), `${JSON.stringify(suite, null, 1)}\n`);
  await writeFileAtomic(path.join(out, name, "config.json"), `${JSON.stringify(config.raw, null, 2)}\n`);
  await writeFileAtomic(path.join(out, "eval_sequences.json"), `${JSON.stringify({ sequences: evalSequences })}\n`);
}

/** Reads `--init`: a safetensors file, or a checkpoint folder holding model.safetensors. */
export async function readInitWeights(file: string): Promise<Map<string, HostTensor>> {
  const target = fs.existsSync(file) && fs.statSync(file).isDirectory() ? path.join(file, "model.safetensors") : file;
  if (!fs.existsSync(target)) throw new Error(`${file}: no such weights file (expected a .safetensors file or a folder with model.safetensors)`);
  return readSafetensors(target);
}
