/**
 * The `massive` command-line tool: a thin layer over the public API (see ../index.ts).
 * Each command lives in its own file under ./commands and exports `command: CliCommand`.
 * Commands are loaded lazily so `massive --help` starts fast and a broken optional stage cannot break the others.
 */
import type { CliCommand } from "./command";

/** Command name -> module path (relative to this file) and one-line summary, in the order `--help` lists them. */
export const COMMANDS: Record<string, { module: string; summary: string }> = {
  forward: { module: "./commands/forward", summary: "run a GPT-NeoX checkpoint on token ids and save every layer's output" },
  convert: { module: "./commands/convert", summary: "convert a Hugging Face checkpoint folder to TensorFlow.js weights" },
  record: { module: "./commands/record", summary: "record exp2 statistics (top-3 and median of |h|) for every checkpoint" },
  fit: { module: "./commands/fit", summary: "fit the dynamics model (Eq. 9) to every layer of a stats folder" },
  predict: { module: "./commands/predict", summary: "predict fitted parameters and ratio trajectories from architecture" },
  figures: { module: "./commands/figures", summary: "export the paper's figures as PNG, SVG and PDF" },
  report: { module: "./commands/report", summary: "write one self-contained HTML report of a run" },
  main: { module: "./commands/main-job", summary: "the whole pipeline on the embedded mini-pythia suite (or a hub model)" },
  sweep: { module: "./commands/sweep", summary: "plan, run and merge a models x checkpoints sweep (Slurm or local)" },
  train: { module: "./commands/train", summary: "train a GPT-NeoX (mini-pythia recipe by default) with resumable checkpoints and exp2 stats" },
  audit: { module: "./commands/audit", summary: "check what a hub model's step branches serve (duplicates, missing branches and files) without downloading weights" },
  "fetch-released": { module: "./commands/fetch-released", summary: "download the paper's released statistics and fits into the HF cache and check every file" },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    "usage: massive <command> [options]    (massive <command> --help for its options)",
    "",
    "Hidden Dynamics of Massive Activations: record, fit, predict and plot massive-activation dynamics.",
    "",
    "commands:",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
  ].join("\n");
}

/** Runs the command line `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 1 : 0;
  }
  if (name === "--version") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    process.stdout.write(`${require("../../package.json").version}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`massive: unknown command '${name}'\n${usage()}\n`);
    return 2;
  }
  // Every listed command has its module (test/cli/docs.test.ts loads them all): a failure to load is a bug, and
  // its error propagates as one.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const command = (require(entry.module) as { command: CliCommand }).command;
  return command.run(rest);
}
