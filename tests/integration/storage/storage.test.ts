/**
 * The event store on every available backend: PGlite always, PostgreSQL when TEST_DATABASE_URL
 * is set. Each case gets its own folder or schema, so cases never see each other's rows.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TwinEvent } from '../../../digital-twin/index.js';
import { StorageQueryError } from '../../../sim-server/storage/index.js';
import type { Storage } from '../../../sim-server/storage/index.js';
import { BACKENDS, createPlace, disposeTemplate } from './helpers/backends.js';
import type { TestPlace } from './helpers/backends.js';
import {
  ackAccepted,
  acknowledged,
  ackRejected,
  capsule,
  raised,
  readingsEvent,
  T0,
} from './helpers/events.js';

afterAll(disposeTemplate);

describe.each(BACKENDS)('storage on $name', ({ name, skip }) => {
  const places: TestPlace[] = [];
  const stores: Storage[] = [];

  async function place(fresh = false): Promise<TestPlace> {
    const p = await createPlace(name, { fresh });
    places.push(p);
    return p;
  }
  async function open(p: TestPlace, options = {}): Promise<Storage> {
    const storage = await p.open(options);
    stores.push(storage);
    return storage;
  }

  afterEach(async () => {
    for (const storage of stores.splice(0)) await storage.close();
    for (const p of places.splice(0)) await p.dispose();
  });

  // PGlite opens take seconds on a loaded 2-core machine; cases open it two or three times.
  const CASE_TIMEOUT_MS = 120_000;
  const test = (title: string, fn: () => Promise<void>): void => {
    if (skip === null) it(title, fn, CASE_TIMEOUT_MS);
    else it.skip(title, fn);
  };
  if (skip !== null) it.skip(`skipped: ${skip}`, () => undefined);

  test('migrations apply to an empty database, and again on reopen without change', async () => {
    const p = await place(true);
    const first = await open(p);
    expect(await first.ping()).toBe(true);
    first.append([readingsEvent(1, T0, [{ sensorId: 'A', t: T0, value: 1, quality: 'good' }])]);
    await first.close();

    const second = await open(p);
    const recovery = await second.loadRecovery();
    expect(recovery.events).toHaveLength(1);
    expect(second.durableSeq()).toBe(1);
    await second.close();

    const [tables, migrations] = await p.withReader((query) =>
      Promise.all([
        query<{ table_name: string }>(
          `select table_name from information_schema.tables
           where table_schema = current_schema() order by table_name`,
        ),
        query<{ name: string }>('select name from kysely_migration'),
      ]),
    );
    expect(tables.map((row) => row.table_name)).toEqual(
      expect.arrayContaining([
        'capsules',
        'commands',
        'events',
        'meta',
        'readings',
        'rejects',
        'snapshots',
        'users',
        'audit',
        'branches',
        'branch_chunks',
      ]),
    );
    expect(migrations.map((row) => row.name)).toEqual([
      '0001-initial',
      '0002-missions',
      '0003-accounts',
      '0004-branches',
    ]);
  });

  test('audit records are append-only: the database refuses to change or delete one', async () => {
    const p = await place();
    const storage = await open(p);
    const record = await storage.accounts.appendAudit({
      at: 1,
      actorId: 'u1',
      actorName: 'Ada',
      role: 'operator',
      action: 'valve.actuate',
      target: 'V-101.POS',
      result: 'accepted',
      reason: null,
      source: '127.0.0.1',
    });
    await storage.close();
    await expect(
      p.withReader((query) =>
        query(`update audit set result = 'rejected' where id = ${record.id}`),
      ),
    ).rejects.toThrow(/append-only/);
    await expect(
      p.withReader((query) => query(`delete from audit where id = ${record.id}`)),
    ).rejects.toThrow(/append-only/);
    const again = await open(p);
    const page = await again.accounts.listAudit({ limit: 10 });
    expect(page.items).toEqual([expect.objectContaining({ id: record.id, result: 'accepted' })]);
    await again.close();
  });

  test('a range query by sensor and time is answered from an index', async () => {
    const p = await place();
    const storage = await open(p);
    await storage.close();
    const plan = await p.withReader(async (query) => {
      // An empty table makes any plan cheap; forbidding sequential scans shows the index exists
      // and fits the query.
      await query('set enable_seqscan = off');
      return query<{ 'QUERY PLAN': string }>(
        `explain select t, value from readings where sensor_id = 'A' and t >= 0 and t < 1000`,
      );
    });
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).toMatch(/Index.*readings/);
    expect(text).not.toMatch(/Seq Scan/);
  });

  test('append, flush and loadRecovery give back the same events in order', async () => {
    const p = await place();
    const storage = await open(p);
    const c = capsule('cap-1');
    const events: TwinEvent[] = [
      readingsEvent(1, T0, [
        { sensorId: 'R-101.TT-01', t: T0, value: 71.5, quality: 'good' },
        { sensorId: 'R-101.PT-01', t: T0, value: Number.NaN, quality: 'bad' },
        { sensorId: 'odd\tid\\with\nescapes', t: T0, value: -0.25, quality: 'uncertain' },
      ]),
      raised(2, c),
      ackAccepted(3, T0 + 1_000, 'cap-1'),
      acknowledged(4, T0 + 1_000, 'cap-1'),
      {
        seq: 5,
        t: T0 + 2_000,
        type: 'actuator.changed',
        actuatorId: 'V-102',
        value: 0.5,
        actor: c.history[0]!.actor,
      },
      {
        seq: 6,
        t: T0 + 2_000,
        type: 'expectations',
        values: [{ sensorId: 'R-101.TT-01', value: Number.NaN }],
      },
      readingsEvent(7, T0 + 3_000, [
        { sensorId: 'R-101.TT-01', t: T0 + 3_000, value: 72, quality: 'good' },
      ]),
    ];
    storage.append(events);
    await storage.flush();
    expect(storage.durableSeq()).toBe(7);

    const recovery = await storage.loadRecovery();
    expect(recovery.snapshot).toBeNull();
    expect(recovery.firstEventT).toBe(T0);
    expect(recovery.events).toEqual(events);

    await storage.close();
    const reopened = await open(p);
    expect(reopened.durableSeq()).toBe(7);
    expect((await reopened.loadRecovery()).events).toEqual(events);
  });

  test('text PostgreSQL cannot hold (NUL, lone surrogates) is stored as U+FFFD, not retried forever', async () => {
    const p = await place();
    const storage = await open(p);
    storage.append([
      raised(1, capsule('c1', { title: 'bad\u0000title', description: 'half \uD83D pair' })),
      {
        seq: 2,
        t: T0,
        type: 'annotation',
        annotationId: 'a1',
        text: 'nul\u0000 and \uDC00 alone, 😀 kept',
        actor: { id: 'u', name: 'U', role: 'operator' },
        equipmentId: null,
        capsuleId: null,
      },
    ]);
    await storage.flush();
    expect(storage.stats().writeErrors).toBe(0);
    const { events } = await storage.loadRecovery();
    expect(events[1]).toMatchObject({ text: 'nul\uFFFD and \uFFFD alone, 😀 kept' });
    expect(await storage.getCapsule('c1')).toMatchObject({
      title: 'bad\uFFFDtitle',
      description: 'half \uFFFD pair',
    });
    expect((await storage.listCapsules({ limit: 5, text: 'half' })).items).toHaveLength(1);
  });

  test('recovery starts at the latest snapshot and returns only later events', async () => {
    const p = await place();
    const storage = await open(p);
    const events = [1, 2, 3, 4, 5].map((seq) =>
      readingsEvent(seq, T0 + seq * 100, [
        { sensorId: 'A', t: T0 + seq * 100, value: seq, quality: 'good' },
      ]),
    );
    storage.append(events.slice(0, 2));
    storage.appendSnapshot({ seq: 2, t: T0 + 200, bytes: new Uint8Array([1, 2]) });
    storage.append(events.slice(2, 4));
    storage.appendSnapshot({ seq: 4, t: T0 + 400, bytes: new Uint8Array([0, 255, 7, 0]) });
    storage.append(events.slice(4));
    await storage.flush();

    const recovery = await storage.loadRecovery();
    expect(recovery.snapshot).toEqual({
      seq: 4,
      t: T0 + 400,
      bytes: new Uint8Array([0, 255, 7, 0]),
    });
    expect(recovery.events).toEqual(events.slice(4));
    expect(recovery.firstEventT).toBe(T0 + 100);
  });

  test('a re-delivered reading is stored once and costs no write error', async () => {
    const p = await place();
    const storage = await open(p);
    const a = { sensorId: 'A', t: T0, value: 1, quality: 'good' } as const;
    const b = { sensorId: 'A', t: T0 + 100, value: 2, quality: 'good' } as const;
    storage.append([readingsEvent(1, T0, [a, b])]);
    await storage.flush();
    storage.append([
      readingsEvent(2, T0 + 100, [b, { sensorId: 'A', t: T0 + 200, value: 3, quality: 'good' }]),
    ]);
    await storage.flush();

    const raw = await storage.readings({ sensorId: 'A', from: T0, to: T0 + 1_000 });
    expect(raw).toEqual({
      kind: 'raw',
      readings: [
        { t: T0, value: 1, quality: 'good' },
        { t: T0 + 100, value: 2, quality: 'good' },
        { t: T0 + 200, value: 3, quality: 'good' },
      ],
    });
    expect(storage.stats().writeErrors).toBe(0);
    expect(storage.durableSeq()).toBe(2);
  });

  test('bucketed readings give the hand-computed avg, min, max and count, leaving bad values out', async () => {
    const p = await place();
    const storage = await open(p);
    const minute = 60_000;
    const values: [number, number, 'good' | 'bad' | 'uncertain'][] = [
      // bucket 0: 10, 20, 30 (and a bad NaN) → avg 20
      [0, 10, 'good'],
      [15_000, 20, 'good'],
      [30_000, Number.NaN, 'bad'],
      [45_000, 30, 'uncertain'],
      // bucket 1: 1 and 4 → avg 2.5
      [minute, 1, 'good'],
      [minute + 59_999, 4, 'good'],
      // bucket 2: only bad → present with no aggregate
      [2 * minute + 5, Number.NaN, 'bad'],
      // bucket 4 (bucket 3 empty): -7
      [4 * minute, -7, 'good'],
      // outside the range asked for
      [5 * minute, 1_000, 'good'],
    ];
    storage.append(
      values.map(([dt, value, quality], i) =>
        readingsEvent(i + 1, T0 + dt, [{ sensorId: 'R-101.TT-01', t: T0 + dt, value, quality }]),
      ),
    );
    storage.append([
      readingsEvent(values.length + 1, T0, [
        { sensorId: 'other', t: T0, value: 99, quality: 'good' },
      ]),
    ]);
    await storage.flush();

    const result = await storage.readings({
      sensorId: 'R-101.TT-01',
      from: T0,
      to: T0 + 5 * minute,
      bucketMs: minute,
    });
    expect(result).toEqual({
      kind: 'buckets',
      bucketMs: minute,
      buckets: [
        { t: T0, avg: 20, min: 10, max: 30, count: 3 },
        { t: T0 + minute, avg: 2.5, min: 1, max: 4, count: 2 },
        { t: T0 + 2 * minute, avg: null, min: null, max: null, count: 0 },
        { t: T0 + 4 * minute, avg: -7, min: -7, max: -7, count: 1 },
      ],
    });
  });

  test('capsules filter by state, severity, zone and text', async () => {
    const p = await place();
    const zones: Record<string, string> = { 'R-101': 'reaction', 'P-201': 'utilities' };
    const storage = await open(p, { zoneOf: (equipmentId: string) => zones[equipmentId] ?? null });
    storage.append([
      raised(
        1,
        capsule('c1', { severity: 'critical', raisedAt: T0 + 1, title: 'Reactor overheating' }),
      ),
      raised(
        2,
        capsule('c2', {
          severity: 'warning',
          raisedAt: T0 + 2,
          equipmentId: 'P-201',
          title: 'Pump vibration',
          description: '100% over_limit',
        }),
      ),
      raised(3, capsule('c3', { severity: 'info', raisedAt: T0 + 3, title: 'Reactor drift' })),
      acknowledged(4, T0 + 10, 'c3'),
    ]);
    await storage.flush();
    const ids = async (q: Parameters<Storage['listCapsules']>[0]): Promise<string[]> =>
      (await storage.listCapsules(q)).items.map((c) => c.id);

    expect(await ids({ limit: 10 })).toEqual(['c3', 'c2', 'c1']);
    expect(await ids({ limit: 10, state: ['acknowledged'] })).toEqual(['c3']);
    expect(await ids({ limit: 10, state: ['active'], severity: ['critical', 'warning'] })).toEqual([
      'c2',
      'c1',
    ]);
    expect(await ids({ limit: 10, zone: 'utilities' })).toEqual(['c2']);
    expect(await ids({ limit: 10, text: 'reactor' })).toEqual(['c3', 'c1']);
    // LIKE wildcards in the text are matched literally.
    expect(await ids({ limit: 10, text: '0% over_' })).toEqual(['c2']);
    expect(await ids({ limit: 10, text: '%' })).toEqual(['c2']);

    const c3 = await storage.getCapsule('c3');
    expect(c3?.state).toBe('acknowledged');
    expect(c3?.zone).toBe('reaction');
    expect(c3?.history.map((h) => [h.action, h.actor.id])).toEqual([
      ['raised', 'system'],
      ['acknowledged', 'u-alice'],
    ]);
    expect(await storage.getCapsule('nope')).toBeNull();
    await expect(storage.listCapsules({ limit: 10, state: ['open'] })).rejects.toMatchObject({
      field: 'state',
    });
    await expect(storage.listCapsules({ limit: 0 })).rejects.toMatchObject({ field: 'limit' });
  });

  test('capsule pages neither skip nor repeat rows while new capsules arrive', async () => {
    const p = await place();
    const storage = await open(p);
    // Pairs share raisedAt so the id tie-break is exercised.
    const initial = Array.from({ length: 25 }, (_, i) =>
      raised(
        i + 1,
        capsule(`c${String(i).padStart(2, '0')}`, { raisedAt: T0 + Math.floor(i / 2) }),
      ),
    );
    storage.append(initial);
    await storage.flush();

    const seen: string[] = [];
    let cursor: string | undefined;
    let seq = initial.length;
    for (let page = 0; page < 20; page += 1) {
      const result = await storage.listCapsules({
        limit: 4,
        ...(cursor === undefined ? {} : { cursor }),
      });
      seen.push(...result.items.map((c) => c.id));
      // A newer capsule lands between page requests.
      seq += 1;
      storage.append([raised(seq, capsule(`new-${seq}`, { raisedAt: T0 + 1_000 + seq }))]);
      await storage.flush();
      if (result.nextCursor === null) break;
      cursor = result.nextCursor;
    }
    const expected = initial
      .map((e) => e.capsule.id)
      .sort()
      .reverse();
    expect(seen).toEqual(expected);
  });

  test('commands leave an audit row with who, what, when and the answer', async () => {
    const p = await place();
    const storage = await open(p);
    storage.append([
      raised(1, capsule('c1')),
      ackAccepted(2, T0 + 5, 'c1'),
      acknowledged(3, T0 + 5, 'c1'),
      ackRejected(4, T0 + 6, 'c1'),
      raised(5, capsule('c2')),
      ackAccepted(6, T0 + 7, 'c2'),
    ]);
    await storage.flush();

    const all = await storage.listCommands({ limit: 2 });
    expect(all.items.map((c) => [c.seq, c.commandId, c.status])).toEqual([
      [6, 'cmd-6', 'accepted'],
      [4, 'cmd-4', 'rejected'],
    ]);
    expect(all.items[1]).toMatchObject({
      t: T0 + 6,
      actor: { id: 'u-alice', name: 'Alice', role: 'operator' },
      type: 'capsule.ack',
      command: { type: 'capsule.ack', commandId: 'cmd-4', capsuleId: 'c1' },
      code: 'illegal_transition',
      reason: 'capsule is already acknowledged',
    });
    const next = await storage.listCommands({ limit: 2, cursor: all.nextCursor ?? 'missing' });
    expect(next.items.map((c) => c.seq)).toEqual([2]);
    expect(next.nextCursor).toBeNull();
    const forC1 = await storage.listCommands({ limit: 10, capsuleId: 'c1' });
    expect(forC1.items.map((c) => c.seq)).toEqual([4, 2]);
  });

  test('rejects are stored with raw input cut to 4 KB on a character boundary', async () => {
    const p = await place();
    const storage = await open(p);
    const raw = `${'x'.repeat(4095)}é${'y'.repeat(6000)}`;
    storage.appendReject({
      source: 'mqtt',
      reason: 'bad_json',
      detail: 'Unexpected token',
      raw,
      t: T0,
    });
    storage.appendReject({
      source: 'room',
      reason: 'nul',
      detail: 'nul byte',
      raw: 'a\u0000b',
      t: T0 + 1,
    });
    await storage.flush();
    await storage.close();
    const rows = await p.withReader((query) =>
      query<{ source: string; reason: string; raw: string; t: number | string }>(
        'select source, reason, raw, t from rejects order by id',
      ),
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ source: 'mqtt', reason: 'bad_json' });
    // 'é' is two bytes: it would end at byte 4097, so the cut falls before it.
    expect(rows[0]?.raw).toBe('x'.repeat(4095));
    expect(rows[1]?.raw).toBe('a\uFFFDb');
    expect(Number(rows[1]?.t)).toBe(T0 + 1);
  });

  test('whenDurable resolves only once another reader sees the rows', async () => {
    const p = await place();
    const storage = await open(p, { flushIntervalMs: 200 });
    storage.append([readingsEvent(1, T0, [{ sensorId: 'A', t: T0, value: 1, quality: 'good' }])]);
    // Not durable the moment append returns: it was only queued.
    expect(storage.durableSeq()).toBe(0);
    expect(storage.stats().queueDepth).toBe(2);
    await storage.whenDurable(1);
    expect(storage.durableSeq()).toBe(1);
    const counts = await p.withReader(
      (query) =>
        query<{ events: number | string; readings: number | string }>(
          'select (select count(*) from events) as events, (select count(*) from readings) as readings',
        ),
      { whileOpen: true },
    );
    expect(counts.map((row) => [Number(row.events), Number(row.readings)])).toEqual([[1, 1]]);
    expect(storage.stats()).toMatchObject({ queueDepth: 0, written: 2, writeErrors: 0 });
  });

  // PGlite has no second connection to break writes from; write-queue.test.ts covers its retry.
  (name === 'postgres' ? test : it.skip)(
    'a batch the database refuses is retried until it lands, and nothing is lost',
    async () => {
      const p = await place();
      const storage = await open(p, { flushIntervalMs: 10 });
      await p.withReader((query) =>
        query('alter table events add constraint refuse_writes check (seq < 0) not valid'),
      );
      storage.append([1, 2, 3].map((seq) => readingsEvent(seq, T0 + seq, [])));
      const durable = storage.whenDurable(3);
      await expect.poll(() => storage.stats().writeErrors, { timeout: 10_000 }).toBeGreaterThan(0);
      expect(storage.durableSeq()).toBe(0);
      expect(storage.stats().queueDepth).toBe(3);
      await p.withReader((query) => query('alter table events drop constraint refuse_writes'));
      await durable;
      expect((await storage.loadRecovery()).events.map((e) => e.seq)).toEqual([1, 2, 3]);
    },
  );

  test('a bad cursor is an error that names the cursor field', async () => {
    const p = await place();
    const storage = await open(p);
    const bad = storage.listCapsules({ limit: 5, cursor: 'not a cursor!' });
    await expect(bad).rejects.toBeInstanceOf(StorageQueryError);
    await expect(bad).rejects.toMatchObject({ field: 'cursor' });
    const garbled = storage.listCapsules({ limit: 5, cursor: 'eyJub3QiOiJqc29u' });
    await expect(garbled).rejects.toMatchObject({ field: 'cursor' });
    storage.append([raised(1, capsule('c1')), ackAccepted(2, T0, 'c1'), ackAccepted(3, T0, 'c1')]);
    await storage.flush();
    const commandsCursor = (await storage.listCommands({ limit: 1 })).nextCursor;
    expect(commandsCursor).not.toBeNull();
    // A cursor from another list is refused rather than silently misread.
    await expect(storage.listCapsules({ limit: 5, cursor: commandsCursor ?? '' })).rejects.toThrow(
      /cursor: .*another list/,
    );
  });

  test('events must arrive in seq order without gaps, and a store refuses another plant', async () => {
    const p = await place();
    const storage = await open(p);
    expect(() => storage.append([readingsEvent(2, T0, [])])).toThrow(/expected seq 1, got 2/);
    // Rows the database would refuse are refused here, before they could block the queue.
    const fractional = readingsEvent(1, T0, [
      { sensorId: 'A', t: T0 + 0.5, value: 1, quality: 'good' },
    ]);
    expect(() => storage.append([fractional])).toThrow(/reading of A in event 1 has t/);
    expect(() => storage.append([readingsEvent(1, T0, []), readingsEvent(3, T0, [])])).toThrow(
      /expected seq 2, got 3/,
    );
    expect(storage.stats().queueDepth).toBe(0);
    storage.append([readingsEvent(1, T0, [])]);
    await storage.close();
    await expect(p.open({ plantId: 'other-plant' })).rejects.toThrow(
      /plant "test-plant", not "other-plant"/,
    );
  });

  test('a log resumes after a snapshot that was stored ahead of its events', async () => {
    const p = await place();
    const storage = await open(p);
    storage.append([readingsEvent(1, T0, [])]);
    storage.appendSnapshot({ seq: 3, t: T0 + 300, bytes: new Uint8Array([3]) });
    await storage.close();
    const reopened = await open(p);
    expect(reopened.durableSeq()).toBe(3);
    reopened.append([readingsEvent(4, T0 + 400, [])]);
    await reopened.flush();
    const recovery = await reopened.loadRecovery();
    expect(recovery.snapshot?.seq).toBe(3);
    expect(recovery.events.map((e) => e.seq)).toEqual([4]);
  });
});
