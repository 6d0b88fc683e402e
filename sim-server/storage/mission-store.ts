/**
 * Missions as rows, and the reads a replay makes of the plant's log: the snapshots in a span and
 * the events between two sequence numbers. Mission rows are written at once (they are rare and
 * the caller answers a user), not through the event write queue.
 */
import { sql } from 'kysely';
import type { Insertable, Kysely } from 'kysely';
import type {
  Mission,
  MissionState,
  Quality,
  Reading,
  TwinEvent,
} from '../../digital-twin/index.js';
import { decodeSeqCursor, encodeSeqCursor } from './cursor.js';
import type { Database, MissionsTable } from './database.js';
import { decodePayload, encodePayload } from '../../digital-twin/index.js';

export interface MissionQuery {
  state?: readonly MissionState[];
  cursor?: string;
  /** 1…1000. */
  limit: number;
}

/** An event a mission adds of its own (an annotation made in a replay), with its position. */
export interface MissionEventRecord {
  idx: number;
  t: number;
  type: string;
  payload: Record<string, unknown>;
}

/** A snapshot's place in the log, without its bytes. */
export interface SnapshotRef {
  seq: number;
  t: number;
}

/** The columns a mission writes; its number is given once, at insert. */
type MissionRow = Omit<Insertable<MissionsTable>, 'num'>;

function missionRow(mission: Mission): MissionRow {
  return {
    id: mission.id,
    kind: mission.kind,
    state: mission.state,
    from_t: mission.fromT,
    to_t: mission.toT,
    created_at: mission.createdAt,
    updated_at: mission.updatedAt,
    source_capsule_id: mission.sourceCapsuleId,
    parent_mission_id: mission.parentMissionId,
    data: encodePayload(mission),
  };
}

/** Inserts a new mission, numbering it `M-<n>`; `make` receives the id and returns the mission. */
export async function insertMission(
  db: Kysely<Database>,
  make: (id: string) => Mission,
): Promise<Mission> {
  return db.transaction().execute(async (tx) => {
    const top = await tx
      .selectFrom('missions')
      .select((eb) => eb.fn.max('num').as('num'))
      .executeTakeFirst();
    const num = Number(top?.num ?? 0) + 1;
    const mission = make(`M-${num}`);
    await tx
      .insertInto('missions')
      .values({ num, ...missionRow(mission) })
      .execute();
    return mission;
  });
}

export async function updateMission(db: Kysely<Database>, mission: Mission): Promise<void> {
  const { id, ...row } = missionRow(mission);
  await db.updateTable('missions').set(row).where('id', '=', id).execute();
}

export async function getMission(db: Kysely<Database>, id: string): Promise<Mission | null> {
  const row = await db
    .selectFrom('missions')
    .select('data')
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? null : decodePayload<Mission>(row.data);
}

/** Newest first, keyset-paged on the mission number. */
export async function listMissions(
  db: Kysely<Database>,
  query: MissionQuery,
): Promise<{ items: Mission[]; nextCursor: string | null }> {
  const before = query.cursor === undefined ? null : decodeSeqCursor(query.cursor, 'missions');
  let select = db.selectFrom('missions').select(['num', 'data']);
  if (query.state !== undefined && query.state.length > 0)
    select = select.where('state', 'in', [...query.state]);
  if (before !== null) select = select.where('num', '<', before);
  const rows = await select
    .orderBy('num', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((row) => decodePayload<Mission>(row.data)),
    nextCursor:
      rows.length > query.limit && last !== undefined
        ? encodeSeqCursor('missions', Number(last.num))
        : null,
  };
}

/** The earliest plant time any mission still refers to (null when none does). */
export async function earliestMissionT(db: Kysely<Database>): Promise<number | null> {
  const row = await db
    .selectFrom('missions')
    .select((eb) => eb.fn.min('from_t').as('t'))
    .executeTakeFirst();
  return row?.t === null || row?.t === undefined ? null : Number(row.t);
}

export async function appendMissionEvent(
  db: Kysely<Database>,
  missionId: string,
  event: { t: number; type: string; payload: Record<string, unknown> },
): Promise<MissionEventRecord> {
  return db.transaction().execute(async (tx) => {
    const top = await tx
      .selectFrom('mission_events')
      .select((eb) => eb.fn.max('idx').as('idx'))
      .where('mission_id', '=', missionId)
      .executeTakeFirst();
    const idx = Number(top?.idx ?? 0) + 1;
    await tx
      .insertInto('mission_events')
      .values({
        mission_id: missionId,
        idx,
        t: event.t,
        type: event.type,
        payload: encodePayload(event.payload),
      })
      .execute();
    return { idx, ...event };
  });
}

export async function listMissionEvents(
  db: Kysely<Database>,
  missionId: string,
): Promise<MissionEventRecord[]> {
  const rows = await db
    .selectFrom('mission_events')
    .select(['idx', 't', 'type', 'payload'])
    .where('mission_id', '=', missionId)
    .orderBy('idx')
    .execute();
  return rows.map((row) => ({
    idx: Number(row.idx),
    t: Number(row.t),
    type: row.type,
    payload: decodePayload<Record<string, unknown>>(row.payload),
  }));
}

/**
 * Snapshots a replay of [fromT, toT] can start from: the latest one at or before fromT (when
 * there is one) and every one inside the span, in seq order.
 */
export async function snapshotsForSpan(
  db: Kysely<Database>,
  fromT: number,
  toT: number,
): Promise<SnapshotRef[]> {
  const rows = await sql<{ seq: string | number; t: string | number }>`
    select seq, t from snapshots
     where t <= ${toT}
       and t >= coalesce((select max(t) from snapshots where t <= ${fromT}), ${fromT})
     order by seq`.execute(db);
  return rows.rows.map((row) => ({ seq: Number(row.seq), t: Number(row.t) }));
}

export async function snapshotBytes(db: Kysely<Database>, seq: number): Promise<Uint8Array | null> {
  const row = await db
    .selectFrom('snapshots')
    .select('bytes')
    .where('seq', '=', seq)
    .executeTakeFirst();
  // pg gives a Buffer; callers decode plain bytes.
  return row === undefined ? null : new Uint8Array(row.bytes);
}

/**
 * Events with `afterSeq < seq` and plant time ≤ `untilT`, in seq order, readings rebuilt from the
 * readings table: the same reconstruction recovery uses.
 */
/** A lighter read for comparisons: readings thinned in time, expectations without their values. */
export interface ReadEventsOptions {
  /** Only readings whose plant time is a multiple of this (ms); events left with none are dropped. */
  readingsEveryMs?: number;
  /** False: expectations events come with no values (they still mark each simulator step). */
  expectationValues?: boolean;
}

export async function readEvents(
  db: Kysely<Database>,
  afterSeq: number,
  untilT: number = Number.MAX_SAFE_INTEGER,
  options: ReadEventsOptions = {},
): Promise<TwinEvent[]> {
  const every = options.readingsEveryMs;
  const eventRows = await db
    .selectFrom('events')
    .select(['seq', 't', 'type'])
    .select(
      options.expectationValues === false
        ? sql<string>`case when type = 'expectations' then '{"values":[]}'::jsonb else payload end`.as(
            'payload',
          )
        : 'payload',
    )
    .where('seq', '>', afterSeq)
    .where('t', '<=', untilT)
    .orderBy('seq')
    .execute();
  const lastRow = eventRows[eventRows.length - 1];
  if (lastRow === undefined) return [];
  const readingRows = await db
    .selectFrom('readings')
    .select(['seq', 'sensor_id', 't', 'value', 'quality'])
    .where('seq', '>', afterSeq)
    .where('seq', '<=', Number(lastRow.seq))
    .$if(every !== undefined, (q) => q.where(sql<boolean>`t % ${every ?? 1} = 0`))
    .orderBy('seq')
    .orderBy('idx')
    .execute();
  const readingsBySeq = new Map<number, Reading[]>();
  for (const row of readingRows) {
    const seq = Number(row.seq);
    let list = readingsBySeq.get(seq);
    if (list === undefined) {
      list = [];
      readingsBySeq.set(seq, list);
    }
    list.push({
      sensorId: row.sensor_id,
      t: Number(row.t),
      value: row.value,
      quality: row.quality as Quality,
    });
  }
  const events: TwinEvent[] = [];
  for (const row of eventRows) {
    const seq = Number(row.seq);
    const t = Number(row.t);
    if (row.type === 'readings') {
      const readings = readingsBySeq.get(seq);
      if (readings !== undefined || every === undefined)
        events.push({ seq, t, type: 'readings', readings: readings ?? [] });
      continue;
    }
    events.push({
      ...decodePayload<Record<string, unknown>>(row.payload),
      seq,
      t,
      type: row.type,
    } as TwinEvent);
  }
  return events;
}

/** Capsule raises and changes with plant time in [fromT, toT], in seq order, at most `limit`. */
export async function capsuleEvents(
  db: Kysely<Database>,
  fromT: number,
  toT: number,
  limit: number,
): Promise<TwinEvent[]> {
  const rows = await db
    .selectFrom('events')
    .select(['seq', 't', 'type', 'payload'])
    .where('type', 'in', ['capsule.raised', 'capsule.changed'])
    .where('t', '>=', fromT)
    .where('t', '<=', toT)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map(
    (row) =>
      ({
        ...decodePayload<Record<string, unknown>>(row.payload),
        seq: Number(row.seq),
        t: Number(row.t),
        type: row.type,
      }) as TwinEvent,
  );
}
