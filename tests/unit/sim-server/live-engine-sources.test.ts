/**
 * The live engine with real sources in its seat: sensors a source owns come only from `ingest`
 * (the simulator's readings for them are dropped, its expectations kept), and a command that
 * moves an actuator a source owns is accepted only when the plant takes the write.
 */
import { describe, expect, it } from 'vitest';
import { actuatorValue, sensorReading } from '../../../digital-twin/index.js';
import type { TwinEvent } from '../../../digital-twin/index.js';
import { LiveEngine } from '../../../sim-server/live/live-engine.js';
import type { ActuatorWriter, EngineStore } from '../../../sim-server/live/live-engine.js';
import type { SourceWriteResult } from '../../../sim-server/ingest/source.js';
import { SILENT_LOGGER } from '../../../sim-server/logger.js';
import { ServerMetrics } from '../../../sim-server/metrics/server-metrics.js';
import { tinyPlant } from '../digital-twin/fixtures/tiny-plant.js';

const plant = tinyPlant();
const T0 = 1_700_000_000_000;
const OPERATOR = { id: 'u1', name: 'Olga', role: 'operator' as const };

function memoryStore(): EngineStore & { events: TwinEvent[] } {
  const events: TwinEvent[] = [];
  return {
    events,
    append: (batch) => void events.push(...batch),
    appendSnapshot: () => undefined,
    durableSeq: () => events.at(-1)?.seq ?? 0,
    stats: () => ({
      queueDepth: 0,
      queueLimit: 1,
      overLimit: false,
      written: events.length,
      writeErrors: 0,
      lastBatchMs: 0,
      durableSeq: events.at(-1)?.seq ?? 0,
    }),
    loadRecovery: () => Promise.resolve({ snapshot: null, events: [], firstEventT: null }),
  };
}

/** A plant that answers writes with `answer` and remembers them. */
function fakePlant(
  owned: string[],
  answer: SourceWriteResult,
): ActuatorWriter & { writes: string[] } {
  const writes: string[] = [];
  return {
    writes,
    handles: (id) => owned.includes(id),
    write: (id, value) => {
      writes.push(`${id}=${value}`);
      return Promise.resolve(answer);
    },
  };
}

async function open(options: { external?: string[]; writer?: ActuatorWriter }) {
  let wall = T0;
  const store = memoryStore();
  const engine = await LiveEngine.open({
    plant,
    scenario: null,
    seed: 3,
    timeScale: 1,
    snapshotEveryS: 60,
    store,
    metrics: new ServerMetrics(),
    log: SILENT_LOGGER,
    now: () => wall,
    ...(options.external ? { externalSensors: options.external } : {}),
    ...(options.writer ? { writer: options.writer } : {}),
  });
  engine.start();
  engine.stop();
  const step = (ms: number) => {
    wall += ms;
    engine.tick(1000, Infinity);
  };
  return { engine, store, step };
}

function readingsOf(events: readonly TwinEvent[], sensorId: string): number[] {
  return events.flatMap((e) =>
    e.type === 'readings'
      ? e.readings.filter((r) => r.sensorId === sensorId).map((r) => r.value)
      : [],
  );
}

describe('LiveEngine with live sources', () => {
  it('takes an external sensor only from ingest, while the simulator still feeds the others', async () => {
    const { engine, store, step } = await open({ external: ['TT-1'] });
    step(1000);
    expect(readingsOf(store.events, 'TT-1')).toEqual([]);
    expect(readingsOf(store.events, 'TT-2').length).toBe(10);
    // The simulator's expectation for TT-1 still arrives, for the deviation rule.
    expect(
      store.events.some(
        (e) => e.type === 'expectations' && e.values.some((v) => v.sensorId === 'TT-1'),
      ),
    ).toBe(true);

    const seq = engine.ingest([
      { sensorId: 'TT-1', t: engine.t - 50, value: 61.5, quality: 'good' },
    ]);
    expect(seq).toBe(engine.twin.seq);
    expect(store.events.at(-1)).toMatchObject({ type: 'readings', seq });
    expect(sensorReading(engine.twin, 'TT-1')).toMatchObject({ value: 61.5, quality: 'good' });
    step(1000);
    // Nothing from the simulator overwrote it.
    expect(sensorReading(engine.twin, 'TT-1')?.value).toBe(61.5);
  });

  it('accepts a valve command only after the plant took the write', async () => {
    const plantSide = fakePlant(['V-1.POS'], { ok: true });
    const { engine } = await open({ writer: plantSide });
    const { ack } = await engine.execute(
      { type: 'valve.actuate', commandId: 'c1', actuatorId: 'V-1.POS', position: 0.3 },
      OPERATOR,
    );
    expect(ack).toEqual({ commandId: 'c1', status: 'accepted' });
    expect(plantSide.writes).toEqual(['V-1.POS=0.3']);
    expect(actuatorValue(engine.twin, 'V-1.POS')).toBeCloseTo(0.3);
  });

  it('rejects with the plant’s reason when the write fails, and the twin keeps the old position', async () => {
    const plantSide = fakePlant(['V-1.POS'], { ok: false, reason: 'BadNotWritable' });
    const { engine, store } = await open({ writer: plantSide });
    const before = actuatorValue(engine.twin, 'V-1.POS');
    const { ack } = await engine.execute(
      { type: 'valve.actuate', commandId: 'c2', actuatorId: 'V-1.POS', position: 0.9 },
      OPERATOR,
    );
    expect(ack).toMatchObject({ commandId: 'c2', status: 'rejected', code: 'plant_refused' });
    expect(ack.reason).toContain('V-1.POS = 0.9');
    expect(ack.reason).toContain('BadNotWritable');
    expect(actuatorValue(engine.twin, 'V-1.POS')).toBe(before);
    // The refusal is in the log for the audit trail.
    expect(store.events.at(-1)).toMatchObject({ type: 'command.rejected', code: 'plant_refused' });
  });

  it('never asks the plant about a command the twin rejects, nor about simulator actuators', async () => {
    const plantSide = fakePlant(['V-1.POS'], { ok: true });
    const { engine } = await open({ writer: plantSide });
    const outOfRange = await engine.execute(
      { type: 'valve.actuate', commandId: 'c3', actuatorId: 'V-1.POS', position: 7 },
      OPERATOR,
    );
    expect(outOfRange.ack).toMatchObject({ status: 'rejected', code: 'value_out_of_range' });
    const simulated = await engine.execute(
      { type: 'pump.stop', commandId: 'c4', actuatorId: 'P-1.RUN' },
      OPERATOR,
    );
    expect(simulated.ack.status).toBe('accepted');
    expect(plantSide.writes).toEqual([]);
  });
});
