/**
 * The training material of the predictor: model folders holding `config.json` and `stats/` (the released layout),
 * read into per-layer ratio series (Eq. 8) with the architecture of each model.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { layerSeries, readExp2Series, type Exp2Series } from "../io/exp2-stats";
import { readArchitecture, type Architecture } from "./architecture";

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
}

function isModelDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, "config.json")) && fs.existsSync(path.join(dir, "stats")) && fs.statSync(path.join(dir, "stats")).isDirectory();
}

/**
 * Expands each given folder to model folders: the folder itself when it holds `config.json` and `stats/`, else its
 * immediate subfolders that do (e.g. `data/mini-pythia`). Throws a one-line error for a folder that is neither.
 */
export function findModelDirs(dirs: readonly string[]): string[] {
  const out: string[] = [];
  for (const dir of dirs) {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${dir}: not a folder`);
    if (isModelDir(dir)) {
      out.push(dir);
      continue;
    }
    const children = fs.readdirSync(dir).sort().map((c) => path.join(dir, c)).filter((c) => fs.statSync(c).isDirectory() && isModelDir(c));
    if (children.length === 0) throw new Error(`${dir}: neither a model folder (config.json + stats/) nor a folder of model folders`);
    out.push(...children);
  }
  return [...new Set(out.map((d) => path.resolve(d)))];
}

export interface LoadOptions {
  onWarning?: (message: string) => void;
}

/** Reads every model folder under `dirs` (see findModelDirs). */
export function loadTrainingModels(dirs: readonly string[], options: LoadOptions = {}): TrainingModel[] {
  return findModelDirs(dirs).map((dir) => {
    const arch = readArchitecture(path.join(dir, "config.json"));
    const series = readExp2Series(dir, { onWarning: options.onWarning });
    if (series.numLayers !== arch.numLayers) {
      throw new Error(`${dir}: stats have ${series.numLayers} layers but config.json says num_hidden_layers ${arch.numLayers}`);
    }
    return { name: path.basename(dir), dir, arch, steps: series.steps, ratio: layerSeries(series, "ratio"), series };
  });
}

/**
 * Indices of the layers whose ratio is finite and positive at every step. A dead layer (median 0: ratio +Infinity,
 * or NaN where top1 is 0 too) cannot teach a curve model anything; the trajectory models leave such layers out.
 */
export function usableLayers(m: TrainingModel): number[] {
  return m.ratio.flatMap((c, l) => (c.every((v) => Number.isFinite(v) && v > 0) ? [l] : []));
}

/** One warning per model with unusable layers (see usableLayers), naming them. */
export function unusableLayerWarnings(models: readonly TrainingModel[]): string[] {
  return models.flatMap((m) => {
    const ok = new Set(usableLayers(m));
    const bad = m.ratio.map((_, l) => l).filter((l) => !ok.has(l));
    return bad.length ? [`${m.name}: layer(s) ${bad.join(", ")} have a non-finite or non-positive ratio (median 0?); left out of the trajectory model`] : [];
  });
}
