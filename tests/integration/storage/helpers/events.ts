/** Tiny factories for the events the store writes. */
import type {
  Actor,
  Capsule,
  CapsuleChangedEvent,
  CapsuleRaisedEvent,
  CommandAcceptedEvent,
  CommandRejectedEvent,
  Reading,
  ReadingsEvent,
} from '../../../../digital-twin/index.js';

export const T0 = Date.UTC(2026, 0, 1);

export const ALICE: Actor = { id: 'u-alice', name: 'Alice', role: 'operator' };

export function readingsEvent(seq: number, t: number, readings: Reading[]): ReadingsEvent {
  return { seq, t, type: 'readings', readings };
}

export function capsule(id: string, overrides: Partial<Capsule> = {}): Capsule {
  return {
    id,
    rule: `limit/${id}`,
    ruleKind: 'limit',
    severity: 'warning',
    priority: 3,
    state: 'active',
    title: `High temperature ${id}`,
    description: 'Temperature above the high limit',
    sensorId: 'R-101.TT-01',
    equipmentId: 'R-101',
    position: { x: 1, y: 2, z: 3 },
    raisedAt: T0,
    updatedAt: T0,
    conditionActive: true,
    shelvedUntil: null,
    shelvedFrom: null,
    consensus: 0.5,
    checks: [{ check: 'limit', agrees: true }],
    history: [
      { action: 'raised', actor: { id: 'system', name: 'Twinspace rules', role: 'system' }, t: T0 },
    ],
    metadata: { limit: 80 },
    ...overrides,
  };
}

export function raised(seq: number, c: Capsule): CapsuleRaisedEvent {
  return { seq, t: c.raisedAt, type: 'capsule.raised', capsule: c };
}

export function acknowledged(seq: number, t: number, capsuleId: string): CapsuleChangedEvent {
  return {
    seq,
    t,
    type: 'capsule.changed',
    capsuleId,
    action: 'acknowledged',
    actor: ALICE,
    note: 'on it',
    changes: { state: 'acknowledged' },
  };
}

export function ackAccepted(seq: number, t: number, capsuleId: string): CommandAcceptedEvent {
  return {
    seq,
    t,
    type: 'command.accepted',
    command: { type: 'capsule.ack', commandId: `cmd-${seq}`, capsuleId, note: 'on it' },
    actor: ALICE,
  };
}

export function ackRejected(seq: number, t: number, capsuleId: string): CommandRejectedEvent {
  return {
    seq,
    t,
    type: 'command.rejected',
    command: { type: 'capsule.ack', commandId: `cmd-${seq}`, capsuleId },
    actor: ALICE,
    code: 'illegal_transition',
    reason: 'capsule is already acknowledged',
  };
}
