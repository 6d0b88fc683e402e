/**
 * Which instance slots changed since the last upload, and the ranges to upload. Few changes
 * upload as exact runs of adjacent slots; many scattered ones as the single span covering
 * them, since past a handful of ranges the per-call cost of a buffer update outweighs the
 * bytes saved. A mark is a few comparisons: at 10,000 changes a frame, anything more (a byte
 * per slot to dedupe, a growing list) costs as much as writing the changes themselves.
 */
export class DirtySlots {
  /** More runs than this and one covering span is cheaper than a call per run. */
  static readonly MAX_RUNS = 16;

  /** Past this many marks the covering span is uploaded whatever the runs: stop listing them. */
  static readonly MAX_LISTED = DirtySlots.MAX_RUNS * 4;

  /** The first MAX_LISTED marks (repeats included). */
  readonly #list: number[] = [];
  /** More marks came than the list holds: only the covering span is known. */
  #overflow = false;
  #low = Infinity;
  #high = -1;

  /** Whether anything is marked. */
  get any(): boolean {
    return this.#high >= 0;
  }

  mark(index: number): void {
    // Once overflowed (10,000 marks a frame at 100k capsules), a mark stores nothing new but
    // the span's ends.
    if (!this.#overflow) {
      if (this.#list.length < DirtySlots.MAX_LISTED) this.#list.push(index);
      else this.#overflow = true;
    }
    if (index < this.#low) this.#low = index;
    if (index > this.#high) this.#high = index;
  }

  /**
   * `[offset, length]` ranges covering every marked slot below `count` (slots at or past it are
   * no longer drawn, so uploading them would be wasted).
   */
  ranges(count: number): [number, number][] {
    const high = Math.min(this.#high, count - 1);
    if (high < this.#low) return [];
    if (this.#overflow) return [[this.#low, high - this.#low + 1]];
    const sorted = this.#list.filter((i) => i <= high).sort((a, b) => a - b);
    const runs: [number, number][] = [];
    for (const index of sorted) {
      const last = runs[runs.length - 1];
      if (last !== undefined && index < last[0] + last[1]) continue; // marked twice
      if (last !== undefined && last[0] + last[1] === index) last[1] += 1;
      else runs.push([index, 1]);
    }
    if (runs.length <= DirtySlots.MAX_RUNS) return runs;
    return [[this.#low, high - this.#low + 1]];
  }

  clear(): void {
    this.#list.length = 0;
    this.#overflow = false;
    this.#low = Infinity;
    this.#high = -1;
  }
}
