/**
 * The runs a seed or control analysis needs, read from a suite folder with `suite.json`: each base architecture
 * with its seed repeats (a "seed family") or with its hyperparameter variants, and, on request, every layer's
 * robust Eq. 9 fit of the ratio series, done once per run and shared by both analyses.
 */
import * as path from "node:path";
import { readSuiteManifest, variantsByBase, type SuiteGroup, type SuiteManifest } from "../io/suite-manifest";
import { fitSeries, type LayerFit } from "../dynamics/fit-series";
import { loadTrainingModels, type TrainingModel } from "../predict/training-data";

/** One run of the suite with its ratio curves (Eq. 8) and the manifest's description of it. */
export interface SuiteRun {
  name: string;
  group: SuiteGroup;
  /** The run it varies (itself for the base). */
  base: string;
  /** What changed from the base (`{seed: 1}`, `{lr: 0.003}`); null for the base. */
  varies: Record<string, unknown> | null;
  model: TrainingModel;
}

/** A run with every layer's Eq. 9 fit of the ratio series (robust fit, seeded). */
export interface FittedRun extends SuiteRun {
  fits: LayerFit[];
}

/** A base architecture and the runs that repeat it with other seeds; `runs[0]` is the base (seed 0). */
export interface RunFamily<R extends SuiteRun = SuiteRun> {
  base: string;
  runs: R[];
}

function requireManifest(suiteDir: string): SuiteManifest {
  const manifest = readSuiteManifest(suiteDir);
  if (!manifest) throw new Error(`${suiteDir}: no suite.json, so no seed or hyperparameter runs are known`);
  return manifest;
}

/**
 * Per base that has runs of `group`: the base first, then its runs of that group in manifest order. Throws a one-line
 * error when the suite has no such runs or a run's folder cannot be read.
 */
export function loadRunFamilies(suiteDir: string, group: "seed" | "hyperparameter", options: { onWarning?: (m: string) => void } = {}): RunFamily[] {
  const manifest = requireManifest(suiteDir);
  const byBase = variantsByBase(manifest, group);
  if (byBase.size === 0) throw new Error(`${path.join(suiteDir, "suite.json")}: no ${group} runs listed`);
  const read = (name: string): TrainingModel => loadTrainingModels([path.join(suiteDir, name)], options)[0]!;
  return [...byBase.entries()].map(([base, variants]) => {
    const baseEntry = manifest.models.find((m) => m.name === base)!;
    const entries = [baseEntry, ...variants];
    return { base, runs: entries.map((e) => ({ name: e.name, group: e.group, base: e.base, varies: e.varies, model: read(e.name) })) };
  });
}

export interface FitRunsOptions {
  /** Seed of the robust fit's random starts (default 0). */
  seed?: number;
  /** Called after each run is fitted (progress). */
  onRun?: (run: FittedRun, index: number, total: number) => void;
}

/**
 * Fits every layer of every run of the families (robust Eq. 9 fit of the ratio series, no paper-procedure
 * comparison). A run that appears in several families (a base shared by the seed and control analyses) is fitted
 * once when the same `cache` map is passed.
 */
export function fitFamilies(families: readonly RunFamily[], options: FitRunsOptions = {}, cache: Map<string, FittedRun> = new Map()): RunFamily<FittedRun>[] {
  const total = new Set(families.flatMap((f) => f.runs.map((r) => r.name))).size;
  let done = 0;
  const fitted = (run: SuiteRun): FittedRun => {
    const hit = cache.get(run.name);
    if (hit) return hit;
    const out: FittedRun = { ...run, fits: fitSeries(run.model.series, "ratio", { method: "robust", seed: options.seed ?? 0, comparePaper: false }) };
    cache.set(run.name, out);
    options.onRun?.(out, ++done, total);
    return out;
  };
  return families.map((f) => ({ base: f.base, runs: f.runs.map(fitted) }));
}

/** The final recorded ratio of each layer (observed, not fitted): `ratio[layer][last step]`. */
export function finalRatios(run: SuiteRun): number[] {
  return run.model.ratio.map((curve) => curve[curve.length - 1]!);
}
