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
  const search = new NearestSearch(viewer, k);
  search.scan(data, stride, offset, 0, count);
  return search.best;
}

/**
 * A nearest-k search that can be fed in pieces: `scan` slots `from … to-1` now, more later.
 * A frame can then pay for a slice of 100,000 capsules instead of the whole scan at once.
 */
export class NearestSearch {
  /** Indices found so far, nearest first. */
  readonly best: number[] = [];
  readonly #bestD: number[] = [];
  readonly #x: number;
  readonly #y: number;
  readonly #z: number;

  constructor(
    viewer: { x: number; y: number; z: number },
    readonly k: number,
  ) {
    this.#x = viewer.x;
    this.#y = viewer.y;
    this.#z = viewer.z;
  }

  scan(data: Float32Array, stride: number, offset: number, from: number, to: number): void {
    const { best, k } = this;
    const bestD = this.#bestD;
    if (k <= 0) return;
    const vx = this.#x;
    const vy = this.#y;
    const vz = this.#z;
    for (let i = from; i < to; i += 1) {
      const o = i * stride + offset;
      const dx = data[o]! - vx;
      const dy = data[o + 1]! - vy;
      const dz = data[o + 2]! - vz;
      const d = dx * dx + dy * dy + dz * dz;
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
  }
}
