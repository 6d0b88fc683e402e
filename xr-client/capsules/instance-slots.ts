/**
 * Dense slots for thin instances keyed by id: instance `i` of a mesh belongs to `idAt(i)`, and
 * live instances are always `0 … count-1`, so the GPU draws exactly `count` and nothing is
 * hidden by zero-scale tricks. Removal swaps the last slot into the hole, so a remove touches
 * one instance's data, never shifts the rest.
 */
export class InstanceSlots {
  readonly #indexById = new Map<string, number>();
  readonly #ids: string[] = [];

  /** Number of live slots. */
  get count(): number {
    return this.#ids.length;
  }

  /** Slot index of `id`, or undefined. */
  indexOf(id: string): number | undefined {
    return this.#indexById.get(id);
  }

  /** Id in slot `index`; throws on a slot that is not live. */
  idAt(index: number): string {
    const id = this.#ids[index];
    if (id === undefined)
      throw new Error(`Invariant: no live instance slot ${index} (count ${this.count})`);
    return id;
  }

  /** Give `id` the next slot and return its index. */
  add(id: string): number {
    if (this.#indexById.has(id))
      throw new Error(`Invariant: instance slot for '${id}' already exists`);
    const index = this.#ids.length;
    this.#ids.push(id);
    this.#indexById.set(id, index);
    return index;
  }

  /**
   * Free the slot of `id`. The last slot moves into the hole: `movedFrom` is the index whose
   * data the caller must copy into `index` (equal to `index` when the removed slot was last).
   */
  remove(id: string): { index: number; movedFrom: number } | undefined {
    const index = this.#indexById.get(id);
    if (index === undefined) return undefined;
    const last = this.#ids.length - 1;
    const lastId = this.#ids.pop()!;
    this.#indexById.delete(id);
    if (index !== last) {
      this.#ids[index] = lastId;
      this.#indexById.set(lastId, index);
    }
    return { index, movedFrom: last };
  }

  /** Remove every slot. */
  clear(): void {
    this.#ids.length = 0;
    this.#indexById.clear();
  }
}
