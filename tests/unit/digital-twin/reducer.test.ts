import { describe, expect, it } from 'vitest';
import {
  apply,
  cloneTwinState,
  CLOSED_CAPSULE_MEMORY,
  createTwinState,
  hashState,
  sensorReading,
  sequenceEvents,
  SYSTEM_ACTOR,
  QUALITY_BAD,
  ZONE_HI,
  ZONE_HIHI,
  ZONE_LO,
  ZONE_NORMAL,
} from '../../../digital-twin/index.js';
import type { Capsule, EventBody, TwinState } from '../../../digital-twin/index.js';
import { fold, readings, T0, tinyPlant } from './fixtures/tiny-plant.js';

const plant = tinyPlant();
const fresh = (): TwinState => createTwinState(plant, T0);
const index = (id: string): number => plant.sensorIndex.get(id)!;
const TT1 = index('TT-1');
const VT1 = index('VT-1');

/** A hand-made capsule as a rule would raise it. */
function capsule(id: string, rule = 'limit/TT-1'): Capsule {
  return {
    id,
    rule,
    ruleKind: 'limit',
    severity: 'warning',
    priority: 2,
    state: 'active',
    title: 'High temperature at R-1',
    description: 'TT-1 reads 85',
    sensorId: 'TT-1',
    equipmentId: 'R-1',
    position: { x: 5, y: 0, z: 5 },
    raisedAt: T0,
    updatedAt: T0,
    conditionActive: true,
    shelvedUntil: null,
    shelvedFrom: null,
    consensus: 1,
    checks: [{ check: 'limit', agrees: true }],
    history: [{ action: 'raised', actor: SYSTEM_ACTOR, t: T0 }],
    metadata: {},
  };
}

const operator = { id: 'u1', name: 'Ada', role: 'operator' } as const;

describe('reducer: events and sequence', () => {
  it('E-1: an event whose seq does not follow the state is rejected naming both numbers, state unchanged', () => {
    const state = fresh();
    fold(state, T0 + 100, readings(T0 + 100, ['TT-1', 50]));
    const before = hashState(state);
    const event = { type: 'annotation', seq: 5, t: T0 + 200 } as const;
    expect(() =>
      apply(state, {
        ...event,
        annotationId: 'A-1',
        text: 'x',
        actor: operator,
        equipmentId: null,
        capsuleId: null,
      }),
    ).toThrow(/seq 5 .*state seq 1.*expected 2/);
    expect(hashState(state)).toBe(before);
    expect(state.seq).toBe(1);
  });

  it('E-1: apply advances seq and t to the event', () => {
    const state = fresh();
    fold(state, T0 + 100, readings(T0 + 100, ['TT-1', 50]));
    expect([state.seq, state.t]).toEqual([1, T0 + 100]);
  });

  it('E-15: sequenceEvents numbers bodies after the state seq at one time and applies nothing', () => {
    const state = fresh();
    fold(state, T0, readings(T0, ['TT-1', 50]));
    const bodies: EventBody[] = [
      readings(T0 + 1, ['TT-1', 51]),
      { type: 'fault.injected', fault: { kind: 'pump.trip', target: 'P-1' } },
    ];
    const events = sequenceEvents(state, bodies, T0 + 5);
    expect(events.map((e) => [e.type, e.seq, e.t])).toEqual([
      ['readings', 2, T0 + 5],
      ['fault.injected', 3, T0 + 5],
    ]);
    expect(state.seq).toBe(1);
  });
});

describe('reducer: readings', () => {
  it('E-2: readings and expectations for unknown sensors are counted and ignored', () => {
    const state = fresh();
    fold(state, T0, readings(T0, ['NOPE', 1], ['TT-1', 50]), {
      type: 'expectations',
      values: [{ sensorId: 'ALSO-NOPE', value: 3 }],
    });
    expect(state.unknownReadings).toBe(2);
    expect(sensorReading(state, 'TT-1')).toEqual({ value: 50, t: T0, quality: 'good' });
  });

  it('E-3: a bad reading stores NaN with quality bad, never the previous value', () => {
    const state = fresh();
    fold(state, T0, readings(T0, ['TT-1', 50]));
    fold(state, T0 + 100, readings(T0 + 100, ['TT-1', 999, 'bad']));
    const reading = sensorReading(state, 'TT-1')!;
    expect(reading.quality).toBe('bad');
    expect(reading.value).toBeNaN();
    expect(reading.t).toBe(T0 + 100);
  });

  it('E-3: a non-finite value or an unknown quality is folded as bad', () => {
    const state = fresh();
    fold(state, T0, {
      type: 'readings',
      readings: [
        { sensorId: 'TT-1', t: T0, value: Infinity, quality: 'good' },
        { sensorId: 'TT-2', t: T0, value: 40, quality: 'weird' as 'good' },
      ],
    });
    expect(state.quality[TT1]).toBe(QUALITY_BAD);
    expect(state.quality[index('TT-2')]).toBe(QUALITY_BAD);
    expect(state.value[index('TT-2')]).toBeNaN();
  });

  it('E-3: uncertain readings keep their value', () => {
    const state = fresh();
    fold(state, T0, readings(T0, ['TT-1', 42, 'uncertain']));
    expect(sensorReading(state, 'TT-1')).toEqual({ value: 42, t: T0, quality: 'uncertain' });
  });

  it('E-4: a reading older than the sensor latest is counted as stale and ignored', () => {
    const state = fresh();
    fold(state, T0 + 1000, readings(T0 + 1000, ['TT-1', 50]));
    fold(state, T0 + 1100, readings(T0 + 500, ['TT-1', 99]));
    expect(state.staleReadings).toBe(1);
    expect(sensorReading(state, 'TT-1')).toEqual({ value: 50, t: T0 + 1000, quality: 'good' });
    fold(state, T0 + 1200, readings(T0 + 1000, ['TT-1', 51]));
    expect(sensorReading(state, 'TT-1')?.value).toBe(51);
  });

  it('E-4: a reading with a non-finite time is counted as stale', () => {
    const state = fresh();
    fold(state, T0, {
      type: 'readings',
      readings: [{ sensorId: 'TT-1', t: NaN, value: 1, quality: 'good' }],
    });
    expect(state.staleReadings).toBe(1);
    expect(sensorReading(state, 'TT-1')).toBeUndefined();
  });

  it('E-4: readings in any order within a batch find their sensors', () => {
    const state = fresh();
    fold(state, T0, readings(T0, ['FT-1', 3], ['TT-2', 2], ['TT-1', 1], ['VT-1', 4]));
    expect(['TT-1', 'TT-2', 'VT-1', 'FT-1'].map((id) => sensorReading(state, id)?.value)).toEqual([
      1, 2, 4, 3,
    ]);
    // Another order next time, with an unknown id in the middle: every reading still lands.
    fold(state, T0 + 1, readings(T0 + 1, ['TT-1', 5], ['X', 0], ['FT-1', 8], ['VT-1', 7]));
    fold(state, T0 + 2, readings(T0 + 2, ['TT-2', 6]));
    expect(['TT-1', 'TT-2', 'VT-1', 'FT-1'].map((id) => sensorReading(state, id)?.value)).toEqual([
      5, 6, 7, 8,
    ]);
    expect(state.unknownReadings).toBe(1);
  });
});

describe('reducer: rule indicators', () => {
  it('E-5: a bad reading freezes the indicators', () => {
    const state = fresh();
    fold(state, T0, readings(T0, ['TT-1', 85]));
    const zoneSince = state.zoneSince[TT1];
    fold(state, T0 + 100, readings(T0 + 100, ['TT-1', 20, 'bad']));
    expect(state.zone[TT1]).toBe(ZONE_HI);
    expect(state.zoneSince[TT1]).toBe(zoneSince);
    expect(state.smoothed[TT1]).toBe(85);
  });

  it('E-6: the limit zone enters at the limit and leaves only past the deadband', () => {
    const state = fresh();
    const zoneAt = (t: number, v: number): number => {
      fold(state, t, readings(t, ['TT-1', v]));
      return state.zone[TT1]!;
    };
    expect(zoneAt(T0, 79.9)).toBe(ZONE_NORMAL);
    expect(zoneAt(T0 + 1, 80)).toBe(ZONE_HI);
    expect(zoneAt(T0 + 2, 79)).toBe(ZONE_HI); // within the deadband (2)
    expect(zoneAt(T0 + 3, 90.5)).toBe(ZONE_HIHI);
    expect(zoneAt(T0 + 4, 88.5)).toBe(ZONE_HIHI);
    expect(zoneAt(T0 + 5, 87.9)).toBe(ZONE_HI);
    expect(zoneAt(T0 + 6, 78)).toBe(ZONE_NORMAL);
    expect(zoneAt(T0 + 7, 10)).toBe(ZONE_LO);
    expect(zoneAt(T0 + 8, 11.9)).toBe(ZONE_LO);
    expect(zoneAt(T0 + 9, 12.1)).toBe(ZONE_NORMAL);
  });

  it('E-6: outSince marks the start of an excursion and survives hi → hihi', () => {
    const state = fresh();
    fold(state, T0, readings(T0, ['TT-1', 85]));
    fold(state, T0 + 500, readings(T0 + 500, ['TT-1', 95]));
    expect(state.outSince[TT1]).toBe(T0);
    expect(state.zoneSince[TT1]).toBe(T0 + 500);
    fold(state, T0 + 900, readings(T0 + 900, ['TT-1', 50]));
    expect(state.outSince[TT1]).toBeNaN();
  });

  it('E-7: the smoothed rate follows a steady ramp in units per minute', () => {
    const state = fresh();
    // 0.1 °C every 100 ms = 60 °C/min, for 60 s (12 time constants).
    for (let k = 0; k <= 600; k++) {
      const t = T0 + k * 100;
      fold(state, t, readings(t, ['TT-1', 20 + k * 0.1]));
    }
    expect(state.rate[TT1]).toBeCloseTo(60, 0);
    expect(state.rateSince[TT1]).toBeGreaterThan(T0);
  });

  it('E-7: the rate condition clears only at 80 % of the limit', () => {
    const state = fresh();
    let t = T0;
    let v = 20;
    const ramp = (perMinute: number, seconds: number): void => {
      for (let k = 0; k < seconds * 10; k++) {
        t += 100;
        v += perMinute / 600;
        fold(state, t, readings(t, ['TT-1', v]));
      }
    };
    ramp(10, 60);
    expect(state.rateSince[TT1]).not.toBeNaN();
    ramp(4.5, 60); // below the 5 °C/min limit, above 4
    expect(state.rateSince[TT1]).not.toBeNaN();
    ramp(3, 60);
    expect(state.rateSince[TT1]).toBeNaN();
  });

  it('E-8: expectations set expected and start the deviation condition; close values clear it', () => {
    const state = fresh();
    fold(state, T0, readings(T0, ['TT-1', 60]), {
      type: 'expectations',
      values: [{ sensorId: 'TT-1', value: 50 }],
    });
    expect(state.expected[TT1]).toBe(50);
    expect(state.deviationSince[TT1]).toBe(T0);
    fold(state, T0 + 100, readings(T0 + 100, ['TT-1', 52.6]));
    expect(state.deviationSince[TT1]).toBe(T0); // 2.6 > 0.8 × 3: not yet clear
    fold(state, T0 + 200, readings(T0 + 200, ['TT-1', 52]));
    expect(state.deviationSince[TT1]).toBeNaN();
  });

  it('E-9: the vibration baseline is learned while running and forgotten when the pump stops', () => {
    const state = fresh();
    fold(state, T0, readings(T0, ['VT-1', 2]));
    expect(state.baseline[VT1]).toBe(2);
    // Warm-up: the baseline follows fast (τ 10 s), so a spin-up does not become the baseline.
    fold(state, T0 + 1000, readings(T0 + 1000, ['VT-1', 3]));
    expect(state.baseline[VT1]).toBeCloseTo(2 + 1 / 11, 6);
    for (let t = T0 + 2000; t <= T0 + 70_000; t += 1000) fold(state, t, readings(t, ['VT-1', 2]));
    // Warmed up: the baseline moves slowly (τ 30 min).
    const learned = state.baseline[VT1]!;
    fold(state, T0 + 71_000, readings(T0 + 71_000, ['VT-1', 3]));
    expect(state.baseline[VT1]! - learned).toBeCloseTo((1000 / 1_801_000) * (3 - learned), 9);
    fold(state, T0 + 72_000, {
      type: 'actuator.changed',
      actuatorId: 'P-1.RUN',
      value: 0,
      actor: operator,
    });
    expect(state.baseline[VT1]).toBeNaN();
    fold(state, T0 + 73_000, readings(T0 + 73_000, ['VT-1', 2]));
    expect(state.baseline[VT1]).toBeNaN();
  });

  it('E-9: well above a warmed-up baseline starts the vibration condition; learning stops meanwhile', () => {
    const state = fresh();
    for (let t = T0; t <= T0 + 60_000; t += 1000) fold(state, t, readings(t, ['VT-1', 2]));
    expect(state.vibrationSince[VT1]).toBeNaN();
    fold(state, T0 + 61_000, readings(T0 + 61_000, ['VT-1', 4.5]));
    expect(state.vibrationSince[VT1]).toBe(T0 + 61_000);
    const baseline = state.baseline[VT1];
    fold(state, T0 + 62_000, readings(T0 + 62_000, ['VT-1', 4.5]));
    expect(state.baseline[VT1]).toBe(baseline);
  });
});

describe('reducer: capsules, actuators, faults, annotations', () => {
  it('E-10: capsule.raised opens the capsule under its rule and advances nextCapsule', () => {
    const state = fresh();
    fold(state, T0, { type: 'capsule.raised', capsule: capsule('C-7') });
    expect(state.capsules.get('C-7')?.state).toBe('active');
    expect(state.capsuleByRule.get('limit/TT-1')).toBe('C-7');
    expect(state.nextCapsule).toBe(8);
  });

  it('E-10: a second capsule for the same rule instance is an invariant violation', () => {
    const state = fresh();
    fold(state, T0, { type: 'capsule.raised', capsule: capsule('C-1') });
    const [event] = sequenceEvents(
      state,
      [{ type: 'capsule.raised', capsule: capsule('C-2') }],
      T0,
    );
    expect(() => apply(state, event!)).toThrow(/limit\/TT-1.*already has open capsule C-1/);
    expect(state.capsules.size).toBe(1);
  });

  it('E-11: capsule.changed replaces the capsule and appends who acted and when', () => {
    const state = fresh();
    fold(state, T0, { type: 'capsule.raised', capsule: capsule('C-1') });
    const before = state.capsules.get('C-1')!;
    fold(state, T0 + 5000, {
      type: 'capsule.changed',
      capsuleId: 'C-1',
      action: 'acknowledged',
      actor: operator,
      note: 'on it',
      changes: { state: 'acknowledged' },
    });
    const after = state.capsules.get('C-1')!;
    expect(before.state).toBe('active');
    expect(before.history).toHaveLength(1);
    expect(after.state).toBe('acknowledged');
    expect(after.updatedAt).toBe(T0 + 5000);
    expect(after.history.at(-1)).toEqual({
      action: 'acknowledged',
      actor: operator,
      t: T0 + 5000,
      note: 'on it',
    });
  });

  it('E-11: closing a capsule moves it out of the open map into closedCapsules', () => {
    const state = fresh();
    fold(state, T0, { type: 'capsule.raised', capsule: capsule('C-1') });
    fold(state, T0 + 1, {
      type: 'capsule.changed',
      capsuleId: 'C-1',
      action: 'dismissed',
      actor: operator,
      changes: { state: 'dismissed' },
    });
    expect(state.capsules.has('C-1')).toBe(false);
    expect(state.capsuleByRule.has('limit/TT-1')).toBe(false);
    expect(state.closedCapsules.get('C-1')).toBe('dismissed');
  });

  it('E-11: a capsule.changed that takes an illegal transition throws and changes nothing', () => {
    const state = fresh();
    fold(state, T0, { type: 'capsule.raised', capsule: capsule('C-1') });
    const [event] = sequenceEvents(
      state,
      [
        {
          type: 'capsule.changed',
          capsuleId: 'C-1',
          action: 'resolved',
          actor: operator,
          changes: { state: 'resolved' },
        },
      ],
      T0 + 1,
    );
    expect(() => apply(state, event!)).toThrow(/active to resolved.*C-8/);
    expect(state.capsules.get('C-1')?.state).toBe('active');
  });

  it('E-11: closedCapsules remembers the last 1,024 closed capsules, oldest forgotten first', () => {
    const state = fresh();
    for (let n = 1; n <= CLOSED_CAPSULE_MEMORY + 2; n++) {
      fold(state, T0 + n, { type: 'capsule.raised', capsule: capsule(`C-${n}`) });
      fold(state, T0 + n, {
        type: 'capsule.changed',
        capsuleId: `C-${n}`,
        action: 'dismissed',
        actor: operator,
        changes: { state: 'dismissed' },
      });
    }
    expect(state.closedCapsules.size).toBe(CLOSED_CAPSULE_MEMORY);
    expect([...state.closedCapsules.keys()].slice(0, 2)).toEqual(['C-3', 'C-4']);
    expect(state.nextCapsule).toBe(CLOSED_CAPSULE_MEMORY + 3);
  });

  it('E-12: actuator.changed sets the value; unknown actuators are counted', () => {
    const state = fresh();
    const actuator = (actuatorId: string, value: number): EventBody => ({
      type: 'actuator.changed',
      actuatorId,
      value,
      actor: operator,
    });
    fold(state, T0, actuator('V-1.POS', 0.2), actuator('V-9.POS', 1));
    expect(state.actuators[plant.actuatorIndex.get('V-1.POS')!]).toBe(0.2);
    expect(state.unknownActuators).toBe(1);
  });

  it('E-12: faults are tracked until cleared; annotations counted; command events only advance seq', () => {
    const state = fresh();
    const command = { type: 'pump.stop', commandId: 'c1', actuatorId: 'P-1.RUN' } as const;
    fold(
      state,
      T0,
      { type: 'fault.injected', fault: { kind: 'pump.trip', target: 'P-1' } },
      { type: 'fault.injected', fault: { kind: 'sensor.drift', target: 'TT-1', magnitude: 2 } },
      { type: 'fault.cleared', fault: { kind: 'pump.trip', target: 'P-1' } },
      {
        type: 'annotation',
        annotationId: 'A-1',
        text: 'hot',
        actor: operator,
        equipmentId: 'R-1',
        capsuleId: null,
      },
    );
    expect(state.faults).toEqual([{ kind: 'sensor.drift', target: 'TT-1', magnitude: 2 }]);
    expect(state.annotations).toBe(1);
    const before = hashState({ ...state, seq: state.seq + 2 });
    fold(
      state,
      T0,
      { type: 'command.accepted', command, actor: operator },
      { type: 'command.rejected', command, actor: operator, code: 'invalid_command', reason: 'x' },
    );
    expect(hashState(state)).toBe(before);
  });

  it('E-14: the same events folded into two states give the same hash; a clone is independent', () => {
    const bodies: EventBody[] = [
      readings(T0, ['TT-1', 85], ['VT-1', 2]),
      { type: 'expectations', values: [{ sensorId: 'TT-1', value: 84 }] },
      { type: 'capsule.raised', capsule: capsule('C-1') },
    ];
    const a = fresh();
    const b = fresh();
    for (const body of bodies) {
      fold(a, T0 + 1, body);
      fold(b, T0 + 1, body);
    }
    expect(hashState(a)).toBe(hashState(b));
    const c = cloneTwinState(a);
    fold(c, T0 + 2, readings(T0 + 2, ['TT-1', 70]));
    expect(hashState(a)).toBe(hashState(b));
    expect(sensorReading(a, 'TT-1')?.value).toBe(85);
  });
});
