/**
 * What a checkpoint suite's branches really serve, judged from tree listings alone (file names, sizes, LFS sha256):
 * the pure half of the audit (./audit.ts fetches the listings).
 *
 * - duplicate-model: two branches whose weight files have the same sha256s (the whole model is byte-identical;
 *   pythia-2.8b serves the final weights on 86 of its 154 step branches, EleutherAI/pythia issue 205);
 * - duplicate-shard: one weight shard byte-identical to a shard of another branch whose model differs
 *   (pythia-12b step50000 and step58000 hold the final model's first shard, issue 206);
 * - missing-branch: a step of the schedule without a branch (issues 94, 107, 141);
 * - missing-file: no config.json, no weights, a shard named by the index but absent, or a file that most
 *   branches hold and this one lacks;
 * - unusual-size: a weight file whose size differs from the median size of that file name over the branches (a
 *   truncated upload), or another file more than 10 % off its median.
 *
 * In a group of byte-identical branches the one with the highest step is taken as genuine (training does not
 * return to earlier weights, and the known cases serve the final model on earlier branches); the others are
 * the duplicates that recording skips.
 */
import { chooseWeightEntry, isWeightFileName } from "../weight-files";

export const AUDIT_FORMAT = "massive-audit/1";

/** One file of a branch as its tree listing describes it. */
export interface AuditFile {
  path: string;
  size: number;
  /** LFS sha256 (LFS files only: every weight file on the hub). */
  sha256?: string;
  /** git blob sha1. */
  oid: string;
}

/** One branch of the schedule. */
export interface AuditBranch {
  revision: string;
  step: number;
  /** Absent when the branch does not exist. */
  commit?: string;
  files: AuditFile[];
  /** The weight files recording would download (./weight-files.ts's choice), empty when none. */
  weightFiles: string[];
  /** sha256 over the sorted weight files' sha256s: equal fingerprints mean byte-identical models. */
  modelSha256?: string;
}

export type AuditFindingKind = "duplicate-model" | "duplicate-shard" | "missing-branch" | "missing-file" | "unusual-size";

export interface AuditFinding {
  kind: AuditFindingKind;
  revision: string;
  step: number;
  file?: string;
  /** Revisions serving the same bytes (duplicates), the genuine one first. */
  sameAs?: string[];
  message: string;
}

export interface AuditReport {
  format: typeof AUDIT_FORMAT;
  repo: string;
  endpoint: string;
  /** Suite family when the id was recognised (./suites.ts), else "branches" (every step<N> branch of the repo). */
  schedule: string;
  steps: number[];
  createdAt: string;
  branches: AuditBranch[];
  /** Branches of the repo outside the schedule (main, other names). */
  otherBranches: string[];
  findings: AuditFinding[];
  summary: Record<AuditFindingKind, number> & { branches: number; present: number };
}

/** Whether recording should skip a step, and why. */
export interface SkipDecision {
  step: number;
  reason: "duplicate-model" | "duplicate-shard" | "missing-branch" | "missing-file";
  sameAs?: string[];
  message: string;
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/**
 * Findings of a set of branches (missing ones without `commit`), ordered by step, then kind. `shardsOf` gives the
 * shard names a branch's index lists (when its weights are sharded and the index was read).
 */
export function auditFindings(branches: AuditBranch[], shardsOf: (b: AuditBranch) => string[] | undefined = () => undefined): AuditFinding[] {
  const findings: AuditFinding[] = [];
  const present = branches.filter((b) => b.commit !== undefined);
  const add = (b: AuditBranch, kind: AuditFindingKind, message: string, extra: Partial<AuditFinding> = {}): void => {
    findings.push({ kind, revision: b.revision, step: b.step, ...extra, message: `${b.revision}: ${message}` });
  };
  for (const b of branches) if (b.commit === undefined) add(b, "missing-branch", "no such branch on the hub");

  // Missing files: config, weights, shards named by the index, and files most branches hold.
  const holders = new Map<string, number>();
  for (const b of present) for (const f of b.files) holders.set(f.path, (holders.get(f.path) ?? 0) + 1);
  for (const b of present) {
    const names = new Set(b.files.map((f) => f.path));
    if (!names.has("config.json")) add(b, "missing-file", "no config.json", { file: "config.json" });
    if (b.weightFiles.length === 0) add(b, "missing-file", "no weight files (model.safetensors, pytorch_model.bin or a shard index)");
    for (const shard of shardsOf(b) ?? []) if (!names.has(shard)) add(b, "missing-file", `${shard} is named by the shard index but absent`, { file: shard });
    for (const [file, n] of holders) {
      if (!names.has(file) && n > present.length / 2 && file !== "config.json" && !isWeightFileName(file)) {
        add(b, "missing-file", `${file} is absent (held by ${n} of ${present.length} branches)`, { file });
      }
    }
  }

  // Unusual sizes, per file name against its median over the branches that hold it.
  const sizes = new Map<string, number[]>();
  for (const b of present) for (const f of b.files) sizes.set(f.path, [...(sizes.get(f.path) ?? []), f.size]);
  for (const b of present) {
    for (const f of b.files) {
      const all = sizes.get(f.path)!;
      if (all.length < 3) continue;
      const m = median(all);
      const weight = isWeightFileName(f.path);
      if ((weight && f.size !== m) || (!weight && Math.abs(f.size - m) > 0.1 * m)) {
        add(b, "unusual-size", `${f.path} is ${f.size} bytes, the median over ${all.length} branches is ${m}${f.size < m ? " (truncated?)" : ""}`, { file: f.path });
      }
    }
  }

  // Whole-model duplicates: groups of equal fingerprints; the highest step is genuine.
  const byModel = new Map<string, AuditBranch[]>();
  for (const b of present) if (b.modelSha256) byModel.set(b.modelSha256, [...(byModel.get(b.modelSha256) ?? []), b]);
  const duplicateOf = new Map<AuditBranch, AuditBranch>();
  for (const group of byModel.values()) {
    if (group.length < 2) continue;
    const genuine = group.reduce((a, b) => (b.step > a.step ? b : a));
    for (const b of group) {
      if (b === genuine) continue;
      duplicateOf.set(b, genuine);
      add(b, "duplicate-model", `its weights are byte-identical to ${genuine.revision}'s`, { sameAs: [genuine.revision, ...group.filter((x) => x !== genuine && x !== b).map((x) => x.revision)] });
    }
  }

  // Single-shard duplicates between branches whose models differ.
  const byShard = new Map<string, { b: AuditBranch; f: AuditFile }[]>();
  for (const b of present) {
    for (const f of b.files) if (f.sha256 && b.weightFiles.includes(f.path)) byShard.set(f.sha256, [...(byShard.get(f.sha256) ?? []), { b, f }]);
  }
  for (const holdersOfShard of byShard.values()) {
    const models = new Set(holdersOfShard.map((h) => h.b.modelSha256));
    if (holdersOfShard.length < 2 || models.size < 2) continue;
    const genuine = holdersOfShard.reduce((a, h) => (h.b.step > a.b.step ? h : a));
    for (const h of holdersOfShard) {
      if (h === genuine || duplicateOf.has(h.b) || h.b.modelSha256 === genuine.b.modelSha256) continue;
      add(h.b, "duplicate-shard", `${h.f.path} is byte-identical to ${genuine.f.path} of ${genuine.b.revision}`, { file: h.f.path, sameAs: [genuine.b.revision] });
    }
  }
  const order: AuditFindingKind[] = ["missing-branch", "missing-file", "duplicate-model", "duplicate-shard", "unusual-size"];
  return findings.sort((a, b) => a.step - b.step || order.indexOf(a.kind) - order.indexOf(b.kind) || (a.file ?? "").localeCompare(b.file ?? ""));
}

/** Counts of each finding kind. */
export function summarizeFindings(branches: AuditBranch[], findings: AuditFinding[]): AuditReport["summary"] {
  const count = (k: AuditFindingKind): number => findings.filter((f) => f.kind === k).length;
  return {
    branches: branches.length,
    present: branches.filter((b) => b.commit !== undefined).length,
    "missing-branch": count("missing-branch"),
    "missing-file": count("missing-file"),
    "duplicate-model": count("duplicate-model"),
    "duplicate-shard": count("duplicate-shard"),
    "unusual-size": count("unusual-size"),
  };
}

/** The weight files a listing's recording would read, when they are single files or shards seen in the listing. */
export function weightFilesOfListing(files: AuditFile[], shards: string[] | undefined): string[] {
  const entry = chooseWeightEntry(files.map((f) => f.path));
  if (!entry || entry.format === "tfjs") return [];
  if (!entry.format.endsWith("-sharded")) return [entry.file];
  return (shards ?? []).filter((s) => files.some((f) => f.path === s));
}

/**
 * Steps that recording should skip: duplicates (whole model or a shard), missing branches and branches without
 * config or weights. Unusual sizes are warned about, not skipped (a differing file may still be genuine).
 */
export function skipDecisions(report: AuditReport, steps: number[]): SkipDecision[] {
  const wanted = new Set(steps);
  const out = new Map<number, SkipDecision>();
  const rank: SkipDecision["reason"][] = ["missing-branch", "missing-file", "duplicate-model", "duplicate-shard"];
  for (const f of report.findings) {
    if (!wanted.has(f.step) || f.kind === "unusual-size") continue;
    if (f.kind === "missing-file" && f.file !== undefined && f.file !== "config.json" && !isWeightFileName(f.file)) continue;
    const prev = out.get(f.step);
    if (prev && rank.indexOf(prev.reason) <= rank.indexOf(f.kind)) continue;
    out.set(f.step, { step: f.step, reason: f.kind, ...(f.sameAs ? { sameAs: f.sameAs } : {}), message: f.message });
  }
  return [...out.values()].sort((a, b) => a.step - b.step);
}
