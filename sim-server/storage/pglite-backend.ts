/**
 * The embedded backend: PGlite on disk under `<dataDir>/pglite`. PGlite runs PostgreSQL inside
 * this process and executes synchronously while a query runs, so readings go in as chunks small
 * enough (~30 ms each here) that the event loop gets a turn between them.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import type { Backend } from './backend.js';
import type { Database } from './database.js';
import { Mutex } from './mutex.js';
import { PgliteDialect } from './pglite-dialect.js';
import type { ReadingRow, WriteTx } from './write-batch.js';

/** Rows per INSERT; 20k rows took ~280 ms in one statement on the 2-core dev machine. */
const PGLITE_READINGS_CHUNK = 2_000;

export const INSERT_READINGS_SQL = `insert into readings (sensor_id, t, value, quality, seq, idx)
  select * from unnest($1::text[], $2::bigint[], $3::float8[], $4::text[], $5::bigint[], $6::int[])
  on conflict (sensor_id, t) do nothing`;

/** The six column arrays of INSERT_READINGS_SQL. */
export function readingColumns(rows: readonly ReadingRow[]): unknown[] {
  return [
    rows.map((row) => row.sensorId),
    rows.map((row) => row.t),
    rows.map((row) => row.value),
    rows.map((row) => row.quality),
    rows.map((row) => row.seq),
    rows.map((row) => row.idx),
  ];
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
      for (let start = 0; start < rows.length; start += PGLITE_READINGS_CHUNK) {
        if (start > 0) await new Promise((resolve) => setImmediate(resolve));
        const chunk = rows.slice(start, start + PGLITE_READINGS_CHUNK);
        await pg.query(INSERT_READINGS_SQL, readingColumns(chunk));
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
