import { applyCapsuleChange } from './capsule-change.js';
import { assertNever } from './assert-never.js';
import type { Capsule } from './capsule.js';
import {
  capsuleNumber,
  CLOSED_CAPSULE_MEMORY,
  isUsable,
  LATCH_SLOT,
  LATCH_SLOTS,
} from './twin-state.js';
import type { TwinState } from './twin-state.js';
import type { CompiledPlant } from './compiled-plant.js';
import type {
  ActuatorChangedEvent,
  CapsuleChangedEvent,
  CapsuleRaisedEvent,
  EventBody,
  ExpectationsEvent,
  Fault,
  ReadingsEvent,
  TwinEvent,
} from './events.js';
import { isClosedState, isLegalTransition } from './capsule-lifecycle.js';
import { conditionPresent, rankOfSeverity } from './rules/conditions.js';
import * as indicators from './rules/indicators.js';

// Module-local copies: the per-reading path should not pay for a loader's getter per access.
const { foldDeviation, foldReading, qualityCode, stopVibration, RUNNING_THRESHOLD } = indicators;

/**
 * Fold one event into the twin state, in place (SPEC E-1 … E-14). The same function serves the
 * live twin, replay (fold the log) and branches (fold simulated events): there is no second path.
 *
 * Invariant violations (a sequence gap, a capsule event that contradicts the state) throw before
 * anything is changed, so a failed apply leaves the state as it was.
 */
export function apply(state: TwinState, event: TwinEvent): void {
  if (event.seq !== state.seq + 1) {
    throw new Error(
      `Invariant: event seq ${event.seq} does not follow state seq ${state.seq} (expected ${state.seq + 1})`,
    );
  }
  switch (event.type) {
    case 'readings':
      foldReadings(state, event);
      break;
    case 'expectations':
      foldExpectations(state, event);
      break;
    case 'capsule.raised':
      foldRaised(state, event);
      break;
    case 'capsule.changed':
      foldChanged(state, event);
      break;
    case 'actuator.changed':
      foldActuator(state, event);
      break;
    case 'fault.injected':
      state.faults.push(copyFault(event.fault));
      break;
    case 'fault.cleared':
      clearFault(state, event.fault);
      break;
    case 'annotation':
      state.annotations += 1;
      break;
    case 'command.accepted':
    case 'command.rejected':
      // The decision's effects travel as their own events (E-12); the ack itself changes nothing.
      break;
    default:
      assertNever(event, 'twin event');
  }
  state.seq = event.seq;
  state.t = event.t;
}

/** Number event bodies state.seq + 1, … at time t, ready for `apply`; nothing is applied. */
export function sequenceEvents(
  state: TwinState,
  bodies: readonly EventBody[],
  t: number,
): TwinEvent[] {
  const events: TwinEvent[] = [];
  let seq = state.seq;
  for (const body of bodies) {
    seq += 1;
    events.push({ ...body, seq, t });
  }
  return events;
}

/**
 * Where each batch position found its sensor last time, per plant. Producers send the same
 * sensors in the same order batch after batch (the simulator in plant order, an ingest adapter
 * in subscription order), so position k usually names the sensor it named before: one string
 * compare instead of hashing a freshly parsed id string. Only a hint: every guess is checked,
 * so results never depend on it (and it is shared by every state of a plant, branches too).
 */
const positionHints = new WeakMap<CompiledPlant, Int32Array>();

function hintsFor(plant: CompiledPlant): Int32Array {
  let hints = positionHints.get(plant);
  if (hints === undefined) {
    hints = Int32Array.from(plant.sensors, (_, k) => k);
    positionHints.set(plant, hints);
  }
  return hints;
}

/** The hot path (E-2 … E-4): find the sensor, check the time, write a few typed arrays. */
function foldReadings(state: TwinState, event: ReadingsEvent): void {
  const index = state.plant.sensorIndex;
  const sensors = state.plant.sensors;
  const hints = hintsFor(state.plant);
  const readingT = state.readingT;
  const readings = event.readings;
  let next = 0;
  for (let k = 0; k < readings.length; k++) {
    const reading = readings[k]!;
    const id = reading.sensorId;
    let i: number | undefined = k < hints.length ? hints[k]! : next;
    if (sensors[i]?.id !== id) {
      i = sensors[next]?.id === id ? next : index.get(id);
      if (i === undefined) {
        state.unknownReadings += 1;
        continue;
      }
      if (k < hints.length) hints[k] = i;
    }
    next = i + 1;
    const t = reading.t;
    // A NaN time fails `t - t === 0`; the first reading compares against NaN and passes.
    if (t - t !== 0 || t < readingT[i]!) {
      state.staleReadings += 1;
      continue;
    }
    foldReading(state, i, t, reading.value, qualityCode(reading.quality));
  }
}

/** Expectations (E-8): the simulator's noise-free value per sensor, for the deviation rule. */
function foldExpectations(state: TwinState, event: ExpectationsEvent): void {
  const index = state.plant.sensorIndex;
  for (const { sensorId, value } of event.values) {
    const i = index.get(sensorId);
    if (i === undefined) {
      state.unknownReadings += 1;
      continue;
    }
    const e = Number.isFinite(value) ? value : NaN;
    state.expected[i] = e;
    if (e === e && isUsable(state, i)) foldDeviation(state, i, event.t, state.value[i]!, e);
  }
}

function foldRaised(state: TwinState, event: CapsuleRaisedEvent): void {
  const capsule = event.capsule;
  const n = capsuleNumber(capsule.id);
  if (Number.isNaN(n)) {
    throw new Error(`Invariant: capsule.raised id "${capsule.id}" is not of the form C-<n>`);
  }
  if (state.capsules.has(capsule.id) || state.closedCapsules.has(capsule.id)) {
    throw new Error(`Invariant: capsule.raised reuses the id ${capsule.id}`);
  }
  const open = state.capsuleByRule.get(capsule.rule);
  if (open !== undefined) {
    throw new Error(
      `Invariant: capsule.raised ${capsule.id} for rule ${capsule.rule}, which already has open capsule ${open} (C-1)`,
    );
  }
  if (isClosedState(capsule.state)) {
    throw new Error(`Invariant: capsule.raised ${capsule.id} in closed state ${capsule.state}`);
  }
  // Copy what the state keeps, so a caller reusing the event object cannot reach into the state.
  const stored: Capsule = {
    ...capsule,
    position: { ...capsule.position },
    checks: capsule.checks.map((check) => ({ ...check })),
    history: capsule.history.map((entry) => ({ ...entry })),
    metadata: { ...capsule.metadata },
  };
  state.capsules.set(stored.id, stored);
  state.capsuleByRule.set(stored.rule, stored.id);
  if (n >= state.nextCapsule) state.nextCapsule = n + 1;
}

/** Copy-on-write change of one open capsule (E-11); closing moves it to closedCapsules. */
function foldChanged(state: TwinState, event: CapsuleChangedEvent): void {
  const old = state.capsules.get(event.capsuleId);
  if (old === undefined) {
    const closed = state.closedCapsules.get(event.capsuleId);
    throw new Error(
      `Invariant: capsule.changed for ${event.capsuleId}, which is ${closed === undefined ? 'not open' : `closed (${closed})`}`,
    );
  }
  const changes = event.changes;
  if (changes.state !== undefined && changes.state !== old.state) {
    if (!isLegalTransition(old.state, changes.state)) {
      throw new Error(
        `Invariant: capsule.changed moves ${old.id} from ${old.state} to ${changes.state}, which is not a legal transition (C-8)`,
      );
    }
  }
  const next = applyCapsuleChange(old, event);

  if (!isClosedState(next.state)) {
    state.capsules.set(next.id, next);
    return;
  }
  state.capsules.delete(next.id);
  if (state.capsuleByRule.get(next.rule) === next.id) state.capsuleByRule.delete(next.rule);
  state.closedCapsules.set(next.id, next.state);
  if (state.closedCapsules.size > CLOSED_CAPSULE_MEMORY) {
    const oldest = state.closedCapsules.keys().next();
    if (oldest.done !== true) state.closedCapsules.delete(oldest.value);
  }
  // E-13: closed while its condition is still there, the rule stays quiet at this severity.
  const instance = state.config.instanceByRule.get(next.rule);
  if (instance !== undefined && conditionPresent(state, instance)) {
    const slot = instance.sensor * LATCH_SLOTS + LATCH_SLOT[instance.kind];
    const rank = rankOfSeverity(next.severity);
    if (rank > state.latch[slot]!) state.latch[slot] = rank;
  }
}

/** Actuator moves (E-12); stopping a machine resets its vibration baseline (E-9). */
function foldActuator(state: TwinState, event: ActuatorChangedEvent): void {
  const a = state.plant.actuatorIndex.get(event.actuatorId);
  if (a === undefined) {
    state.unknownActuators += 1;
    return;
  }
  state.actuators[a] = event.value;
  if (event.value >= RUNNING_THRESHOLD) return;
  const group = state.config.vibrationByEquipment.get(state.plant.actuatorEquipment[a]!.id);
  if (group === undefined) return;
  for (const i of group) if (state.config.runActuator[i] === a) stopVibration(state, i);
}

function copyFault(fault: Fault): Fault {
  const copy: Fault = { kind: fault.kind, target: fault.target };
  if (fault.magnitude !== undefined) copy.magnitude = fault.magnitude;
  return copy;
}

/** Clears the earliest matching injected fault (same kind and target); unknown ones are ignored. */
function clearFault(state: TwinState, fault: Fault): void {
  const k = state.faults.findIndex((f) => f.kind === fault.kind && f.target === fault.target);
  if (k >= 0) state.faults.splice(k, 1);
}
