/**
 * The paper's released "exp2" statistics files (`stats/exp2_<name>_step<N>`, no extension): a Python-literal
 * nested list [sequences][4][layers] with rows top1, top2, top3, median of |decoder-layer output| over the
 * flattened [seq, hidden] tensor of one evaluation sequence. Layers are 0-based.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../util/atomic-write";
import { parsePythonNumberList, type PyNested } from "./python-literal";
import { readTextFile } from "../util/read-text";

/** Statistics rows in file order. */
export const EXP2_STATS = ["top1", "top2", "top3", "median"] as const;
export type Exp2StatName = (typeof EXP2_STATS)[number];

/** One checkpoint's statistics: `values[sequence][stat][layer]`, stat in {@link EXP2_STATS} order. */
export interface Exp2Stats {
  step: number;
  /** [numSequences][4][numLayers] */
  values: number[][][];
}

/** All checkpoints of one model, sorted by step. */
export interface Exp2Series {
  name: string;
  steps: number[];
  /** checkpoints[i] belongs to steps[i]. */
  checkpoints: Exp2Stats[];
  numLayers: number;
  numSequences: number;
}

const FILE_RE = /^exp2_(.+)_step(\d+)$/;

/** Splits `exp2_<name>_step<N>` into its name and step, or returns undefined for other file names. */
export function parseExp2FileName(fileName: string): { name: string; step: number } | undefined {
  const m = FILE_RE.exec(fileName);
  return m ? { name: m[1]!, step: Number(m[2]) } : undefined;
}

/** The file name for a model and step: `exp2_<name>_step<N>`. */
export function exp2FileName(name: string, step: number): string {
  return `exp2_${name}_step${step}`;
}

/** Checks the shape [S][4][L] with S >= 1, L >= 1 and finite non-negative numbers; returns a typed copy. */
export function validateExp2Values(value: PyNested, where: string): number[][][] {
  if (!Array.isArray(value) || value.length === 0) throw new Error(`${where}: expected a non-empty list of sequences`);
  let numLayers = -1;
  return value.map((seq, s) => {
    if (!Array.isArray(seq) || seq.length !== 4) throw new Error(`${where}: sequence ${s} must hold 4 rows (top1, top2, top3, median)`);
    return seq.map((row, k) => {
      if (!Array.isArray(row) || row.length === 0) throw new Error(`${where}: sequence ${s} row ${EXP2_STATS[k]} must be a non-empty list`);
      if (numLayers < 0) numLayers = row.length;
      if (row.length !== numLayers) throw new Error(`${where}: sequence ${s} row ${EXP2_STATS[k]} has ${row.length} layers, expected ${numLayers}`);
      return row.map((v, l) => {
        if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
          throw new Error(`${where}: sequence ${s} ${EXP2_STATS[k]} layer ${l} is ${String(v)}, expected a finite number >= 0`);
        }
        return v;
      });
    });
  });
}

/** Parses the text of one exp2 file; `file` is used in error messages. */
export function parseExp2Stats(text: string, file: string, step = parseExp2FileName(path.basename(file))?.step ?? NaN): Exp2Stats {
  let parsed: PyNested;
  try {
    parsed = parsePythonNumberList(text);
  } catch (err) {
    throw new Error(`${file}: not a Python list of numbers: ${(err as Error).message}`);
  }
  return { step, values: validateExp2Values(parsed, file) };
}

/** Reads one exp2 file; throws a one-line error naming the file and the problem. */
export function readExp2Stats(file: string): Exp2Stats {
  return parseExp2Stats(readTextFile(file), file);
}

/** Formats values as Python's `str()` of a nested list of floats prints them (the released format). */
export function formatExp2Values(values: number[][][]): string {
  const num = (v: number): string => {
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    return Number.isInteger(v) ? v.toFixed(1) : String(v);
  };
  return `[${values.map((s) => `[${s.map((r) => `[${r.map(num).join(", ")}]`).join(", ")}]`).join(", ")}]`;
}

/** Writes one checkpoint's file `<dir>/exp2_<name>_step<N>` atomically and returns its path. */
export async function writeExp2Stats(dir: string, name: string, stats: Exp2Stats): Promise<string> {
  validateExp2Values(stats.values, `exp2 stats of ${name} step ${stats.step}`);
  const file = path.join(dir, exp2FileName(name, stats.step));
  await writeFileAtomic(file, formatExp2Values(stats.values));
  return file;
}

export interface ReadSeriesOptions {
  /** Called for each malformed file, which is skipped. Default: a warning on stderr. */
  onWarning?: (message: string) => void;
  /** Only this model name (files of other names in the folder are ignored). Default: the only name present. */
  name?: string;
}

/**
 * The folder holding a model's exp2 files: `<dir>/stats` when that is a folder (the released layout, a results
 * folder), else `dir` itself (a bare stats folder). One rule for every reader of model folders.
 */
export function exp2StatsFolder(dir: string): string {
  const stats = path.join(dir, "stats");
  return fs.existsSync(stats) && fs.statSync(stats).isDirectory() ? stats : dir;
}

/** Whether {@link exp2StatsFolder} of `dir` holds at least one `exp2_<name>_step<N>` file (false when unreadable). */
export function hasExp2Stats(dir: string): boolean {
  try {
    return fs.readdirSync(exp2StatsFolder(dir)).some((f) => parseExp2FileName(f) !== undefined);
  } catch {
    return false;
  }
}

/**
 * Reads every `exp2_<name>_step<N>` file of a folder (or of its `stats/` subfolder) into one series sorted by step.
 * Malformed files are skipped with a warning naming them; files whose layer or sequence counts differ from the
 * majority are skipped too. Throws when no readable file is left.
 */
export function readExp2Series(dir: string, options: ReadSeriesOptions = {}): Exp2Series {
  const warn = options.onWarning ?? ((m: string) => process.stderr.write(`warning: ${m}\n`));
  const folder = exp2StatsFolder(dir);
  let entries: string[];
  try {
    entries = fs.readdirSync(folder);
  } catch (err) {
    throw new Error(`${dir}: cannot list stats folder: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const files = entries.map((f) => ({ f, parsed: parseExp2FileName(f) })).filter((e) => e.parsed !== undefined);
  const names = [...new Set(files.map((e) => e.parsed!.name))];
  const name = options.name ?? (names.length === 1 ? names[0] : undefined);
  if (name === undefined) {
    throw new Error(names.length === 0 ? `${folder}: no exp2_<name>_step<N> files` : `${folder}: several models (${names.join(", ")}); pass a name`);
  }
  const checkpoints: Exp2Stats[] = [];
  for (const { f, parsed } of files) {
    if (parsed!.name !== name) continue;
    try {
      checkpoints.push(readExp2Stats(path.join(folder, f)));
    } catch (err) {
      warn(`skipping malformed stats file ${(err as Error).message}`);
    }
  }
  if (checkpoints.length === 0) throw new Error(`${folder}: no readable stats file for ${name}`);
  const shapeKey = (c: Exp2Stats): string => `${c.values.length}x${c.values[0]![0]!.length}`;
  const counts = new Map<string, number>();
  for (const c of checkpoints) counts.set(shapeKey(c), (counts.get(shapeKey(c)) ?? 0) + 1);
  const majority = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  const kept = checkpoints.filter((c) => {
    if (shapeKey(c) === majority) return true;
    warn(`skipping stats file ${path.join(folder, exp2FileName(name, c.step))}: shape ${shapeKey(c)} (sequences x layers) differs from the other files' ${majority}`);
    return false;
  });
  kept.sort((a, b) => a.step - b.step);
  return {
    name,
    steps: kept.map((c) => c.step),
    checkpoints: kept,
    numSequences: kept[0]!.values.length,
    numLayers: kept[0]!.values[0]![0]!.length,
  };
}

/** Mean over sequences of one statistic: `[numCheckpoints][numLayers]`. */
export function meanOverSequences(series: Exp2Series, stat: Exp2StatName): number[][] {
  const k = EXP2_STATS.indexOf(stat);
  return series.checkpoints.map((c) => {
    const out = new Array<number>(series.numLayers).fill(0);
    for (const seq of c.values) for (let l = 0; l < series.numLayers; l++) out[l]! += seq[k]![l]! / c.values.length;
    return out;
  });
}

/**
 * The paper's fitted series per layer (Eq. 8): ratio r_l(t) = mean_x top1 / mean_x median (ratio of the sample
 * means), or the mean top1 or mean median alone. Returns `[numLayers][numCheckpoints]`.
 */
export function layerSeries(series: Exp2Series, which: "ratio" | "top1" | "median"): number[][] {
  const top1 = meanOverSequences(series, "top1");
  const median = meanOverSequences(series, "median");
  const pick = (t: number, l: number): number =>
    which === "ratio" ? top1[t]![l]! / median[t]![l]! : which === "top1" ? top1[t]![l]! : median[t]![l]!;
  return Array.from({ length: series.numLayers }, (_, l) => series.steps.map((_, t) => pick(t, l)));
}

/**
 * Spread over the evaluation sequences (the paper's Table 2): per checkpoint and layer, the coefficient of variation
 * (sample standard deviation / mean, n - 1 in the denominator) of the per-sequence top1, median or ratio
 * top1/median. Returns `[numCheckpoints][numLayers]`; NaN with fewer than two sequences.
 */
export function coefficientOfVariation(series: Exp2Series, which: "ratio" | "top1" | "median"): number[][] {
  const k = EXP2_STATS.indexOf("top1");
  const m = EXP2_STATS.indexOf("median");
  return series.checkpoints.map((c) =>
    Array.from({ length: series.numLayers }, (_, l) => {
      const v = c.values.map((seq) => (which === "ratio" ? seq[k]![l]! / seq[m]![l]! : which === "top1" ? seq[k]![l]! : seq[m]![l]!));
      if (v.length < 2) return NaN;
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
      return sd / mean;
    }),
  );
}
