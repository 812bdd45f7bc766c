/**
 * Options that mean the same thing in several commands, declared once so that their help text cannot drift apart.
 */
import type { OptionSpec } from "./args";

/** `--results <dir>` of `massive figures` and `massive report`: the folder src/plots/results.ts reads. */
export const RESULTS_FOLDER_OPTION: OptionSpec = {
  type: "string",
  required: true,
  description: "results folder: one folder per model with stats/ (and params/, predictions.json), or a suite like data/mini-pythia",
};
