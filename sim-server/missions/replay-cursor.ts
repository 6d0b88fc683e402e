/**
 * The twin at any plant time of a recorded span: "nearest snapshot, then fold forward" with the
 * one reducer the live run uses. The log between two snapshots is a chunk, read once and cached,
 * so playing forward folds from where the cursor stands, and seeking decodes the nearest
 * snapshot and folds the rest of its chunk.
 */
import { apply, createTwinState, decodeSnapshot } from '../../digital-twin/index.js';
import type { CompiledPlant, TwinEvent, TwinState } from '../../digital-twin/index.js';

/** Where a replay reads the log: the storage port in the server, memory in benchmarks. */
export interface ReplayLog {
  /** The snapshot at or before the span's start and every one inside it, in seq order. */
  readonly snapshots: readonly { seq: number; t: number }[];
  snapshotBytes(seq: number): Promise<Uint8Array>;
  /** Events with seq > afterSeq and plant time ≤ untilT, in seq order. */
  events(afterSeq: number, untilT: number): Promise<TwinEvent[]>;
}

/** Chunks kept decoded in memory: the one playing, the one before and a couple sought to. */
const CHUNK_CACHE = 4;

interface Chunk {
  /** Seq the chunk starts after (its snapshot's, or 0 at the log's start). */
  afterSeq: number;
  /** Events up to and including the next snapshot's seq (or the span's end). */
  events: TwinEvent[];
}

export interface SeekResult {
  /** True when the twin was rebuilt from a snapshot: copy it whole, not by events. */
  rebuilt: boolean;
  /** Events folded on top of what was there (all of them when rebuilt). */
  events: TwinEvent[];
}

export class ReplayCursor {
  readonly #plant: CompiledPlant;
  readonly #log: ReplayLog;
  readonly #toT: number;
  readonly #chunks = new Map<number, Chunk>();
  #twin: TwinState;
  /** Index of the chunk the cursor is in (-1: before the first snapshot), and the next event. */
  #chunk = Number.NaN;
  #next = 0;
  #t = Number.NEGATIVE_INFINITY;

  constructor(plant: CompiledPlant, log: ReplayLog, toT: number) {
    this.#plant = plant;
    this.#log = log;
    this.#toT = toT;
    this.#twin = createTwinState(plant, 0);
  }

  /** The twin at the cursor's time. Owned by the cursor: read it, do not change it. */
  get twin(): TwinState {
    return this.#twin;
  }

  /** Plant time the twin stands at (−∞ before the first seek). */
  get t(): number {
    return this.#t;
  }

  /** Moves the twin to plant time t: forward by folding when that is nearer, else from a snapshot. */
  async seek(t: number): Promise<SeekResult> {
    const target = Math.min(t, this.#toT);
    const chunk = this.#chunkAt(target);
    const forward =
      Number.isFinite(this.#t) &&
      target >= this.#t &&
      chunk >= this.#chunk &&
      chunk <= this.#chunk + 1;
    if (forward) return { rebuilt: false, events: await this.#foldTo(target, chunk) };
    const snapshot = chunk >= 0 ? this.#log.snapshots[chunk] : undefined;
    if (snapshot === undefined) {
      this.#twin = createTwinState(this.#plant, 0);
    } else {
      this.#twin = decodeSnapshot(await this.#log.snapshotBytes(snapshot.seq), this.#plant).twin;
    }
    this.#chunk = chunk;
    this.#next = 0;
    this.#t = snapshot?.t ?? Number.NEGATIVE_INFINITY;
    return { rebuilt: true, events: await this.#foldTo(target, chunk) };
  }

  /** Folds events up to `target` from the cursor on, crossing into `lastChunk` when needed. */
  async #foldTo(target: number, lastChunk: number): Promise<TwinEvent[]> {
    const folded: TwinEvent[] = [];
    for (;;) {
      const chunk = await this.#load(this.#chunk);
      const events = chunk.events;
      while (this.#next < events.length) {
        const event = events[this.#next] as TwinEvent;
        if (event.t > target) break;
        apply(this.#twin, event);
        folded.push(event);
        this.#next += 1;
      }
      if (this.#next < events.length || this.#chunk >= lastChunk) break;
      this.#chunk += 1;
      this.#next = 0;
    }
    this.#t = target;
    this.#evict();
    return folded;
  }

  /** Index of the last snapshot at or before t; -1 when t is before every snapshot. */
  #chunkAt(t: number): number {
    const snapshots = this.#log.snapshots;
    let lo = 0;
    let hi = snapshots.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((snapshots[mid] as { t: number }).t <= t) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  async #load(index: number): Promise<Chunk> {
    const cached = this.#chunks.get(index);
    if (cached !== undefined) {
      // Re-insert: the Map's order is the eviction order.
      this.#chunks.delete(index);
      this.#chunks.set(index, cached);
      return cached;
    }
    const snapshots = this.#log.snapshots;
    const afterSeq = index >= 0 ? (snapshots[index] as { seq: number }).seq : 0;
    const next = snapshots[index + 1];
    const untilT = next === undefined ? this.#toT : next.t;
    let events = await this.#log.events(afterSeq, untilT);
    if (next !== undefined) events = events.filter((event) => event.seq <= next.seq);
    const chunk = { afterSeq, events };
    this.#chunks.set(index, chunk);
    return chunk;
  }

  #evict(): void {
    for (const key of this.#chunks.keys()) {
      if (this.#chunks.size <= CHUNK_CACHE) return;
      if (key !== this.#chunk) this.#chunks.delete(key);
    }
  }
}
