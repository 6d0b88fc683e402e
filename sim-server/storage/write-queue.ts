/**
 * The bounded in-memory queue between the tick and the database, drained by one async writer
 * loop. `append` only pushes; the loop writes a batch when one is full or `flushIntervalMs` after
 * the first queued row, whichever comes first. A failed batch is retried with backoff, forever:
 * nothing accepted is dropped. Past `queueLimit` rows the queue still accepts, but reports
 * `overLimit` so ingest can hold back.
 */
import type { TwinEvent } from '../../digital-twin/index.js';
import type { RejectRecord, StoredSnapshot } from './storage.js';
import type { WriteBatch } from './write-batch.js';

type Item =
  | { kind: 'event'; event: TwinEvent; rows: number }
  | { kind: 'snapshot'; snapshot: StoredSnapshot; rows: number }
  | { kind: 'reject'; reject: RejectRecord; rows: number };

export interface WriteQueueOptions {
  /** Writes one batch durably (in one transaction) or throws. */
  write: (batch: WriteBatch) => Promise<void>;
  /** Highest seq already in the database when the store opened. */
  durableSeq: number;
  queueLimit: number;
  /** Rows per transaction. */
  batchRows: number;
  flushIntervalMs: number;
  /** Called after each failed attempt (it will be retried). */
  onError?: (error: unknown, attempt: number) => void;
}

/** Backoff after a failed batch: 100 ms doubling to 5 s. */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5_000;

interface Waiter {
  seq: number;
  resolve: () => void;
}

export class WriteQueue {
  readonly #options: WriteQueueOptions;
  #items: Item[] = [];
  /** Index of the first item not yet taken; the array is compacted now and then. */
  #head = 0;
  #depth = 0;
  #appendedSeq: number;
  #durableSeq: number;
  #written = 0;
  #writeErrors = 0;
  #lastBatchMs = 0;
  #waiters: Waiter[] = [];
  /** Callbacks waiting for "everything up to this item count is written". */
  #flushWaiters: { until: number; resolve: () => void }[] = [];
  #enqueued = 0;
  #done = 0;
  #wake: (() => void) | null = null;
  #timer: NodeJS.Timeout | null = null;
  #urgent = false;
  /** The interval since the first pending row has passed. */
  #due = false;
  #closing = false;
  readonly #loop: Promise<void>;

  constructor(options: WriteQueueOptions) {
    this.#options = options;
    this.#appendedSeq = options.durableSeq;
    this.#durableSeq = options.durableSeq;
    this.#loop = this.#run();
  }

  append(events: readonly TwinEvent[]): void {
    if (this.#closing) throw new Error('Invariant: append after the store was closed');
    // Check the whole array first so a bad call queues nothing.
    events.forEach((event, i) => {
      const expected = this.#appendedSeq + 1 + i;
      if (event.seq !== expected) {
        throw new Error(
          `Invariant: events must be appended in seq order without gaps; expected seq ${expected}, got ${event.seq}`,
        );
      }
    });
    for (const event of events) {
      this.#appendedSeq = event.seq;
      this.#push({
        kind: 'event',
        event,
        rows: event.type === 'readings' ? 1 + event.readings.length : 1,
      });
    }
  }

  appendSnapshot(snapshot: StoredSnapshot): void {
    if (this.#closing) throw new Error('Invariant: appendSnapshot after the store was closed');
    this.#push({ kind: 'snapshot', snapshot, rows: 1 });
  }

  appendReject(reject: RejectRecord): void {
    if (this.#closing) throw new Error('Invariant: appendReject after the store was closed');
    this.#push({ kind: 'reject', reject, rows: 1 });
  }

  durableSeq(): number {
    return this.#durableSeq;
  }

  whenDurable(seq: number): Promise<void> {
    if (seq <= this.#durableSeq) return Promise.resolve();
    const waiting = new Promise<void>((resolve) => {
      this.#waiters.push({ seq, resolve });
    });
    // Someone (an ingest source holding its broker's acks) waits: write without waiting out the
    // interval. Whatever arrives during that write goes in the next one, right after it (group
    // commit), so the wait is about one commit rather than an interval plus a commit.
    this.#kick();
    return waiting;
  }

  flush(): Promise<void> {
    if (this.#done >= this.#enqueued) return Promise.resolve();
    const until = this.#enqueued;
    this.#urgent = true;
    this.#kick();
    return new Promise((resolve) => {
      this.#flushWaiters.push({ until, resolve });
    });
  }

  stats(): {
    queueDepth: number;
    queueLimit: number;
    overLimit: boolean;
    written: number;
    writeErrors: number;
    lastBatchMs: number;
    durableSeq: number;
  } {
    return {
      queueDepth: this.#depth,
      queueLimit: this.#options.queueLimit,
      overLimit: this.#depth > this.#options.queueLimit,
      written: this.#written,
      writeErrors: this.#writeErrors,
      lastBatchMs: this.#lastBatchMs,
      durableSeq: this.#durableSeq,
    };
  }

  /** Writes everything queued, then stops the loop. */
  async close(): Promise<void> {
    this.#closing = true;
    this.#urgent = true;
    this.#kick();
    await this.#loop;
  }

  #push(item: Item): void {
    this.#items.push(item);
    this.#enqueued += 1;
    this.#depth += item.rows;
    if (this.#depth >= this.#options.batchRows) this.#kick();
    else if (this.#timer === null) {
      // The first row after a write starts the clock for the next pass.
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#due = true;
        this.#kick();
      }, this.#options.flushIntervalMs);
    }
  }

  #kick(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  #sleepUntilKicked(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  #take(): { batch: WriteBatch; items: number; rows: number; lastSeq: number | null } {
    const batch: WriteBatch = { events: [], snapshots: [], rejects: [] };
    let rows = 0;
    let count = 0;
    let lastSeq: number | null = null;
    while (this.#head < this.#items.length) {
      const item = this.#items[this.#head];
      if (item === undefined) break;
      if (count > 0 && rows + item.rows > this.#options.batchRows) break;
      this.#head += 1;
      count += 1;
      rows += item.rows;
      switch (item.kind) {
        case 'event':
          batch.events.push(item.event);
          lastSeq = item.event.seq;
          break;
        case 'snapshot':
          batch.snapshots.push(item.snapshot);
          break;
        case 'reject':
          batch.rejects.push(item.reject);
          break;
        default:
          item satisfies never;
      }
    }
    if (this.#head > 4096 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return { batch, items: count, rows, lastSeq };
  }

  async #run(): Promise<void> {
    for (;;) {
      const pending = this.#head < this.#items.length;
      if (!pending) {
        this.#urgent = false;
        if (this.#closing) return;
      }
      const ready =
        pending &&
        (this.#due ||
          this.#urgent ||
          this.#closing ||
          this.#waiters.length > 0 ||
          this.#depth >= this.#options.batchRows);
      if (!ready) {
        await this.#sleepUntilKicked();
        continue;
      }
      this.#due = false;
      if (this.#timer !== null) {
        clearTimeout(this.#timer);
        this.#timer = null;
      }
      const { batch, items, rows, lastSeq } = this.#take();
      await this.#writeWithRetry(batch);
      this.#depth -= rows;
      this.#written += rows;
      this.#done += items;
      if (lastSeq !== null) this.#markDurable(lastSeq);
      this.#flushWaiters = this.#flushWaiters.filter((waiter) => {
        if (waiter.until > this.#done) return true;
        waiter.resolve();
        return false;
      });
      // Rows that arrived during the write are due one interval after the first of them.
      if (this.#head < this.#items.length && this.#timer === null) {
        this.#timer = setTimeout(() => {
          this.#timer = null;
          this.#due = true;
          this.#kick();
        }, this.#options.flushIntervalMs);
      }
    }
  }

  async #writeWithRetry(batch: WriteBatch): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const started = performance.now();
      try {
        await this.#options.write(batch);
        this.#lastBatchMs = performance.now() - started;
        return;
      } catch (error) {
        this.#writeErrors += 1;
        this.#options.onError?.(error, attempt);
        const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (attempt - 1));
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  #markDurable(seq: number): void {
    this.#durableSeq = seq;
    this.#waiters = this.#waiters.filter((waiter) => {
      if (waiter.seq > seq) return true;
      waiter.resolve();
      return false;
    });
  }
}
