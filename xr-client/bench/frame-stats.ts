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

/** Summarise per-frame CPU times and draw-call counts. */
export function summarize(
  times: readonly number[],
  updateTimes: readonly number[],
  drawCalls: readonly number[],
  partTotals: Readonly<Record<string, number>> = {},
): FrameStats {
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
