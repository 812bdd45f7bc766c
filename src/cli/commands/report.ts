/**
 * `massive report --results <dir> --out <file.html>`: one self-contained HTML page (plotly.js inlined, opens offline)
 * with every figure and table of the run and its provenance.
 */
import * as fs from "node:fs";
import { defineCommand, say } from "../args";
import { RESULTS_FOLDER_OPTION } from "../shared-options";
import { runReportHtml } from "../../pipeline/figures-and-report";
import { writeFileAtomic } from "../../util/atomic-write";

export const command = defineCommand(
  {
    name: "report",
    summary: "Write one self-contained HTML report (figures, tables, provenance) of a results folder; it opens offline.",
    options: {
      results: RESULTS_FOLDER_OPTION,
      out: { type: "string", required: true, description: "the HTML file to write" },
      title: { type: "string", description: "page title" },
    },
    examples: ["massive report --results data/mini-pythia --out results/report.html"],
  },
  async (args) => {
    const t0 = Date.now();
    const html = runReportHtml(
      String(args.values.results),
      {
        ...(typeof args.values.title === "string" ? { title: args.values.title } : {}),
        provenance: { command: `massive report --results ${String(args.values.results)} --out ${String(args.values.out)}` },
      },
      say,
    );
    const out = String(args.values.out);
    await writeFileAtomic(out, html);
    process.stderr.write(`[report] wrote ${out} (${(fs.statSync(out).size / 1e6).toFixed(1)} MB) in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
    return 0;
  },
);
