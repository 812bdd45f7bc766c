/**
 * The prediction stage of the main job, on a results folder whose models already have config.json, stats/ and
 * params/layer_fit_params_ratio.json:
 *   - each model's ratio trajectories predicted from its architecture alone, trained on the other models (leave one
 *     model out), written as `<model>/predictions.json` and scored by curve-space R^2 beside the plain baseline;
 *   - the paper's Table 3 protocol (80/20 split over layers) and the grouped leave-one-model-out protocol beside it,
 *     written as `predict/table3.json` and `predict/table3.txt`;
 *   - SHAP values and partial dependence of the K model (the paper's best-predicted parameter) for the figures.
 */
import * as path from "node:path";
import { writeFileAtomic } from "../util/atomic-write";
import {
  loadTrainingModels,
  leaveOneModelOutCurves,
  BaselineTrajectoryPredictor,
  TrajectoryPredictor,
  combineLogMean,
  formatLomoCurveTable,
  fitParamSamples,
  buildParamDataset,
  paperProtocol,
  leaveOneModelOutProtocol,
  formatTable3,
  interpretParamModel,
  type ProtocolResult,
} from "../predict/index";

export interface PredictionStudySummary {
  /** Held-out model -> layer-mean curve R^2 of its predicted ratio trajectories (the shipped ensemble predictor). */
  lomoCurveR2: Record<string, number>;
  meanLomoCurveR2: number;
  /** The same for the plain baseline (gradient-boosted trees on Table 4 features + log(1+step)). */
  baselineLomoCurveR2: Record<string, number>;
  meanBaselineLomoCurveR2: number;
  lomoCurveText: string;
  table3: { paper: ProtocolResult; leaveOneModelOut: ProtocolResult };
  table3Text: string;
}

const json = (v: unknown): string => `${JSON.stringify(v, null, 1)}\n`;

export async function runPredictionStudy(resultsDir: string, options: { seed?: number; log?: (l: string) => void } = {}): Promise<PredictionStudySummary> {
  const seed = options.seed ?? 0;
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const models = loadTrainingModels([resultsDir], { onWarning: (m) => log(`[predict] warning: ${m}`) });
  // The ensemble is EnsembleTrajectoryPredictor's default, built from the two members fitted on the same fold.
  const lomo = leaveOneModelOutCurves(
    models,
    { baseline: () => new BaselineTrajectoryPredictor({ seed }), fpca_ridge: () => new TrajectoryPredictor({ components: 2 }) },
    { ensemble: (p) => combineLogMean([p.fpca_ridge!, p.baseline!]) },
    (m) => log(`[predict] ${m}`),
  );
  const pick = (name: string): Record<string, number> => Object.fromEntries(models.map((m) => [m.name, lomo.scores[name]![m.name]!.layerMean]));
  for (const held of models) {
    const ratio = lomo.predictions.ensemble![held.name]!;
    await writeFileAtomic(path.join(held.dir, "predictions.json"), json({
      steps: held.steps,
      heldOut: true,
      method: "leave-one-model-out: ensemble of fPCA + ridge curve model and gradient-boosted trees, trained on the other models",
      trainedOn: models.filter((m) => m !== held).map((m) => m.name),
      curveR2: lomo.scores.ensemble![held.name],
      baselineCurveR2: lomo.scores.baseline![held.name],
      layers: ratio.map((r, layer) => ({ layer, ratio: r, baselineRatio: lomo.predictions.baseline![held.name]![layer] })),
    }));
  }
  const lomoCurveText = formatLomoCurveTable(lomo);
  await writeFileAtomic(path.join(resultsDir, "predict", "lomo_curves.txt"), `${lomoCurveText}\n`);
  const ds = buildParamDataset(models, fitParamSamples(models, { seed }));
  const paper = paperProtocol(ds, { seed });
  const lomoProtocol = leaveOneModelOutProtocol(ds, { seed, selected: paper });
  const table3Text = formatTable3(paper, lomoProtocol);
  await writeFileAtomic(path.join(resultsDir, "predict", "table3.json"), json({ paper, leaveOneModelOut: lomoProtocol }));
  await writeFileAtomic(path.join(resultsDir, "predict", "table3.txt"), `${table3Text}\n`);
  const k = interpretParamModel(ds, "K", "xgboost", { seed });
  await writeFileAtomic(path.join(resultsDir, "predict", "shap_K.json"), json(k.shap));
  await writeFileAtomic(path.join(resultsDir, "predict", "partial_dependence_K.json"), json(k.partialDependence));
  return {
    lomoCurveR2: pick("ensemble"),
    meanLomoCurveR2: lomo.meanLayerR2.ensemble!,
    baselineLomoCurveR2: pick("baseline"),
    meanBaselineLomoCurveR2: lomo.meanLayerR2.baseline!,
    lomoCurveText,
    table3: { paper, leaveOneModelOut: lomoProtocol },
    table3Text,
  };
}
