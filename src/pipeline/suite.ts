/**
 * A "suite": a folder of model folders in the released dataset's layout (`<model>/config.json`, `<model>/stats/`),
 * optionally with `checkpoints/<model>/step<N>/` weights and an `eval_sequences.json` (data/mini-pythia is one).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readSuiteManifest, type SuiteGroup, type SuiteManifest } from "../io/suite-manifest";

export interface SuiteModel {
  name: string;
  dir: string;
  /** `<dir>/config.json` when present. */
  configFile?: string;
  statsDir: string;
  /** `<suite>/checkpoints/<name>` when the suite ships that model's weights. */
  checkpointsDir?: string;
  /** From `suite.json` (architecture / seed / hyperparameter); `architecture` when the suite has none. */
  group: SuiteGroup;
}

export interface Suite {
  dir: string;
  models: SuiteModel[];
  /** `<suite>/eval_sequences.json` when present. */
  evalFile?: string;
  /** `<suite>/suite.json` when present. */
  manifest?: SuiteManifest;
}

/** Lists the model folders of a suite (sorted by hidden size, layers, heads when named d<d>-L<L>-H<H>, else by name). */
export function readSuite(dir: string): Suite {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${dir}: not a folder`);
  const models: SuiteModel[] = [];
  const manifest = readSuiteManifest(dir);
  for (const name of fs.readdirSync(dir)) {
    const modelDir = path.join(dir, name);
    const statsDir = path.join(modelDir, "stats");
    if (name === "checkpoints" || !fs.statSync(modelDir).isDirectory() || !fs.existsSync(statsDir)) continue;
    const configFile = path.join(modelDir, "config.json");
    const checkpointsDir = path.join(dir, "checkpoints", name);
    models.push({
      name,
      dir: modelDir,
      statsDir,
      group: manifest?.models.find((m) => m.name === name)?.group ?? "architecture",
      ...(fs.existsSync(configFile) ? { configFile } : {}),
      ...(fs.existsSync(checkpointsDir) ? { checkpointsDir } : {}),
    });
  }
  if (models.length === 0) throw new Error(`${dir}: no model folders with a stats/ folder`);
  const key = (n: string): number[] => {
    const m = /^d(\d+)-L(\d+)-H(\d+)$/.exec(n);
    return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [Infinity];
  };
  models.sort((a, b) => {
    const ka = key(a.name), kb = key(b.name);
    for (let i = 0; i < Math.max(ka.length, kb.length); i++) if ((ka[i] ?? 0) !== (kb[i] ?? 0)) return (ka[i] ?? 0) - (kb[i] ?? 0);
    return a.name.localeCompare(b.name);
  });
  const evalFile = path.join(dir, "eval_sequences.json");
  return { dir, models, ...(fs.existsSync(evalFile) ? { evalFile } : {}), ...(manifest ? { manifest } : {}) };
}

/** Largest relative error |a-b| / max(|b|, tiny) over every value of two [S][4][L] stats arrays of the same shape. */
export function maxRelativeError(a: number[][][], b: number[][][]): number {
  if (a.length !== b.length) throw new Error(`maxRelativeError: ${a.length} vs ${b.length} sequences`);
  let worst = 0;
  a.forEach((seq, s) => seq.forEach((row, k) => row.forEach((v, l) => {
    const ref = b[s]?.[k]?.[l];
    if (ref === undefined) throw new Error(`maxRelativeError: shapes differ at sequence ${s} row ${k} layer ${l}`);
    worst = Math.max(worst, Math.abs(v - ref) / Math.max(Math.abs(ref), 1e-30));
  })));
  return worst;
}
