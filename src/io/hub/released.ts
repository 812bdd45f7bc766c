/**
 * The paper's released dataset on the hub (`Aimpoint-Digital/pythia-massive-activations`, MIT): one folder per
 * model, `pythia_<size>/stats/exp2_pythia_<size>_step<N>` and `pythia_<size>/params/layer_fit_params_<series>.json`.
 * Pulled through the hub client into the standard cache; the returned folders read directly with readExp2Series.
 */
import * as path from "node:path";
import { readExp2Stats } from "../exp2-stats";
import { readFitParams } from "../fit-params";
import { printable } from "../../util/one-line";
import { startProgress, type Progress } from "../../util/progress";
import { HubClient, type HubSnapshot } from "./client";

export const RELEASED_DATASET = "Aimpoint-Digital/pythia-massive-activations";
export const PYTHIA_SIZES = ["14m", "70m", "160m", "410m", "1b", "1.4b", "2.8b", "6.9b", "12b"] as const;

export interface ReleasedData {
  snapshot: HubSnapshot;
  /** `<snapshot>/pythia_<size>`. */
  modelDir: string;
  statsDir: string;
  paramsDir: string;
}

/**
 * Downloads (or finds in the cache) one model's `stats/` and `params/` folders of the released dataset.
 * @param size `70m`, `pythia_70m` or `pythia-70m`.
 */
export async function pullReleasedData(size: string, options: { client?: HubClient; revision?: string; parts?: ("stats" | "params")[] } = {}): Promise<ReleasedData> {
  const s = size.replace(/^pythia[_-]/, "").toLowerCase();
  if (!(PYTHIA_SIZES as readonly string[]).includes(s)) throw new Error(`pullReleasedData: '${size}' is not a Pythia size (${PYTHIA_SIZES.join(", ")})`);
  const folder = `pythia_${s}`;
  const parts = options.parts ?? ["stats", "params"];
  const client = options.client ?? new HubClient();
  const snapshot = await client.downloadFiles({ id: RELEASED_DATASET, type: "dataset" }, options.revision ?? "main", (f) => parts.some((p) => f.startsWith(`${folder}/${p}/`)));
  const modelDir = path.join(snapshot.dir, folder);
  return { snapshot, modelDir, statsDir: path.join(modelDir, "stats"), paramsDir: path.join(modelDir, "params") };
}

/** One file of the released dataset, checked with the project's parsers. */
export interface ReleasedFileCheck {
  /** Repo-relative path. */
  path: string;
  kind: "stats" | "params" | "other";
  ok: boolean;
  /** One line: what is wrong (the parser's message, or a shape that differs from the model's other files). */
  problem?: string;
  /** stats: sequences x layers. */
  shape?: [number, number];
}

export interface ReleasedCheck {
  snapshot: HubSnapshot;
  files: ReleasedFileCheck[];
  bad: ReleasedFileCheck[];
}

/**
 * Checks every file of a released-dataset snapshot: `stats/exp2_*` with the exp2 parser, `params/*.json` with the
 * fit-parameter parser; a stats file whose sequence or layer count differs from most of its model's files is bad
 * too. Never throws for a bad file (a third-party report found pythia_1b's step0 stats file malformed): each
 * problem is one line in `bad`.
 */
export function checkReleasedFiles(snapshot: HubSnapshot): ReleasedCheck {
  const files: ReleasedFileCheck[] = snapshot.files.map((rel) => {
    const file = path.join(snapshot.dir, rel);
    const kind = /(^|\/)stats\/exp2_[^/]+$/.test(rel) ? "stats" : /(^|\/)params\/[^/]+\.json$/.test(rel) ? "params" : "other";
    try {
      if (kind === "stats") {
        const { values } = readExp2Stats(file);
        return { path: rel, kind, ok: true, shape: [values.length, values[0]![0]!.length] };
      }
      if (kind === "params") readFitParams(file);
      return { path: rel, kind, ok: true };
    } catch (err) {
      return { path: rel, kind, ok: false, problem: printable((err as Error).message, 1000) };
    }
  });
  // Shapes per model folder: the most common (sequences, layers) is the model's; others are flagged.
  const byModel = new Map<string, ReleasedFileCheck[]>();
  for (const f of files) if (f.shape) byModel.set(f.path.split("/")[0]!, [...(byModel.get(f.path.split("/")[0]!) ?? []), f]);
  for (const [model, list] of byModel) {
    const counts = new Map<string, number>();
    for (const f of list) counts.set(f.shape!.join("x"), (counts.get(f.shape!.join("x")) ?? 0) + 1);
    const common = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    for (const f of list) {
      if (f.shape!.join("x") !== common) Object.assign(f, { ok: false, problem: `${path.join(snapshot.dir, f.path)}: ${f.shape![0]} sequences x ${f.shape![1]} layers, while ${counts.get(common)} of ${model}'s ${list.length} stats files hold ${common.replace("x", " x ")}` });
    }
  }
  return { snapshot, files, bad: files.filter((f) => !f.ok) };
}

/**
 * Downloads the released dataset (every model, or those of `sizes`) into the hub cache and checks every file
 * (see checkReleasedFiles).
 */
export async function fetchReleasedData(options: { client?: HubClient; revision?: string; sizes?: string[] } = {}): Promise<ReleasedCheck> {
  const folders = options.sizes?.map((s) => {
    const size = s.replace(/^pythia[_-]/, "").toLowerCase();
    if (!(PYTHIA_SIZES as readonly string[]).includes(size)) throw new Error(`fetchReleasedData: '${s}' is not a Pythia size (${PYTHIA_SIZES.join(", ")})`);
    return `pythia_${size}/`;
  });
  // ~1,200 small files: one progress line for them all, rather than the client's line per file
  const client = options.client ?? new HubClient({ progress: false });
  let progress: Progress | undefined;
  const snapshot = await client.downloadFiles({ id: RELEASED_DATASET, type: "dataset" }, options.revision ?? "main", (f) => !folders || folders.some((d) => f.startsWith(d)), {
    concurrency: 8,
    onFile: (file, done, total) => {
      progress ??= startProgress("[fetch-released] files", total);
      progress.tick(1, file);
      if (done === total) progress.done();
    },
  });
  return checkReleasedFiles(snapshot);
}
