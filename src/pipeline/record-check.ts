/**
 * The main job's check of a re-recorded model against the stats the suite ships. Its own file because main-job.ts
 * makes it and summary.ts prints it: with the type in either of them the two would import each other.
 */
export interface RecordCheck {
  model: string;
  steps: number[];
  /** Largest relative error against the suite's shipped stats of the same steps (fp32 training weights). */
  maxRelErrorVsSuiteStats: number;
  /** Largest relative error against `reference_stats/` of exactly these checkpoints, when shipped. */
  maxRelErrorVsReference?: number;
  seconds: number;
}
