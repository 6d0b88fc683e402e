/**
 * The Storage implementation over either backend: writes go through the WriteQueue, reads are
 * kysely queries with the same SQL on PGlite and PostgreSQL.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { CAPSULE_STATES, SEVERITIES } from '../../digital-twin/index.js';
import type { Capsule, Mission, Quality, TwinEvent } from '../../digital-twin/index.js';
import type { Backend } from './backend.js';
import {
  decodeCapsuleCursor,
  decodeSeqCursor,
  encodeCapsuleCursor,
  encodeSeqCursor,
} from './cursor.js';
import type { Database } from './database.js';
import {
  appendMissionEvent,
  earliestMissionT,
  getMission,
  insertMission,
  listMissionEvents,
  listMissions,
  readEvents,
  capsuleEvents,
  snapshotBytes,
  snapshotsForSpan,
  updateMission,
} from './mission-store.js';
import { accountStore } from './account-store.js';
import { branchStore } from './branch-store.js';
import type { BranchStore } from './branch-store.js';
import type { AccountStore } from './account-store.js';
import type {
  MissionEventRecord,
  MissionQuery,
  ReadEventsOptions,
  SnapshotRef,
} from './mission-store.js';
import { decodePayload } from '../../digital-twin/index.js';
import type {
  CapsuleQuery,
  CommandQuery,
  RejectQuery,
  StoredReject,
  CommandRecord,
  Page,
  ReadingsQuery,
  ReadingsResult,
  RecoveryData,
  RejectRecord,
  Storage,
  StorageStats,
  StoredCapsule,
  StoredSnapshot,
} from './storage.js';
import { assertStorableEvent, assertStorableReject } from './storable.js';
import { StorageQueryError } from './storage-query-error.js';
import { writeBatch } from './write-batch.js';
import type { ZoneOf } from './write-batch.js';
import { WriteQueue } from './write-queue.js';

export const DEFAULT_QUEUE_LIMIT = 50_000;
export const DEFAULT_FLUSH_INTERVAL_MS = 50;
/** Rows per write transaction: big enough to amortise the commit, small enough to keep PGlite's pauses short. */
const BATCH_ROWS = { pglite: 10_000, postgres: 50_000 } as const;
export const MAX_PAGE = 1_000;
const DEFAULT_READINGS_LIMIT = 10_000;
const MAX_READINGS_LIMIT = 100_000;

export interface EventStoreOptions {
  plantId: string;
  queueLimit: number;
  flushIntervalMs: number;
  zoneOf: ZoneOf;
  onWriteError?: (error: unknown, attempt: number) => void;
}

function checkLimit(limit: number, max: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > max)
    throw new StorageQueryError('limit', `expected a whole number from 1 to ${max}, got ${limit}`);
}

function checkMembers(field: string, values: readonly string[], allowed: readonly string[]): void {
  for (const value of values) {
    if (!allowed.includes(value))
      throw new StorageQueryError(
        field,
        `unknown value "${value}"; expected one of ${allowed.join(', ')}`,
      );
  }
}

/** ILIKE pattern matching `text` literally anywhere. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function toCapsule(row: { data: unknown; zone: string | null }): StoredCapsule {
  return { ...decodePayload<Capsule>(row.data), zone: row.zone };
}

export class EventStore implements Storage {
  readonly kind: 'pglite' | 'postgres';
  readonly accounts: AccountStore;
  readonly branches: BranchStore;
  readonly #backend: Backend;
  readonly #db: Kysely<Database>;
  readonly #queue: WriteQueue;
  #closed: Promise<void> | null = null;

  private constructor(backend: Backend, queue: WriteQueue) {
    this.kind = backend.kind;
    this.#backend = backend;
    this.#db = backend.db;
    this.#queue = queue;
    this.accounts = accountStore(backend.db);
    this.branches = branchStore(backend.db);
  }

  /** Wraps a migrated backend; checks the plant id and learns the durable seq. */
  static async open(backend: Backend, options: EventStoreOptions): Promise<EventStore> {
    const { db } = backend;
    await db
      .insertInto('meta')
      .values({ key: 'plant_id', value: options.plantId })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const stored = await db
      .selectFrom('meta')
      .select('value')
      .where('key', '=', 'plant_id')
      .executeTakeFirst();
    if (stored?.value !== options.plantId) {
      throw new Error(
        `Storage holds the log of plant "${stored?.value}", not "${options.plantId}": point DATA_DIR or DATABASE_URL elsewhere, or run that plant`,
      );
    }
    // A snapshot may be written ahead of the events it covers (it travels in the same FIFO, but
    // can be appended first); the log then resumes after the snapshot, never before it.
    const max = await sql<{ seq: number | string | null }>`
      select greatest((select max(seq) from events), (select max(seq) from snapshots)) as seq`.execute(
      db,
    );
    const top = max.rows[0]?.seq;
    const durableSeq = top === null || top === undefined ? 0 : Number(top);
    const batchRows = BATCH_ROWS[backend.kind];
    const queue = new WriteQueue({
      write: (batch) => backend.target.transaction((tx) => writeBatch(tx, batch, options.zoneOf)),
      durableSeq,
      queueLimit: options.queueLimit,
      batchRows,
      flushIntervalMs: options.flushIntervalMs,
      ...(options.onWriteError === undefined ? {} : { onError: options.onWriteError }),
    });
    return new EventStore(backend, queue);
  }

  append(events: readonly TwinEvent[]): void {
    for (const event of events) assertStorableEvent(event);
    this.#queue.append(events);
  }

  appendSnapshot(snapshot: StoredSnapshot): void {
    if (
      !Number.isSafeInteger(snapshot.seq) ||
      snapshot.seq < 0 ||
      !Number.isSafeInteger(snapshot.t) ||
      !(snapshot.bytes instanceof Uint8Array)
    )
      throw new Error('Invariant: a snapshot needs whole-number seq and t, and Uint8Array bytes');
    this.#queue.appendSnapshot(snapshot);
  }

  appendReject(reject: RejectRecord): void {
    assertStorableReject(reject);
    this.#queue.appendReject(reject);
  }

  durableSeq(): number {
    return this.#queue.durableSeq();
  }

  whenDurable(seq: number): Promise<void> {
    return this.#queue.whenDurable(seq);
  }

  flush(): Promise<void> {
    return this.#queue.flush();
  }

  stats(): StorageStats {
    return this.#queue.stats();
  }

  async loadRecovery(): Promise<RecoveryData> {
    const db = this.#db;
    const snapshotRow = await db
      .selectFrom('snapshots')
      .select(['seq', 't', 'bytes'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const snapshot: StoredSnapshot | null =
      snapshotRow === undefined
        ? null
        : {
            seq: Number(snapshotRow.seq),
            t: Number(snapshotRow.t),
            // pg gives a Buffer; callers compare and decode plain bytes.
            bytes: new Uint8Array(snapshotRow.bytes),
          };
    const events = await readEvents(db, snapshot?.seq ?? 0);
    const first = await db
      .selectFrom('events')
      .select('t')
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    return { snapshot, events, firstEventT: first === undefined ? null : Number(first.t) };
  }

  async listCapsules(query: CapsuleQuery): Promise<Page<StoredCapsule>> {
    checkLimit(query.limit, MAX_PAGE);
    if (query.state !== undefined) checkMembers('state', query.state, CAPSULE_STATES);
    if (query.severity !== undefined) checkMembers('severity', query.severity, SEVERITIES);
    const after = query.cursor === undefined ? null : decodeCapsuleCursor(query.cursor);
    let select = this.#db.selectFrom('capsules').select(['id', 'raised_at', 'zone', 'data']);
    if (query.state !== undefined && query.state.length > 0)
      select = select.where('state', 'in', [...query.state]);
    if (query.severity !== undefined && query.severity.length > 0)
      select = select.where('severity', 'in', [...query.severity]);
    if (query.zone !== undefined) select = select.where('zone', '=', query.zone);
    if (query.text !== undefined && query.text.trim() !== '') {
      const pattern = containsPattern(query.text.trim());
      select = select.where((eb) =>
        eb.or([eb('title', 'ilike', pattern), eb('description', 'ilike', pattern)]),
      );
    }
    if (after !== null) {
      select = select.where((eb) =>
        eb(eb.refTuple('raised_at', 'id'), '<', eb.tuple(after.raisedAt, after.id)),
      );
    }
    const rows = await select
      .orderBy('raised_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute();
    return keysetPage(rows, query.limit, toCapsule, (last) =>
      encodeCapsuleCursor({ raisedAt: Number(last.raised_at), id: last.id }),
    );
  }

  async getCapsule(id: string): Promise<StoredCapsule | null> {
    const row = await this.#db
      .selectFrom('capsules')
      .select(['zone', 'data'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? null : toCapsule(row);
  }

  async readings(query: ReadingsQuery): Promise<ReadingsResult> {
    if (typeof query.sensorId !== 'string' || query.sensorId === '')
      throw new StorageQueryError('sensorId', 'expected a sensor id');
    if (!Number.isSafeInteger(query.from) || query.from < 0)
      throw new StorageQueryError(
        'from',
        `expected a time in ms since the epoch, got ${query.from}`,
      );
    if (!Number.isSafeInteger(query.to) || query.to <= query.from)
      throw new StorageQueryError(
        'to',
        `expected a time in ms after from (${query.from}), got ${query.to}`,
      );
    const limit = query.limit ?? DEFAULT_READINGS_LIMIT;
    checkLimit(limit, MAX_READINGS_LIMIT);
    const { sensorId, from, to, bucketMs } = query;
    if (bucketMs === undefined) {
      const rows = await this.#db
        .selectFrom('readings')
        .select(['t', 'value', 'quality'])
        .where('sensor_id', '=', sensorId)
        .where('t', '>=', from)
        .where('t', '<', to)
        .orderBy('t')
        .limit(limit)
        .execute();
      return {
        kind: 'raw',
        readings: rows.map((row) => ({
          t: Number(row.t),
          value: row.value,
          quality: row.quality as Quality,
        })),
      };
    }
    if (!Number.isSafeInteger(bucketMs) || bucketMs < 1)
      throw new StorageQueryError('bucketMs', `expected a whole number of ms ≥ 1, got ${bucketMs}`);
    // Bad samples are NaN by contract, and PostgreSQL sorts NaN above every number: both are
    // filtered out of each aggregate, not out of the bucket.
    const good = sql`quality <> 'bad' and value <> 'NaN'::float8`;
    const bucket = sql<number>`t - (t % ${bucketMs}::bigint)`;
    const result = await sql<{
      bucket: number | string;
      avg: number | null;
      min: number | null;
      max: number | null;
      count: number | string;
    }>`
      select ${bucket} as bucket,
        avg(value) filter (where ${good}) as avg,
        min(value) filter (where ${good}) as min,
        max(value) filter (where ${good}) as max,
        count(*) filter (where ${good}) as count
      from readings
      where sensor_id = ${sensorId} and t >= ${from}::bigint and t < ${to}::bigint
      group by 1 order by 1 limit ${limit}`.execute(this.#db);
    return {
      kind: 'buckets',
      bucketMs,
      buckets: result.rows.map((row) => ({
        t: Number(row.bucket),
        avg: row.avg === null ? null : Number(row.avg),
        min: row.min === null ? null : Number(row.min),
        max: row.max === null ? null : Number(row.max),
        count: Number(row.count),
      })),
    };
  }

  async listCommands(query: CommandQuery): Promise<Page<CommandRecord>> {
    checkLimit(query.limit, MAX_PAGE);
    const before = query.cursor === undefined ? null : decodeSeqCursor(query.cursor, 'commands');
    let select = this.#db
      .selectFrom('commands')
      .select(['seq', 'command_id', 't', 'actor', 'type', 'payload', 'status', 'code', 'reason']);
    if (query.capsuleId !== undefined) select = select.where('capsule_id', '=', query.capsuleId);
    if (before !== null) select = select.where('seq', '<', before);
    const rows = await select
      .orderBy('seq', 'desc')
      .limit(query.limit + 1)
      .execute();
    return keysetPage(
      rows,
      query.limit,
      (row): CommandRecord => ({
        commandId: row.command_id,
        seq: Number(row.seq),
        t: Number(row.t),
        actor: decodePayload(row.actor),
        type: row.type as CommandRecord['type'],
        command: decodePayload(row.payload),
        status: row.status === 'accepted' ? 'accepted' : 'rejected',
        code: row.code,
        reason: row.reason,
      }),
      (last) => encodeSeqCursor('commands', Number(last.seq)),
    );
  }

  async listRejects(query: RejectQuery): Promise<Page<StoredReject>> {
    checkLimit(query.limit, MAX_PAGE);
    const before = query.cursor === undefined ? null : decodeSeqCursor(query.cursor, 'rejects');
    let select = this.#db
      .selectFrom('rejects')
      .select(['id', 't', 'source', 'reason', 'detail', 'raw']);
    if (query.source !== undefined) select = select.where('source', '=', query.source);
    if (query.reason !== undefined) select = select.where('reason', '=', query.reason);
    if (before !== null) select = select.where('id', '<', before);
    const rows = await select
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute();
    return keysetPage(
      rows,
      query.limit,
      (row): StoredReject => ({ ...row, id: Number(row.id), t: Number(row.t) }),
      (last) => encodeSeqCursor('rejects', Number(last.id)),
    );
  }

  createMission(make: (id: string) => Mission): Promise<Mission> {
    return insertMission(this.#db, make);
  }

  saveMission(mission: Mission): Promise<void> {
    return updateMission(this.#db, mission);
  }

  getMission(id: string): Promise<Mission | null> {
    return getMission(this.#db, id);
  }

  listMissions(query: MissionQuery): Promise<Page<Mission>> {
    checkLimit(query.limit, MAX_PAGE);
    return listMissions(this.#db, query);
  }

  appendMissionEvent(
    missionId: string,
    event: { t: number; type: string; payload: Record<string, unknown> },
  ): Promise<MissionEventRecord> {
    return appendMissionEvent(this.#db, missionId, event);
  }

  missionEvents(missionId: string): Promise<MissionEventRecord[]> {
    return listMissionEvents(this.#db, missionId);
  }

  snapshotsForSpan(fromT: number, toT: number): Promise<SnapshotRef[]> {
    return snapshotsForSpan(this.#db, fromT, toT);
  }

  snapshotBytes(seq: number): Promise<Uint8Array | null> {
    return snapshotBytes(this.#db, seq);
  }

  readEvents(afterSeq: number, untilT?: number, options?: ReadEventsOptions): Promise<TwinEvent[]> {
    return readEvents(this.#db, afterSeq, untilT, options);
  }

  capsuleEvents(fromT: number, toT: number, limit: number): Promise<TwinEvent[]> {
    return capsuleEvents(this.#db, fromT, toT, limit);
  }

  async firstEventT(): Promise<number | null> {
    const first = await this.#db
      .selectFrom('events')
      .select('t')
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    return first === undefined ? null : Number(first.t);
  }

  async pruneBefore(t: number): Promise<{ keptFromT: number; events: number; snapshots: number }> {
    await this.flush();
    const db = this.#db;
    // Never past the latest snapshot (recovery starts there), nor into a mission's span: the
    // snapshot a replay of the earliest mission starts from stays, and everything after it.
    const latest = await db
      .selectFrom('snapshots')
      .select((eb) => eb.fn.max('t').as('t'))
      .executeTakeFirst();
    let keepFrom = Math.min(
      t,
      latest?.t === null || latest?.t === undefined ? t : Number(latest.t),
    );
    const missionT = await earliestMissionT(db);
    if (missionT !== null) {
      const start = await db
        .selectFrom('snapshots')
        .select((eb) => eb.fn.max('t').as('t'))
        .where('t', '<=', missionT)
        .executeTakeFirst();
      const startT = start?.t === null || start?.t === undefined ? missionT : Number(start.t);
      keepFrom = Math.min(keepFrom, startT);
    }
    const boundary = await db
      .selectFrom('events')
      .select((eb) => eb.fn.min('seq').as('seq'))
      .where('t', '>=', keepFrom)
      .executeTakeFirst();
    const keepSeq =
      boundary?.seq === null || boundary?.seq === undefined ? null : Number(boundary.seq);
    if (keepSeq === null) return { keptFromT: keepFrom, events: 0, snapshots: 0 };
    return db.transaction().execute(async (tx) => {
      await tx.deleteFrom('readings').where('seq', '<', keepSeq).execute();
      const events = await tx.deleteFrom('events').where('seq', '<', keepSeq).executeTakeFirst();
      const snapshots = await tx
        .deleteFrom('snapshots')
        .where('t', '<', keepFrom)
        .executeTakeFirst();
      return {
        keptFromT: keepFrom,
        events: Number(events.numDeletedRows),
        snapshots: Number(snapshots.numDeletedRows),
      };
    });
  }

  async ping(): Promise<boolean> {
    try {
      await sql`select 1`.execute(this.#db);
      return true;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#queue.close();
      await this.#backend.close();
    })();
    return this.#closed;
  }
}

/**
 * One page from rows fetched with `limit + 1`: the extra row only says another page exists, and
 * the cursor points past the last row kept.
 */
function keysetPage<Row, Item>(
  rows: readonly Row[],
  limit: number,
  toItem: (row: Row) => Item,
  cursorAfter: (last: Row) => string,
): Page<Item> {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return {
    items: page.map(toItem),
    nextCursor: more && last !== undefined ? cursorAfter(last) : null,
  };
}
