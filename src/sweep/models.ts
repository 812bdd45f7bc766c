/**
 * What a sweep needs to know about a model before recording it: where its checkpoints come from (a Hugging Face
 * hub id or a local folder of `step<N>/` checkpoints), its architecture and hence its parameter count and checkpoint
 * size. Pythia's architectures come from the bundled training recipes (data/pythia/training-configs/*.yml).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { recognizeSuiteModel } from "../io/hub/suites";
import { UsageError } from "../util/usage-error";

/** GPT-NeoX architecture numbers that size a model. */
export interface ModelArch {
  layers: number;
  hidden: number;
  heads: number;
  /** Rows of the embedding and output matrices (Pythia pads the tokenizer's 50277 up to a multiple of 128 x model-parallel size). */
  vocab: number;
  /** MLP width (4 x hidden in Pythia). */
  intermediate: number;
  /** Size of the causal-mask buffer `attention.bias` stored per layer in Pythia's files (bool, max_pos x max_pos). */
  maxPositions: number;
}

export interface ParamCount {
  total: number;
  /** Everything but the embedding and output matrices: the part whose cost scales with tokens in every layer. */
  nonEmbedding: number;
}

/**
 * Parameter count of a GPT-NeoX model with untied embeddings and biases everywhere: per layer two LayerNorms (4d),
 * fused QKV (3d^2 + 3d), attention output (d^2 + d), MLP (2 d d_ff + d_ff + d); plus embed_in and embed_out (2Vd) and
 * the final LayerNorm (2d). Pythia-70m: 70,426,624; Pythia-1b: 1,011,781,632 (the hub's numbers).
 */
export function gptNeoxParamCount(a: ModelArch): ParamCount {
  const d = a.hidden;
  const perLayer = 4 * d + 3 * d * d + 3 * d + d * d + d + 2 * d * a.intermediate + a.intermediate + d;
  const nonEmbedding = a.layers * perLayer + 2 * d;
  return { total: nonEmbedding + 2 * a.vocab * d, nonEmbedding };
}

/** Tokens in Pythia's tokenizer (20B_tokenizer.json) before padding. */
export const PYTHIA_TOKENIZER_SIZE = 50277;

/** Pythia's padded vocabulary: 50304 for model-parallel size 1, 50432 for 2 (6.9b), 50688 for 4 (12b). */
export function pythiaPaddedVocab(modelParallel: number): number {
  const m = 128 * modelParallel;
  return Math.ceil(PYTHIA_TOKENIZER_SIZE / m) * m;
}

/** Reads the sizing fields of a GPT-NeoX training recipe (.yml as EleutherAI ships them: JSON-like with # comments). */
export function archFromTrainingConfig(file: string): ModelArch {
  const text = fs.readFileSync(file, "utf8");
  const num = (key: string, fallback?: number): number => {
    const m = new RegExp(`"${key}"\\s*:\\s*(\\d+)`).exec(text);
    if (m) return Number(m[1]);
    if (fallback !== undefined) return fallback;
    throw new Error(`${file}: no "${key}"`);
  };
  const hidden = num("hidden-size");
  return {
    layers: num("num-layers"),
    hidden,
    heads: num("num-attention-heads"),
    vocab: pythiaPaddedVocab(num("model-parallel-size", 1)),
    intermediate: 4 * hidden,
    maxPositions: num("max-position-embeddings", 2048),
  };
}

/** The project's data folder (data/ at the repository root). */
export function projectDataDir(): string {
  return path.resolve(__dirname, "../../data");
}

/**
 * The bundled recipe of a suite model (src/io/hub/suites.ts): `EleutherAI/pythia-1.4b-deduped` ->
 * `pythia-1.4b-deduped`, a PolyPythias seed `EleutherAI/pythia-70m-seed3` -> `pythia-70m` (same architecture);
 * undefined when the id is no suite model or no recipe is bundled.
 */
export function pythiaRecipeName(hubId: string): string | undefined {
  const name = recognizeSuiteModel(hubId)?.recipe;
  if (!name) return undefined;
  return fs.existsSync(path.join(projectDataDir(), "pythia/training-configs", `${name}.yml`)) ? name : undefined;
}

/** Architecture from a Hugging Face `config.json` (GPT-NeoX field names). */
export function archFromHfConfig(config: Record<string, unknown>, where: string): ModelArch {
  const n = (key: string, fallback?: number): number => {
    const v = config[key];
    if (typeof v === "number" && Number.isFinite(v)) return v;
    if (fallback !== undefined) return fallback;
    throw new Error(`${where}: config.json has no numeric "${key}"`);
  };
  const hidden = n("hidden_size");
  return {
    layers: n("num_hidden_layers"),
    hidden,
    heads: n("num_attention_heads"),
    vocab: n("vocab_size"),
    intermediate: n("intermediate_size", 4 * hidden),
    maxPositions: n("max_position_embeddings", 2048),
  };
}

/** One model of a sweep, resolved. */
export interface ResolvedModel {
  /** As given on the command line. */
  id: string;
  kind: "hub" | "local";
  /** Hub id, or the absolute path of the folder holding `step<N>/` checkpoints. */
  source: string;
  /** Folder-safe name used for the sweep's sub-folders and Slurm job names. */
  name: string;
  arch: ModelArch;
  params: ParamCount;
  /** Storage dtype of the checkpoint files. */
  fileDtype: "float16" | "bfloat16" | "float32";
  /** Bytes of one checkpoint as stored (measured for local models, computed for hub models). */
  checkpointBytes: number;
  /** Steps present on disk (local models only). */
  availableSteps?: number[];
}

const DTYPE_BYTES = { float16: 2, bfloat16: 2, float32: 4 } as const;

/** Bytes of one Pythia checkpoint file: the weights plus the per-layer bool causal mask `attention.bias`. */
export function checkpointBytesFor(arch: ModelArch, params: ParamCount, dtype: keyof typeof DTYPE_BYTES): number {
  return params.total * DTYPE_BYTES[dtype] + arch.layers * arch.maxPositions * arch.maxPositions;
}

/** Turns any id into a name safe for folders and job names: `EleutherAI/pythia-70m` -> `pythia-70m`. */
export function safeModelName(id: string): string {
  const base = id.replace(/[\\/]+$/, "").split(/[\\/]/).pop() ?? id;
  const safe = base.replace(/[^A-Za-z0-9._-]+/g, "_");
  if (!safe || safe === "." || safe === "..") throw new UsageError(`--models: cannot name a model after '${id}'`);
  return safe;
}

function listStepDirs(dir: string): number[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => /^step(\d+)$/.exec(e.name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? folderBytes(p) : e.isFile() ? fs.statSync(p).size : 0;
  }
  return total;
}

/** Resolves one `--models` entry: an existing folder is a local model, anything else of the form owner/name a hub id. */
export function resolveModel(id: string, cwd = process.cwd()): ResolvedModel {
  const local = path.resolve(cwd, id);
  if (fs.existsSync(local) && fs.statSync(local).isDirectory()) {
    const steps = listStepDirs(local);
    if (steps.length === 0) throw new UsageError(`--models: ${id} holds no step<N>/ checkpoint folders`);
    const first = path.join(local, `step${steps[0]}`);
    const configFile = path.join(first, "config.json");
    let config: Record<string, unknown>;
    try {
      config = JSON.parse(fs.readFileSync(configFile, "utf8")) as Record<string, unknown>;
    } catch (err) {
      throw new UsageError(`--models: ${configFile}: ${(err as Error).message.split("\n")[0]}`);
    }
    const arch = archFromHfConfig(config, configFile);
    const dtype = config.torch_dtype === "float32" || config.torch_dtype === "bfloat16" ? config.torch_dtype : "float16";
    return {
      id,
      kind: "local",
      source: local,
      name: safeModelName(local),
      arch,
      params: gptNeoxParamCount(arch),
      fileDtype: dtype,
      checkpointBytes: folderBytes(first),
      availableSteps: steps,
    };
  }
  if (!/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/.test(id)) {
    throw new UsageError(`--models: '${id}' is neither an existing folder nor a hub id like EleutherAI/pythia-70m`);
  }
  const recipe = pythiaRecipeName(id);
  if (!recipe) {
    throw new UsageError(`--models: no architecture known for hub model '${id}' (bundled: the Pythia recipes in data/pythia/training-configs); download one checkpoint and pass its folder instead`);
  }
  const arch = archFromTrainingConfig(path.join(projectDataDir(), "pythia/training-configs", `${recipe}.yml`));
  const params = gptNeoxParamCount(arch);
  return { id, kind: "hub", source: id, name: safeModelName(id), arch, params, fileDtype: "float16", checkpointBytes: checkpointBytesFor(arch, params, "float16") };
}
