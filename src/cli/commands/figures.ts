/**
 * `massive figures --results <dir> --out <dir> --format png,svg,pdf`: exports every figure the results support
 * (see src/plots/run-figures.ts) through headless Chromium, one browser for the whole batch.
 */
import { defineCommand, UsageError } from "../args";
import { RESULTS_FOLDER_OPTION } from "../shared-options";
import { EXPORT_FORMATS, exportFigures, parseFormats } from "../../plots/export";
import { loadRunResults } from "../../plots/results";
import { runFigures } from "../../plots/run-figures";
import { startProgress } from "../../util/progress";

export const command = defineCommand(
  {
    name: "figures",
    summary: "Export the paper's figures (Figs. 2-8, Table 5, prediction figures) for a results folder as PNG, SVG and/or PDF.",
    options: {
      results: RESULTS_FOLDER_OPTION,
      out: { type: "string", required: true, description: "folder to write <figure>.<format> files into" },
      format: { type: "string", default: "png,svg,pdf", description: `comma-separated formats among ${EXPORT_FORMATS.join(", ")}` },
      scale: { type: "string", default: "2", description: "PNG scale factor over the figure's CSS size (2 = about 190 dpi at 720 px wide)" },
      only: { type: "string", description: "comma-separated substrings: export only figures whose name contains one" },
      "per-model": { type: "string", default: "default", description: "models that also get their own Fig. 3, Fig. 4 and predicted trajectories: default (smallest, middle, largest), all, or comma-separated names" },
    },
    examples: ["massive figures --results data/mini-pythia --out results/figures --format png,svg,pdf", "massive figures --results results --out figs --format pdf --only fig2,fig5", "massive figures --results data/mini-pythia --out figs --format png --per-model d256-L8-H16"],
  },
  async (args) => {
    const formats = (() => {
      try {
        return parseFormats(String(args.values.format));
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    })();
    const scale = Number(args.values.scale);
    if (!(scale > 0 && scale <= 10)) throw new UsageError(`--scale must be a number in (0, 10], got '${String(args.values.scale)}'`);
    const results = loadRunResults(String(args.values.results));
    const perModel = String(args.values["per-model"]);
    let figures = (() => {
      try {
        return runFigures(results, { perModel: perModel === "default" || perModel === "all" ? perModel : perModel.split(",").map((s) => s.trim()).filter(Boolean) });
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    })();
    const only = typeof args.values.only === "string" ? args.values.only.split(",").map((s) => s.trim()).filter(Boolean) : [];
    if (only.length) figures = figures.filter((f) => only.some((o) => f.name.includes(o)));
    if (figures.length === 0) throw new UsageError(`no figure matches --only ${only.join(",")}`);
    process.stderr.write(`[figures] ${results.models.length} models, ${figures.length} figures x ${formats.join("/")} -> ${String(args.values.out)}\n`);
    const progress = startProgress("figures", figures.length * formats.length);
    const written = await exportFigures(figures, String(args.values.out), formats, { scale, onProgress: (f) => progress.tick(1, f) });
    progress.done(`${written.length} files`);
    return 0;
  },
);
