/**
 * The backends every storage case runs on: PGlite in a temp folder always, PostgreSQL when
 * TEST_DATABASE_URL is set (each case in a fresh schema, dropped afterwards). Also a second
 * connection per backend, to check what another reader would see.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openStorage } from '../../../../sim-server/storage/index.js';
import type { Storage, StorageOptions } from '../../../../sim-server/storage/index.js';

export const PLANT_ID = 'test-plant';
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

export interface TestBackend {
  name: 'pglite' | 'postgres';
  /** Why the backend's cases are skipped here, or null when they run. */
  skip: string | null;
}

export const BACKENDS: TestBackend[] = [
  { name: 'pglite', skip: null },
  {
    name: 'postgres',
    skip:
      TEST_DATABASE_URL === undefined || TEST_DATABASE_URL === ''
        ? 'TEST_DATABASE_URL is not set (CI sets it where PostgreSQL runs)'
        : null,
  },
];

/** Runs `sql` on the second connection and returns the rows. */
export type Query = <R = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<R[]>;

/** One case's place to store things; `open` may be called again to reopen the same store. */
export interface TestPlace {
  open(options?: Partial<StorageOptions>): Promise<Storage>;
  /**
   * Runs `fn` with a second connection: another pg client (PostgreSQL), or a second PGlite on the
   * files (PGlite; the store must be closed first unless `whileOpen`, which reads a copy of the
   * files: exactly what had reached the disk).
   */
  withReader<T>(fn: (query: Query) => Promise<T>, options?: { whileOpen?: boolean }): Promise<T>;
  dispose(): Promise<void>;
}

let templateDir: Promise<string> | null = null;

/**
 * A migrated, empty PGlite folder made once per test file; each case copies it, because a
 * fresh PGlite runs initdb (~3 s here) while reopening a copy takes ~0.5 s.
 */
function pgliteTemplate(): Promise<string> {
  templateDir ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'twinspace-storage-template-'));
    const storage = await openStorage({ dataDir: dir, plantId: PLANT_ID });
    await storage.close();
    return dir;
  })();
  return templateDir;
}

export async function disposeTemplate(): Promise<void> {
  if (templateDir === null) return;
  const dir = await templateDir;
  templateDir = null;
  await rm(dir, { recursive: true, force: true });
}

export async function createPlace(
  backend: TestBackend['name'],
  { fresh = false }: { fresh?: boolean } = {},
): Promise<TestPlace> {
  if (backend === 'pglite') {
    const dataDir = await mkdtemp(join(tmpdir(), 'twinspace-storage-'));
    if (!fresh) await cp(await pgliteTemplate(), dataDir, { recursive: true });
    const copies: string[] = [];
    return {
      open: (options) => openStorage({ dataDir, plantId: PLANT_ID, ...options }),
      async withReader<T>(
        fn: (query: Query) => Promise<T>,
        { whileOpen = false }: { whileOpen?: boolean } = {},
      ): Promise<T> {
        // PGlite is one process's private database: two instances must never share files.
        let dir = join(dataDir, 'pglite');
        if (whileOpen) {
          const copy = await mkdtemp(join(tmpdir(), 'twinspace-storage-copy-'));
          copies.push(copy);
          await cp(dir, copy, { recursive: true });
          dir = copy;
        }
        const other = await PGlite.create(dir);
        try {
          return await fn(
            async <R>(sql: string, params: unknown[] = []) =>
              (await other.query<R>(sql, params)).rows,
          );
        } finally {
          await other.close();
        }
      },
      async dispose() {
        for (const dir of [dataDir, ...copies]) await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const url = TEST_DATABASE_URL;
  if (url === undefined) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `storage_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  return {
    open: (options) =>
      openStorage({
        dataDir: '/nonexistent',
        databaseUrl: url,
        schema,
        plantId: PLANT_ID,
        ...options,
      }),
    withReader<T>(fn: (query: Query) => Promise<T>): Promise<T> {
      return fn(
        async <R>(sql: string, params: unknown[] = []) =>
          (await client.query(sql, params)).rows as R[],
      );
    },
    async dispose() {
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}
