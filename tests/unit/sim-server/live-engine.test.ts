/**
 * The live engine against an in-memory store and an injected clock: pacing, back-pressure,
 * commands, and — the point of the log — a restart that rebuilds exactly the twin and simulator
 * the first engine had, so both go on to produce the same states.
 */
import { describe, expect, it } from 'vitest';
import { actuatorValue, hashState } from '../../../digital-twin/index.js';
import type { Scenario, TwinEvent } from '../../../digital-twin/index.js';
import { LiveEngine } from '../../../sim-server/live/live-engine.js';
import type { EngineStore } from '../../../sim-server/live/live-engine.js';
import { SILENT_LOGGER } from '../../../sim-server/logger.js';
import { ServerMetrics } from '../../../sim-server/metrics/server-metrics.js';
import type { StoredSnapshot } from '../../../sim-server/storage/storage.js';
import { tinyPlant } from '../digital-twin/fixtures/tiny-plant.js';

// The tiny plant keeps hundreds of steps cheap; the demo plant runs in the integration tests.
const plant = tinyPlant();
const scenario: Scenario = {
  id: 'pump-trip',
  name: 'Pump trip',
  plantId: 'tiny',
  description: 'P-1 trips after 2 s',
  steps: [{ atMs: 2000, fault: { kind: 'pump.trip', target: 'P-1' } }],
};
/** Tests count steps exactly, so they lift the tick's wall-time budget. */
const UNBOUNDED = Infinity;

/** A store that keeps everything in arrays and is durable at once. */
class MemoryStore implements EngineStore {
  events: TwinEvent[] = [];
  snapshots: StoredSnapshot[] = [];
  overLimit = false;
  append(events: readonly TwinEvent[]): void {
    this.events.push(...events);
  }
  appendSnapshot(snapshot: StoredSnapshot): void {
    this.snapshots.push(snapshot);
  }
  durableSeq(): number {
    return this.events.at(-1)?.seq ?? 0;
  }
  stats(): ReturnType<EngineStore['stats']> {
    return {
      queueDepth: 0,
      queueLimit: 1,
      overLimit: this.overLimit,
      written: this.events.length,
      writeErrors: 0,
      lastBatchMs: 0,
      durableSeq: this.durableSeq(),
    };
  }
  loadRecovery(): ReturnType<EngineStore['loadRecovery']> {
    const snapshot = this.snapshots.at(-1) ?? null;
    return Promise.resolve({
      snapshot,
      events: this.events.filter((e) => e.seq > (snapshot?.seq ?? 0)),
      firstEventT: this.events[0]?.t ?? null,
    });
  }
}

function clock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

async function openEngine(
  store: MemoryStore,
  now: () => number,
  timeScale = 10,
): Promise<LiveEngine> {
  return LiveEngine.open({
    plant,
    scenario,
    seed: 7,
    timeScale,
    snapshotEveryS: 5,
    store,
    metrics: new ServerMetrics(),
    log: SILENT_LOGGER,
    now,
  });
}

describe('LiveEngine', () => {
  it('starts fresh with a snapshot and steps plant time at TIME_SCALE with gap-free events', async () => {
    const store = new MemoryStore();
    const wall = clock();
    const engine = await openEngine(store, wall.now);
    expect(engine.startInfo.kind).toBe('fresh');
    expect(store.snapshots.map((s) => s.seq)).toEqual([0]);
    engine.start();
    engine.stop();
    const t0 = engine.t;
    wall.advance(1000); // 1 s of wall time at 10× = 10 s of plant time = 100 steps
    expect(engine.tick(1000, UNBOUNDED)).toBe(100);
    expect(engine.t).toBe(t0 + 10_000);
    expect(store.events.map((e) => e.seq)).toEqual(store.events.map((_, i) => i + 1));
    expect(store.events.some((e) => e.type === 'readings')).toBe(true);
  });

  it('catches up in bounded batches and holds plant time while storage is over its limit', async () => {
    const store = new MemoryStore();
    const wall = clock();
    const engine = await openEngine(store, wall.now);
    engine.start();
    engine.stop();
    wall.advance(5000); // 500 steps due
    expect(engine.tick(200, UNBOUNDED)).toBe(200);
    store.overLimit = true;
    const t = engine.t;
    wall.advance(1000);
    expect(engine.tick(200, UNBOUNDED)).toBe(0);
    expect(engine.t).toBe(t);
    expect(engine.backPressured).toBe(true);
    store.overLimit = false;
    wall.advance(100);
    // Plant time resumes from where it paused instead of jumping over the pause.
    expect(engine.tick(200, UNBOUNDED)).toBe(10);
    expect(engine.backPressured).toBe(false);
  });

  it('answers each command with one ack and logs rejections for the audit trail', async () => {
    const store = new MemoryStore();
    const wall = clock();
    const engine = await openEngine(store, wall.now);
    const actor = { id: 's1', name: 'Alice', role: 'operator' as const };
    const unknown = engine.command(
      { type: 'capsule.ack', commandId: 'c1', capsuleId: 'C-404' },
      actor,
    );
    expect(unknown.ack).toMatchObject({
      commandId: 'c1',
      status: 'rejected',
      code: 'unknown_capsule',
    });
    expect(store.events.at(-1)?.type).toBe('command.rejected');
    const note = engine.command(
      { type: 'annotation.add', commandId: 'c2', text: 'hello', equipmentId: 'R-1' },
      actor,
    );
    expect(note.ack).toEqual({ commandId: 'c2', status: 'accepted' });
  });

  it('rebuilds the same twin and simulator after a restart, from a snapshot plus later events', async () => {
    const store = new MemoryStore();
    const wall = clock();
    const first = await openEngine(store, wall.now, 10);
    first.start();
    first.stop();
    const actor = { id: 's1', name: 'Alice', role: 'operator' as const };
    for (let i = 0; i < 20; i++) {
      wall.advance(300); // 3 s of plant time per tick; snapshots every 5 s land mid-run
      first.tick(1000, UNBOUNDED);
      if (i === 4) {
        const ack = first.command(
          { type: 'valve.actuate', commandId: 'v', actuatorId: 'V-1.POS', position: 0.2 },
          actor,
        );
        expect(ack.ack.status).toBe('accepted');
      }
      if (i === 11)
        expect(
          first.command({ type: 'pump.stop', commandId: 'p', actuatorId: 'P-1.RUN' }, actor).ack
            .status,
        ).toBe('accepted');
    }
    expect(store.snapshots.length).toBeGreaterThan(3);
    // Drop the latest snapshot so recovery has to fold events after an older one, across a command.
    store.snapshots.splice(2);

    const second = await openEngine(store, wall.now, 10);
    expect(second.startInfo).toMatchObject({
      kind: 'recovered',
      seq: first.twin.seq,
      snapshotSeq: store.snapshots[1]?.seq,
    });
    expect(second.startInfo.replayed).toBeGreaterThan(0);
    expect(hashState(second.twin)).toBe(hashState(first.twin));
    expect(actuatorValue(second.twin, 'V-1.POS')).toBe(0.2);

    // Both go on identically: the simulator was restored exactly (actuators and fault included).
    for (const engine of [first, second]) {
      engine.start();
      engine.stop();
    }
    wall.advance(500);
    expect(first.tick(1000, UNBOUNDED)).toBe(50);
    expect(second.tick(1000, UNBOUNDED)).toBe(50);
    expect(second.twin.seq).toBe(first.twin.seq);
    expect(hashState(second.twin)).toBe(hashState(first.twin));
  });
});
