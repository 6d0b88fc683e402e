import { describe, expect, it } from 'vitest';
import { apply, createTwinState, decide, hashState } from '../../../digital-twin/index.js';
import type { Actor, Command, Decision, TwinState } from '../../../digital-twin/index.js';
import { fold, hold, runRules, T0, tinyPlant } from './fixtures/tiny-plant.js';

const plant = tinyPlant();
const operator: Actor = { id: 'u1', name: 'Ada', role: 'operator' };

/** A state with one open capsule, C-1 on limit/TT-1 (TT-1 at 85 °C for the on-delay). */
function withCapsule(): TwinState {
  const state = createTwinState(plant, T0);
  hold(state, 'TT-1', 85, T0, T0 + 2000);
  runRules(state, T0 + 2000);
  return state;
}

function rejected(decision: Decision): { code: string; reason: string } {
  if (decision.status !== 'rejected') throw new Error('expected a rejection');
  return { code: decision.code, reason: decision.reason };
}

/** Decide and, when accepted, fold the events at t. */
function act(state: TwinState, command: Command, t: number, actor = operator): Decision {
  const decision = decide(state, command, actor, t);
  if (decision.status === 'accepted') fold(state, t, ...decision.events);
  return decision;
}

describe('decide', () => {
  it('D-1: decide is pure and an accepted command starts with command.accepted', () => {
    const state = withCapsule();
    const before = hashState(state);
    const command: Command = { type: 'capsule.ack', commandId: 'c1', capsuleId: 'C-1' };
    const decision = decide(state, command, operator, T0 + 3000);
    expect(hashState(state)).toBe(before);
    expect(decide(state, command, operator, T0 + 3000)).toEqual(decision);
    expect(decision.status === 'accepted' && decision.events[0]).toEqual({
      type: 'command.accepted',
      command,
      actor: operator,
    });
  });

  it('D-2: an accepted capsule command yields capsule.changed with action, actor and note', () => {
    const state = withCapsule();
    const decision = decide(
      state,
      { type: 'capsule.ack', commandId: 'c1', capsuleId: 'C-1', note: 'checking the pump' },
      operator,
      T0 + 3000,
    );
    expect(decision.status === 'accepted' && decision.events[1]).toEqual({
      type: 'capsule.changed',
      capsuleId: 'C-1',
      action: 'acknowledged',
      actor: operator,
      note: 'checking the pump',
      changes: { state: 'acknowledged' },
    });
  });

  it('D-3: an illegal transition names the capsule, its state and the attempted action', () => {
    const state = withCapsule();
    expect(
      rejected(
        decide(state, { type: 'capsule.resolve', commandId: 'c', capsuleId: 'C-1' }, operator, T0),
      ),
    ).toEqual({
      code: 'illegal_transition',
      reason: 'capsule C-1 is active; resolve requires acknowledged',
    });
    expect(
      rejected(
        decide(state, { type: 'capsule.unshelve', commandId: 'c', capsuleId: 'C-1' }, operator, T0),
      ).reason,
    ).toBe('capsule C-1 is active; unshelve requires shelved');
  });

  it('D-4: an unknown capsule is unknown_capsule; a closed one says how it closed', () => {
    const state = withCapsule();
    expect(
      rejected(
        decide(state, { type: 'capsule.ack', commandId: 'c', capsuleId: 'C-9' }, operator, T0),
      ),
    ).toEqual({
      code: 'unknown_capsule',
      reason: 'unknown capsule C-9: no open capsule has that id',
    });
    act(state, { type: 'capsule.dismiss', commandId: 'c1', capsuleId: 'C-1' }, T0 + 3000);
    expect(
      rejected(
        decide(state, { type: 'capsule.ack', commandId: 'c2', capsuleId: 'C-1' }, operator, T0),
      ),
    ).toEqual({
      code: 'unknown_capsule',
      reason: 'capsule C-1 is closed (dismissed); it cannot ack any more',
    });
  });

  it('D-5: shelving needs a duration in (0, 24 h] and ends at t + duration', () => {
    const state = withCapsule();
    for (const durationMs of [0, -5, 24 * 3_600_000 + 1]) {
      const answer = rejected(
        decide(
          state,
          { type: 'capsule.shelve', commandId: 'c', capsuleId: 'C-1', durationMs },
          operator,
          T0,
        ),
      );
      expect(answer.code).toBe('invalid_command');
      expect(answer.reason).toContain(`got ${durationMs}`);
    }
    act(
      state,
      { type: 'capsule.shelve', commandId: 'c', capsuleId: 'C-1', durationMs: 600_000 },
      T0 + 3000,
    );
    expect(state.capsules.get('C-1')).toMatchObject({
      state: 'shelved',
      shelvedUntil: T0 + 603_000,
      shelvedFrom: 'active',
    });
  });

  it('D-6: actuator commands check the actuator, its kind and its range', () => {
    const state = createTwinState(plant, T0);
    const answer = (command: Command): { code: string; reason: string } =>
      rejected(decide(state, command, operator, T0));
    expect(
      answer({ type: 'valve.actuate', commandId: 'c', actuatorId: 'V-9.POS', position: 1 }),
    ).toEqual({
      code: 'unknown_actuator',
      reason: 'unknown actuator V-9.POS',
    });
    expect(
      answer({ type: 'valve.actuate', commandId: 'c', actuatorId: 'P-1.RUN', position: 1 }),
    ).toEqual({
      code: 'wrong_actuator_kind',
      reason: 'P-1.RUN is a pump.run actuator; valve.actuate needs valve.position',
    });
    expect(
      answer({ type: 'valve.actuate', commandId: 'c', actuatorId: 'V-1.POS', position: 1.5 }),
    ).toEqual({
      code: 'value_out_of_range',
      reason: "position 1.5 is outside V-1.POS's range 0..1",
    });
    expect(
      answer({ type: 'setpoint.change', commandId: 'c', actuatorId: 'R-1.TSP', value: 150 }),
    ).toEqual({
      code: 'value_out_of_range',
      reason: "setpoint 150 degC is outside R-1.TSP's range 20..120 degC",
    });
    expect(answer({ type: 'pump.start', commandId: 'c', actuatorId: 'V-1.POS' }).code).toBe(
      'wrong_actuator_kind',
    );
  });

  it('D-6: accepted actuator commands move the actuator (pump.start 1, pump.stop 0)', () => {
    const state = createTwinState(plant, T0);
    const value = (id: string): number => state.actuators[plant.actuatorIndex.get(id)!]!;
    act(state, { type: 'pump.stop', commandId: 'c1', actuatorId: 'P-1.RUN' }, T0 + 1);
    expect(value('P-1.RUN')).toBe(0);
    act(state, { type: 'pump.start', commandId: 'c2', actuatorId: 'P-1.RUN' }, T0 + 2);
    expect(value('P-1.RUN')).toBe(1);
    const decision = act(
      state,
      { type: 'valve.actuate', commandId: 'c3', actuatorId: 'V-1.POS', position: 0.8 },
      T0 + 3,
    );
    expect(decision.status === 'accepted' && decision.events[1]).toEqual({
      type: 'actuator.changed',
      actuatorId: 'V-1.POS',
      value: 0.8,
      actor: operator,
    });
    act(
      state,
      { type: 'setpoint.change', commandId: 'c4', actuatorId: 'R-1.TSP', value: 65 },
      T0 + 4,
    );
    expect([value('V-1.POS'), value('R-1.TSP')]).toEqual([0.8, 65]);
  });

  it('D-7: annotations need text and known targets, and are numbered A-<n>', () => {
    const state = withCapsule();
    const add = (extra: Partial<Extract<Command, { type: 'annotation.add' }>>): Decision =>
      decide(
        state,
        { type: 'annotation.add', commandId: 'c', text: 'smells hot', ...extra },
        operator,
        T0,
      );
    expect(rejected(add({ text: '   ' })).code).toBe('invalid_command');
    expect(rejected(add({ text: 'x'.repeat(2001) })).reason).toContain('at most 2000 characters');
    expect(rejected(add({ equipmentId: 'X-1' }))).toEqual({
      code: 'invalid_command',
      reason: 'equipmentId: unknown equipment X-1',
    });
    expect(rejected(add({ capsuleId: 'C-7' })).code).toBe('unknown_capsule');
    const decision = add({ equipmentId: 'R-1', capsuleId: 'C-1' });
    expect(decision.status === 'accepted' && decision.events[1]).toEqual({
      type: 'annotation',
      annotationId: 'A-1',
      text: 'smells hot',
      actor: operator,
      equipmentId: 'R-1',
      capsuleId: 'C-1',
    });
  });

  it('D-8: roles the permission table does not allow are refused', () => {
    const state = withCapsule();
    const viewer: Actor = { id: 'v', name: 'Val', role: 'viewer' };
    expect(
      rejected(
        decide(state, { type: 'capsule.ack', commandId: 'c', capsuleId: 'C-1' }, viewer, T0),
      ),
    ).toEqual({
      code: 'not_permitted',
      reason: 'Val (v): capsule.ack needs the operator role or higher; you are a viewer',
    });
  });

  it('D-9: malformed commands are invalid_command naming the field', () => {
    const state = withCapsule();
    const answer = (command: unknown): { code: string; reason: string } =>
      rejected(decide(state, command as Command, operator, T0));
    expect(answer({ type: 'capsule.ack', capsuleId: 'C-1' })).toEqual({
      code: 'invalid_command',
      reason: 'commandId: expected a non-empty string',
    });
    expect(
      answer({ type: 'valve.actuate', commandId: 'c', actuatorId: 'V-1.POS', position: NaN })
        .reason,
    ).toBe('position: expected a finite number, got NaN');
    expect(answer({ type: 'capsule.ack', commandId: 'c', capsuleId: 7 }).reason).toBe(
      'capsuleId: expected a non-empty string, got 7',
    );
    expect(answer({ type: 'capsule.shelve', commandId: 'c', capsuleId: 'C-1' }).reason).toBe(
      'durationMs: required for capsule.shelve',
    );
    expect(answer({ type: 'pump.start', commandId: 'c' }).reason).toBe(
      'actuatorId: required for pump.start',
    );
    expect(answer({ type: 'annotation.add', commandId: 'c', text: 5 }).reason).toBe(
      'text: expected a string, got 5',
    );
    expect(answer({ type: 'reactor.explode', commandId: 'c' })).toEqual({
      code: 'invalid_command',
      reason: 'unknown command type "reactor.explode"',
    });
  });

  it('D-1: the accepted events fold with apply', () => {
    const state = withCapsule();
    const decision = decide(
      state,
      { type: 'capsule.ack', commandId: 'c', capsuleId: 'C-1' },
      operator,
      T0 + 3000,
    );
    if (decision.status !== 'accepted') throw new Error('expected acceptance');
    let seq = state.seq;
    for (const body of decision.events) apply(state, { ...body, seq: ++seq, t: T0 + 3000 });
    expect(state.capsules.get('C-1')?.state).toBe('acknowledged');
  });
});
