/**
 * The PostgreSQL backend: a pg Pool shared by kysely (reads, migrations) and the writer, which
 * takes its own client per batch so it can stream readings in with COPY.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Backend } from './backend.js';
import type { Database } from './database.js';
import {
  copyLines,
  INSERT_READINGS_SQL,
  isUniqueViolation,
  readingColumns,
} from './readings-sql.js';
import type { ReadingRow, WriteTx } from './write-batch.js';

const INT8_OID = 20;

/** PostgreSQL identifiers we create: lower-case, no quoting surprises. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export const COPY_READINGS_SQL =
  'copy readings (sensor_id, t, value, quality, seq, idx) from stdin';

/** Streams `rows` into the readings table with COPY on `client`. */
export async function copyReadings(
  client: pg.PoolClient | pg.Client,
  rows: readonly ReadingRow[],
): Promise<void> {
  const stream = client.query(copyFrom(COPY_READINGS_SQL));
  await pipeline(Readable.from(copyLines(rows)), stream);
}

/** pg hands bigint columns over as strings by default; our bigints are epoch ms and seqs. */
const int8AsNumber = ((oid: number, format?: 'text' | 'binary'): unknown =>
  oid === INT8_OID && format !== 'binary'
    ? Number
    : (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser;

/** A pg Pool whose bigint columns arrive as numbers and whose search_path is `schema`. */
export function createPool(url: string, schema: string, max = 4): pg.Pool {
  return new pg.Pool({
    connectionString: url,
    max,
    options: `-c search_path=${schema},public`,
    types: { getTypeParser: int8AsNumber },
  });
}

export async function openPostgresBackend(url: string, schema = 'public'): Promise<Backend> {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(
      `Storage schema "${schema}": use lower-case letters, digits and _ (at most 63, not starting with a digit)`,
    );
  }
  const pool = createPool(url, schema);
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  try {
    await pool.query(`create schema if not exists ${schema}`);
  } catch (error) {
    await pool.end();
    throw new Error(`Storage: cannot reach PostgreSQL (${String(error)})`, { cause: error });
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });

  return {
    kind: 'postgres',
    db,
    schema,
    target: {
      async transaction(fn) {
        const client = await pool.connect();
        let broken = false;
        try {
          await client.query('begin');
          const tx: WriteTx = {
            async query<R>(text: string, params: readonly unknown[]): Promise<R[]> {
              return (await client.query(text, [...params])).rows as R[];
            },
            async insertReadings(rows: readonly ReadingRow[]): Promise<void> {
              // COPY is ~7× INSERT's rate here (FACTS.md) but cannot skip duplicates; a re-delivered
              // sample makes it fail, and then the batch's readings go in the slow, tolerant way.
              await client.query('savepoint copy_readings');
              try {
                await copyReadings(client, rows);
                await client.query('release savepoint copy_readings');
              } catch (error) {
                if (!isUniqueViolation(error)) throw error;
                await client.query('rollback to savepoint copy_readings');
                await client.query(INSERT_READINGS_SQL, readingColumns(rows));
              }
            },
          };
          await fn(tx);
          await client.query('commit');
        } catch (error) {
          try {
            await client.query('rollback');
          } catch {
            broken = true;
          }
          throw error;
        } finally {
          client.release(broken);
        }
      },
    },
    close: () => db.destroy(),
  };
}
