/**
 * A sensor trend as a polyline in a `width` × `height` box (y down, as GUI pixels): time maps
 * to x across the samples' span, value to y within `range` (widened to the samples when they
 * leave it). Samples without a value (NaN, null) break the line: each run is its own polyline.
 */
export function trendPolylines(
  samples: readonly { t: number; value: number | null }[],
  range: { min: number; max: number },
  width: number,
  height: number,
): { x: number; y: number }[][] {
  const good = samples.filter(
    (s): s is { t: number; value: number } => s.value !== null && Number.isFinite(s.value),
  );
  if (good.length === 0) return [];
  const t0 = samples[0]!.t;
  const t1 = samples[samples.length - 1]!.t;
  let min = range.min;
  let max = range.max;
  for (const s of good) {
    if (s.value < min) min = s.value;
    if (s.value > max) max = s.value;
  }
  const span = max - min || 1;
  const duration = t1 - t0 || 1;
  const lines: { x: number; y: number }[][] = [];
  let current: { x: number; y: number }[] = [];
  for (const s of samples) {
    if (s.value === null || !Number.isFinite(s.value)) {
      if (current.length > 0) lines.push(current);
      current = [];
      continue;
    }
    current.push({
      x: ((s.t - t0) / duration) * width,
      y: height - ((s.value - min) / span) * height,
    });
  }
  if (current.length > 0) lines.push(current);
  return lines;
}
