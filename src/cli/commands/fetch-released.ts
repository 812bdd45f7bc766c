/**
 * `massive fetch-released`: downloads the paper's released statistics and fits (the hub dataset
 * `Aimpoint-Digital/pythia-massive-activations`) into the Hugging Face cache through the project's hub client
 * (resume, checks, token, offline mode) and checks every file with the exp2 and fit-parameter parsers. Malformed
 * files are listed, never fatal; the exit code is 0 unless --strict and some file is bad.
 */
import { HubClient } from "../../io/hub/client";
import { fetchReleasedData, PYTHIA_SIZES, RELEASED_DATASET } from "../../io/hub/released";
import { writeFileAtomic } from "../../util/atomic-write";
import { defineCommand, UsageError } from "../args";

export const command = defineCommand(
  {
    name: "fetch-released",
    summary: "download the paper's released statistics and fits into the HF cache and check every file",
    options: {
      sizes: { type: "string", description: "comma-separated Pythia sizes to fetch (14m, 70m, ..., 12b; default: all)" },
      revision: { type: "string", default: "main", description: "dataset revision" },
      json: { type: "boolean", description: "print the check as JSON on stdout instead of the summary" },
      out: { type: "string", description: "also write the check (JSON) to this file, atomically" },
      strict: { type: "boolean", description: "exit 1 when any file is malformed" },
    },
    examples: ["massive fetch-released", "massive fetch-released --sizes 70m,1b --out released-check.json", "HF_HUB_OFFLINE=1 massive fetch-released --sizes 1b"],
  },
  async (args) => {
    const v = args.values as Record<string, string | boolean | undefined>;
    const sizes = typeof v.sizes === "string" ? v.sizes.split(",").map((s) => s.trim()).filter(Boolean) : undefined;
    for (const s of sizes ?? []) {
      if (!(PYTHIA_SIZES as readonly string[]).includes(s.replace(/^pythia[_-]/, "").toLowerCase())) throw new UsageError(`--sizes: '${s}' is not a Pythia size (${PYTHIA_SIZES.join(", ")})`);
    }
    process.stderr.write(`[fetch-released] ${RELEASED_DATASET}${sizes ? ` (${sizes.join(", ")})` : ""} into the Hugging Face cache\n`);
    const check = await fetchReleasedData({ client: new HubClient({ progress: false }), revision: v.revision as string, sizes });
    const report = {
      dataset: RELEASED_DATASET,
      revision: check.snapshot.revision,
      commit: check.snapshot.commit,
      dir: check.snapshot.dir,
      files: check.files.length,
      stats: check.files.filter((f) => f.kind === "stats").length,
      params: check.files.filter((f) => f.kind === "params").length,
      bad: check.bad.map((f) => ({ path: f.path, kind: f.kind, problem: f.problem })),
    };
    const json = `${JSON.stringify(report, null, 1)}\n`;
    if (v.out) await writeFileAtomic(v.out as string, json);
    if (v.json) process.stdout.write(json);
    else {
      process.stdout.write(`${report.dir}\n${report.files} file(s): ${report.stats} stats, ${report.params} fit-parameter, ${report.files - report.stats - report.params} other; ${report.bad.length} malformed\n`);
      for (const b of report.bad) process.stdout.write(`  bad ${b.kind} file ${b.path}: ${b.problem}\n`);
    }
    return v.strict && report.bad.length ? 1 : 0;
  },
);
