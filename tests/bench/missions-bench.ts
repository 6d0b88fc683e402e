/**
 * Replay figures on a one-hour recording of a 2,000-sensor synthetic plant (100 ms steps, a
 * snapshot every 10 s of plant time): seek latency of the ReplayCursor (nearest snapshot, cached
 * chunks, fold forward) to random times, beside decoding the nearest snapshot alone and a fresh
 * cursor per seek (decode + fold, nothing cached); and how fast playback can run — plant time
 * folded per wall second, as a multiple of real time, when the playback clock ticks every 50 ms.
 * The hour is simulated here; only the chunks the seeks and the playback read are kept in
 * memory (the whole hour's readings would be 72 M objects).
 */
import { performance } from 'node:perf_hooks';
import {
  advance,
  compilePlant,
  createRun,
  decodeSnapshot,
  encodeRun,
  generateSyntheticPlant,
} from '../../digital-twin/index.js';
import type { TwinEvent } from '../../digital-twin/index.js';
import { ReplayCursor } from '../../sim-server/missions/replay-cursor.js';
import type { ReplayLog } from '../../sim-server/missions/replay-cursor.js';
import { REPLAY_TICK_MS } from '../../sim-server/rooms/replay-room.js';
import { percentile } from './percentile.js';

type Figures = Record<string, number | string>;

const T0 = Date.UTC(2026, 0, 1);
const SENSORS = 2000;
const SNAPSHOT_EVERY_MS = 10_000;
const SPAN_MS = 60 * 60_000;
const SEEKS = 60;
/** Playback is measured over these three minutes of the hour. */
const PLAYBACK_FROM_MS = 20 * 60_000;
const PLAYBACK_MS = 3 * 60_000;

/** Whether events at plant time t are kept: the chunks a seek target or the playback reads. */
function kept(t: number, seekChunks: ReadonlySet<number>): boolean {
  const chunk = Math.floor((t - T0) / SNAPSHOT_EVERY_MS);
  const from = T0 + PLAYBACK_FROM_MS;
  // The chunk before a snapshot boundary is read up to the boundary's event, so keep one more.
  return (
    seekChunks.has(chunk) ||
    seekChunks.has(chunk - 1) ||
    (t >= from - SNAPSHOT_EVERY_MS && t <= from + PLAYBACK_MS + SNAPSHOT_EVERY_MS)
  );
}

/** A recorded hour in memory: a snapshot every 10 s and the events of the chunks read. */
function record(): {
  log: ReplayLog;
  plant: ReturnType<typeof compilePlant>;
  events: number;
  recordS: number;
} {
  const started = performance.now();
  const plant = compilePlant(generateSyntheticPlant({ sensors: SENSORS, seed: 7 }));
  const run = createRun({ plant, seed: 3, t0: T0 });
  const seekChunks = new Set(targets().map((t) => Math.floor((t - T0) / SNAPSHOT_EVERY_MS)));
  const events: TwinEvent[] = [];
  let total = 0;
  const snapshots: { seq: number; t: number }[] = [];
  const bytes = new Map<number, Uint8Array>();
  let nextSnapshot = T0 + SNAPSHOT_EVERY_MS;
  while (run.sim.t < T0 + SPAN_MS) {
    const step = advance(run);
    total += step.length;
    if (kept(run.sim.t, seekChunks)) for (const event of step) events.push(event);
    if (run.twin.t >= nextSnapshot) {
      snapshots.push({ seq: run.twin.seq, t: run.twin.t });
      bytes.set(run.twin.seq, encodeRun(run));
      nextSnapshot += SNAPSHOT_EVERY_MS;
    }
  }
  const log: ReplayLog = {
    snapshots,
    snapshotBytes: (seq) => Promise.resolve(bytes.get(seq) as Uint8Array),
    events: (afterSeq, untilT) => {
      let lo = 0;
      let hi = events.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((events[mid] as TwinEvent).seq <= afterSeq) lo = mid + 1;
        else hi = mid;
      }
      const out: TwinEvent[] = [];
      for (let i = lo; i < events.length && (events[i] as TwinEvent).t <= untilT; i += 1)
        out.push(events[i] as TwinEvent);
      return Promise.resolve(out);
    },
  };
  return { log, plant, events: total, recordS: (performance.now() - started) / 1000 };
}

/** Deterministic seek targets spread over the span. */
function targets(): number[] {
  let x = 12345;
  const out: number[] = [];
  for (let i = 0; i < SEEKS; i += 1) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out.push(T0 + 1000 + Math.floor((x / 2 ** 31) * (SPAN_MS - 2000)));
  }
  return out;
}

async function seekTimes(make: () => ReplayCursor, fresh: boolean): Promise<number[]> {
  let cursor = make();
  const times: number[] = [];
  for (const t of targets()) {
    if (fresh) cursor = make();
    const start = performance.now();
    await cursor.seek(t);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

/** Decoding the snapshot at or before each target, alone: the floor under any seek. */
async function decodeTimes(
  log: ReplayLog,
  plant: ReturnType<typeof compilePlant>,
): Promise<number[]> {
  const times: number[] = [];
  for (const t of targets()) {
    const snapshot = [...log.snapshots].reverse().find((s) => s.t <= t);
    if (snapshot === undefined) continue;
    const bytes = await log.snapshotBytes(snapshot.seq);
    const start = performance.now();
    decodeSnapshot(bytes, plant);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

export async function benchMissions(): Promise<Figures> {
  const { log, plant, events, recordS } = record();
  const toT = T0 + SPAN_MS;
  const make = () => new ReplayCursor(plant, log, toT);
  // Warm-up, then the baselines: the snapshot decode alone, and a new cursor per seek (decode
  // and fold, nothing cached).
  await seekTimes(make, true);
  const decode = await decodeTimes(log, plant);
  const baseline = await seekTimes(make, true);
  const cursorTimes = await seekTimes(make, false);

  // Playback: ticks of REPLAY_TICK_MS at 100×, over three minutes of the hour.
  const playback = make();
  const from = T0 + PLAYBACK_FROM_MS;
  await playback.seek(from);
  const step = REPLAY_TICK_MS * 100;
  const ticks: number[] = [];
  const start = performance.now();
  for (let t = from + step; t <= from + PLAYBACK_MS; t += step) {
    const begin = performance.now();
    await playback.seek(t);
    ticks.push(performance.now() - begin);
  }
  const wall = performance.now() - start;
  ticks.sort((a, b) => a - b);
  return {
    sensors: SENSORS,
    'span, plant s': SPAN_MS / 1000,
    'snapshot every, plant s': SNAPSHOT_EVERY_MS / 1000,
    events,
    'recording the hour, s': recordS,
    'seek p50, ms (cursor)': percentile(cursorTimes, 0.5),
    'seek p99, ms (cursor)': percentile(cursorTimes, 0.99),
    'goal seek p99, ms': 100,
    'decode nearest snapshot alone p50, ms': percentile(decode, 0.5),
    'decode nearest snapshot alone p99, ms': percentile(decode, 0.99),
    'seek p99 / decode alone p99': percentile(cursorTimes, 0.99) / percentile(decode, 0.99),
    'seek p50, ms (decode+fold baseline)': percentile(baseline, 0.5),
    'seek p99, ms (decode+fold baseline)': percentile(baseline, 0.99),
    'seek p50 ratio baseline/cursor': percentile(baseline, 0.5) / percentile(cursorTimes, 0.5),
    'playback tick at 100× p50, ms': percentile(ticks, 0.5),
    'playback tick at 100× p99, ms': percentile(ticks, 0.99),
    [`tick budget, ms`]: REPLAY_TICK_MS,
    'fastest playback, × real time': PLAYBACK_MS / wall,
    'goal playback, × real time': 99,
  };
}
