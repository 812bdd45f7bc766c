/**
 * `suite.json`: which runs of a suite are separate architectures and which are seed or recipe variants of another run.
 *
 * A predictor from architecture must learn from one run per architecture: a seed repeat or a recipe variant is not a
 * new architecture, and treating it as one leaks the held-out model's own trajectories into its training folds (its
 * seed siblings share its architecture features exactly). Suites without a `suite.json` (the paper's released data,
 * a user's folder of runs) count every run as an architecture.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { printable } from "../util/one-line";
import { parseJsonText, readTextFile } from "../util/read-text";

/** `architecture`: one run per architecture (standard recipe); `seed`: same architecture and recipe, other seed;
 * `hyperparameter`: one recipe or architecture setting changed from `base`. */
export type SuiteGroup = "architecture" | "seed" | "hyperparameter";
export const SUITE_GROUPS: readonly SuiteGroup[] = ["architecture", "seed", "hyperparameter"];

export interface SuiteManifestEntry {
  name: string;
  group: SuiteGroup;
  /** The run this one varies (itself for `architecture` runs). */
  base: string;
  /** The settings changed from `base` (`{seed: 1}`, `{weight_decay: 0}`, ...); null for `architecture` runs. */
  varies: Record<string, unknown> | null;
}

export interface SuiteManifest {
  file: string;
  description?: string;
  models: SuiteManifestEntry[];
}

export const SUITE_MANIFEST_FILE = "suite.json";

/** Reads `<dir>/suite.json`; `undefined` when the folder has none. Throws one line naming the file on a bad manifest. */
export function readSuiteManifest(dir: string): SuiteManifest | undefined {
  const file = path.join(dir, SUITE_MANIFEST_FILE);
  if (!fs.existsSync(file)) return undefined;
  return parseSuiteManifest(readTextFile(file), file);
}

export function parseSuiteManifest(text: string, file: string): SuiteManifest {
  const fail = (why: string): never => {
    throw new Error(`${file}: ${why}`);
  };
  const raw = parseJsonText(text, file);
  if (typeof raw !== "object" || raw === null || !Array.isArray((raw as { models?: unknown }).models)) {
    return fail('expected an object with a "models" list');
  }
  const seen = new Set<string>();
  const models = ((raw as { models: unknown[] }).models).map((m, i): SuiteManifestEntry => {
    if (typeof m !== "object" || m === null) return fail(`models[${i}] is not an object`);
    const { name, group, base, varies } = m as Record<string, unknown>;
    if (typeof name !== "string" || name === "" || name.includes("/") || name.includes("\\") || name.startsWith(".")) {
      return fail(`models[${i}].name must be a plain folder name`);
    }
    if (seen.has(name)) fail(`model ${printable(name)} is listed twice`);
    seen.add(name);
    if (typeof group !== "string" || !(SUITE_GROUPS as readonly string[]).includes(group)) {
      return fail(`models[${i}] (${printable(name)}): group must be one of ${SUITE_GROUPS.join(", ")}`);
    }
    const baseName = base === undefined || base === null ? name : base;
    if (typeof baseName !== "string") return fail(`models[${i}] (${printable(name)}): base must be a model name`);
    if (varies !== undefined && varies !== null && (typeof varies !== "object" || Array.isArray(varies))) {
      return fail(`models[${i}] (${printable(name)}): varies must be an object or null`);
    }
    if (group !== "architecture" && baseName === name) {
      return fail(`models[${i}] (${printable(name)}): a ${group} run needs a base other than itself`);
    }
    return { name, group: group as SuiteGroup, base: baseName, varies: (varies ?? null) as Record<string, unknown> | null };
  });
  for (const m of models) {
    if (m.group !== "architecture" && !seen.has(m.base)) fail(`model ${printable(m.name)}: base ${printable(m.base)} is not listed`);
  }
  const description = (raw as { description?: unknown }).description;
  return { file, models, ...(typeof description === "string" ? { description } : {}) };
}

/** The group of a run: from the manifest when it lists the run, else `architecture` (suites without groups). */
export function suiteGroupOf(manifest: SuiteManifest | undefined, name: string): SuiteGroup {
  return manifest?.models.find((m) => m.name === name)?.group ?? "architecture";
}

/** Seed and hyperparameter runs grouped under their base: `base -> [variant entries]`. */
export function variantsByBase(manifest: SuiteManifest, group: Exclude<SuiteGroup, "architecture">): Map<string, SuiteManifestEntry[]> {
  const byBase = new Map<string, SuiteManifestEntry[]>();
  for (const m of manifest.models) {
    if (m.group !== group) continue;
    byBase.set(m.base, [...(byBase.get(m.base) ?? []), m]);
  }
  return byBase;
}
