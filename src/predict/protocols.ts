/**
 * The two evaluation protocols for predicting Eq. 9's parameters from architecture.
 *
 * Paper protocol (Sec. 5): one random 80/20 split of the (model, layer) samples, so layers of one model sit on both
 * sides; per parameter and regressor, hyperparameters by 5-fold CV on the training part, refit on it, R^2 on the
 * test part. Targets are transformed as the paper does (log1p for A, lambda, gamma, t0 — signed, since robust fits can
 * give negative A — and Yeo-Johnson for K), features standard-scaled; transforms and scalers are fitted on training
 * rows only, and R^2 is computed in the transformed space (where the models are fitted).
 *
 * Grouped protocol (not in the paper): each model in turn (leave-one-model-out), or each of k groups of models
 * (grouped k-fold, where time demands), is the test set and everything is fitted on the others: transform, scaler,
 * and the hyperparameters, chosen by an inner cross-validation grouped by model on the training models only (nested;
 * no choice sees a test model). Predictions of all folds are pooled and scored by one R^2, in the space of the same
 * transform fitted on all samples (used only for scoring).
 */
import type { TargetTransform } from "./estimator";
import { groupKFold, kFold, leaveOneGroupOut, gridSearchCV, take, trainTestSplit, type Split } from "./cross-validation";
import { SignedLog1pTransform } from "./log1p-transform";
import { r2Score } from "./metrics";
import { PARAM_NAMES, type ParamDataset, type ParamName } from "./param-dataset";
import { ScaledRegressor } from "./pipeline";
import { REGRESSORS, REGRESSOR_NAMES, type RegressorName } from "./regressors";
import { YeoJohnsonTransform } from "./yeo-johnson";

/** The paper's target transforms (tables.json "table3_test_r2.transforms"). */
export const PAPER_TRANSFORMS: Record<ParamName, "log1p" | "yeo-johnson"> = { A: "log1p", lambda: "log1p", gamma: "log1p", t0: "log1p", K: "yeo-johnson" };

/** Table 3 of arXiv:2508.03616v2 (test R^2 on Pythia, 188 samples), copied from ../shared/paper/tables.json. */
export const PAPER_TABLE3: Record<ParamName, Record<RegressorName, number>> = {
  A: { ridge: 0.077, lasso: 0.195, random_forest: 0.476, gradient_boosting: 0.274, xgboost: 0.244 },
  lambda: { ridge: 0.031, lasso: -0.015, random_forest: 0.643, gradient_boosting: 0.506, xgboost: 0.664 },
  gamma: { ridge: 0.056, lasso: -0.006, random_forest: 0.055, gradient_boosting: -1.571, xgboost: -0.089 },
  t0: { ridge: 0.1, lasso: 0.017, random_forest: 0.447, gradient_boosting: 0.266, xgboost: 0.387 },
  K: { ridge: 0.405, lasso: 0.316, random_forest: 0.803, gradient_boosting: 0.824, xgboost: 0.847 },
};

export function makeTargetTransform(kind: "log1p" | "yeo-johnson"): TargetTransform {
  return kind === "log1p" ? new SignedLog1pTransform() : new YeoJohnsonTransform();
}

export interface ProtocolOptions {
  /** Seed of the split, the CV folds and the regressors. Default 0. */
  seed?: number;
  regressors?: readonly RegressorName[];
  params?: readonly ParamName[];
  /** CV folds for hyperparameter selection. Default 5. */
  cvFolds?: number;
  /** Paper protocol's test fraction. Default 0.2. */
  testFraction?: number;
  /**
   * Use the hyperparameters another run selected (e.g. the paper protocol's) instead of an inner CV: much faster,
   * but the choice saw the test models, so the score is not a held-out score. Never used for reported numbers.
   */
  selected?: ProtocolResult;
  /** Grouped protocol: "lomo" (default) or the number of grouped outer folds. */
  outerFolds?: "lomo" | number;
  /** Override grids (e.g. smaller ones in tests). */
  grids?: Partial<Record<RegressorName, Record<string, readonly unknown[]>>>;
  onProgress?: (message: string) => void;
}

export interface ProtocolCell {
  r2: number;
  /** Hyperparameters chosen by CV (for leave-one-model-out, those of the last fold). */
  bestOptions: Record<string, unknown>;
}

export interface ProtocolResult {
  protocol: "paper-80-20" | "leave-one-model-out" | "grouped-k-fold";
  /** How the score was computed, in words. */
  scheme?: string;
  cells: Record<string, Record<string, ProtocolCell>>;
  params: ParamName[];
  regressors: RegressorName[];
  nSamples: number;
  nTest: number;
}

function fitSelect(param: ParamName, name: RegressorName, Xtr: number[][], ztr: number[], options: ProtocolOptions, seed: number, groups?: string[]): { model: ScaledRegressor; best: Record<string, unknown> } {
  const spec = REGRESSORS[name];
  const chosen = options.selected?.cells[param]?.[name]?.bestOptions;
  if (chosen) return { model: new ScaledRegressor(spec.make(chosen, seed)).fit(Xtr, ztr), best: chosen };
  const grid = options.grids?.[name] ?? spec.grid;
  const k = options.cvFolds ?? 5;
  // grouped inner folds when the rows belong to models, so the choice is scored on unseen models as well
  const folds: Split[] = groups && new Set(groups).size >= 2
    ? groupKFold(groups, Math.min(k, new Set(groups).size), seed)
    : kFold(Xtr.length, Math.min(k, Xtr.length), seed);
  const gs = gridSearchCV((o) => new ScaledRegressor(spec.make(o, seed)), grid, Xtr, ztr, folds);
  return { model: new ScaledRegressor(spec.make(gs.bestOptions, seed)).fit(Xtr, ztr), best: gs.bestOptions };
}

/** The paper's protocol (see the module comment). */
export function paperProtocol(ds: ParamDataset, options: ProtocolOptions = {}): ProtocolResult {
  const seed = options.seed ?? 0;
  const params = [...(options.params ?? PARAM_NAMES)];
  const regressors = [...(options.regressors ?? REGRESSOR_NAMES)];
  const split = trainTestSplit(ds.X.length, options.testFraction ?? 0.2, seed);
  const [Xtr, Xte] = [take(ds.X, split.train), take(ds.X, split.test)];
  const cells: ProtocolResult["cells"] = {};
  for (const p of params) {
    options.onProgress?.(`paper protocol: ${p}`);
    const tr = makeTargetTransform(PAPER_TRANSFORMS[p]).fit(take(ds.targets[p], split.train));
    const ztr = tr.transform(take(ds.targets[p], split.train));
    const zte = tr.transform(take(ds.targets[p], split.test));
    cells[p] = {};
    for (const r of regressors) {
      const { model, best } = fitSelect(p, r, Xtr, ztr, options, seed);
      cells[p]![r] = { r2: r2Score(zte, model.predict(Xte)), bestOptions: best };
    }
  }
  return { protocol: "paper-80-20", cells, params, regressors, nSamples: ds.X.length, nTest: split.test.length };
}

/** The grouped protocol (see the module comment): leave-one-model-out, or grouped k-fold with `outerFolds: k`. */
export function leaveOneModelOutProtocol(ds: ParamDataset, options: ProtocolOptions = {}): ProtocolResult {
  const seed = options.seed ?? 0;
  const params = [...(options.params ?? PARAM_NAMES)];
  const regressors = [...(options.regressors ?? REGRESSOR_NAMES)];
  const outer = options.outerFolds ?? "lomo";
  const splits: Split[] = outer === "lomo" ? leaveOneGroupOut(ds.groups) : groupKFold(ds.groups, outer, seed + 1);
  const nModels = new Set(ds.groups).size;
  const cells: ProtocolResult["cells"] = {};
  for (const p of params) {
    options.onProgress?.(`leave-one-model-out: ${p}`);
    const scorer = makeTargetTransform(PAPER_TRANSFORMS[p]).fit(ds.targets[p]);
    const zAll = scorer.transform(ds.targets[p]);
    cells[p] = {};
    for (const r of regressors) {
      const pred = new Array<number>(ds.X.length).fill(NaN);
      let best: Record<string, unknown> = {};
      for (const sp of splits) {
        const tr = makeTargetTransform(PAPER_TRANSFORMS[p]).fit(take(ds.targets[p], sp.train));
        const fitted = fitSelect(p, r, take(ds.X, sp.train), tr.transform(take(ds.targets[p], sp.train)), options, seed, take(ds.groups, sp.train));
        best = fitted.best;
        const raw = tr.inverseTransform(fitted.model.predict(take(ds.X, sp.test)));
        const z = scorer.transform(raw);
        sp.test.forEach((i, k) => (pred[i] = Number.isFinite(z[k]!) ? z[k]! : 0));
      }
      cells[p]![r] = { r2: r2Score(zAll, pred), bestOptions: best };
    }
  }
  const inner = options.selected ? "hyperparameters reused from another run (not a held-out score)" : `hyperparameters by inner grouped ${options.cvFolds ?? 5}-fold CV in each outer fold`;
  return {
    protocol: outer === "lomo" ? "leave-one-model-out" : "grouped-k-fold",
    scheme: `${outer === "lomo" ? `leave-one-model-out (${nModels} folds)` : `grouped ${outer}-fold over ${nModels} models`}, ${inner}`,
    cells, params, regressors, nSamples: ds.X.length, nTest: ds.X.length,
  };
}

/**
 * Table 3's shape: one row per parameter (transform named), one column per regressor, each cell "ours (paper)".
 * With a second result (the grouped protocol) each cell reads "paper-protocol / grouped (paper)".
 */
export function formatTable3(paper: ProtocolResult, lomo?: ProtocolResult): string {
  const regs = paper.regressors;
  const w = lomo ? 25 : 18;
  const head = `${"param".padEnd(7)}${"transform".padEnd(13)}${regs.map((r) => REGRESSORS[r].label.padStart(w)).join("")}`;
  const fmt = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? "  n/a" : v.toFixed(3).padStart(6));
  const rows = paper.params.map((p) => `${p.padEnd(7)}${PAPER_TRANSFORMS[p].padEnd(13)}${regs.map((r) => {
    const ours = fmt(paper.cells[p]?.[r]?.r2);
    const l = lomo ? ` /${fmt(lomo.cells[p]?.[r]?.r2)}` : "";
    return `${ours}${l} (${fmt(PAPER_TABLE3[p][r])})`.padStart(w);
  }).join("")}`);
  const title = lomo
    ? `Test R^2 per parameter: 80/20 split over layers (${paper.nSamples} samples, ${paper.nTest} test) / ${lomo.scheme ?? "leave-one-model-out"} (paper's Pythia value in parentheses)`
    : `Test R^2 per parameter: 80/20 split over layers (${paper.nSamples} samples, ${paper.nTest} test) (paper's Pythia value in parentheses)`;
  return [title, head, ...rows].join("\n");
}
