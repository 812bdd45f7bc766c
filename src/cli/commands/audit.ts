/**
 * `massive audit --model <hub id>`: every branch of the model's schedule with its files, and each weight file's LFS
 * sha256 and size, from the hub's API without downloading weights; flags duplicate models and shards, missing
 * branches and files, and unusual sizes (src/io/hub/audit.ts). A table on stdout (or the report with --json), the
 * JSON report in --out.
 */
import { HubClient } from "../../io/hub/client";
import { auditRepo } from "../../io/hub/audit";
import type { AuditReport } from "../../io/hub/audit-findings";
import { formatBytes } from "../../util/format";
import { writeFileAtomic } from "../../util/atomic-write";
import { defineCommand } from "../args";
import { hubStepsFromArgs } from "../hub-steps";

/** The report as a text table: one row per weight file (or per branch without weights), then the findings. */
export function auditTable(report: AuditReport): string {
  const flags = new Map<string, string[]>();
  for (const f of report.findings) {
    const key = `${f.revision}\0${f.file ?? ""}`;
    const text = f.kind === "duplicate-model" || f.kind === "duplicate-shard" ? `${f.kind}=${f.sameAs?.[0]}` : f.kind;
    flags.set(key, [...(flags.get(key) ?? []), text]);
  }
  const rows: string[][] = [];
  for (const b of report.branches) {
    const branchFlags = flags.get(`${b.revision}\0`) ?? [];
    if (!b.commit) {
      rows.push([b.revision, "-", "-", "-", "-", "-", branchFlags.join(", ")]);
      continue;
    }
    const weights = b.weightFiles.length ? b.weightFiles : [""];
    weights.forEach((w, i) => {
      const f = b.files.find((x) => x.path === w);
      const fileFlags = [...(i === 0 ? branchFlags : []), ...(w ? flags.get(`${b.revision}\0${w}`) ?? [] : [])];
      rows.push([i === 0 ? b.revision : "", i === 0 ? b.commit!.slice(0, 10) : "", i === 0 ? String(b.files.length) : "", w || "(no weights)", f ? formatBytes(f.size) : "-", f?.sha256?.slice(0, 16) ?? "-", fileFlags.join(", ")]);
    });
    // findings on other files of the branch (a missing shard, an unusual config)
    for (const [key, list] of flags) {
      const [rev, file] = key.split("\0");
      if (rev === b.revision && file && !b.weightFiles.includes(file)) rows.push(["", "", "", file, "-", "-", list.join(", ")]);
    }
  }
  const head = ["branch", "commit", "files", "weight file", "size", "sha256", "flags"];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(width[i]!)).join("  ").trimEnd();
  const s = report.summary;
  return [
    line(head),
    ...rows.map(line),
    "",
    `${report.repo} (${report.schedule}): ${s.present}/${s.branches} branches; ${s["duplicate-model"]} duplicate model(s), ${s["duplicate-shard"]} duplicate shard(s), ${s["missing-branch"]} missing branch(es), ${s["missing-file"]} missing file(s), ${s["unusual-size"]} unusual size(s)`,
    ...report.findings.map((f) => `  ${f.kind}: ${f.message}`),
  ].join("\n");
}

export const command = defineCommand(
  {
    name: "audit",
    summary: "check what a hub model's step branches serve (LFS sha256 and sizes, no weights downloaded): duplicates, missing branches and files, odd sizes",
    options: {
      model: { type: "string", required: true, description: "hub model id, e.g. EleutherAI/pythia-2.8b, EleutherAI/pythia-70m-seed3, EleutherAI/pythia-160m-deduped" },
      steps: { type: "string", description: "steps to audit: 0,1000 or 0:143000:1000 ranges, or 'all' (default: the suite's 154-step schedule, else every step<N> branch)" },
      "checkpoint-index": { type: "string", description: "TransformerLens checkpoint indices into the schedule instead of --steps: 0,5,-1 or 0:10" },
      json: { type: "boolean", description: "print the JSON report on stdout instead of the table" },
      out: { type: "string", description: "also write the JSON report to this file (atomically)" },
    },
    examples: [
      "massive audit --model EleutherAI/pythia-2.8b",
      "massive audit --model EleutherAI/pythia-12b --steps 40000:60000:1000 --out pythia-12b-audit.json",
      "massive audit --model EleutherAI/pythia-70m-seed3 --checkpoint-index 0,-1 --json",
    ],
  },
  async (args) => {
    const v = args.values as Record<string, string | boolean | undefined>;
    const model = v.model as string;
    const client = new HubClient();
    const explicit = v.steps !== undefined || v["checkpoint-index"] !== undefined;
    const steps = explicit ? await hubStepsFromArgs(client, model, v.steps as string | undefined, v["checkpoint-index"] as string | undefined, "audit") : undefined;
    const report = await auditRepo(client, model, { steps, log: (l) => process.stderr.write(`${l}\n`) });
    const json = `${JSON.stringify(report, null, 1)}\n`;
    if (v.out) {
      await writeFileAtomic(v.out as string, json);
      process.stderr.write(`[audit] report written to ${v.out}\n`);
    }
    process.stdout.write(v.json ? json : `${auditTable(report)}\n`);
    return 0;
  },
);
