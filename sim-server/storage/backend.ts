/** What each database technology provides to the store: kysely for reads, a write target for batches. */
import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import type { WriteTarget } from './write-batch.js';

export interface Backend {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Kysely<Database>;
  /** Schema holding the tables (PostgreSQL), undefined for the default. */
  readonly schema: string | undefined;
  readonly target: WriteTarget;
  close(): Promise<void>;
}
