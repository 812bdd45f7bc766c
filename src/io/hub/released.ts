/**
 * The paper's released dataset on the hub (`Aimpoint-Digital/pythia-massive-activations`, MIT): one folder per
 * model, `pythia_<size>/stats/exp2_pythia_<size>_step<N>` and `pythia_<size>/params/layer_fit_params_<series>.json`.
 * Pulled through the hub client into the standard cache; the returned folders read directly with readExp2Series.
 */
import * as path from "node:path";
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
