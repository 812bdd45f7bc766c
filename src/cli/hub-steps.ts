/**
 * Which steps of a hub model a command means: `--steps` (a list, ranges, or `all`) or `--checkpoint-index`
 * (TransformerLens's indices into the model's schedule). `all` and indices use the suite's schedule when the id is
 * a recognised suite (src/io/hub/suites.ts), else the repo's `step<N>` branches (one request).
 */
import type { HubClient } from "../io/hub/client";
import { scheduleOf } from "../io/hub/audit";
import { parseCheckpointIndexList, stepsAtCheckpointIndices } from "../io/hub/suites";
import { parseStepList, UsageError } from "./args";

export async function hubStepsFromArgs(client: HubClient, hubId: string, stepsText: string | undefined, indexText: string | undefined, command: string): Promise<number[]> {
  if (stepsText !== undefined && indexText !== undefined) throw new UsageError(`${command}: give --steps or --checkpoint-index, not both`);
  if (indexText !== undefined) {
    let indices: number[];
    try {
      indices = parseCheckpointIndexList(indexText);
    } catch (err) {
      throw new UsageError(`${command}: ${(err as Error).message}`);
    }
    const schedule = await scheduleOf(client, hubId);
    try {
      return [...new Set(stepsAtCheckpointIndices(schedule, indices, `${command}: ${hubId}`))].sort((a, b) => a - b);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  if (stepsText === undefined || stepsText === "all") return [...(await scheduleOf(client, hubId))];
  return parseStepList(stepsText);
}
