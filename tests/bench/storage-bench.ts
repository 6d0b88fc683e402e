/**
 * Storage bench: readings/s through the store's write path (`append` → durable) on PGlite and,
 * when one answers, PostgreSQL; each against the raw COPY rate of the same rows into a table of
 * the same shape, measured in the same run (the ratio's denominator). Also how long `append`
 * held the caller and the worst event-loop stall while the writer worked, which is what the
 * simulation tick would feel.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { portOpen } from '../integration/ingest/helpers/broker.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { ReadingsEvent } from '../../digital-twin/index.js';
import { openStorage } from '../../sim-server/storage/index.js';
import type { Storage } from '../../sim-server/storage/index.js';
import { copyReadings } from '../../sim-server/storage/postgres-backend.js';
import { copyLines } from '../../sim-server/storage/readings-sql.js';
import { readingRows } from '../../sim-server/storage/write-batch.js';

type Figures = Record<string, number | string>;

const SENSORS = 500;
const TICKS = 200; // 100,000 readings: ~2 s per pass on PGlite, keeps the section under a minute
const STEP_MS = 100;
const T0 = Date.UTC(2026, 0, 1);
const PLANT_ID = 'bench-plant';

function makeEvents(): ReadingsEvent[] {
  return Array.from({ length: TICKS }, (_, tick) => {
    const t = T0 + tick * STEP_MS;
    return {
      seq: tick + 1,
      t,
      type: 'readings' as const,
      readings: Array.from({ length: SENSORS }, (_, s) => ({
        sensorId: `AREA-${Math.floor(s / 50)}.TT-${String(s).padStart(4, '0')}`,
        t,
        value: 20 + Math.sin(tick / 10 + s) * 5,
        quality: 'good' as const,
      })),
    };
  });
}

interface WritePathFigures {
  readingsPerS: number;
  appendMs: number;
  loopDelayMaxMs: number;
  loopDelayP99Ms: number;
  peakQueueDepth: number;
}

/** Appends every event at once and waits until the last one is durable. */
async function timeWritePath(storage: Storage, events: ReadingsEvent[]): Promise<WritePathFigures> {
  const readings = events.reduce((n, e) => n + e.readings.length, 0);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const started = performance.now();
  storage.append(events);
  const appendMs = performance.now() - started;
  const peakQueueDepth = storage.stats().queueDepth;
  await storage.whenDurable(events.length);
  const seconds = (performance.now() - started) / 1000;
  delay.disable();
  return {
    readingsPerS: readings / seconds,
    appendMs,
    loopDelayMaxMs: delay.max / 1e6,
    loopDelayP99Ms: delay.percentile(99) / 1e6,
    peakQueueDepth,
  };
}

async function benchPglite(events: ReadingsEvent[], figures: Figures): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'twinspace-bench-'));
  try {
    const storage = await openStorage({ dataDir, plantId: PLANT_ID });
    const path = await timeWritePath(storage, events);
    await storage.close();

    // Raw COPY of the same rows into a table of the same shape, in the same database.
    const db = await PGlite.create(join(dataDir, 'pglite'));
    const rows = readingRows(events);
    await db.exec('create table readings_copy (like readings including all)');
    const blob = new Blob([...copyLines(rows)]);
    const started = performance.now();
    await db.query(
      "copy readings_copy (sensor_id, t, value, quality, seq, idx) from '/dev/blob'",
      [],
      { blob },
    );
    const copyPerS = rows.length / ((performance.now() - started) / 1000);
    await db.close();

    figures['pglite readings/s via append→durable'] = path.readingsPerS;
    figures['pglite raw COPY rows/s (same rows)'] = copyPerS;
    figures['pglite ratio store/COPY'] = path.readingsPerS / copyPerS;
    figures['pglite append() held caller, ms'] = path.appendMs;
    figures['pglite event-loop stall max, ms'] = path.loopDelayMaxMs;
    figures['pglite event-loop stall p99, ms'] = path.loopDelayP99Ms;
    figures['pglite peak queue depth, rows'] = path.peakQueueDepth;
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function postgresUrl(): Promise<string | null> {
  const fromEnv = process.env.TEST_DATABASE_URL;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return (await portOpen(5432)) ? 'postgres://postgres@127.0.0.1:5432/test' : null;
}

async function benchPostgres(
  url: string,
  events: ReadingsEvent[],
  figures: Figures,
): Promise<void> {
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  const schema = `bench_store_${tag}`;
  const copySchema = `bench_copy_${tag}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const storage = await openStorage({
      dataDir: tmpdir(),
      databaseUrl: url,
      schema,
      plantId: PLANT_ID,
    });
    const path = await timeWritePath(storage, events);
    await storage.close();

    await admin.query(`create schema ${copySchema}`);
    await admin.query(
      `create table ${copySchema}.readings (like ${schema}.readings including all)`,
    );
    const copier = new pg.Client({
      connectionString: url,
      options: `-c search_path=${copySchema}`,
    });
    await copier.connect();
    const rows = readingRows(events);
    const started = performance.now();
    await copyReadings(copier, rows);
    const copyPerS = rows.length / ((performance.now() - started) / 1000);
    await copier.end();

    figures['postgres readings/s via append→durable'] = path.readingsPerS;
    figures['postgres raw COPY rows/s (same rows)'] = copyPerS;
    figures['postgres ratio store/COPY'] = path.readingsPerS / copyPerS;
    figures['postgres append() held caller, ms'] = path.appendMs;
    figures['postgres event-loop stall max, ms'] = path.loopDelayMaxMs;
    figures['postgres event-loop stall p99, ms'] = path.loopDelayP99Ms;
  } finally {
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.query(`drop schema if exists ${copySchema} cascade`);
    await admin.end();
  }
}

/** The worst event-loop stall over `ms` with nothing to do: what this machine's load alone costs. */
async function idleStallMs(ms: number): Promise<number> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  await new Promise((resolve) => setTimeout(resolve, ms));
  delay.disable();
  return delay.max / 1e6;
}

/** The storage section of `npm run bench`. */
export async function benchStorage(): Promise<Figures> {
  const events = makeEvents();
  const figures: Figures = { 'readings per pass': SENSORS * TICKS };
  figures['event-loop stall max while idle (1 s), ms'] = await idleStallMs(1_000);
  await benchPglite(events, figures);
  const url = await postgresUrl();
  if (url === null)
    figures.postgres = 'skipped: no TEST_DATABASE_URL and nothing on 127.0.0.1:5432';
  else await benchPostgres(url, events, figures);
  return figures;
}
