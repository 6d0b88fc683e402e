/**
 * Dense slots for thin instances keyed by id: instance `i` of a mesh belongs to `idAt(i)`, and
 * live instances are always `0 … count-1`, so the GPU draws exactly `count` and nothing is
 * hidden by zero-scale tricks. Removal swaps the last slot into the hole, so a remove touches
 * one instance's data, never shifts the rest.
 *
 * Each id also gets a handle: a small integer that stays the same while the id is live, even
 * when removals move its slot. A caller that keeps the handle finds the slot with one typed-array
 * read (`slotOf`) instead of a string lookup, which matters when 10,000 capsules change a frame.
 */
export class InstanceSlots {
  readonly #indexById = new Map<string, number>();
  readonly #ids: string[] = [];
  /** Slot of each handle, -1 when the handle is free. */
  #slotOfHandle = new Int32Array(256).fill(-1);
  /** Handle of each live slot. */
  #handleOfSlot = new Int32Array(256);
  /** Freed handles, reused before new ones (keeps the handle table as small as the peak). */
  readonly #freeHandles: number[] = [];
  #nextHandle = 0;

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

  /** Handle of the live slot `index`. */
  handleAt(index: number): number {
    if (!(index >= 0 && index < this.#ids.length))
      throw new Error(`Invariant: no live instance slot ${index} (count ${this.count})`);
    return this.#handleOfSlot[index]!;
  }

  /** Slot of `handle`, or -1 when the handle is not live. */
  slotOf(handle: number): number {
    return handle >= 0 && handle < this.#nextHandle ? this.#slotOfHandle[handle]! : -1;
  }

  /** Give `id` the next slot and return its index (its handle is `handleAt(index)`). */
  add(id: string): number {
    if (this.#indexById.has(id))
      throw new Error(`Invariant: instance slot for '${id}' already exists`);
    const index = this.#ids.length;
    const handle = this.#freeHandles.pop() ?? this.#nextHandle++;
    if (handle >= this.#slotOfHandle.length) this.#slotOfHandle = grown(this.#slotOfHandle, -1);
    if (index >= this.#handleOfSlot.length) this.#handleOfSlot = grown(this.#handleOfSlot, 0);
    this.#ids.push(id);
    this.#indexById.set(id, index);
    this.#slotOfHandle[handle] = index;
    this.#handleOfSlot[index] = handle;
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
    const handle = this.#handleOfSlot[index]!;
    this.#indexById.delete(id);
    this.#slotOfHandle[handle] = -1;
    this.#freeHandles.push(handle);
    if (index !== last) {
      const movedHandle = this.#handleOfSlot[last]!;
      this.#ids[index] = lastId;
      this.#indexById.set(lastId, index);
      this.#handleOfSlot[index] = movedHandle;
      this.#slotOfHandle[movedHandle] = index;
    }
    return { index, movedFrom: last };
  }

  /** Remove every slot (every handle becomes free). */
  clear(): void {
    this.#ids.length = 0;
    this.#indexById.clear();
    this.#slotOfHandle.fill(-1);
    this.#freeHandles.length = 0;
    this.#nextHandle = 0;
  }
}

/** A copy of `array` twice as long, the new half filled with `fill`. */
function grown(array: Int32Array<ArrayBuffer>, fill: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(array.length * 2).fill(fill);
  next.set(array);
  return next;
}
