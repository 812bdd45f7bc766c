// Public API of the plots stage; re-exported by src/index.ts.
// Figure builders are pure (plain inputs -> Plotly {data, layout, config}); display, export and the report use them.
export type { PlotlyFigure, PlotlyLayout, PlotlyTrace } from "./figure";
export { THEME, AXIS_TITLES, viridis, sequenceColor, layerLabel, themedAxis, themedLayout, themedConfig, stepLogTicks, logTicks125, siLabel } from "./theme";
export { gptNeoxParameterCount, PYTHIA_ARCHITECTURES, type ParameterCountConfig } from "./param-count";
export { finalRatioFigure, type ModelFinalRatio } from "./fig2-final-ratio";
export { layerMagnitudesFigure, layerMagnitudesOverTrainingFigure, type CheckpointMagnitudes, type MagnitudesOverTraining } from "./fig3-layer-magnitudes";
export { ratioOverTrainingFigure, ratioOverTrainingChoiceFigure, seriesAxisTitle, type SeriesOverTraining } from "./fig4-ratio-over-training";
export { peakHeatmapsFigure, modelPeaks, seriesPeak, type ModelPeaks } from "./fig5-peak-heatmaps";
export { exampleFitsFigure, fitExplorerFigure, curveSteps, type FitPanel, type ModelFits } from "./fig6-example-fits";
export { r2PerLayerFigure, type ModelR2 } from "./fig7-r2";
export { tPeakSurfaceFigure, tPeak, logSpace, type TPeakSurfaceInput } from "./fig8-t-peak";
export { hypothesesFigure, type HypothesisScores } from "./hypotheses";
export { seedCurvesFigure, seedCeilingFigure, controlsFigure, type SeedCurvesInput, type SeedCeilingRunInput, type ControlsInput } from "./seeds-and-controls";
export { restyleFigure, type RestyleOptions } from "./restyle";
export { tokenActivationsFigure, tokenActivationsOverTrainingFigure, topHiddenDims, tokenMedianMagnitude, type TokenActivations } from "./token-activations";
export {
  shapSummaryFigure,
  meanAbsShap,
  partialDependenceFigure,
  predictedTrajectoriesFigure,
  type ShapSummaryInput,
  type PartialDependencePanel,
  type TrajectoryLayer,
} from "./predict-figures";
export { display, show, displayBundle, figureMimeBundle, tableMimeBundle, setPlotlyInlining, isPlotlyFigure, figureSummary, type MimeBundle, type TableLike } from "./display";
export { plotlyScriptTag, figureDivHtml, plotlyJsVersion } from "./html";
export { FigureExporter, exportFigures, parseFormats, findChromium, EXPORT_FORMATS, CHROMIUM_ARGS, type ExportFormat } from "./export";
export {
  loadRunResults,
  loadModelResults,
  readLayerFitParams,
  readTable3,
  FIT_SERIES,
  type RunResults,
  type ModelResults,
  type LayerFitResult,
  type ModelPredictions,
  type FitSeriesName,
  type Table3Result,
} from "./results";
export { runFigures, fitPanels, perModelSelection, type NamedFigure, type FigureSection, type RunFiguresOptions } from "./run-figures";
export { choiceFigure, staticFrame, framesGroup, optionsByKey, type ChoiceGroup, type ChoiceOption, type ChoiceSpec } from "./choices";
export { predictedTrajectoriesChoiceFigure } from "./trajectory-explorer";
export { buildReportHtml, modelsTable, fitsTable, provenanceRows, escapeHtml, type ReportOptions } from "./report";
