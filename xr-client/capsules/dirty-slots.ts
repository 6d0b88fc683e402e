/**
 * Which instance slots changed since the last upload, and the ranges to upload. Few changes
 * upload as exact runs of adjacent slots; many scattered ones as the single span covering
 * them, since past a handful of ranges the per-call cost of a buffer update outweighs the
 * bytes saved.
 */
export class DirtySlots {
  /** More runs than this and one covering span is cheaper than a call per run. */
  static readonly MAX_RUNS = 16;

  /** Past this many marks the covering span is uploaded whatever the runs: stop listing them. */
  static readonly MAX_LISTED = DirtySlots.MAX_RUNS * 4;

  #marked = new Uint8Array(256);
  readonly #list: number[] = [];
  #size = 0;
  #low = Infinity;
  #high = -1;

  /** Number of distinct slots marked. */
  get size(): number {
    return this.#size;
  }

  mark(index: number): void {
    if (index >= this.#marked.length) {
      const grown = new Uint8Array(Math.max(this.#marked.length * 2, index + 1));
      grown.set(this.#marked);
      this.#marked = grown;
    }
    if (this.#marked[index] === 1) return;
    this.#marked[index] = 1;
    this.#size += 1;
    // 10 % of 100k capsules a frame would otherwise grow (and later walk) a 10k-entry list.
    if (this.#size <= DirtySlots.MAX_LISTED) this.#list.push(index);
    if (index < this.#low) this.#low = index;
    if (index > this.#high) this.#high = index;
  }

  /**
   * `[offset, length]` ranges covering every marked slot below `count` (slots at or past it are
   * no longer drawn, so uploading them would be wasted).
   */
  ranges(count: number): [number, number][] {
    const high = Math.min(this.#high, count - 1);
    if (this.#size === 0 || high < this.#low) return [];
    if (this.#size > DirtySlots.MAX_LISTED) return [[this.#low, high - this.#low + 1]];
    const sorted = this.#list.filter((i) => i <= high).sort((a, b) => a - b);
    const runs: [number, number][] = [];
    for (const index of sorted) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[0] + last[1] === index) last[1] += 1;
      else runs.push([index, 1]);
    }
    if (runs.length <= DirtySlots.MAX_RUNS) return runs;
    return [[this.#low, high - this.#low + 1]];
  }

  clear(): void {
    if (this.#size > DirtySlots.MAX_LISTED) this.#marked.fill(0, this.#low, this.#high + 1);
    else for (const index of this.#list) this.#marked[index] = 0;
    this.#list.length = 0;
    this.#size = 0;
    this.#low = Infinity;
    this.#high = -1;
  }
}
