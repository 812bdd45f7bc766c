/**
 * The training material of the predictor: model folders holding `config.json` and `stats/` (the released layout),
 * read into per-layer ratio series (Eq. 8) with the architecture of each model.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { hasExp2Stats, layerSeries, readExp2Series, type Exp2Series } from "../io/exp2-stats";
import { readSuiteManifest, type SuiteGroup, type SuiteManifest } from "../io/suite-manifest";
import { readArchitecture, type Architecture } from "./architecture";
import { curveScore, type CurveScore } from "./curve-score";

export interface TrainingModel {
  name: string;
  dir: string;
  arch: Architecture;
  /** Training steps, ascending. */
  steps: number[];
  /** ratio[layer][stepIndex] = mean top1 / mean median (Eq. 8). */
  ratio: number[][];
  /** The statistics the ratio came from (for fitting Eq. 9). */
  series: Exp2Series;
  /** From the suite's `suite.json` when it has one; `architecture` otherwise. */
  group: SuiteGroup;
  /** The run a seed or hyperparameter run varies (its own name for an architecture run). */
  base: string;
}

/** A model folder for training: its config.json (the predictor's input) and exp2 stats, by io's rule (stats/ or beside). */
function isModelDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, "config.json")) && hasExp2Stats(dir);
}

/** Which runs of a suite with a `suite.json` to take: its `architecture` runs (default) or every run. */
export type SuiteRuns = "architecture" | "all";

export interface FindOptions {
  /**
   * For a folder of model folders with a `suite.json`: "architecture" (default) keeps its architecture runs only,
   * since seed repeats and recipe variants are not new architectures (a predictor trained on them would see the
   * held-out architecture's own seed siblings); "all" keeps every run. A model folder named directly is always kept.
   */
  runs?: SuiteRuns;
}

/**
 * Expands each given folder to model folders: the folder itself when it holds `config.json` and exp2 stats (in
 * `stats/`), else its immediate subfolders that do (e.g. `data/mini-pythia`, filtered by its suite.json, see
 * FindOptions). Throws a one-line error for a folder that is neither.
 */
export function findModelDirs(dirs: readonly string[], options: FindOptions = {}): { dir: string; group: SuiteGroup; base: string }[] {
  const out = new Map<string, { group: SuiteGroup; base: string }>();
  const entry = (manifest: SuiteManifest | undefined, name: string): { group: SuiteGroup; base: string } => {
    const e = manifest?.models.find((m) => m.name === name);
    return { group: e?.group ?? "architecture", base: e?.base ?? name };
  };
  for (const dir of dirs) {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${dir}: not a folder`);
    if (isModelDir(dir)) {
      const parent = readSuiteManifest(path.dirname(path.resolve(dir)));
      out.set(path.resolve(dir), entry(parent, path.basename(path.resolve(dir))));
      continue;
    }
    const manifest = readSuiteManifest(dir);
    const children = fs.readdirSync(dir).sort().map((c) => path.join(dir, c)).filter((c) => fs.statSync(c).isDirectory() && isModelDir(c));
    if (children.length === 0) throw new Error(`${dir}: neither a model folder (config.json + stats/exp2_<name>_step<N>) nor a folder of model folders`);
    for (const c of children) {
      const e = entry(manifest, path.basename(c));
      if ((options.runs ?? "architecture") === "all" || e.group === "architecture") out.set(path.resolve(c), e);
    }
  }
  return [...out].map(([dir, e]) => ({ dir, ...e }));
}

export interface LoadOptions extends FindOptions {
  onWarning?: (message: string) => void;
}

/** Reads every model folder under `dirs` (see findModelDirs). */
export function loadTrainingModels(dirs: readonly string[], options: LoadOptions = {}): TrainingModel[] {
  return findModelDirs(dirs, options).map(({ dir, group, base }) => {
    const arch = readArchitecture(path.join(dir, "config.json"));
    const series = readExp2Series(dir, { onWarning: options.onWarning });
    if (series.numLayers !== arch.numLayers) {
      throw new Error(`${dir}: stats have ${series.numLayers} layers but config.json says num_hidden_layers ${arch.numLayers}`);
    }
    return { name: path.basename(dir), dir, arch, steps: series.steps, ratio: layerSeries(series, "ratio"), series, group, base };
  });
}

/**
 * Indices of the layers whose ratio is finite and positive at every step. A dead layer (median 0: ratio +Infinity,
 * or NaN where top1 is 0 too) cannot teach a curve model anything; the trajectory models leave such layers out.
 */
export function usableLayers(m: TrainingModel): number[] {
  return m.ratio.flatMap((c, l) => (c.every((v) => Number.isFinite(v) && v > 0) ? [l] : []));
}

/** Curve scores of `predicted` [layer][step] against the model's usable layers only; undefined when it has none. */
export function usableCurveScore(m: TrainingModel, predicted: readonly (readonly number[])[]): CurveScore | undefined {
  const ok = usableLayers(m);
  return ok.length ? curveScore(ok.map((l) => m.ratio[l]!), ok.map((l) => predicted[l]!)) : undefined;
}

/** One warning per model with unusable layers (see usableLayers), naming them. */
export function unusableLayerWarnings(models: readonly TrainingModel[]): string[] {
  return models.flatMap((m) => {
    const ok = new Set(usableLayers(m));
    const bad = m.ratio.map((_, l) => l).filter((l) => !ok.has(l));
    return bad.length ? [`${m.name}: layer(s) ${bad.join(", ")} have a non-finite or non-positive ratio (median 0?); left out of the trajectory model`] : [];
  });
}
