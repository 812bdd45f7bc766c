/**
 * `massive sweep <plan|submit|task|status|merge|run-local>`: a models x checkpoints sweep as Slurm job arrays (one
 * array per model, one task per checkpoint) or as local child processes, both running `massive sweep task`, which
 * runs `massive record` for one checkpoint.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { defineCommand, integerOption, say, stringOption as str, UsageError, type CommandSpec, type ParsedArgs } from "../args";
import type { CliCommand } from "../command";
import {
  buildManifest,
  defaultMassiveCommand,
  evalShapeOf,
  findModel,
  formatBytes,
  formatSeconds,
  formatStatus,
  mergeSweep,
  SWEEP_MANIFEST_FILE,
  parseStepRequest,
  readManifest,
  renderArrayScript,
  resolveModel,
  runLocal,
  runSweepTask,
  slurmTime,
  submitArray,
  sweepStatus,
  writeManifest,
  type SweepManifest,
} from "../../sweep/index";
import { writeFileAtomic } from "../../util/atomic-write";
import { HubClient } from "../../io/hub/client";
import { gateStepsByAudit } from "../../io/hub/audit";
import type { ResolvedModel, SkippedStep, StepRequest } from "../../sweep/index";

function list(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  return Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
}

/** Splits a command given as one string ("npx massive") or a JSON array. */
function splitCommand(text: string, option: string): string[] {
  const t = text.trim();
  if (t.startsWith("[")) {
    const a = JSON.parse(t) as unknown;
    if (Array.isArray(a) && a.length && a.every((x) => typeof x === "string")) return a as string[];
    throw new UsageError(`${option}: expected a JSON array of strings`);
  }
  const words = t.split(/\s+/).filter(Boolean);
  if (!words.length) throw new UsageError(`${option}: empty command`);
  return words;
}

function summaryTable(m: SweepManifest): string {
  const rows = m.models.map((x) => {
    const r = x.resources;
    const n = x.tasks.length;
    return [
      x.name,
      String(n),
      `${(x.params.total / 1e6).toFixed(x.params.total < 1e7 ? 2 : 0)}M`,
      formatBytes(x.checkpointBytes),
      r.gpuMemGiB ? `${r.gpuMemGiB} GiB` : "-",
      `${r.cpuMemGiB} GiB`,
      formatSeconds(r.estimatedSeconds),
      m.slurm.time ?? slurmTime(r.timeMinutes),
      `${((n * r.estimatedSeconds) / 3600).toFixed(2)} h`,
      formatBytes(n * x.checkpointBytes),
      formatBytes(n * r.statsBytes),
    ];
  });
  const head = ["model", "tasks", "params", "ckpt", "GPU mem", "host mem", "est/task", "limit", m.slurm.gpusPerTask ? "GPU-hours" : "CPU-hours", "ckpts total", "stats"];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join("  ")).join("\n");
}

/**
 * The hub audit's verdict on each hub model's requested steps (cached audits, src/io/hub/audit.ts): steps to leave
 * out of the plan, by model id, each said on stderr.
 */
async function auditHubModels(models: ResolvedModel[], steps: StepRequest, keepDuplicates: boolean): Promise<{ skipped: Record<string, SkippedStep[]>; audited: boolean }> {
  const out: Record<string, SkippedStep[]> = {};
  let audited = true;
  const hubModels = models.filter((m) => m.kind === "hub");
  if (hubModels.length === 0 || steps.kind === "all") return { skipped: out, audited: false };
  // one retry: planning must not wait half a minute of back-off on a login node without network
  const client = new HubClient({ retries: 1 });
  for (const m of hubModels) {
    const gate = await gateStepsByAudit(client, m.source, steps.steps, { keepDuplicates, log: say });
    for (const w of gate.warnings) say(`[sweep] warning: ${m.id}: ${w}`);
    for (const d of gate.skipped) say(`[sweep] ${m.id}: leaving out step ${d.step}: ${d.message}${d.reason.startsWith("duplicate") ? " (--keep-duplicates plans it anyway)" : ""}`);
    for (const d of gate.keptDuplicates) say(`[sweep] ${m.id}: keeping step ${d.step} (--keep-duplicates): ${d.message}`);
    if (gate.skipped.length) out[m.id] = gate.skipped.map(({ step, reason, sameAs, message }) => ({ step, reason, ...(sameAs ? { sameAs } : {}), message }));
    audited &&= gate.audited;
  }
  return { skipped: out, audited };
}

const plan = defineCommand(
  {
    name: "sweep plan",
    summary: "write a task manifest (one task per model x checkpoint, with resources) and one Slurm array script per model",
    options: {
      models: { type: "string", required: true, description: "comma-separated hub ids (EleutherAI/pythia-70m) or local folders of step<N>/ checkpoints" },
      steps: { type: "string", required: true, description: "pythia-schedule (154 hub steps), all (every local step<N>/), or a list 0,1000 / 0:143000:1000" },
      eval: { type: "string", required: true, description: "evaluation sequences passed to massive record --eval" },
      out: { type: "string", required: true, description: "sweep folder (manifest, scripts, logs, records)" },
      partition: { type: "string", description: "Slurm partition" },
      account: { type: "string", description: "Slurm account" },
      "gpus-per-task": { type: "string", default: "1", description: "GPUs per array task (0: CPU only)" },
      gres: { type: "string", description: "--gres value instead of gpu:<gpus-per-task>, e.g. gpu:h100:1" },
      "cpus-per-task": { type: "string", default: "2", description: "CPUs per array task" },
      concurrency: { type: "string", default: "0", description: "array tasks of one model running at once (%N; 0: no limit)" },
      time: { type: "string", description: "time limit per task for every model (Slurm syntax), instead of the estimate" },
      mem: { type: "string", description: "host memory per task for every model (e.g. 64G), instead of the estimate" },
      "sbatch-option": { type: "string", multiple: true, description: "extra #SBATCH option, e.g. qos=long or --sbatch-option=--constraint=h100 (repeatable)" },
      env: { type: "string", multiple: true, description: "KEY=VALUE exported in each task, $VARS expanding on the node, e.g. 'HF_HUB_CACHE=/scratch/$USER/hf' (repeatable)" },
      "massive-command": { type: "string", description: "how compute nodes run massive (default: this node + bin/massive.cjs)" },
      "record-command": { type: "string", description: "program prefix of each task (default: <massive-command> record)" },
      "record-arg": { type: "string", multiple: true, description: "extra argument appended to every record command (repeatable)" },
      "evict-weights": { type: "boolean", description: "hub models: each task deletes its checkpoint's weights from the HF cache once recorded (record --evict-weights)" },
      "keep-duplicates": { type: "boolean", description: "hub models: plan branches the hub audit finds byte-identical to another branch (left out by default)" },
      "dry-run": { type: "boolean", description: "print the plan's estimates and write nothing" },
      force: { type: "boolean", description: "replace an existing manifest in --out (finished records are kept and reused)" },
    },
    examples: [
      "massive sweep plan --models EleutherAI/pythia-70m,EleutherAI/pythia-1b --steps pythia-schedule --eval eval.json --out sweeps/paper --partition gpu --concurrency 16",
      "massive sweep plan --models data/mini-pythia/checkpoints/d128-L6-H4 --steps all --eval data/mini-pythia/eval_sequences.json --out sweeps/mini --gpus-per-task 0",
    ],
  },
  async (args) => {
    const out = path.resolve(str(args, "out")!);
    const steps = parseStepRequest(str(args, "steps")!);
    const evalSpec = str(args, "eval")!;
    const evalPath = fs.existsSync(evalSpec) ? path.resolve(evalSpec) : evalSpec;
    if (evalPath === evalSpec && !path.isAbsolute(evalSpec)) say(`[sweep] note: --eval ${evalSpec} is not a file here; passed to record as given`);
    const ids = str(args, "models")!.split(",").map((s) => s.trim()).filter(Boolean);
    if (!ids.length) throw new UsageError("--models: no model given");
    const models = ids.map((id) => resolveModel(id));
    const keepDuplicates = Boolean(args.values["keep-duplicates"]);
    const audit = await auditHubModels(models, steps, keepDuplicates);
    const massive = str(args, "massive-command") ? splitCommand(str(args, "massive-command")!, "--massive-command") : defaultMassiveCommand();
    const recordCommand = str(args, "record-command") ? splitCommand(str(args, "record-command")!, "--record-command") : [...massive, "record"];
    const manifest = buildManifest({
      dir: out,
      models,
      steps,
      stepsText: str(args, "steps")!,
      eval: evalPath,
      evalShape: evalShapeOf(evalPath),
      slurm: {
        partition: str(args, "partition"),
        account: str(args, "account"),
        gpusPerTask: integerOption(args, "gpus-per-task")!,
        gres: str(args, "gres"),
        cpusPerTask: integerOption(args, "cpus-per-task", { min: 1 })!,
        concurrency: integerOption(args, "concurrency")!,
        time: str(args, "time"),
        mem: str(args, "mem"),
        extra: list(args, "sbatch-option"),
        env: list(args, "env").map((kv) => {
          if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(kv)) throw new UsageError(`--env: expected KEY=VALUE, got '${kv}'`);
          return kv;
        }),
      },
      massive,
      recordCommand,
      recordArgs: list(args, "record-arg"),
      // the plan has audited the steps it keeps: its tasks need not ask the hub again (a 154-task array would)
      hubRecordArgs: [...(args.values["evict-weights"] ? ["--evict-weights"] : []), ...(keepDuplicates ? ["--keep-duplicates"] : []), ...(audit.audited ? ["--no-audit"] : [])],
      skippedSteps: audit.skipped,
      warn: (l) => say(`[sweep] warning: ${l}`),
    });
    const table = summaryTable(manifest);
    const tasks = manifest.models.reduce((a, x) => a + x.tasks.length, 0);
    if (args.values["dry-run"]) {
      process.stdout.write(`${table}\n`);
      say(`[sweep] dry run: ${tasks} task(s) in ${manifest.models.length} model(s); nothing written`);
      return 0;
    }
    if (fs.existsSync(path.join(out, SWEEP_MANIFEST_FILE)) && !args.values.force) {
      throw new UsageError(`${path.join(out, SWEEP_MANIFEST_FILE)} exists; pass --force to replace it (finished records are kept)`);
    }
    fs.mkdirSync(path.join(out, "logs"), { recursive: true });
    for (const model of manifest.models) await writeFileAtomic(path.join(out, model.script), renderArrayScript(manifest, model));
    for (const model of manifest.models) fs.chmodSync(path.join(out, model.script), 0o755);
    await writeManifest(out, manifest);
    say(table);
    say(`[sweep] planned ${tasks} task(s) in ${manifest.models.length} model(s): ${path.join(out, SWEEP_MANIFEST_FILE)}`);
    for (const model of manifest.models) say(`[sweep]   sbatch ${path.join(out, model.script)}`);
    say(`[sweep] or all at once: massive sweep submit ${out}; without a cluster: massive sweep run-local ${out} --workers N`);
    return 0;
  },
);

/** `massive sweep <sub> <dir> [options]`: every subcommand but plan works on a planned sweep folder, given resolved. */
function sweepFolderCommand(sub: string, summary: string, options: CommandSpec["options"], body: (dir: string, args: ParsedArgs) => Promise<number>): CliCommand & { spec: CommandSpec } {
  return defineCommand({ name: `sweep ${sub}`, summary, positionals: ["dir"], options }, (args) => body(path.resolve(args.positionals[0]!), args));
}

const submit = sweepFolderCommand(
  "submit",
  "sbatch every model's array script (or only the unfinished tasks)",
  {
    unfinished: { type: "boolean", description: "submit only tasks that are not done and not queued or running" },
    model: { type: "string", description: "only this model (name or index)" },
  },
  async (dir, args) => {
    const m = readManifest(dir);
    const only = str(args, "model");
    const models = only !== undefined ? [findModel(m, /^\d+$/.test(only) ? Number(only) : only)] : m.models;
    const status = args.values.unfinished ? sweepStatus(dir) : undefined;
    for (const model of models) {
      let indices: number[] | undefined;
      if (status) {
        const st = status.models.find((x) => x.name === model.name)!;
        indices = st.tasks.filter((t) => t.state === "failed" || t.state === "missing").map((t) => t.index);
        if (!indices.length) {
          say(`[sweep] ${model.name}: nothing to submit`);
          continue;
        }
      }
      const id = submitArray(m, model, indices);
      say(`[sweep] ${model.name}: submitted array job ${id} (${indices ? indices.length : model.tasks.length} task(s))`);
      process.stdout.write(`${model.name} ${id}\n`);
    }
    return 0;
  },
);

const task = sweepFolderCommand(
  "task",
  "run one task of a sweep (what each Slurm array task runs): record one checkpoint unless already done",
  {
    "model-index": { type: "string", required: true, description: "model index in the manifest" },
    index: { type: "string", required: true, description: "task index within the model (the array index; $SLURM_ARRAY_TASK_ID)" },
  },
  async (dir, args) => {
    const r = await runSweepTask(dir, integerOption(args, "model-index")!, integerOption(args, "index")!);
    return r.exitCode;
  },
);

const status = sweepFolderCommand(
  "status",
  "done / running / pending / failed / missing per model, from the results on disk and squeue/sacct when present",
  {
    json: { type: "boolean", description: "print the full status as JSON on stdout" },
    "no-slurm": { type: "boolean", description: "do not ask squeue/sacct" },
  },
  async (dir, args) => {
    const s = sweepStatus(dir, { slurm: !args.values["no-slurm"] });
    if (args.values.json) process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
    else process.stdout.write(`${formatStatus(s, readManifest(dir))}\n`);
    return 0;
  },
);

const merge = sweepFolderCommand(
  "merge",
  "gather the results into the released dataset layout <out>/<model>/stats/exp2_<name>_step<N>, ready for massive fit",
  {
    out: { type: "string", description: "destination folder (default: <dir>/merged)" },
    partial: { type: "boolean", description: "merge the finished tasks even if some are not done" },
  },
  async (dir, args) => {
    const merged = await mergeSweep(dir, { out: str(args, "out"), partial: Boolean(args.values.partial) });
    for (const x of merged) {
      say(`[sweep] ${x.name}: ${x.steps.length} step(s) in ${x.statsDir} (${x.written} written, ${x.unchanged} unchanged${x.missingSteps.length ? `, ${x.missingSteps.length} missing` : ""})`);
      process.stdout.write(`${x.statsDir}\n`);
    }
    return 0;
  },
);

const runLocalCmd = sweepFolderCommand(
  "run-local",
  "run the sweep's tasks on this machine with N worker processes (no cluster needed)",
  {
    workers: { type: "string", default: "1", description: "tasks running at once" },
    model: { type: "string", multiple: true, description: "only this model name (repeatable)" },
  },
  async (dir, args) => {
    const s = await runLocal(dir, { workers: integerOption(args, "workers", { min: 1 })!, models: list(args, "model").length ? list(args, "model") : undefined });
    say(`[sweep] run-local: ${s.done} done, ${s.skipped} already done, ${s.failed.length} failed in ${s.seconds.toFixed(1)} s`);
    for (const f of s.failed) say(`[sweep]   failed: ${f.model} step${f.step} (exit ${f.exitCode})`);
    return s.failed.length ? 1 : 0;
  },
);

export const SUBCOMMANDS: Record<string, CliCommand & { spec: CommandSpec }> = { plan, submit, task, status, merge, "run-local": runLocalCmd };

function usage(): string {
  return [
    "usage: massive sweep <subcommand> [options]    (massive sweep <subcommand> --help)",
    "",
    "A models x checkpoints sweep: Slurm job arrays (one per model, one task per checkpoint) or local processes.",
    "",
    "subcommands:",
    ...Object.entries(SUBCOMMANDS).map(([n, c]) => `  ${n.padEnd(10)} ${c.spec.summary}`),
  ].join("\n");
}

export const command: CliCommand = {
  async run(argv: string[]): Promise<number> {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === "--help" || sub === "-h") {
      process.stdout.write(`${usage()}\n`);
      return sub === undefined ? 2 : 0;
    }
    const c = SUBCOMMANDS[sub];
    if (!c) {
      process.stderr.write(`massive sweep: unknown subcommand '${sub}'\n${usage()}\n`);
      return 2;
    }
    return c.run(rest);
  },
};

