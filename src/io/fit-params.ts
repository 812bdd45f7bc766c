/**
 * The released fit-parameter files `params/layer_fit_params_<series>.json` (Hugging Face dataset
 * `Aimpoint-Digital/pythia-massive-activations`): a JSON list, one entry per layer (0-based order), each
 * `{"original": {"param_names": ["A","λ","γ","t0","K"], "popt": [5], "pcov": [5x5], "r2", "aic", "residuals": [...]}}`
 * with Eq. 9's parameters in raw step units.
 *
 * This project writes the same entries and adds keys beside "original": layer, series, method, status, message,
 * warnings, stderr, n, steps, nfev, peak, paper (the paper procedure's fit when the robust one is reported) and
 * bootstrap. A layer whose fit failed has `"original": null` and `"status": "failed"`, so no number of a failed fit
 * is ever written. Non-finite numbers (an undetermined covariance, an infinite peak time) are written as null.
 * The reader also accepts Python's NaN / Infinity / -Infinity tokens, which `json.dump` writes.
 */
import { writeFileAtomic } from "../util/atomic-write";
import type { Eq9Params } from "../util/eq9-params";
import { printable } from "../util/one-line";
import { readTextFile } from "../util/read-text";

/**
 * What the file records of one fit. dynamics/' FitResult has these fields (and more); they are declared here, by
 * what this writer reads, because io/ sits below dynamics/ and may not import it.
 */
export interface FitParamsFitInput {
  /** "failed" writes `"original": null`; any other status (converged, max-iterations, ...) is written as it is. */
  status: string;
  message: string;
  warnings: string[];
  paramNames: string[];
  popt: number[];
  pcov: number[][];
  stderr: number[];
  r2: number;
  aic: number;
  residuals: number[];
  n: number;
  steps: number[];
  nfev: number;
  atBounds: string[];
}

/** A bootstrap statistic as the file records it (dynamics/' BootstrapStat). */
interface FitParamsStatInput {
  mean: number;
  std: number;
  ci95: [number, number];
  n: number;
}

/** What the file records of one layer: dynamics/' LayerFit (fit, paper procedure, peak analysis, bootstrap). */
export interface FitParamsLayerInput {
  layer: number;
  series: string;
  method: "paper" | "robust";
  fit: FitParamsFitInput;
  paper?: FitParamsFitInput;
  peak?: { xStar: number; tPeak: number; inWindow: boolean; kind: string; extremum: string; observable: boolean; valueAtPeak: number };
  bootstrap?: {
    replicates: number;
    converged: number;
    seed: number;
    params: Record<string, FitParamsStatInput>;
    tPeak: FitParamsStatInput;
    earlyPeakFraction: number;
    samples: number[][];
  };
}

export interface FitParamsOriginal {
  param_names: string[];
  popt: number[];
  pcov: number[][];
  r2: number;
  aic: number;
  residuals: number[];
}

/** One layer's entry: "original" plus whatever other keys the file holds. */
export interface FitParamsEntry {
  original: FitParamsOriginal | null;
  [key: string]: unknown;
}

/** `layer_fit_params_<series>.json`. */
export function fitParamsFileName(series: string): string {
  return `layer_fit_params_${series}.json`;
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

function originalOf(fit: FitParamsFitInput): FitParamsOriginal {
  return {
    param_names: fit.paramNames,
    popt: fit.popt,
    pcov: fit.pcov.map((row) => row.map(finiteOrNull)) as number[][],
    r2: fit.r2,
    aic: fit.aic,
    residuals: fit.residuals,
  };
}

/** The JSON entry of one layer (see the file comment for the keys). */
export function fitParamsEntry(f: FitParamsLayerInput): FitParamsEntry {
  const ok = f.fit.status !== "failed";
  const entry: FitParamsEntry = { original: ok ? originalOf(f.fit) : null };
  entry.layer = f.layer;
  entry.series = f.series;
  entry.method = f.method;
  entry.status = f.fit.status;
  entry.message = f.fit.message;
  entry.warnings = f.fit.warnings;
  if (ok) {
    entry.stderr = f.fit.stderr.map(finiteOrNull);
    entry.n = f.fit.n;
    entry.steps = f.fit.steps;
    entry.nfev = f.fit.nfev;
    entry.at_bounds = f.fit.atBounds;
  }
  if (f.peak) {
    entry.peak = {
      x_star: finiteOrNull(f.peak.xStar), t_peak: finiteOrNull(f.peak.tPeak), in_window: f.peak.inWindow, kind: f.peak.kind,
      extremum: f.peak.extremum, observable: f.peak.observable, value_at_peak: finiteOrNull(f.peak.valueAtPeak),
    };
  }
  if (f.paper && f.method !== "paper") {
    const p = f.paper;
    entry.paper = p.status === "failed" ? { status: p.status, message: p.message } : { status: p.status, message: p.message, popt: p.popt, r2: p.r2, aic: p.aic };
  }
  if (f.bootstrap) {
    const b = f.bootstrap;
    const stat = (s: FitParamsStatInput) => ({ mean: finiteOrNull(s.mean), std: finiteOrNull(s.std), ci95: s.ci95.map(finiteOrNull), n: s.n });
    entry.bootstrap = {
      replicates: b.replicates, converged: b.converged, seed: b.seed, resampled: "evaluation sequences",
      params: Object.fromEntries(Object.entries(b.params).map(([k, s]) => [k, stat(s)])), t_peak: stat(b.tPeak),
      early_peak_fraction: finiteOrNull(b.earlyPeakFraction), samples: b.samples,
    };
  }
  return entry;
}

/** Writes one entry per layer, atomically. */
export async function writeFitParams(file: string, fits: readonly FitParamsLayerInput[]): Promise<void> {
  const sorted = [...fits].sort((a, b) => a.layer - b.layer);
  sorted.forEach((f, i) => {
    if (f.layer !== i) throw new Error(`writeFitParams: layers must be 0..${fits.length - 1} without gaps, got layer ${f.layer} at position ${i}`);
  });
  // one layer per line: readable, diffable, and still plain JSON
  await writeFileAtomic(file, `[\n${sorted.map((f) => JSON.stringify(fitParamsEntry(f))).join(",\n")}\n]\n`);
}

const NAN = "\u0000NaN";
const INF = "\u0000Infinity";
const NINF = "\u0000-Infinity";

/** JSON.parse that also accepts Python's NaN, Infinity and -Infinity tokens outside strings. */
export function parsePythonJson(text: string): unknown {
  const replaced = text.replace(/"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g, (m) => (m.startsWith('"') ? m : JSON.stringify(m === "NaN" ? NAN : m === "Infinity" ? INF : NINF)));
  return JSON.parse(replaced, (_k, v) => (v === NAN ? NaN : v === INF ? Infinity : v === NINF ? -Infinity : v));
}

function isNum(v: unknown): v is number {
  return typeof v === "number";
}

/** Parses and checks a fit-parameter file's text; `file` names it in errors. */
export function parseFitParams(text: string, file: string): FitParamsEntry[] {
  let data: unknown;
  try {
    data = parsePythonJson(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON: ${printable((err as Error).message)}`);
  }
  if (!Array.isArray(data)) throw new Error(`${file}: expected a JSON list with one entry per layer`);
  if (data.length === 0) throw new Error(`${file}: the list of layers is empty`);
  return data.map((e, i): FitParamsEntry => {
    const where = `${file}: layer ${i}`;
    if (e === null || typeof e !== "object" || Array.isArray(e)) throw new Error(`${where}: expected an object with key "original"`);
    const entry = e as Record<string, unknown>;
    if (!("original" in entry)) throw new Error(`${where}: missing key "original"`);
    const o = entry.original;
    if (o === null) {
      if (entry.status !== "failed") throw new Error(`${where}: "original" is null but "status" is not "failed"`);
      return entry as FitParamsEntry;
    }
    if (typeof o !== "object" || Array.isArray(o)) throw new Error(`${where}: "original" must be an object`);
    const orig = o as Record<string, unknown>;
    const names = orig.param_names;
    if (!Array.isArray(names) || names.length !== 5 || !names.every((n) => typeof n === "string")) throw new Error(`${where}: "param_names" must list 5 names (A, λ, γ, t0, K)`);
    const popt = orig.popt;
    if (!Array.isArray(popt) || popt.length !== 5 || !popt.every((v) => isNum(v) && Number.isFinite(v))) throw new Error(`${where}: "popt" must hold 5 finite numbers`);
    const pcov = orig.pcov;
    if (!Array.isArray(pcov) || pcov.length !== 5 || !pcov.every((r) => Array.isArray(r) && r.length === 5 && r.every((v) => v === null || isNum(v)))) {
      throw new Error(`${where}: "pcov" must be a 5 x 5 matrix of numbers`);
    }
    for (const key of ["r2", "aic"]) if (!isNum(orig[key])) throw new Error(`${where}: "${key}" must be a number`);
    const res = orig.residuals;
    if (!Array.isArray(res) || !res.every(isNum)) throw new Error(`${where}: "residuals" must be a list of numbers`);
    const original: FitParamsOriginal = {
      param_names: names as string[],
      popt: popt as number[],
      pcov: (pcov as (number | null)[][]).map((r) => r.map((v) => (v === null ? NaN : v))),
      r2: orig.r2 as number,
      aic: orig.aic as number,
      residuals: res as number[],
    };
    return { ...entry, original };
  });
}

/** Reads a `layer_fit_params_<series>.json` file; throws a one-line error naming the file and the problem. */
export function readFitParams(file: string): FitParamsEntry[] {
  return parseFitParams(readTextFile(file), file);
}

/** The Eq. 9 parameters of an entry (popt order A, λ, γ, t0, K); undefined for a failed layer. */
export function fitParamsToEq9(entry: FitParamsEntry): Eq9Params | undefined {
  const p = entry.original?.popt;
  return p ? { A: p[0]!, lambda: p[1]!, gamma: p[2]!, t0: p[3]!, K: p[4]! } : undefined;
}
