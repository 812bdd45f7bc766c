/**
 * `massive sweep merge`: gathers the tasks' stats files into the released dataset's layout, one folder per model:
 * `<out>/<name>/stats/exp2_<name>_step<N>`, which `massive fit --stats <out>/<name>/stats` reads; steps the hub
 * audit left out of the plan go to `<out>/<name>/stats/skipped-checkpoints.json`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseExp2FileName, readExp2Stats } from "../io/exp2-stats";
import { writeFileAtomic } from "../util/atomic-write";
import { SKIPPED_CHECKPOINTS_FILE } from "../record/manifest";
import { readManifest } from "./manifest";
import { findResult } from "./task";

export interface MergeOptions {
  /** Destination (default `<dir>/merged`). */
  out?: string;
  /** Merge the finished tasks even when some are not done (default: refuse). */
  partial?: boolean;
}

export interface MergedModel {
  name: string;
  /** The stats folder written. */
  statsDir: string;
  steps: number[];
  written: number;
  unchanged: number;
  missingSteps: number[];
}

export class IncompleteSweepError extends Error {}

/** Copies every finished task's stats file into the released layout; files already identical are left untouched. */
export async function mergeSweep(dir: string, options: MergeOptions = {}): Promise<MergedModel[]> {
  const sweepDir = path.resolve(dir);
  const m = readManifest(sweepDir);
  const out = path.resolve(options.out ?? path.join(sweepDir, "merged"));
  const plan = m.models.map((model) => {
    const found = model.tasks.map((t) => ({ task: t, file: findResult(sweepDir, t) }));
    return { model, found, missing: found.filter((f) => !f.file).map((f) => f.task.step) };
  });
  const missingTotal = plan.reduce((a, p) => a + p.missing.length, 0);
  if (missingTotal > 0 && !options.partial) {
    const first = plan.find((p) => p.missing.length)!;
    throw new IncompleteSweepError(`${missingTotal} task(s) not done (first: ${first.model.name} step${first.missing[0]}); see massive sweep status ${sweepDir}, or pass --partial`);
  }
  const merged: MergedModel[] = [];
  for (const { model, found, missing } of plan) {
    let statsDir: string | undefined;
    let written = 0;
    let unchanged = 0;
    const steps: number[] = [];
    for (const { file } of found) {
      if (!file) continue;
      const base = path.basename(file);
      const parsed = parseExp2FileName(base)!;
      readExp2Stats(file); // refuse to publish a damaged file
      statsDir = path.join(out, parsed.name, "stats");
      const dest = path.join(statsDir, base);
      const data = fs.readFileSync(file);
      let same = false;
      try {
        same = fs.readFileSync(dest).equals(data);
      } catch {
        same = false;
      }
      if (same) unchanged++;
      else {
        await writeFileAtomic(dest, data);
        written++;
      }
      steps.push(parsed.step);
    }
    if (model.skipped?.length && statsDir) {
      // the steps the hub audit left out of the plan, for figures and the report to mark
      const skipped = Object.fromEntries(model.skipped.map(({ step, ...why }) => [String(step), why]));
      await writeFileAtomic(path.join(statsDir, SKIPPED_CHECKPOINTS_FILE), `${JSON.stringify(skipped, null, 2)}\n`);
    }
    merged.push({ name: model.name, statsDir: statsDir ?? path.join(out, model.name, "stats"), steps, written, unchanged, missingSteps: missing });
  }
  return merged;
}
