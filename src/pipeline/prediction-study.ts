/**
 * The prediction stage of the main job, on a results folder whose models already have config.json, stats/ and
 * params/layer_fit_params_ratio.json:
 *   - each model's ratio trajectories predicted from its architecture alone, trained on the other models (leave one
 *     model out), written as `<model>/predictions.json` and scored by curve-space R^2;
 *   - the paper's Table 3 protocol (80/20 split over layers) and the grouped leave-one-model-out protocol beside it,
 *     written as `predict/table3.json` and `predict/table3.txt`;
 *   - SHAP values and partial dependence of the K model (the paper's best-predicted parameter) for the figures.
 */
import * as path from "node:path";
import { writeFileAtomic } from "../util/atomic-write";
import {
  loadTrainingModels,
  predictArchitecture,
  curveScore,
  fitParamSamples,
  buildParamDataset,
  paperProtocol,
  leaveOneModelOutProtocol,
  formatTable3,
  interpretParamModel,
  type ProtocolResult,
} from "../predict/index";

export interface PredictionStudySummary {
  /** Held-out model -> layer-mean curve R^2 of its predicted ratio trajectories. */
  lomoCurveR2: Record<string, number>;
  meanLomoCurveR2: number;
  table3: { paper: ProtocolResult; leaveOneModelOut: ProtocolResult };
  table3Text: string;
}

const json = (v: unknown): string => `${JSON.stringify(v, null, 1)}\n`;

export async function runPredictionStudy(resultsDir: string, options: { seed?: number; log?: (l: string) => void } = {}): Promise<PredictionStudySummary> {
  const seed = options.seed ?? 0;
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const models = loadTrainingModels([resultsDir], { onWarning: (m) => log(`[predict] warning: ${m}`) });
  const lomoCurveR2: Record<string, number> = {};
  for (const held of models) {
    const rest = models.filter((m) => m !== held);
    const pred = predictArchitecture(rest, held.arch, held.steps, { seed });
    const score = curveScore(held.ratio, pred.layers.map((l) => l.ratio));
    lomoCurveR2[held.name] = score.layerMean;
    log(`[predict] ${held.name} predicted from the other ${rest.length} models: curve R^2 ${score.layerMean.toFixed(3)}`);
    await writeFileAtomic(path.join(held.dir, "predictions.json"), json({ ...pred, heldOut: true, curveR2: score }));
  }
  const ds = buildParamDataset(models, fitParamSamples(models, { seed }));
  const paper = paperProtocol(ds, { seed });
  const lomo = leaveOneModelOutProtocol(ds, { seed, selected: paper });
  const table3Text = formatTable3(paper, lomo);
  await writeFileAtomic(path.join(resultsDir, "predict", "table3.json"), json({ paper, leaveOneModelOut: lomo }));
  await writeFileAtomic(path.join(resultsDir, "predict", "table3.txt"), `${table3Text}\n`);
  const k = interpretParamModel(ds, "K", "xgboost", { seed });
  await writeFileAtomic(path.join(resultsDir, "predict", "shap_K.json"), json(k.shap));
  await writeFileAtomic(path.join(resultsDir, "predict", "partial_dependence_K.json"), json(k.partialDependence));
  const values = Object.values(lomoCurveR2);
  return { lomoCurveR2, meanLomoCurveR2: values.reduce((a, b) => a + b, 0) / values.length, table3: { paper, leaveOneModelOut: lomo }, table3Text };
}
