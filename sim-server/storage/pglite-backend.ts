/**
 * The embedded backend: PGlite on disk under `<dataDir>/pglite`. PGlite runs PostgreSQL inside
 * this process and executes synchronously while a query runs, so readings go in as chunks small
 * enough (~7–15 ms each here) that the event loop gets a turn between them.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import type { Backend } from './backend.js';
import type { Database } from './database.js';
import {
  copyLines,
  INSERT_READINGS_SQL,
  isUniqueViolation,
  readingColumns,
} from './readings-sql.js';
import { Mutex } from './mutex.js';
import { PgliteDialect } from './pglite-dialect.js';
import type { ReadingRow, WriteTx } from './write-batch.js';

/**
 * Rows per statement. On the 2-core dev machine 2,000 rows took ~14 ms by COPY and ~30 ms by
 * INSERT … unnest, and 20,000 rows in one statement stalled the event loop ~280 ms.
 */
const PGLITE_READINGS_CHUNK = 1_000;

const COPY_FROM_BLOB_SQL =
  "copy readings (sensor_id, t, value, quality, seq, idx) from '/dev/blob'";

/** Runs `write` on each chunk of rows, yielding to the event loop between chunks. */
async function inChunks(
  rows: readonly ReadingRow[],
  write: (chunk: readonly ReadingRow[]) => Promise<unknown>,
): Promise<void> {
  for (let start = 0; start < rows.length; start += PGLITE_READINGS_CHUNK) {
    if (start > 0) await new Promise((resolve) => setImmediate(resolve));
    await write(rows.slice(start, start + PGLITE_READINGS_CHUNK));
  }
}

export async function openPgliteBackend(dataDir: string): Promise<Backend> {
  const directory = join(dataDir, 'pglite');
  await mkdir(directory, { recursive: true });
  const pg = await PGlite.create(directory);
  const lock = new Mutex();
  const db = new Kysely<Database>({ dialect: new PgliteDialect(pg, lock) });

  const tx: WriteTx = {
    async query<R>(text: string, params: readonly unknown[]): Promise<R[]> {
      return (await pg.query<R>(text, [...params])).rows;
    },
    async insertReadings(rows: readonly ReadingRow[]): Promise<void> {
      // COPY (about twice INSERT's rate) cannot skip a re-delivered sample; when one makes it
      // fail, the batch's readings go in again by INSERT … ON CONFLICT DO NOTHING.
      await pg.query('savepoint copy_readings');
      try {
        await inChunks(rows, (chunk) =>
          pg.query(COPY_FROM_BLOB_SQL, [], { blob: new Blob([...copyLines(chunk)]) }),
        );
        await pg.query('release savepoint copy_readings');
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        await pg.query('rollback to savepoint copy_readings');
        await inChunks(rows, (chunk) => pg.query(INSERT_READINGS_SQL, readingColumns(chunk)));
      }
    },
  };

  return {
    kind: 'pglite',
    db,
    schema: undefined,
    target: {
      transaction: (fn) =>
        lock.run(async () => {
          await pg.query('begin');
          try {
            await fn(tx);
            await pg.query('commit');
          } catch (error) {
            await pg.query('rollback').catch(() => undefined);
            throw error;
          }
        }),
    },
    close: () => db.destroy(),
  };
}
