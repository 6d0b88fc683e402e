/** A branch job as the API and the rooms show it: its predictions are their own route. */
import type { BranchJob } from '../storage/index.js';

export function jobView(job: BranchJob): Omit<BranchJob, 'result'> & {
  result: { hash: string; events: number; computeMs: number; expectedOutcome: string } | null;
} {
  const { result, ...rest } = job;
  return {
    ...rest,
    result:
      result === null
        ? null
        : {
            hash: result.hash,
            events: result.events,
            computeMs: result.computeMs,
            expectedOutcome: result.predictions.expectedOutcome,
          },
  };
}
