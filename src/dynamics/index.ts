// Public API of the dynamics stage; re-exported by src/index.ts.
export { eq9, eq9Gradient, eq9Derivative, eq9FromArray, eq9ToArray, EQ9_PARAM_NAMES, EQ9_KEYS, type Eq9Params } from "./eq9";
export { eq14, eq9ToEq14, eq14ToEq9, eq14Model, EQ14_PARAM_NAMES, type Eq14Params } from "./eq14";
export { eq9Model, paperInitialGuess, POSITIVE_FLOOR } from "./eq9-model";
export { logspace, type CurveModel, type Scaling } from "./curve-model";
export { leastSquares, choleskySolve, type LeastSquaresProblem, type LeastSquaresOptions, type LeastSquaresResult, type LeastSquaresStatus, type ConvergenceTest } from "./least-squares";
export { leastSquaresCovariance, propagateCovariance, type CovarianceResult } from "./covariance";
export { rss, rSquared, aic } from "./goodness";
export { fitCurve, prepareSeries, solveNormalised, buildFitResult, failedFit, bestOf, fitStatusOf, PAPER_MIN_POINTS, type FitResult, type FitCurveOptions, type PreparedSeries } from "./fit-curve";
export { paperProcedure, SCIPY_TRF_MAX_NFEV, type PaperProcedureOptions } from "./paper-procedure";
export { robustFit, type RobustFitOptions } from "./robust-fit";
export { multiStarts, projectLinear, type MultiStartOptions } from "./multi-start";
export { lambertW0 } from "./lambert-w";
export { peakAnalysis, type PeakAnalysis } from "./peak";
export { bootstrapLayer, resampledLayerSeries, summarise as summariseBootstrap, percentile as bootstrapPercentile, type BootstrapSummary, type BootstrapStat, type SeriesName } from "./bootstrap";
export { fitSeries, type LayerFit, type FitSeriesOptions } from "./fit-series";
export { firstOrderStepModel } from "./first-order-step";
export { secondOrderUnderModel, secondOrderCriticalModel, secondOrderOverModel } from "./second-order-step";
export { compareHypotheses, fitHypothesis, formatHypothesisTable, HYPOTHESES, HYPOTHESIS_MODELS, type Hypothesis, type HypothesisInput, type HypothesisRow } from "./compare-hypotheses";
