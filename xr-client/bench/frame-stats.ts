/** Per-frame figures of one bench scenario. */
export interface FrameStats {
  frames: number;
  medianMs: number;
  meanMs: number;
  p95Ms: number;
  /** Median of the update part alone (writing instance data and uploading it), before render. */
  updateMedianMs: number;
  /** Draw calls per frame (the most seen; it should not vary between frames). */
  drawCalls: number;
  /** Mean ms per frame of each named part of the frame (see bench-main's `lap`). */
  partsMs: Record<string, number>;
}

/** Raw per-frame samples of one or more measured runs of a scenario. */
export interface FrameSamples {
  times: number[];
  updateTimes: number[];
  drawCalls: number[];
  /** Total ms of each named part over all frames. */
  partTotals: Record<string, number>;
}

/** The samples of several runs of the same scenario, as one. */
export function pooled(...runs: FrameSamples[]): FrameSamples {
  const partTotals: Record<string, number> = {};
  for (const run of runs)
    for (const [name, total] of Object.entries(run.partTotals))
      partTotals[name] = (partTotals[name] ?? 0) + total;
  return {
    times: runs.flatMap((run) => run.times),
    updateTimes: runs.flatMap((run) => run.updateTimes),
    drawCalls: runs.flatMap((run) => run.drawCalls),
    partTotals,
  };
}

/** Summarise per-frame CPU times, draw-call counts and parts. */
export function summarize(samples: FrameSamples): FrameStats {
  const { times, updateTimes, drawCalls, partTotals } = samples;
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number): number => quantile(sorted, q);
  const mean = sorted.length === 0 ? NaN : sorted.reduce((sum, t) => sum + t, 0) / sorted.length;
  return {
    frames: sorted.length,
    medianMs: at(0.5),
    meanMs: mean,
    p95Ms: at(0.95),
    updateMedianMs: quantile(
      [...updateTimes].sort((a, b) => a - b),
      0.5,
    ),
    drawCalls: drawCalls.length === 0 ? 0 : Math.max(...drawCalls),
    partsMs: Object.fromEntries(
      Object.entries(partTotals).map(([name, total]) => [name, total / Math.max(1, times.length)]),
    ),
  };
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}
