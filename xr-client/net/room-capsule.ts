import { CAPSULE_STATES, SEVERITIES } from '../../digital-twin/index.js';
import type { CapsuleState, Severity } from '../../digital-twin/index.js';
import type { CapsuleDraw } from '../capsules/capsule-layer.js';

/** A capsule as the plant room's state carries it (see the server's room schema). */
export interface RoomCapsule {
  id: string;
  rule: string;
  ruleKind: string;
  severity: string;
  priority: number;
  state: string;
  title: string;
  description: string;
  sensorId: string;
  equipmentId: string;
  x: number;
  y: number;
  z: number;
  raisedAt: number;
  updatedAt: number;
  consensus: number;
  conditionActive: boolean;
  shelvedUntil: number;
  acknowledgedBy: string;
  acknowledgedAt: number;
  lastActor: string;
  lastAction: string;
  lastActionAt: number;
}

/** A capsule the client can draw and list: severity and state checked, the rest as sent. */
export interface ClientCapsule extends CapsuleDraw {
  title: string;
  description: string;
  rule: string;
  sensorId: string | null;
  equipmentId: string;
  raisedAt: number;
  updatedAt: number;
  consensus: number;
  shelvedUntil: number | null;
  acknowledgedBy: string | null;
  lastActor: string | null;
  lastAction: string | null;
  lastActionAt: number | null;
}

/**
 * Check a room capsule's fields the client switches on. A server newer than this client may
 * send a state or severity it does not know: that is reported, not drawn wrongly.
 */
export function clientCapsule(
  room: RoomCapsule,
): { ok: true; capsule: ClientCapsule } | { ok: false; reason: string } {
  if (!(SEVERITIES as readonly string[]).includes(room.severity)) {
    return {
      ok: false,
      reason: `capsule ${room.id}: severity: expected one of ${SEVERITIES.join(', ')}, got "${room.severity}"`,
    };
  }
  if (!(CAPSULE_STATES as readonly string[]).includes(room.state)) {
    return {
      ok: false,
      reason: `capsule ${room.id}: state: expected one of ${CAPSULE_STATES.join(', ')}, got "${room.state}"`,
    };
  }
  if (![room.x, room.y, room.z].every(Number.isFinite)) {
    return { ok: false, reason: `capsule ${room.id}: position: expected finite x, y, z` };
  }
  return {
    ok: true,
    capsule: {
      id: room.id,
      severity: room.severity as Severity,
      state: room.state as CapsuleState,
      priority: room.priority,
      conditionActive: room.conditionActive,
      x: room.x,
      y: room.y,
      z: room.z,
      title: room.title,
      description: room.description,
      rule: room.rule,
      sensorId: room.sensorId === '' ? null : room.sensorId,
      equipmentId: room.equipmentId,
      raisedAt: room.raisedAt,
      updatedAt: room.updatedAt,
      consensus: room.consensus,
      shelvedUntil: room.shelvedUntil > 0 ? room.shelvedUntil : null,
      acknowledgedBy: room.acknowledgedBy === '' ? null : room.acknowledgedBy,
      lastActor: room.lastActor === '' ? null : room.lastActor,
      lastAction: room.lastAction === '' ? null : room.lastAction,
      lastActionAt: room.lastActionAt > 0 ? room.lastActionAt : null,
    },
  };
}
