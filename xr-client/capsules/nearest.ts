/**
 * The `k` nearest of `count` points to a viewer, nearest first. Points are read from a flat
 * buffer (`x` at `i * stride + offset`, then y, z), so instance matrices can be scanned in
 * place; a bounded insertion list keeps finding 5 of 100,000 to one pass with no allocation.
 */
export function nearestIndices(
  data: Float32Array,
  stride: number,
  offset: number,
  count: number,
  viewer: { x: number; y: number; z: number },
  k: number,
): number[] {
  const best: number[] = [];
  const bestD: number[] = [];
  if (k <= 0) return best;
  for (let i = 0; i < count; i += 1) {
    const o = i * stride + offset;
    const d =
      (data[o]! - viewer.x) ** 2 + (data[o + 1]! - viewer.y) ** 2 + (data[o + 2]! - viewer.z) ** 2;
    if (best.length === k && d >= bestD[k - 1]!) continue;
    let at = best.length < k ? best.length : k - 1;
    while (at > 0 && bestD[at - 1]! > d) {
      best[at] = best[at - 1]!;
      bestD[at] = bestD[at - 1]!;
      at -= 1;
    }
    best[at] = i;
    bestD[at] = d;
  }
  return best;
}
