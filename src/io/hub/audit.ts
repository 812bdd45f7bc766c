/**
 * `auditRepo`: what every branch of a checkpoint suite serves, read from the hub's API without downloading weights:
 * the refs (`/api/models/<id>/refs`, one request), then each branch's tree listing at its commit
 * (`/api/models/<id>/tree/<commit>`, with LFS sha256 and size), plus the small shard index of sharded branches.
 * Listings at a commit never change, so they are cached (`<repo cache>/massive/trees/<commit>.json`): auditing
 * again costs one request. The report is kept as `<repo cache>/massive/audit.json`; offline (HF_HUB_OFFLINE=1)
 * that report is used. The findings are ./audit-findings.ts's.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../../util/atomic-write";
import { mapLimit } from "../../util/map-limit";
import { chooseWeightEntry, readShardIndex } from "../weight-files";
import type { HubClient, HubTreeEntry } from "./client";
import { auditFindings, skipDecisions, summarizeFindings, weightFilesOfListing, AUDIT_FORMAT, type AuditBranch, type AuditFile, type AuditReport, type SkipDecision } from "./audit-findings";
import { parseRepo, repoLabel } from "./settings";
import { recognizeSuiteModel, revisionOfStep } from "./suites";

export interface AuditOptions {
  /** Steps to audit (default: the suite's schedule when the id is recognised, else every step<N> branch). */
  steps?: number[];
  /** Use the cached report when it covers the steps and is younger than this (default 0: always ask for refs). */
  maxAgeMs?: number;
  /** Tree listings fetched at once (default 8). */
  concurrency?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** `<HF cache>/<models--org--name>/massive/`: the audit's own files beside huggingface_hub's folders. */
export function auditCacheDir(client: HubClient, repoId: string): string {
  return path.join(client.cache.repoDir(parseRepo(repoId)), "massive");
}

/** The cached report of a repo, or undefined when there is none (or it is unreadable). */
export function readCachedAudit(client: HubClient, repoId: string): AuditReport | undefined {
  try {
    const r = JSON.parse(fs.readFileSync(path.join(auditCacheDir(client, repoId), "audit.json"), "utf8")) as AuditReport;
    return r.format === AUDIT_FORMAT && r.repo === parseRepo(repoId).id && Array.isArray(r.branches) ? r : undefined;
  } catch {
    return undefined;
  }
}

function covers(report: AuditReport, steps: number[]): boolean {
  const have = new Set(report.steps);
  return steps.every((s) => have.has(s));
}

/** What the audit keeps of a commit: its files (tree listing) and, when sharded, the shard names of its index. */
interface CommitListing {
  files: AuditFile[];
  shards?: string[];
}

/**
 * A commit's listing from the audit cache, or from the hub (tree listing, plus the small shard index of a sharded
 * checkpoint, which goes through the HF cache), then cached: a commit's files never change.
 */
async function listingAt(client: HubClient, repoId: string, revision: string, commit: string, log?: (line: string) => void): Promise<CommitListing> {
  const file = path.join(auditCacheDir(client, repoId), "commits", `${commit}.json`);
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as CommitListing;
  } catch {
    // not cached yet
  }
  const entries: HubTreeEntry[] = await client.listTree(repoId, commit);
  const files: AuditFile[] = entries.filter((e) => e.type === "file").map((e) => ({ path: e.path, size: e.lfs?.size ?? e.size, oid: e.oid, ...(e.lfs ? { sha256: e.lfs.oid } : {}) }));
  const listing: CommitListing = { files };
  const entry = chooseWeightEntry(files.map((f) => f.path));
  if (entry?.format.endsWith("-sharded")) {
    try {
      listing.shards = readShardIndex(await client.downloadFile(repoId, entry.file, { revision: commit })).shards;
    } catch (err) {
      log?.(`[audit] ${revision}: unreadable ${entry.file}: ${(err as Error).message.split("\n")[0]}`);
      listing.shards = [];
      return listing; // not cached: the next audit asks again
    }
  }
  await writeFileAtomic(file, JSON.stringify(listing));
  return listing;
}

/**
 * The steps a hub model has checkpoints for: its suite's schedule when recognised (./suites.ts), else its
 * `step<N>` branches (one request; offline, those of the cached audit).
 */
export async function scheduleOf(client: HubClient, repoId: string): Promise<readonly number[]> {
  const suite = recognizeSuiteModel(parseRepo(repoId).id);
  if (suite) return suite.steps;
  if (client.settings.offline) {
    const cached = readCachedAudit(client, repoId);
    if (cached) return cached.steps;
  }
  const steps = stepBranchSteps((await client.listRefs(repoId)).branches.map((b) => b.name));
  if (steps.length === 0) throw new Error(`${repoId}: no step<N> branches on the hub`);
  return steps;
}

/** Steps of the `step<N>` names among branch names, ascending. */
export function stepBranchSteps(names: string[]): number[] {
  return names.map((n) => /^step(\d+)$/.exec(n)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
}

/** Audits a repo's step branches; see the module comment. Throws a one-line error when the hub cannot be asked. */
export async function auditRepo(client: HubClient, repoId: string, options: AuditOptions = {}): Promise<AuditReport> {
  const repo = parseRepo(repoId);
  const suite = recognizeSuiteModel(repo.id);
  const cached = readCachedAudit(client, repo.id);
  const wantedSteps = options.steps ?? suite?.steps;
  if (client.settings.offline) {
    if (cached && (!wantedSteps || covers(cached, [...wantedSteps]))) return cached;
    throw new Error(`HF_HUB_OFFLINE is set and no cached audit of ${repoLabel(repo)} covers these steps (${auditCacheDir(client, repo.id)}); audit once with network access`);
  }
  if (cached && options.maxAgeMs && Date.now() - Date.parse(cached.createdAt) < options.maxAgeMs && (!wantedSteps || covers(cached, [...wantedSteps]))) return cached;

  const refs = await client.listRefs(repo);
  const commitOf = new Map(refs.branches.map((b) => [b.name, b.targetCommit]));
  const steps = [...new Set(wantedSteps ?? stepBranchSteps(refs.branches.map((b) => b.name)))].sort((a, b) => a - b);
  const shards = new Map<AuditBranch, string[]>();
  let done = 0;
  const branches = await mapLimit(steps, options.concurrency ?? 8, async (step): Promise<AuditBranch> => {
    const revision = revisionOfStep(step);
    const commit = commitOf.get(revision);
    if (!commit) return { revision, step, files: [], weightFiles: [] };
    const { files, shards: shardNames } = await listingAt(client, repo.id, revision, commit, options.log);
    const weightFiles = weightFilesOfListing(files, shardNames);
    const fingerprints = weightFiles.map((w) => files.find((f) => f.path === w)!).map((f) => f.sha256 ?? `git:${f.oid}`).sort();
    const branch: AuditBranch = { revision, step, commit, files, weightFiles, ...(fingerprints.length ? { modelSha256: crypto.createHash("sha256").update(fingerprints.join(",")).digest("hex") } : {}) };
    if (shardNames) shards.set(branch, shardNames);
    if (++done % 20 === 0) options.log?.(`[audit] ${repo.id}: ${done}/${steps.length} branches listed`);
    return branch;
  });
  const findings = auditFindings(branches, (b) => shards.get(b));
  const report: AuditReport = {
    format: AUDIT_FORMAT,
    repo: repo.id,
    endpoint: client.settings.endpoint,
    schedule: wantedSteps && suite && !options.steps ? suite.family : options.steps ? "steps" : "branches",
    steps,
    createdAt: new Date().toISOString(),
    branches,
    otherBranches: refs.branches.map((b) => b.name).filter((n) => !/^step\d+$/.test(n) || !steps.includes(Number(n.slice(4)))).sort(),
    findings,
    summary: summarizeFindings(branches, findings),
  };
  await writeFileAtomic(path.join(auditCacheDir(client, repo.id), "audit.json"), `${JSON.stringify(report, null, 1)}\n`);
  return report;
}

/** What recording does with the requested steps after the audit. */
export interface AuditGate {
  /** Steps to record. */
  steps: number[];
  /** Steps left out, and why. */
  skipped: SkipDecision[];
  /** Duplicates recorded anyway (keepDuplicates). */
  keptDuplicates: SkipDecision[];
  /** Unusual sizes among the steps kept, and why the audit could not run (then every step is kept). */
  warnings: string[];
  /** False when the audit could not run. */
  audited: boolean;
}

/** How old a cached audit recording may trust without asking the hub again. */
export const AUDIT_MAX_AGE_MS = 24 * 3600 * 1000;

/**
 * Checks requested steps against the repo's audit (cached for AUDIT_MAX_AGE_MS): missing branches and branches
 * without config or weights are skipped, duplicates too unless `keepDuplicates`. When the audit cannot run (no
 * network and no cached audit) every step is kept, with a warning.
 */
export async function gateStepsByAudit(client: HubClient, repoId: string, steps: number[], options: { keepDuplicates?: boolean; log?: (line: string) => void } = {}): Promise<AuditGate> {
  let report: AuditReport;
  try {
    report = await auditRepo(client, repoId, { maxAgeMs: AUDIT_MAX_AGE_MS, log: options.log });
  } catch (err) {
    return { steps, skipped: [], keptDuplicates: [], audited: false, warnings: [`cannot audit ${repoId} (${(err as Error).message.split("\n")[0]}); its branches are not checked for duplicates`] };
  }
  const audited = new Set(report.steps);
  const decisions = [
    ...skipDecisions(report, steps),
    ...steps.filter((s) => !audited.has(s)).map((step): SkipDecision => ({ step, reason: "missing-branch", message: `${revisionOfStep(step)}: no such branch on the hub` })),
  ];
  const isDuplicate = (d: SkipDecision): boolean => d.reason === "duplicate-model" || d.reason === "duplicate-shard";
  const skipped = decisions.filter((d) => !(options.keepDuplicates && isDuplicate(d)));
  const keptDuplicates = decisions.filter((d) => options.keepDuplicates && isDuplicate(d));
  const left = new Set(skipped.map((d) => d.step));
  const warnings = report.findings.filter((f) => f.kind === "unusual-size" && steps.includes(f.step) && !left.has(f.step)).map((f) => f.message);
  return { steps: steps.filter((s) => !left.has(s)), skipped: skipped.sort((a, b) => a.step - b.step), keptDuplicates, warnings, audited: true };
}
