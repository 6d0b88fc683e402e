/**
 * The event store's port: what the rest of the server uses to write the log (without ever waiting
 * on the database) and to read it back (recovery and the HTTP API). One implementation serves both
 * backends: PGlite on disk when no database URL is given, PostgreSQL through a pg Pool otherwise,
 * with one migration set and the same SQL.
 */
import type {
  Actor,
  Capsule,
  Command,
  Mission,
  Quality,
  TwinEvent,
} from '../../digital-twin/index.js';
import type { BranchStore } from './branch-store.js';
import type {
  MissionEventRecord,
  MissionQuery,
  ReadEventsOptions,
  SnapshotRef,
} from './mission-store.js';
import type { AccountStore } from './account-store.js';
import { DEFAULT_FLUSH_INTERVAL_MS, DEFAULT_QUEUE_LIMIT, EventStore } from './event-store.js';
import { migrateToLatest } from './migrations.js';
import { openPgliteBackend } from './pglite-backend.js';
import { openPostgresBackend } from './postgres-backend.js';
import { StorageQueryError } from './storage-query-error.js';

export interface StorageOptions {
  /** PostgreSQL connection string; absent ⇒ PGlite on disk at `<dataDir>/pglite`. */
  databaseUrl?: string;
  /** Folder for PGlite's files (ignored for PostgreSQL). */
  dataDir: string;
  /** The plant this log belongs to; recorded once, and a mismatch on reopen is an error. */
  plantId: string;
  /** Rows waiting to be written past which `stats().overLimit` turns true (default 50,000). */
  queueLimit?: number;
  /**
   * PostgreSQL schema to keep every table in (created if missing, default `public`). Tests give
   * each case its own schema so runs never collide.
   */
  schema?: string;
  /** Zone of an equipment id, stored with each capsule so the API can filter by zone. */
  zoneOf?: (equipmentId: string) => string | null;
  /** Milliseconds between writer passes when the queue is not full (default 50). */
  flushIntervalMs?: number;
  /** Told about each failed write attempt (the batch is retried; nothing is dropped). */
  onWriteError?: (error: unknown, attempt: number) => void;
}

export interface StoredSnapshot {
  seq: number;
  t: number;
  bytes: Uint8Array;
}

export interface RejectRecord {
  /** Where the bad input came from: `mqtt`, `opcua`, `room`, `http`, … */
  source: string;
  /** A short machine-readable reason (the metrics label). */
  reason: string;
  detail: string;
  /** The raw input; stored truncated to 4 KB. */
  raw: string;
  t: number;
}

export interface StorageStats {
  /** Rows (events, readings, snapshots, rejects) accepted but not yet durable. */
  queueDepth: number;
  queueLimit: number;
  /** True while queueDepth > queueLimit: ingest should apply back-pressure. */
  overLimit: boolean;
  /** Rows written since open. */
  written: number;
  /** Failed write attempts (each one retried, never dropped). */
  writeErrors: number;
  /** Duration of the last successful batch, ms. */
  lastBatchMs: number;
  durableSeq: number;
}

export interface RecoveryData {
  snapshot: StoredSnapshot | null;
  /** Every event after the snapshot (or all of them), in seq order. */
  events: TwinEvent[];
  /** Plant time of the log's first event, null for an empty log. */
  firstEventT: number | null;
}

/** A capsule as stored: the projection plus the zone it was filed under. */
export interface StoredCapsule extends Capsule {
  zone: string | null;
}

export interface CapsuleQuery {
  state?: readonly string[];
  severity?: readonly string[];
  zone?: string;
  /** Case-insensitive match in title or description. */
  text?: string;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
  /** 1…1000. */
  limit: number;
}

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null when this was the last. */
  nextCursor: string | null;
}

export interface ReadingsQuery {
  sensorId: string;
  /** Inclusive start, ms epoch. */
  from: number;
  /** Exclusive end, ms epoch. */
  to: number;
  /** When set, aggregate into buckets of this width aligned to the epoch. */
  bucketMs?: number;
  /** Most rows (raw) or buckets returned, default 10,000. */
  limit?: number;
}

/** One bucket of readings; bad or NaN values are left out of every aggregate. */
export interface ReadingBucket {
  /** Bucket start, ms epoch. */
  t: number;
  avg: number | null;
  min: number | null;
  max: number | null;
  /** Values aggregated (good or uncertain, not NaN). */
  count: number;
}

export type ReadingsResult =
  | { kind: 'raw'; readings: { t: number; value: number; quality: Quality }[] }
  | { kind: 'buckets'; bucketMs: number; buckets: ReadingBucket[] };

export interface RejectQuery {
  cursor?: string;
  limit: number;
  /** `mqtt`, `opcua`, … */
  source?: string;
  reason?: string;
}

/** A refused input as kept for inspection (raw and detail truncated to 4 KB). */
export interface StoredReject extends RejectRecord {
  id: number;
}

export interface CommandQuery {
  cursor?: string;
  limit: number;
  capsuleId?: string;
}

/** One row of the command audit trail: who asked for what, when, and the answer. */
export interface CommandRecord {
  commandId: string;
  seq: number;
  t: number;
  actor: Actor;
  type: Command['type'];
  command: Command;
  status: 'accepted' | 'rejected';
  code: string | null;
  reason: string | null;
}

export interface Storage {
  readonly kind: 'pglite' | 'postgres';
  /** Users and the append-only audit trail. */
  readonly accounts: AccountStore;
  /** What-if branch jobs and their computed events. */
  readonly branches: BranchStore;
  /**
   * Queues already-sequenced events for batched durable writes; never blocks, never drops.
   * Readings events go to the readings table (with their seq), the rest to events; capsule.*
   * also update the capsules projection; command.* also write the commands audit row.
   * Throws `Invariant: …` (queueing nothing) for a seq out of order or a row the database would
   * refuse (fractional time, missing sensor id), since such a row would block every later write.
   */
  append(events: readonly TwinEvent[]): void;
  appendSnapshot(snapshot: StoredSnapshot): void;
  appendReject(reject: RejectRecord): void;
  /** Highest seq such that it and every seq before it appended are durable. */
  durableSeq(): number;
  /** Resolves once `seq` is durable (at once if it already is). */
  whenDurable(seq: number): Promise<void>;
  /** Resolves when everything appended before the call is durable. */
  flush(): Promise<void>;
  stats(): StorageStats;
  /** Latest snapshot and every event after it in seq order (readings rebuilt from readings). */
  loadRecovery(): Promise<RecoveryData>;
  listCapsules(query: CapsuleQuery): Promise<Page<StoredCapsule>>;
  /** One capsule with its full history, or null. */
  getCapsule(id: string): Promise<StoredCapsule | null>;
  readings(query: ReadingsQuery): Promise<ReadingsResult>;
  listCommands(query: CommandQuery): Promise<Page<CommandRecord>>;
  /** Refused inputs, newest first. */
  listRejects(query: RejectQuery): Promise<Page<StoredReject>>;
  /** Inserts a new mission numbered `M-<n>`; `make` builds it from the id. Written at once. */
  createMission(make: (id: string) => Mission): Promise<Mission>;
  /** Stores a mission's new state (written at once). */
  saveMission(mission: Mission): Promise<void>;
  getMission(id: string): Promise<Mission | null>;
  /** Newest first; filter by state. */
  listMissions(query: MissionQuery): Promise<Page<Mission>>;
  /** An event of the mission's own (an annotation in a replay), numbered per mission. */
  appendMissionEvent(
    missionId: string,
    event: { t: number; type: string; payload: Record<string, unknown> },
  ): Promise<MissionEventRecord>;
  missionEvents(missionId: string): Promise<MissionEventRecord[]>;
  /** The snapshot at or before fromT and every one up to toT (no bytes), in seq order. */
  snapshotsForSpan(fromT: number, toT: number): Promise<SnapshotRef[]>;
  snapshotBytes(seq: number): Promise<Uint8Array | null>;
  /** Durable events after `afterSeq` up to plant time `untilT`, readings rebuilt, in seq order. */
  readEvents(afterSeq: number, untilT?: number, options?: ReadEventsOptions): Promise<TwinEvent[]>;
  /** Durable capsule raises and changes in plant time [fromT, toT], at most `limit`, in seq order. */
  capsuleEvents(fromT: number, toT: number, limit: number): Promise<TwinEvent[]>;
  /** Plant time of the log's first event, null when empty. */
  firstEventT(): Promise<number | null>;
  /**
   * Deletes the log before plant time t — but never the latest snapshot's span, nor anything a
   * mission refers to (the snapshot its replay starts from, and all after it).
   */
  pruneBefore(t: number): Promise<{ keptFromT: number; events: number; snapshots: number }>;
  /** Whether the database answers a trivial query. */
  ping(): Promise<boolean>;
  /** Flushes everything queued, then closes the connection(s). */
  close(): Promise<void>;
}

export { StorageQueryError };
export type {
  AccountStore,
  AuditEntry,
  AuditQuery,
  AuditRecord,
  PublicUser,
  UserRecord,
} from './account-store.js';

/** Opens the store: connects, migrates to the latest schema, and starts the writer. */
export async function openStorage(options: StorageOptions): Promise<Storage> {
  const queueLimit = options.queueLimit ?? DEFAULT_QUEUE_LIMIT;
  if (!Number.isSafeInteger(queueLimit) || queueLimit < 1)
    throw new Error(`Storage queueLimit: expected a whole number ≥ 1, got ${queueLimit}`);
  if (options.plantId === '') throw new Error('Storage plantId: expected the plant id');
  const backend =
    options.databaseUrl === undefined
      ? await openPgliteBackend(options.dataDir)
      : await openPostgresBackend(options.databaseUrl, options.schema);
  try {
    await migrateToLatest(backend.db, backend.schema);
    return await EventStore.open(backend, {
      plantId: options.plantId,
      queueLimit,
      flushIntervalMs: options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
      zoneOf: options.zoneOf ?? (() => null),
      ...(options.onWriteError === undefined ? {} : { onWriteError: options.onWriteError }),
    });
  } catch (error) {
    await backend.close().catch(() => undefined);
    throw error;
  }
}
