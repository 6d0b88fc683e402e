/**
 * A kysely dialect over PGlite (PostgreSQL compiled to WASM). PGlite is a single connection, so
 * the driver hands it out to one holder at a time (a transaction keeps it until commit); the
 * writer takes the same lock, which is why the lock is passed in rather than owned here.
 * (`kysely-pglite-dialect` rejects PGlite 0.5, and `kysely-pglite` drags in ~100 packages.)
 */
import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from 'kysely';
import type {
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import type { Mutex } from './mutex.js';

const CHANGING_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

class PgliteConnection implements DatabaseConnection {
  readonly #pg: PGlite;
  constructor(pg: PGlite) {
    this.#pg = pg;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#pg.query<R>(compiledQuery.sql, [...compiledQuery.parameters]);
    const command = result.command?.toUpperCase();
    return {
      rows: result.rows,
      ...(command !== undefined && CHANGING_COMMANDS.has(command)
        ? { numAffectedRows: BigInt(result.rowCount ?? result.affectedRows ?? 0) }
        : {}),
    };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    await Promise.resolve();
    throw new Error('PGlite dialect: streaming queries are not supported; page with a cursor.');
  }
}

class PgliteDriver implements Driver {
  readonly #pg: PGlite;
  readonly #lock: Mutex;
  readonly #connection: PgliteConnection;
  readonly #releases = new Map<DatabaseConnection, () => void>();

  constructor(pg: PGlite, lock: Mutex) {
    this.#pg = pg;
    this.#lock = lock;
    this.#connection = new PgliteConnection(pg);
  }

  async init(): Promise<void> {
    await this.#pg.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.#lock.lock();
    // Always the same object: the map holds at most one entry because the lock is exclusive.
    this.#releases.set(this.#connection, release);
    return this.#connection;
  }

  async beginTransaction(
    connection: DatabaseConnection,
    settings: TransactionSettings,
  ): Promise<void> {
    let statement = 'begin';
    if (settings.isolationLevel !== undefined)
      statement += ` isolation level ${settings.isolationLevel}`;
    if (settings.accessMode !== undefined) statement += ` ${settings.accessMode}`;
    await connection.executeQuery(CompiledQuery.raw(statement));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const release = this.#releases.get(connection);
    this.#releases.delete(connection);
    release?.();
    await Promise.resolve();
  }

  async destroy(): Promise<void> {
    // Wait for the current holder so close never cuts a transaction in half.
    await this.#lock.run(() => this.#pg.close());
  }
}

/** A kysely dialect for an opened PGlite instance; `lock` serialises every user of it. */
export class PgliteDialect implements Dialect {
  readonly #pg: PGlite;
  readonly #lock: Mutex;
  constructor(pg: PGlite, lock: Mutex) {
    this.#pg = pg;
    this.#lock = lock;
  }
  createDriver(): Driver {
    return new PgliteDriver(this.#pg, this.#lock);
  }
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}
