import { describe, expect, it } from 'vitest';
import {
  capsulePriority,
  createTwinState,
  evaluateRules,
  hashState,
  SYSTEM_ACTOR,
} from '../../../digital-twin/index.js';
import type {
  Actor,
  CapsuleChangedEvent,
  EventBody,
  TwinState,
} from '../../../digital-twin/index.js';
import { capsuleOf, fold, hold, readings, runRules, T0, tinyPlant } from './fixtures/tiny-plant.js';

const plant = tinyPlant();
const fresh = (): TwinState => createTwinState(plant, T0);
const operator: Actor = { id: 'u1', name: 'Ada', role: 'operator' };

/** Hold TT-1 (and its redundant TT-2, and the expectation) at v: a real, agreed excursion. */
function heat(state: TwinState, v: number, from: number, to: number): void {
  for (let t = from; t <= to; t += 500) {
    fold(state, t, readings(t, ['TT-1', v], ['TT-2', v]), {
      type: 'expectations',
      values: [{ sensorId: 'TT-1', value: v }],
    });
  }
}

function change(
  state: TwinState,
  t: number,
  capsuleId: string,
  action: string,
  changes: CapsuleChangedEvent['changes'],
): void {
  fold(state, t, { type: 'capsule.changed', capsuleId, action, actor: operator, changes });
}

const raisedRules = (bodies: EventBody[]): string[] =>
  bodies.flatMap((b) => (b.type === 'capsule.raised' ? [`${b.capsule.id} ${b.capsule.rule}`] : []));
/** Raises of the limit rule only (a jump in a test also trips the rate rule, rightly). */
const raisedLimits = (bodies: EventBody[]): string[] =>
  raisedRules(bodies).filter((r) => r.includes(' limit/'));

describe('rules: raising', () => {
  it('R-1: evaluateRules is pure and orders raises by rule instance, numbering from nextCapsule', () => {
    const state = fresh();
    state.nextCapsule = 4;
    heat(state, 85, T0, T0 + 3000);
    hold(state, 'VT-1', 8, T0, T0 + 3000);
    const before = hashState(state);
    const first = evaluateRules(state, T0 + 3000);
    expect(hashState(state)).toBe(before);
    expect(evaluateRules(state, T0 + 3000)).toEqual(first);
    expect(raisedRules(first)).toEqual(['C-4 limit/TT-1', 'C-5 vibration/P-1']);
  });

  it('R-3: a hi excursion shorter than the on-delay raises nothing', () => {
    const state = fresh();
    heat(state, 50, T0, T0 + 1000);
    heat(state, 85, T0 + 1500, T0 + 3000);
    expect(raisedLimits(runRules(state, T0 + 3000))).toEqual([]);
    heat(state, 50, T0 + 3500, T0 + 6000);
    expect(raisedLimits(runRules(state, T0 + 6000))).toEqual([]);
    expect(capsuleOf(state, 'limit/TT-1')).toBeUndefined();
  });

  it('R-3: hi for the on-delay raises a warning, hihi for the on-delay a critical (R-10)', () => {
    const state = fresh();
    heat(state, 85, T0, T0 + 2000);
    expect(runRules(state, T0 + 1999)).toEqual([]);
    runRules(state, T0 + 2000);
    expect(capsuleOf(state, 'limit/TT-1')?.severity).toBe('warning');
    heat(state, 95, T0 + 2500, T0 + 4000);
    runRules(state, T0 + 4000);
    expect(capsuleOf(state, 'limit/TT-1')?.severity).toBe('warning'); // hihi for 1.5 s only
    runRules(state, T0 + 4500);
    expect(capsuleOf(state, 'limit/TT-1')?.severity).toBe('critical');
  });

  it('R-3: lo and lolo raise low-temperature capsules', () => {
    const state = fresh();
    heat(state, 5, T0, T0 + 2000);
    runRules(state, T0 + 2000);
    const capsule = capsuleOf(state, 'limit/TT-1')!;
    expect([capsule.title, capsule.severity]).toEqual(['Low temperature at R-1', 'warning']);
    expect(capsule.description).toBe('TT-1 reads 5 degC; lo limit 10 degC.');
  });

  it('R-2: a bad sensor raises nothing and leaves its open capsule as it is', () => {
    const state = fresh();
    heat(state, 85, T0, T0 + 1000);
    fold(state, T0 + 1500, readings(T0 + 1500, ['TT-1', 0, 'bad']));
    expect(evaluateRules(state, T0 + 5000).filter((b) => b.type === 'capsule.raised')).toEqual([]);
    heat(state, 85, T0 + 2000, T0 + 3000);
    runRules(state, T0 + 3000);
    const open = capsuleOf(state, 'limit/TT-1')!;
    fold(state, T0 + 3500, readings(T0 + 3500, ['TT-1', 0, 'bad']));
    expect(evaluateRules(state, T0 + 9000)).toEqual([]);
    expect(capsuleOf(state, 'limit/TT-1')).toBe(open);
  });

  it('R-4: a fast rise beyond the rate limit for its on-delay raises a rate warning', () => {
    const state = fresh();
    for (let k = 0; k <= 300; k++) {
      const t = T0 + k * 100;
      fold(state, t, readings(t, ['TT-1', 20 + k * 0.02])); // 12 °C/min, stays below hi
    }
    runRules(state, T0 + 30_000);
    const capsule = capsuleOf(state, 'rate/TT-1')!;
    expect([capsule.severity, capsule.title]).toEqual([
      'warning',
      'Temperature rising fast at R-1',
    ]);
    expect(capsuleOf(state, 'limit/TT-1')).toBeUndefined();
  });

  it('R-5: vibration above hi warns, above hihi is critical', () => {
    const state = fresh();
    hold(state, 'VT-1', 8, T0, T0 + 1000);
    runRules(state, T0 + 1000);
    expect(capsuleOf(state, 'vibration/P-1')?.severity).toBe('warning');
    hold(state, 'VT-1', 12, T0 + 1500, T0 + 2500);
    runRules(state, T0 + 2500);
    const capsule = capsuleOf(state, 'vibration/P-1')!;
    expect([capsule.severity, capsule.title, capsule.equipmentId]).toEqual([
      'critical',
      'Vibration anomaly at P-1',
      'P-1',
    ]);
  });

  it('R-5: well above the learned baseline (but under hi) is an info capsule', () => {
    const state = fresh();
    hold(state, 'VT-1', 2, T0, T0 + 60_000, 1000);
    hold(state, 'VT-1', 5, T0 + 61_000, T0 + 63_000, 1000);
    runRules(state, T0 + 63_000);
    const capsule = capsuleOf(state, 'vibration/P-1')!;
    expect(capsule.severity).toBe('info');
    expect(capsule.description).toMatch(/learned baseline 2 mm\/s/);
  });

  it('R-5: a stopped pump raises no vibration capsule, and stopping clears an open one (R-11)', () => {
    const state = fresh();
    hold(state, 'VT-1', 8, T0, T0 + 1000);
    runRules(state, T0 + 1000);
    fold(state, T0 + 1200, {
      type: 'actuator.changed',
      actuatorId: 'P-1.RUN',
      value: 0,
      actor: operator,
    });
    hold(state, 'VT-1', 8, T0 + 1500, T0 + 5000);
    runRules(state, T0 + 5000);
    expect(capsuleOf(state, 'vibration/P-1')?.conditionActive).toBe(false);
    const other = fresh();
    fold(other, T0, { type: 'actuator.changed', actuatorId: 'P-1.RUN', value: 0, actor: operator });
    hold(other, 'VT-1', 12, T0, T0 + 5000);
    expect(runRules(other, T0 + 5000)).toEqual([]);
  });

  it('R-6: a reading off the expectation by more than the tolerance for the on-delay warns', () => {
    const state = fresh();
    for (let t = T0; t <= T0 + 2000; t += 500) {
      fold(state, t, readings(t, ['TT-1', 60]), {
        type: 'expectations',
        values: [{ sensorId: 'TT-1', value: 50 }],
      });
    }
    runRules(state, T0 + 2000);
    const capsule = capsuleOf(state, 'deviation/TT-1')!;
    expect(capsule.severity).toBe('warning');
    expect(capsule.description).toBe(
      'TT-1 reads 60 degC; the simulator expects 50 degC (tolerance 3 degC).',
    );
  });

  it('R-7: while a capsule is open its rule raises no second one', () => {
    const state = fresh();
    heat(state, 85, T0, T0 + 2000);
    runRules(state, T0 + 2000);
    heat(state, 85, T0 + 2500, T0 + 10_000);
    expect(raisedLimits(runRules(state, T0 + 10_000))).toEqual([]);
    expect([...state.capsules.values()].filter((c) => c.rule === 'limit/TT-1')).toHaveLength(1);
  });

  it('R-8, C-1: a raised capsule is active, pinned to the equipment, with who and when', () => {
    const state = fresh();
    heat(state, 85, T0, T0 + 2000);
    runRules(state, T0 + 2000);
    expect(capsuleOf(state, 'limit/TT-1')).toEqual({
      id: 'C-1',
      rule: 'limit/TT-1',
      ruleKind: 'limit',
      severity: 'warning',
      priority: 2,
      state: 'active',
      title: 'High temperature at R-1',
      description: 'TT-1 reads 85 degC; hi limit 80 degC.',
      sensorId: 'TT-1',
      equipmentId: 'R-1',
      position: { x: 5, y: 0, z: 5 },
      raisedAt: T0 + 2000,
      updatedAt: T0 + 2000,
      conditionActive: true,
      shelvedUntil: null,
      shelvedFrom: null,
      consensus: 1,
      checks: [
        { check: 'limit', agrees: true },
        { check: 'rate', agrees: true },
        { check: 'expectation', agrees: true },
        { check: 'redundant', agrees: true },
      ],
      history: [{ action: 'raised', actor: SYSTEM_ACTOR, t: T0 + 2000 }],
      metadata: { value: 85, expected: 85, ratePerMinute: 0, unit: 'degC' },
    });
  });

  it('R-9: priority comes from severity and equipment criticality', () => {
    expect(capsulePriority('critical', 1)).toBe(1);
    expect(capsulePriority('warning', 1)).toBe(2);
    expect(capsulePriority('warning', 3)).toBe(3);
    expect(capsulePriority('info', 5)).toBe(5);
    const state = fresh();
    hold(state, 'VT-1', 8, T0, T0 + 1000);
    runRules(state, T0 + 1000);
    expect(capsuleOf(state, 'vibration/P-1')?.priority).toBe(3); // P-1 has default criticality 3
  });
});

describe('rules: open capsules', () => {
  it('R-10, C-7: escalation makes an acknowledged capsule active again with a higher priority', () => {
    const state = fresh();
    heat(state, 85, T0, T0 + 2000);
    runRules(state, T0 + 2000);
    change(state, T0 + 2100, 'C-1', 'acknowledged', { state: 'acknowledged' });
    heat(state, 95, T0 + 2500, T0 + 4500);
    const bodies = runRules(state, T0 + 4500);
    expect(bodies).toContainEqual({
      type: 'capsule.changed',
      capsuleId: 'C-1',
      action: 'severity',
      actor: SYSTEM_ACTOR,
      changes: {
        severity: 'critical',
        priority: 1,
        description: 'TT-1 reads 95 degC; hihi limit 90 degC.',
        state: 'active',
      },
    });
    expect(capsuleOf(state, 'limit/TT-1')?.state).toBe('active');
  });

  it('R-10: severity never drops while the capsule is open', () => {
    const state = fresh();
    heat(state, 95, T0, T0 + 2000);
    runRules(state, T0 + 2000);
    heat(state, 85, T0 + 2500, T0 + 6000);
    runRules(state, T0 + 6000);
    expect(capsuleOf(state, 'limit/TT-1')?.severity).toBe('critical');
  });

  it('R-11, C-3: a cleared condition resolves an acknowledged capsule by itself', () => {
    const state = fresh();
    heat(state, 85, T0, T0 + 2000);
    runRules(state, T0 + 2000);
    change(state, T0 + 2100, 'C-1', 'acknowledged', { state: 'acknowledged' });
    heat(state, 70, T0 + 2500, T0 + 3000);
    const bodies = runRules(state, T0 + 3000);
    expect(bodies).toContainEqual({
      type: 'capsule.changed',
      capsuleId: 'C-1',
      action: 'resolved',
      actor: SYSTEM_ACTOR,
      changes: { state: 'resolved', conditionActive: false },
    });
    expect(state.closedCapsules.get('C-1')).toBe('resolved');
  });

  it('R-11: a cleared condition leaves an active capsule active (needs an ack), and it can recur', () => {
    const state = fresh();
    heat(state, 85, T0, T0 + 2000);
    runRules(state, T0 + 2000);
    heat(state, 70, T0 + 2500, T0 + 3000);
    const cleared = runRules(state, T0 + 3000).filter((b) => b.type === 'capsule.changed');
    expect(cleared.map((b) => [b.action, b.changes])).toEqual([
      ['cleared', { conditionActive: false }],
    ]);
    expect(capsuleOf(state, 'limit/TT-1')?.state).toBe('active');
    heat(state, 85, T0 + 3500, T0 + 4000);
    const recurred = runRules(state, T0 + 4000).flatMap((b) =>
      b.type === 'capsule.changed' && b.action !== 'consensus' ? [[b.action, b.changes]] : [],
    );
    expect(recurred).toEqual([['recurred', { conditionActive: true }]]);
    change(state, T0 + 4100, 'C-1', 'acknowledged', { state: 'acknowledged' });
    heat(state, 70, T0 + 4500, T0 + 5000);
    runRules(state, T0 + 5000);
    expect(state.closedCapsules.get('C-1')).toBe('resolved');
  });

  it('R-12, C-5: a shelved capsule returns to its previous state when the shelf expires', () => {
    const state = fresh();
    heat(state, 85, T0, T0 + 2000);
    runRules(state, T0 + 2000);
    change(state, T0 + 2100, 'C-1', 'acknowledged', { state: 'acknowledged' });
    change(state, T0 + 2200, 'C-1', 'shelved', {
      state: 'shelved',
      shelvedUntil: T0 + 60_000,
      shelvedFrom: 'acknowledged',
    });
    heat(state, 85, T0 + 2500, T0 + 59_500);
    expect(runRules(state, T0 + 59_999)).toEqual([]);
    const bodies = runRules(state, T0 + 60_000);
    expect(bodies).toEqual([
      {
        type: 'capsule.changed',
        capsuleId: 'C-1',
        action: 'returned',
        actor: SYSTEM_ACTOR,
        changes: { state: 'acknowledged', shelvedUntil: null, shelvedFrom: null },
      },
    ]);
  });

  it('R-12, R-2: the shelf expires even while the sensor is bad', () => {
    const state = fresh();
    heat(state, 85, T0, T0 + 2000);
    runRules(state, T0 + 2000);
    change(state, T0 + 2100, 'C-1', 'shelved', {
      state: 'shelved',
      shelvedUntil: T0 + 10_000,
      shelvedFrom: 'active',
    });
    fold(state, T0 + 3000, readings(T0 + 3000, ['TT-1', 0, 'bad']));
    runRules(state, T0 + 10_000);
    expect(capsuleOf(state, 'limit/TT-1')?.state).toBe('active');
  });

  it('R-13: a sensor fault gets a low consensus; agreement arriving raises it with one event', () => {
    const state = fresh();
    // TT-1 drifts to 85 while TT-2 and the model stay at 60: limit and rate agree, the others not.
    for (let t = T0; t <= T0 + 2000; t += 500) {
      fold(state, t, readings(t, ['TT-1', 85], ['TT-2', 60]), {
        type: 'expectations',
        values: [{ sensorId: 'TT-1', value: 60 }],
      });
    }
    runRules(state, T0 + 2000);
    const capsule = capsuleOf(state, 'limit/TT-1')!;
    expect(capsule.consensus).toBe(0.5);
    expect(capsule.checks).toEqual([
      { check: 'limit', agrees: true },
      { check: 'rate', agrees: true },
      { check: 'expectation', agrees: false },
      { check: 'redundant', agrees: false },
    ]);
    // Unchanged checks: no consensus event on later evaluations.
    heat(state, 85, T0 + 2500, T0 + 2500);
    fold(state, T0 + 2600, readings(T0 + 2600, ['TT-2', 60]), {
      type: 'expectations',
      values: [{ sensorId: 'TT-1', value: 60 }],
    });
    expect(runRules(state, T0 + 2600).filter((b) => b.type === 'capsule.changed')).toEqual([]);
    fold(state, T0 + 3000, readings(T0 + 3000, ['TT-2', 84]));
    const updates = runRules(state, T0 + 3000).filter(
      (b) => b.type === 'capsule.changed' && b.capsuleId === capsule.id,
    );
    expect(updates).toHaveLength(1);
    expect(capsuleOf(state, 'limit/TT-1')?.consensus).toBe(0.75);
  });

  it('R-13: a redundant sensor wobbling at the threshold does not flip the score (hysteresis)', () => {
    const state = fresh();
    heat(state, 85, T0, T0 + 2000);
    runRules(state, T0 + 2000);
    let t = T0 + 2000;
    const redundantAt = (...values: number[]): string[] =>
      values.flatMap((v) => {
        t += 500;
        fold(state, t, readings(t, ['TT-1', 85], ['TT-2', v]));
        return runRules(state, t).flatMap((b) =>
          b.type === 'capsule.changed' && b.action === 'consensus'
            ? [`${v}: ${b.changes.consensus}`]
            : [],
        );
      });
    // Agreeing: stays so down to hi − deadband (78); then disagreeing until back at hi (80).
    expect(redundantAt(79, 78.5, 79.5, 78.1)).toEqual([]);
    expect(redundantAt(77.9)).toEqual(['77.9: 0.75']);
    expect(redundantAt(79, 79.9, 78.5, 79.9)).toEqual([]);
    expect(redundantAt(80)).toEqual(['80: 1']);
  });

  it('R-14, E-13: a capsule dismissed while its condition holds is not raised again at that severity', () => {
    const state = fresh();
    heat(state, 85, T0, T0 + 2000);
    runRules(state, T0 + 2000);
    change(state, T0 + 2100, 'C-1', 'dismissed', { state: 'dismissed' });
    heat(state, 85, T0 + 2500, T0 + 10_000);
    expect(raisedLimits(runRules(state, T0 + 10_000))).toEqual([]);
    heat(state, 95, T0 + 10_500, T0 + 12_500);
    expect(raisedLimits(runRules(state, T0 + 12_500))).toEqual(['C-2 limit/TT-1']);
    expect(capsuleOf(state, 'limit/TT-1')?.severity).toBe('critical');
  });

  it('R-14, E-13: once the condition clears, the latch is gone and the rule raises again', () => {
    const state = fresh();
    heat(state, 85, T0, T0 + 2000);
    runRules(state, T0 + 2000);
    change(state, T0 + 2100, 'C-1', 'dismissed', { state: 'dismissed' });
    heat(state, 70, T0 + 2500, T0 + 3000);
    heat(state, 85, T0 + 3500, T0 + 5500);
    expect(raisedLimits(runRules(state, T0 + 5500))).toEqual(['C-2 limit/TT-1']);
  });
});
