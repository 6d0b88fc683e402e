import { describe, expect, it } from 'vitest';
import {
  CAPSULE_STATES,
  CAPSULE_TRANSITIONS,
  createTwinState,
  decide,
  isClosedState,
  isLegalTransition,
} from '../../../digital-twin/index.js';
import type {
  Actor,
  CapsuleState,
  Command,
  Decision,
  TwinState,
} from '../../../digital-twin/index.js';
import { fold, hold, runRules, T0, tinyPlant } from './fixtures/tiny-plant.js';

const plant = tinyPlant();
const ada: Actor = { id: 'u1', name: 'Ada', role: 'operator' };
const bo: Actor = { id: 'u2', name: 'Bo', role: 'engineer' };

function withCapsule(): TwinState {
  const state = createTwinState(plant, T0);
  hold(state, 'TT-1', 85, T0, T0 + 2000);
  runRules(state, T0 + 2000);
  return state;
}

type CapsuleVerb = 'ack' | 'resolve' | 'shelve' | 'unshelve' | 'dismiss';

/** Send a capsule command for C-1 and fold it when accepted. */
function send(state: TwinState, verb: CapsuleVerb, t: number, actor = ada): Decision {
  const base = { commandId: `c-${t}`, capsuleId: 'C-1' };
  const command: Command =
    verb === 'shelve'
      ? { type: 'capsule.shelve', ...base, durationMs: 60_000 }
      : { type: `capsule.${verb}`, ...base };
  const decision = decide(state, command, actor, t);
  if (decision.status === 'accepted') fold(state, t, ...decision.events);
  return decision;
}

const stateOf = (state: TwinState): CapsuleState | undefined =>
  state.capsules.get('C-1')?.state ?? state.closedCapsules.get('C-1');

describe('capsule transitions', () => {
  it('C-2: ack moves active → acknowledged', () => {
    const state = withCapsule();
    expect(send(state, 'ack', T0 + 3000).status).toBe('accepted');
    expect(stateOf(state)).toBe('acknowledged');
  });

  it('C-3, C-9: resolve moves acknowledged → resolved and the capsule leaves the twin', () => {
    const state = withCapsule();
    send(state, 'ack', T0 + 3000);
    expect(send(state, 'resolve', T0 + 4000).status).toBe('accepted');
    expect(state.capsules.has('C-1')).toBe(false);
    expect(state.closedCapsules.get('C-1')).toBe('resolved');
  });

  it('C-4, C-5: shelve from active or acknowledged, unshelve returns to where it was', () => {
    for (const from of ['active', 'acknowledged'] as const) {
      const state = withCapsule();
      if (from === 'acknowledged') send(state, 'ack', T0 + 2500);
      send(state, 'shelve', T0 + 3000);
      expect(state.capsules.get('C-1')).toMatchObject({
        state: 'shelved',
        shelvedFrom: from,
        shelvedUntil: T0 + 63_000,
      });
      send(state, 'unshelve', T0 + 4000);
      expect(state.capsules.get('C-1')).toMatchObject({
        state: from,
        shelvedFrom: null,
        shelvedUntil: null,
      });
    }
  });

  it('C-6: dismiss closes an active or acknowledged capsule', () => {
    const a = withCapsule();
    send(a, 'dismiss', T0 + 3000);
    expect(stateOf(a)).toBe('dismissed');
    const b = withCapsule();
    send(b, 'ack', T0 + 3000);
    send(b, 'dismiss', T0 + 4000);
    expect(stateOf(b)).toBe('dismissed');
  });

  it('C-7: escalation is the only way back from acknowledged to active', () => {
    const back = CAPSULE_TRANSITIONS.filter(
      (tr) => tr.from === 'acknowledged' && tr.to === 'active',
    );
    expect(back.map((tr) => [tr.trigger, tr.spec])).toEqual([['severity.escalated', 'C-7']]);
    expect(CAPSULE_TRANSITIONS.every((tr) => tr.to !== 'active' || tr.from !== 'active')).toBe(
      true,
    );
  });

  it('C-8: active → resolved is rejected with a reason', () => {
    const state = withCapsule();
    const decision = send(state, 'resolve', T0 + 3000);
    expect(decision).toEqual({
      status: 'rejected',
      code: 'illegal_transition',
      reason: 'capsule C-1 is active; resolve requires acknowledged',
    });
    expect(stateOf(state)).toBe('active');
  });

  it('C-8: acknowledging twice and shelving a shelved capsule are rejected', () => {
    const state = withCapsule();
    send(state, 'ack', T0 + 3000);
    expect(send(state, 'ack', T0 + 3100)).toMatchObject({
      code: 'illegal_transition',
      reason: 'capsule C-1 is acknowledged; ack requires active',
    });
    send(state, 'shelve', T0 + 3200);
    expect(send(state, 'shelve', T0 + 3300)).toMatchObject({
      code: 'illegal_transition',
      reason: 'capsule C-1 is shelved; shelve requires active or acknowledged',
    });
  });

  it('C-8: exactly the listed state pairs are legal', () => {
    const legal = CAPSULE_STATES.flatMap((from) =>
      CAPSULE_STATES.filter((to) => isLegalTransition(from, to)).map((to) => `${from}→${to}`),
    );
    expect(legal).toEqual([
      'active→acknowledged',
      'active→shelved',
      'active→dismissed',
      'acknowledged→active',
      'acknowledged→shelved',
      'acknowledged→resolved',
      'acknowledged→dismissed',
      'shelved→active',
      'shelved→acknowledged',
    ]);
  });

  it('C-9: a state is closed exactly when no transition leads out of it', () => {
    for (const state of CAPSULE_STATES)
      expect([state, isClosedState(state)]).toEqual([
        state,
        !CAPSULE_TRANSITIONS.some((transition) => transition.from === state),
      ]);
  });

  it('C-9: commands on a closed capsule answer unknown_capsule with its final state', () => {
    const state = withCapsule();
    send(state, 'ack', T0 + 3000);
    send(state, 'resolve', T0 + 4000);
    for (const verb of ['ack', 'resolve', 'shelve', 'unshelve', 'dismiss'] as const) {
      expect(send(state, verb, T0 + 5000)).toEqual({
        status: 'rejected',
        code: 'unknown_capsule',
        reason: `capsule C-1 is closed (resolved); it cannot ${verb} any more`,
      });
    }
  });

  it('C-10: the history records every action with who and when; older objects stay as they were', () => {
    const state = withCapsule();
    const raised = state.capsules.get('C-1')!;
    send(state, 'ack', T0 + 3000, ada);
    send(state, 'shelve', T0 + 4000, bo);
    const shelved = state.capsules.get('C-1')!;
    send(state, 'unshelve', T0 + 5000, bo);
    send(state, 'resolve', T0 + 6000, ada);
    expect(raised.state).toBe('active');
    expect(raised.history).toHaveLength(1);
    expect(shelved.state).toBe('shelved');
    expect(state.closedCapsules.get('C-1')).toBe('resolved');
    expect(shelved.history.map((h) => [h.action, h.actor.id, h.t])).toEqual([
      ['raised', 'system', T0 + 2000],
      ['acknowledged', 'u1', T0 + 3000],
      ['shelved', 'u2', T0 + 4000],
    ]);
  });
});
