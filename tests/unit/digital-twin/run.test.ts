/**
 * The whole pure dataflow on the shipped demo plant: determinism, snapshot continuation, the
 * cooling-loss story an operator would live through, and dropout handling.
 */
import { describe, expect, it } from 'vitest';
import {
  advance,
  advanceUntil,
  commit,
  createRun,
  decodeRun,
  encodeRun,
  hashState,
  openCapsules,
  runCommand,
  sensorReading,
} from '../../../digital-twin/index.js';
import type { Actor, Capsule, Run } from '../../../digital-twin/index.js';
import { loadDemoPlant, loadScenario } from './fixtures/shipped.js';

const T0 = Date.UTC(2026, 0, 1);
const SEED = 42;
const operator: Actor = { id: 'u-1', name: 'Ada Operator', role: 'operator' };

const plant = loadDemoPlant();

function coolingRun(): Run {
  return createRun({
    plant,
    seed: SEED,
    t0: T0,
    scenario: loadScenario('cooling-pump-trip', plant),
  });
}

function reactorTemperatureCapsule(run: Run): Capsule | undefined {
  return openCapsules(run.twin).find(
    (c) => c.sensorId === 'R-101.TT-01' && c.ruleKind === 'limit' && c.severity === 'critical',
  );
}

describe('a run of the demo plant', () => {
  it('S-1: the same plant, seed and scenario give the same state hash at every step', () => {
    const a = coolingRun();
    const b = coolingRun();
    for (let i = 0; i < 900; i += 1) {
      advance(a);
      advance(b);
      expect(hashState(a.twin)).toBe(hashState(b.twin));
    }
    expect(a.twin.seq).toBeGreaterThan(1800);
  });

  it('a different seed gives a different history', () => {
    const a = coolingRun();
    const b = createRun({ plant, seed: SEED + 1, t0: T0, scenario: a.scenario });
    advanceUntil(a, T0 + 10_000);
    advanceUntil(b, T0 + 10_000);
    expect(hashState(a.twin)).not.toBe(hashState(b.twin));
  });

  it('S-3: a snapshot taken mid-run, decoded and continued matches the uninterrupted run', () => {
    const straight = coolingRun();
    const interrupted = coolingRun();
    advanceUntil(straight, T0 + 60_000);
    advanceUntil(interrupted, T0 + 60_000);
    const bytes = encodeRun(interrupted);
    const resumed = decodeRun(bytes, plant, { t0: T0, scenario: interrupted.scenario });
    expect(hashState(resumed.twin)).toBe(hashState(straight.twin));
    for (let i = 0; i < 2400; i += 1) {
      advance(straight);
      advance(resumed);
    }
    expect(hashState(resumed.twin)).toBe(hashState(straight.twin));
    expect(openCapsules(resumed.twin)).toEqual(openCapsules(straight.twin));
  });

  it('cooling loss raises a critical reactor-temperature capsule that is acknowledged, then resolved', () => {
    const run = coolingRun();
    let capsule: Capsule | undefined;
    while (capsule === undefined && run.sim.t < T0 + 10 * 60_000) {
      advance(run);
      capsule = reactorTemperatureCapsule(run);
    }
    if (capsule === undefined)
      throw new Error('no critical capsule on R-101.TT-01 within 10 minutes');
    expect(capsule.state).toBe('active');
    expect(capsule.equipmentId).toBe('R-101');
    expect(capsule.consensus).toBeGreaterThan(0);
    expect(capsule.consensus).toBeLessThanOrEqual(1);
    expect(capsule.checks.length).toBeGreaterThan(1);
    const reactor = plant.equipmentById.get('R-101');
    expect(capsule.position).toEqual(reactor?.position);

    // Resolving before acknowledging is illegal and says why.
    const early = runCommand(
      run,
      { type: 'capsule.resolve', commandId: 'c1', capsuleId: capsule.id },
      operator,
    );
    expect(early.status).toBe('rejected');
    if (early.status === 'rejected') {
      expect(early.code).toBe('illegal_transition');
      expect(early.reason).toContain(capsule.id);
    }

    const ack = runCommand(
      run,
      { type: 'capsule.ack', commandId: 'c2', capsuleId: capsule.id },
      operator,
    );
    expect(ack.status).toBe('accepted');
    const acked = openCapsules(run.twin).find((c) => c.id === capsule.id);
    expect(acked?.state).toBe('acknowledged');
    expect(acked?.history.at(-1)).toMatchObject({ action: 'acknowledged', actor: operator });

    const again = runCommand(
      run,
      { type: 'capsule.ack', commandId: 'c3', capsuleId: capsule.id },
      operator,
    );
    expect(again.status).toBe('rejected');

    const resolved = runCommand(
      run,
      { type: 'capsule.resolve', commandId: 'c4', capsuleId: capsule.id },
      operator,
    );
    expect(resolved.status).toBe('accepted');
    expect(openCapsules(run.twin).some((c) => c.id === capsule.id)).toBe(false);

    const late = runCommand(
      run,
      { type: 'capsule.ack', commandId: 'c5', capsuleId: capsule.id },
      operator,
    );
    expect(late.status).toBe('rejected');
    if (late.status === 'rejected') expect(late.reason).toContain(capsule.id);
  });

  it('normal operation raises no critical capsule on the reactor', () => {
    const run = createRun({
      plant,
      seed: SEED,
      t0: T0,
      scenario: loadScenario('normal-operation', plant),
    });
    advanceUntil(run, T0 + 5 * 60_000);
    expect(reactorTemperatureCapsule(run)).toBeUndefined();
  });

  it('E-3: a sensor dropout yields bad quality and no made-up value, and the run goes on', () => {
    const run = createRun({ plant, seed: SEED, t0: T0 });
    advanceUntil(run, T0 + 5_000);
    expect(sensorReading(run.twin, 'R-101.TT-01')?.quality).toBe('good');
    commit(
      run,
      [{ type: 'fault.injected', fault: { kind: 'sensor.dropout', target: 'R-101.TT-01' } }],
      run.sim.t,
    );
    advanceUntil(run, T0 + 10_000);
    const after = sensorReading(run.twin, 'R-101.TT-01');
    expect(after?.quality).toBe('bad');
    expect(Number.isNaN(after?.value)).toBe(true);
    expect(sensorReading(run.twin, 'R-101.TT-02')?.quality).toBe('good');
  });
});
