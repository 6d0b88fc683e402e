/**
 * The room's schema state follows the twin: every sensor from the start, readings as they fold,
 * capsules raised and acknowledged with who did it, closed capsules removed, equipment status
 * as the worst open severity.
 */
import { describe, expect, it } from 'vitest';
import { createTwinState, decide, evaluateRules } from '../../../digital-twin/index.js';
import type { TwinEvent } from '../../../digital-twin/index.js';
import { createPlantRoomState } from '../../../sim-server/rooms/plant-state.js';
import { PlantStateSync } from '../../../sim-server/rooms/plant-state-sync.js';
import { fold, readings, T0, tinyPlant } from '../digital-twin/fixtures/tiny-plant.js';

const alice = { id: 's1', name: 'Alice', role: 'operator' as const };

function setup() {
  const plant = tinyPlant();
  const twin = createTwinState(plant, T0);
  const state = createPlantRoomState('tiny', 'Tiny test plant');
  const sync = new PlantStateSync(state, plant);
  sync.full(twin);
  return { plant, twin, state, sync };
}

describe('PlantStateSync', () => {
  it('lists every sensor, actuator and equipment before any reading', () => {
    const { plant, state } = setup();
    expect(state.sensors.size).toBe(plant.sensors.length);
    expect(state.sensors.get('TT-1')?.quality).toBe('none');
    expect(state.actuators.get('V-1.POS')?.value).toBe(0.5);
    expect(state.equipment.get('P-1')?.running).toBe(true);
    expect(state.equipment.get('R-1')?.status).toBe('normal');
  });

  it('copies readings, bad ones as quality bad with a placeholder value', () => {
    const { twin, state, sync } = setup();
    sync.apply(twin, fold(twin, T0 + 100, readings(T0 + 100, ['TT-1', 42], ['TT-2', 0, 'bad'])));
    expect(state.sensors.get('TT-1')).toMatchObject({ value: 42, quality: 'good', t: T0 + 100 });
    expect(state.sensors.get('TT-2')?.quality).toBe('bad');
    expect(state.sensors.get('TT-2')?.value).toBe(0);
    expect(state.t).toBe(twin.t);
    expect(state.seq).toBe(twin.seq);
  });

  it('shows a raised capsule with its position and the acknowledgement with who acted', () => {
    const { twin, state, sync } = setup();
    let t = T0;
    const events: TwinEvent[] = [];
    for (; t <= T0 + 5000; t += 500) {
      events.push(...fold(twin, t, readings(t, ['TT-1', 95], ['TT-2', 95])));
      events.push(...fold(twin, t, ...evaluateRules(twin, t)));
    }
    sync.apply(twin, events);
    const raised = events.find((e) => e.type === 'capsule.raised');
    expect(raised).toBeDefined();
    const id = raised?.type === 'capsule.raised' ? raised.capsule.id : '';
    const seen = state.capsules.get(id);
    expect(seen).toMatchObject({
      equipmentId: 'R-1',
      sensorId: 'TT-1',
      state: 'active',
      lastAction: 'raised',
    });
    expect(seen?.x).toBe(twin.capsules.get(id)?.position.x);
    expect(state.equipment.get('R-1')?.status).toBe(twin.capsules.get(id)?.severity);
    expect(state.equipment.get('R-1')?.openCapsules).toBe(1);

    const decision = decide(twin, { type: 'capsule.ack', commandId: 'a', capsuleId: id }, alice, t);
    expect(decision.status).toBe('accepted');
    if (decision.status !== 'accepted') return;
    sync.apply(twin, fold(twin, t, ...decision.events));
    expect(state.capsules.get(id)).toMatchObject({
      state: 'acknowledged',
      acknowledgedBy: 'Alice',
      lastActor: 'Alice',
    });

    const resolve = decide(
      twin,
      { type: 'capsule.resolve', commandId: 'b', capsuleId: id },
      alice,
      t,
    );
    if (resolve.status !== 'accepted') throw new Error(resolve.reason);
    sync.apply(twin, fold(twin, t, ...resolve.events));
    expect(state.capsules.has(id)).toBe(false);
    expect(state.equipment.get('R-1')).toMatchObject({ status: 'normal', openCapsules: 0 });
  });

  it('follows actuator moves and what they mean for running equipment', () => {
    const { twin, state, sync } = setup();
    const decision = decide(
      twin,
      { type: 'pump.stop', commandId: 'p', actuatorId: 'P-1.RUN' },
      alice,
      T0,
    );
    if (decision.status !== 'accepted') throw new Error(decision.reason);
    sync.apply(twin, fold(twin, T0, ...decision.events));
    expect(state.actuators.get('P-1.RUN')?.value).toBe(0);
    expect(state.equipment.get('P-1')?.running).toBe(false);
  });
});
