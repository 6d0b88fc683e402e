/**
 * Turns one batch of queued work into SQL inside one transaction, the same statements on both
 * backends except how readings go in (COPY on PostgreSQL, multi-row INSERT on PGlite). Every
 * statement is idempotent, so a batch whose commit was lost in transit can be retried as-is.
 */
import type {
  Capsule,
  CapsuleChangedEvent,
  CapsuleRaisedEvent,
  CommandAcceptedEvent,
  CommandRejectedEvent,
  TwinEvent,
} from '../../digital-twin/index.js';
import { applyCapsuleChange } from '../../digital-twin/index.js';
import { decodePayload, encodePayload, storableText } from '../../digital-twin/index.js';
import type { RejectRecord, StoredSnapshot } from './storage.js';

/** One sample as it goes into the readings table. */
export interface ReadingRow {
  sensorId: string;
  t: number;
  value: number;
  quality: string;
  seq: number;
  idx: number;
}

/** What a backend offers inside one write transaction. */
export interface WriteTx {
  query<R = Record<string, unknown>>(text: string, params: readonly unknown[]): Promise<R[]>;
  insertReadings(rows: readonly ReadingRow[]): Promise<void>;
}

/** A backend's write side: runs `fn` in a transaction, committing if it resolves. */
export interface WriteTarget {
  transaction(fn: (tx: WriteTx) => Promise<void>): Promise<void>;
}

export interface WriteBatch {
  events: TwinEvent[];
  snapshots: StoredSnapshot[];
  rejects: RejectRecord[];
}

/** Bytes of `raw` a reject row keeps. */
export const REJECT_RAW_MAX_BYTES = 4096;

/** The largest prefix of `text` that is at most `maxBytes` of UTF-8, cut on a character boundary. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  let end = maxBytes;
  // Back off continuation bytes (10xxxxxx) so a multi-byte character is never split.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}

/** The payload column: the event without its header (readings keep only their count). */
function eventPayload(event: TwinEvent): Record<string, unknown> {
  if (event.type === 'readings') return { count: event.readings.length };
  const rest: Record<string, unknown> = { ...event };
  delete rest.seq;
  delete rest.t;
  delete rest.type;
  return rest;
}

export function readingRows(events: readonly TwinEvent[]): ReadingRow[] {
  const rows: ReadingRow[] = [];
  for (const event of events) {
    if (event.type !== 'readings') continue;
    event.readings.forEach((reading, idx) => {
      rows.push({
        sensorId: reading.sensorId,
        t: reading.t,
        value: reading.value,
        quality: reading.quality,
        seq: event.seq,
        idx,
      });
    });
  }
  return rows;
}

export async function writeBatch(tx: WriteTx, batch: WriteBatch, zoneOf: ZoneOf): Promise<void> {
  if (batch.events.length > 0) {
    const rows = batch.events.map((event) => ({
      seq: event.seq,
      t: event.t,
      type: event.type,
      payload: eventPayload(event),
    }));
    await tx.query(
      `insert into events (seq, t, type, payload)
       select (e->>'seq')::bigint, (e->>'t')::bigint, e->>'type', e->'payload'
       from jsonb_array_elements($1::jsonb) as e
       on conflict (seq) do nothing`,
      [encodePayload(rows)],
    );
    const readings = readingRows(batch.events);
    if (readings.length > 0) await tx.insertReadings(readings);
    for (const event of batch.events) {
      if (event.type === 'capsule.raised') await upsertCapsule(tx, event, zoneOf);
      else if (event.type === 'capsule.changed') await changeCapsule(tx, event, zoneOf);
    }
    await insertCommands(tx, batch.events);
  }
  for (const snapshot of batch.snapshots) {
    await tx.query(
      `insert into snapshots (seq, t, bytes) values ($1, $2, $3)
       on conflict (seq) do update set t = excluded.t, bytes = excluded.bytes`,
      [snapshot.seq, snapshot.t, snapshot.bytes],
    );
  }
  if (batch.rejects.length > 0) {
    const rows = batch.rejects.map((reject) => ({
      t: reject.t,
      source: storableText(reject.source),
      reason: storableText(reject.reason),
      detail: storableText(truncateUtf8(reject.detail, REJECT_RAW_MAX_BYTES)),
      raw: storableText(truncateUtf8(reject.raw, REJECT_RAW_MAX_BYTES)),
    }));
    await tx.query(
      `insert into rejects (t, source, reason, detail, raw)
       select (r->>'t')::bigint, r->>'source', r->>'reason', r->>'detail', r->>'raw'
       from jsonb_array_elements($1::jsonb) as r`,
      [JSON.stringify(rows)],
    );
  }
}

/** Zone of an equipment id, stored with each capsule so the API can filter by zone. */
export type ZoneOf = (equipmentId: string) => string | null;

async function storeCapsule(
  tx: WriteTx,
  capsule: Capsule,
  seq: number,
  zoneOf: ZoneOf,
): Promise<void> {
  await tx.query(
    `insert into capsules (id, zone, state, severity, priority, title, description,
       equipment_id, sensor_id, raised_at, updated_at, seq, data)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb)
     on conflict (id) do update set
       zone = excluded.zone, state = excluded.state, severity = excluded.severity,
       priority = excluded.priority, title = excluded.title, description = excluded.description,
       equipment_id = excluded.equipment_id, sensor_id = excluded.sensor_id,
       raised_at = excluded.raised_at, updated_at = excluded.updated_at, seq = excluded.seq,
       data = excluded.data
     where capsules.seq < excluded.seq`,
    [
      capsule.id,
      zoneOf(capsule.equipmentId),
      capsule.state,
      capsule.severity,
      capsule.priority,
      storableText(capsule.title),
      storableText(capsule.description),
      capsule.equipmentId,
      capsule.sensorId,
      capsule.raisedAt,
      capsule.updatedAt,
      seq,
      encodePayload(capsule),
    ],
  );
}

async function upsertCapsule(
  tx: WriteTx,
  event: CapsuleRaisedEvent,
  zoneOf: ZoneOf,
): Promise<void> {
  await storeCapsule(tx, event.capsule, event.seq, zoneOf);
}

async function changeCapsule(
  tx: WriteTx,
  event: CapsuleChangedEvent,
  zoneOf: ZoneOf,
): Promise<void> {
  const rows = await tx.query<{ seq: number | string; data: unknown }>(
    'select seq, data from capsules where id = $1 for update',
    [event.capsuleId],
  );
  const row = rows[0];
  // A change to a capsule the log never raised cannot be projected; the event itself is kept.
  if (row === undefined || Number(row.seq) >= event.seq) return;
  await storeCapsule(
    tx,
    applyCapsuleChange(decodePayload<Capsule>(row.data), event),
    event.seq,
    zoneOf,
  );
}

async function insertCommands(tx: WriteTx, events: readonly TwinEvent[]): Promise<void> {
  const commands = events.filter(
    (event): event is CommandAcceptedEvent | CommandRejectedEvent =>
      event.type === 'command.accepted' || event.type === 'command.rejected',
  );
  if (commands.length === 0) return;
  const rows = commands.map((event) => ({
    seq: event.seq,
    command_id: event.command.commandId,
    t: event.t,
    actor: event.actor,
    type: event.command.type,
    capsule_id: 'capsuleId' in event.command ? (event.command.capsuleId ?? null) : null,
    payload: event.command,
    status: event.type === 'command.accepted' ? 'accepted' : 'rejected',
    code: event.type === 'command.rejected' ? event.code : null,
    reason: event.type === 'command.rejected' ? event.reason : null,
  }));
  await tx.query(
    `insert into commands (seq, command_id, t, actor, type, capsule_id, payload, status, code, reason)
     select (c->>'seq')::bigint, c->>'command_id', (c->>'t')::bigint, c->'actor', c->>'type',
       c->>'capsule_id', c->'payload', c->>'status', c->>'code', c->>'reason'
     from jsonb_array_elements($1::jsonb) as c
     on conflict (seq) do nothing`,
    [encodePayload(rows)],
  );
}
