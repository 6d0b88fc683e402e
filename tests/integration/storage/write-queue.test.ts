/**
 * The writer between the tick and the database, against a database that fails on demand: a
 * failed batch is retried until it lands (counted, never dropped), appends never wait, and a
 * queue past its limit keeps accepting while saying so.
 */
import { describe, expect, it } from 'vitest';
import type { TwinEvent } from '../../../digital-twin/index.js';
import type { WriteBatch } from '../../../sim-server/storage/write-batch.js';
import { WriteQueue } from '../../../sim-server/storage/write-queue.js';
import { readingsEvent, T0 } from './helpers/events.js';

function events(from: number, count: number, readingsEach = 1): TwinEvent[] {
  return Array.from({ length: count }, (_, i) =>
    readingsEvent(
      from + i,
      T0 + (from + i) * 100,
      Array.from({ length: readingsEach }, (_, s) => ({
        sensorId: `S-${s}`,
        t: T0 + (from + i) * 100,
        value: s,
        quality: 'good' as const,
      })),
    ),
  );
}

/** A fake database that records committed batches and fails the next `failures` writes. */
function fakeDatabase() {
  const committed: WriteBatch[] = [];
  const state = { failures: 0, attempts: 0, gate: null as Promise<void> | null };
  return {
    committed,
    state,
    seqs: () => committed.flatMap((batch) => batch.events.map((event) => event.seq)),
    async write(batch: WriteBatch): Promise<void> {
      state.attempts += 1;
      if (state.gate !== null) await state.gate;
      if (state.failures > 0) {
        state.failures -= 1;
        throw new Error('connection reset');
      }
      committed.push(batch);
    },
  };
}

describe('write queue', () => {
  it('retries a failing write until it lands, counting each failure and losing nothing', async () => {
    const db = fakeDatabase();
    db.state.failures = 3;
    const errors: number[] = [];
    const queue = new WriteQueue({
      write: (batch) => db.write(batch),
      durableSeq: 0,
      queueLimit: 1_000,
      batchRows: 100,
      flushIntervalMs: 5,
      onError: (_error, attempt) => errors.push(attempt),
    });
    queue.append(events(1, 10));
    await queue.whenDurable(10);
    expect(db.seqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(queue.stats()).toMatchObject({ writeErrors: 3, durableSeq: 10, queueDepth: 0 });
    expect(errors).toEqual([1, 2, 3]);
    await queue.close();
  });

  it('never makes append wait, and reports over-limit while still accepting', async () => {
    const db = fakeDatabase();
    let open!: () => void;
    db.state.gate = new Promise((resolve) => {
      open = resolve;
    });
    const queue = new WriteQueue({
      write: (batch) => db.write(batch),
      durableSeq: 0,
      queueLimit: 50,
      batchRows: 1_000,
      flushIntervalMs: 5,
    });
    // The database hangs; every append still returns at once and is kept.
    queue.append(events(1, 10, 9));
    expect(queue.stats()).toMatchObject({ queueDepth: 100, overLimit: true, durableSeq: 0 });
    queue.append(events(11, 10, 9));
    expect(queue.stats().queueDepth).toBe(200);
    open();
    await queue.flush();
    expect(db.seqs()).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(queue.stats()).toMatchObject({ queueDepth: 0, overLimit: false, written: 200 });
    await queue.close();
  });

  it('coalesces appends into batches no bigger than batchRows and resolves waiters in order', async () => {
    const db = fakeDatabase();
    const queue = new WriteQueue({
      write: (batch) => db.write(batch),
      durableSeq: 41,
      queueLimit: 10_000,
      batchRows: 30,
      flushIntervalMs: 20,
    });
    const resolved: number[] = [];
    for (const event of events(42, 20, 4)) {
      queue.append([event]);
      void queue.whenDurable(event.seq).then(() => resolved.push(event.seq));
    }
    await queue.flush();
    // Each event is 5 rows (header + 4 readings): 6 fit in a batch of 30.
    expect(db.committed.map((batch) => batch.events.length)).toEqual([6, 6, 6, 2]);
    expect(resolved).toEqual(Array.from({ length: 20 }, (_, i) => 42 + i));
    await expect(queue.whenDurable(41)).resolves.toBeUndefined();
    await queue.close();
    expect(() => queue.append(events(62, 1))).toThrow(/after the store was closed/);
  });
});
