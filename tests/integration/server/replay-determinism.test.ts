/**
 * A replay is the live run again: the twin a replay folds to plant time t hashes the same as the
 * live twin had at t — seeking forwards and back, across snapshot boundaries, after the server
 * restarted, and after the log before the mission was pruned.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashState } from '../../../digital-twin/index.js';
import { ReplayCursor } from '../../../sim-server/missions/replay-cursor.js';
import { storeReplayLog } from '../../../sim-server/missions/store-replay-log.js';
import { openStorage } from '../../../sim-server/storage/storage.js';
import type { Storage } from '../../../sim-server/storage/storage.js';
import { startTestServer, waitFor } from './helpers.js';
import type { TestServer } from './helpers.js';

/** Plant ms between sampled live hashes: not a multiple of the 10 s snapshot interval. */
const SAMPLE_MS = 7_300;

let server: TestServer;
/** Live twin hash at plant time t, for times whose every event is in (a later t was seen). */
const live = new Map<number, string>();
let reopened: Storage | undefined;

beforeAll(async () => {
  server = await startTestServer({ SNAPSHOT_EVERY_S: '10' });
  const engine = server.server.engine;
  let pending: { t: number; hash: string } | null = null;
  let nextSample = engine.twin.t + SAMPLE_MS;
  const stop = engine.subscribe((_events, twin) => {
    if (pending !== null && twin.t > pending.t) {
      live.set(pending.t, pending.hash);
      pending = null;
    }
    if (pending !== null && twin.t === pending.t) pending.hash = hashState(twin);
    if (twin.t >= nextSample) {
      pending = { t: twin.t, hash: hashState(twin) };
      nextSample = twin.t + SAMPLE_MS;
    }
  });
  // Past the critical alarm, so capsules and commands-free fault events are in the span.
  await waitFor(() => live.size >= 45, 'live hashes over five minutes of plant time', 90_000);
  stop();
  await server.server.storage.flush();
}, 120_000);

afterAll(async () => {
  await reopened?.close();
  await server?.server.close().catch(() => undefined);
  rmSync(server.dataDir, { recursive: true, force: true });
});

async function replayHashes(storage: Storage, times: readonly number[]): Promise<string[]> {
  const sorted = [...live.keys()].sort((a, b) => a - b);
  const fromT = sorted[0] ?? 0;
  const toT = sorted[sorted.length - 1] ?? 0;
  const cursor = new ReplayCursor(
    server.server.engine.plant,
    await storeReplayLog(storage, fromT, toT),
    toT,
  );
  const hashes: string[] = [];
  for (const t of times) {
    await cursor.seek(t);
    hashes.push(hashState(cursor.twin));
  }
  return hashes;
}

describe('replay determinism', () => {
  // Folding five minutes of plant time twice over takes a few seconds alone, far longer on a
  // busy 2-core machine.
  it(
    'matches the live twin at every sampled time, played forward',
    { timeout: 120_000 },
    async () => {
      const times = [...live.keys()].sort((a, b) => a - b);
      const snapshots = await server.server.storage.snapshotsForSpan(
        times[0] ?? 0,
        times[times.length - 1] ?? 0,
      );
      // The span crosses many snapshot boundaries.
      expect(snapshots.length).toBeGreaterThan(10);
      expect(await replayHashes(server.server.storage, times)).toEqual(
        times.map((t) => live.get(t)),
      );
    },
  );

  it('matches when seeking back and forth in a shuffled order', { timeout: 120_000 }, async () => {
    const times = [...live.keys()].sort((a, b) => a - b);
    // A fixed shuffle: late, early, middle, back again.
    const order = times.map((_, i) => times[(i * 17) % times.length] as number);
    expect(await replayHashes(server.server.storage, order)).toEqual(order.map((t) => live.get(t)));
  });

  it(
    'matches after the server restarted and the log before the span was pruned',
    { timeout: 60_000 },
    async () => {
      const times = [...live.keys()].sort((a, b) => a - b);
      const fromT = times[Math.floor(times.length / 2)] as number;
      const toT = times[times.length - 1] as number;
      // A mission over the second half protects it from pruning.
      await server.server.missions.create(
        { title: 'kept', span: { kind: 'explicit', from: fromT, to: toT } },
        { id: 'test', name: 'test', role: 'operator' },
      );
      await server.server.close();
      reopened = await openStorage({ dataDir: server.dataDir, plantId: 'demo-reactor' });
      const pruned = await reopened.pruneBefore(toT);
      expect(pruned.events).toBeGreaterThan(0);
      expect(pruned.keptFromT).toBeLessThanOrEqual(fromT);
      const kept = times.filter((t) => t >= fromT).reverse();
      const cursor = new ReplayCursor(
        server.server.engine.plant,
        await storeReplayLog(reopened, fromT, toT),
        toT,
      );
      for (const t of kept) {
        await cursor.seek(t);
        expect(hashState(cursor.twin), `hash at ${t}`).toBe(live.get(t));
      }
    },
  );
});
