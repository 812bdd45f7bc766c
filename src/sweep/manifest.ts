/**
 * The sweep's task manifest (`<sweep>/sweep.json`): one entry per model with its resources and Slurm script, one
 * task per (model, checkpoint) holding the exact argv that records it. Everything that runs a task (a Slurm array
 * task, `sweep run-local`, a user by hand) goes through `massive sweep task`, which reads this file.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "../util/usage-error";
import { writeFileAtomic } from "../util/atomic-write";
import type { ResolvedModel } from "./models";
import { estimateTask, type EvalShape, type TaskResources } from "./resources";
import type { StepRequest } from "./schedule";
import { parseJsonText } from "../util/read-text";

export const SWEEP_MANIFEST_FILE = "sweep.json";
export const MANIFEST_FORMAT = "massive-sweep/1";

/** Options that shape the Slurm scripts. */
export interface SlurmOptions {
  partition?: string;
  account?: string;
  /** GPUs per array task (0: CPU only). */
  gpusPerTask: number;
  /** `--gres` value overriding `gpu:<gpusPerTask>` (e.g. `gpu:h100:1`). */
  gres?: string;
  cpusPerTask: number;
  /** `%N`: array tasks of one model allowed to run at once (0: no limit). */
  concurrency: number;
  /** `--time` override for every model (Slurm syntax). */
  time?: string;
  /** `--mem` override for every model (Slurm syntax, e.g. 32G). */
  mem?: string;
  /** Extra `#SBATCH` lines, given without the prefix (e.g. `--qos=long`). */
  extra: string[];
  /** `KEY=VALUE` pairs exported by the script before the task runs; `$VARS` in VALUE expand on the compute node. */
  env?: string[];
}

export interface SweepTask {
  /** Array index = position in the model's task list. */
  index: number;
  step: number;
  /** Folder the task writes its stats file into, relative to the sweep folder. */
  out: string;
  /** The full command line that records this checkpoint (program first). */
  argv: string[];
}

/** A model of the manifest: the resolved model (without the steps found on disk) plus its Slurm array. */
export interface SweepModel extends Omit<ResolvedModel, "availableSteps"> {
  index: number;
  /** TensorFlow.js computes in float32 whatever the file's dtype. */
  computeDtype: "float32";
  checkpointBytes: number;
  resources: TaskResources;
  /** Slurm job name (`%x` in log names). */
  jobName: string;
  /** Slurm array script, relative to the sweep folder. */
  script: string;
  tasks: SweepTask[];
  /** Hub models: requested steps the hub audit left out (duplicates, missing branches), with the reason. */
  skipped?: SkippedStep[];
}

/** A step left out of the plan by the hub audit (src/io/hub/audit.ts). */
export interface SkippedStep {
  step: number;
  reason: string;
  sameAs?: string[];
  message: string;
}

export interface SweepManifest {
  format: typeof MANIFEST_FORMAT;
  /** Short id that tags this sweep's Slurm jobs (`--comment=massive-sweep=<id>`). */
  sweepId: string;
  created: string;
  /** The sweep folder when planned (absolute). */
  dir: string;
  /** The eval spec passed to every record task. */
  eval: string;
  evalShape: EvalShape;
  /** `--steps` as given. */
  steps: string;
  /** How to invoke `massive` (program first): used by the Slurm scripts and run-local for `massive sweep task`. */
  massive: string[];
  slurm: SlurmOptions;
  models: SweepModel[];
}

export interface PlanInput {
  dir: string;
  models: ResolvedModel[];
  steps: StepRequest;
  stepsText: string;
  eval: string;
  evalShape: EvalShape;
  slurm: SlurmOptions;
  /** How to invoke massive (default: this Node and bin/massive.cjs). */
  massive: string[];
  /** The program prefix of every record task (default: `massive` + `record`). */
  recordCommand: string[];
  /** Extra arguments appended to every record command. */
  recordArgs: string[];
  /** Extra arguments appended to the record commands of hub models only (e.g. `--evict-weights`). */
  hubRecordArgs?: string[];
  /** Steps to leave out per hub model id (the hub audit's verdicts, see gateStepsByAudit). */
  skippedSteps?: Record<string, SkippedStep[]>;
  warn?: (line: string) => void;
}

/** The default way to invoke massive: this Node binary and the repository's bin/massive.cjs, absolute. */
export function defaultMassiveCommand(): string[] {
  return [process.execPath, path.resolve(__dirname, "../../bin/massive.cjs")];
}

/** Steps of one model: the request, restricted for local models to the folders present (with a warning). */
function stepsFor(model: ResolvedModel, req: StepRequest, warn: (l: string) => void): number[] {
  if (model.kind === "hub") {
    if (req.kind === "all") throw new UsageError(`--steps all works for local folders only; use pythia-schedule or a list for ${model.id}`);
    return req.steps;
  }
  const have = new Set(model.availableSteps ?? []);
  if (req.kind === "all") return [...have].sort((a, b) => a - b);
  const missing = req.steps.filter((s) => !have.has(s));
  if (missing.length && req.kind === "list") {
    throw new UsageError(`--steps: ${model.id} has no step${missing[0]}/ folder${missing.length > 1 ? ` (and ${missing.length - 1} more missing)` : ""}`);
  }
  const steps = req.steps.filter((s) => have.has(s));
  if (missing.length) warn(`${model.id}: ${missing.length} of ${req.steps.length} schedule steps have no folder; planning the ${steps.length} present`);
  if (steps.length === 0) throw new UsageError(`--steps: none of the requested steps exist under ${model.id}`);
  return steps;
}

/** Builds the manifest (no files written). */
export function buildManifest(input: PlanInput): SweepManifest {
  const warn = input.warn ?? (() => undefined);
  const dir = path.resolve(input.dir);
  const names = new Set<string>();
  const models = input.models.map((m, index): SweepModel => {
    if (names.has(m.name)) throw new UsageError(`--models: two models would share the folder name '${m.name}'`);
    names.add(m.name);
    if (/^EleutherAI\/pythia-2\.8b/i.test(m.id)) warn(`${m.id}: most step branches of pythia-2.8b serve the final weights (EleutherAI/pythia issues 195, 205); the hub audit leaves them out unless --keep-duplicates`);
    if (/^EleutherAI\/pythia-12b/i.test(m.id)) warn(`${m.id}: branches step50000 and step58000 hold the final model's first shard (EleutherAI/pythia issue 206); the hub audit leaves them out unless --keep-duplicates`);
    const skipped = m.kind === "hub" ? input.skippedSteps?.[m.id] ?? [] : [];
    const steps = stepsFor(m, input.steps, warn).filter((s) => !skipped.some((k) => k.step === s));
    const resources = estimateTask(m, input.evalShape, input.slurm.gpusPerTask);
    const tasks = steps.map((step, i): SweepTask => {
      const out = path.join("records", m.name, `step${step}`);
      const source = m.kind === "hub" ? ["--model", m.source] : ["--checkpoints", m.source];
      return {
        index: i,
        step,
        out,
        argv: [...input.recordCommand, ...source, "--steps", String(step), "--eval", input.eval, "--out", path.join(dir, out), ...input.recordArgs, ...(m.kind === "hub" ? input.hubRecordArgs ?? [] : [])],
      };
    });
    return {
      index,
      id: m.id,
      kind: m.kind,
      source: m.source,
      name: m.name,
      arch: m.arch,
      params: m.params,
      fileDtype: m.fileDtype,
      computeDtype: "float32",
      checkpointBytes: m.checkpointBytes,
      resources,
      jobName: `massive_${m.name}`,
      script: path.join("slurm", `${m.name}.sbatch`),
      tasks,
      ...(skipped.length ? { skipped } : {}),
    };
  });
  const sweepId = crypto.createHash("sha256").update(`${dir}\n${new Date().toISOString()}\n${Math.random()}`).digest("hex").slice(0, 10);
  return {
    format: MANIFEST_FORMAT,
    sweepId,
    created: new Date().toISOString(),
    dir,
    eval: input.eval,
    evalShape: input.evalShape,
    steps: input.stepsText,
    massive: input.massive,
    slurm: input.slurm,
    models,
  };
}

/** Reads `<dir>/sweep.json` with one-line errors. */
export function readManifest(dir: string): SweepManifest {
  const file = path.join(dir, SWEEP_MANIFEST_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`${file}: no sweep manifest here (run massive sweep plan first)`);
  }
  const m = parseJsonText(text, file) as SweepManifest;
  if (m.format !== MANIFEST_FORMAT || !Array.isArray(m.models)) throw new Error(`${file}: not a ${MANIFEST_FORMAT} manifest`);
  return m;
}

export async function writeManifest(dir: string, m: SweepManifest): Promise<string> {
  const file = path.join(dir, SWEEP_MANIFEST_FILE);
  await writeFileAtomic(file, `${JSON.stringify(m, null, 2)}\n`);
  return file;
}

/** Looks a model up by index or name; one-line error otherwise. */
export function findModel(m: SweepManifest, key: number | string): SweepModel {
  const model = typeof key === "number" ? m.models[key] : m.models.find((x) => x.name === key || x.id === key);
  if (!model) throw new UsageError(`no model ${String(key)} in this sweep (it has ${m.models.map((x, i) => `${i}:${x.name}`).join(", ")})`);
  return model;
}
