import { assertNever } from '../assert-never.js';
import { FAULT_KINDS } from '../events.js';
import type { Fault, FaultKind } from '../events.js';
import type { EquipmentKind } from '../plant.js';
import { describeValue } from '../validation-errors.js';
import { asSimulation } from './sim-state.js';
import type { SimState, Simulation } from './sim-state.js';
import { SLOT, SLOTS_PER_EQUIPMENT } from './state-layout.js';

/**
 * Faults the simulator can suffer, what each may target, and their effect. Equipment faults change
 * the physics (so the simulator's expectations see them too); sensor faults change only what a
 * sensor reports, which is what the deviation rule's "shadow" comparison catches.
 */

/** Equipment kinds each equipment fault applies to; sensor faults target a sensor id. */
export const FAULT_TARGET_KINDS: {
  readonly [K in FaultKind]: readonly EquipmentKind[] | 'sensor';
} = {
  'pump.trip': ['pump', 'compressor', 'motor'],
  'valve.stuck': ['valve'],
  'cooling.loss': ['reactor', 'heat-exchanger'],
  'bearing.wear': ['pump', 'compressor', 'motor'],
  'sensor.drift': 'sensor',
  'sensor.freeze': 'sensor',
  'sensor.dropout': 'sensor',
};

/** Bearing wear when a fault gives no magnitude: mm/s of vibration added per hour of running. */
export const DEFAULT_WEAR_PER_HOUR = 6;
/** Sensor drift when a fault gives no magnitude: share of the sensor's span per minute. */
export const DEFAULT_DRIFT_SHARE_PER_MINUTE = 0.01;

const MS_PER_HOUR = 3_600_000;
const MS_PER_MINUTE = 60_000;

/** What a fault check needs to know about the plant. */
export interface FaultTargets {
  equipmentKind(id: string): EquipmentKind | undefined;
  hasSensor(id: string): boolean;
}

/** One thing wrong with a fault: which field, and what. */
export interface FaultProblem {
  field: 'kind' | 'target' | 'magnitude';
  message: string;
}

/** The first problem with a fault for this plant, or undefined when the simulator can apply it. */
export function faultProblem(fault: unknown, targets: FaultTargets): FaultProblem | undefined {
  if (typeof fault !== 'object' || fault === null) {
    return { field: 'kind', message: 'expected a fault object { kind, target, magnitude? }' };
  }
  const { kind, target, magnitude } = fault as Record<string, unknown>;
  if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind)) {
    return {
      field: 'kind',
      message: `expected one of ${FAULT_KINDS.join(', ')}, got ${JSON.stringify(kind) ?? 'nothing'}`,
    };
  }
  if (typeof target !== 'string' || target === '') {
    return { field: 'target', message: 'expected the id of an equipment or sensor' };
  }
  const allowed = FAULT_TARGET_KINDS[kind as FaultKind];
  if (allowed === 'sensor') {
    if (!targets.hasSensor(target)) {
      return { field: 'target', message: `unknown sensor "${target}" (${kind} targets a sensor)` };
    }
  } else {
    const actual = targets.equipmentKind(target);
    if (actual === undefined) {
      return {
        field: 'target',
        message: targets.hasSensor(target)
          ? `"${target}" is a sensor; ${kind} targets a ${allowed.join(' or ')}`
          : `unknown equipment "${target}"`,
      };
    }
    if (!allowed.includes(actual)) {
      return {
        field: 'target',
        message: `"${target}" is a ${actual}; ${kind} targets a ${allowed.join(' or ')}`,
      };
    }
  }
  if (magnitude !== undefined) {
    if (typeof magnitude !== 'number' || !Number.isFinite(magnitude)) {
      return {
        field: 'magnitude',
        message: `expected a finite number, got ${describeValue(magnitude)}`,
      };
    }
    if (kind === 'valve.stuck' && (magnitude < 0 || magnitude > 1)) {
      return {
        field: 'magnitude',
        message: `expected the stuck valve position within 0..1, got ${magnitude}`,
      };
    }
    if (kind === 'bearing.wear' && magnitude < 0) {
      return {
        field: 'magnitude',
        message: `expected a wear rate ≥ 0 (mm/s per hour), got ${magnitude}`,
      };
    }
  }
  return undefined;
}

function targetsOf(sim: Simulation): FaultTargets {
  const m = sim.model;
  return {
    equipmentKind: (id) => {
      const i = m.equipmentIndex.get(id);
      return i === undefined ? undefined : m.compiled.plant.equipment[i]?.kind;
    },
    hasSensor: (id) => m.compiled.sensorIndex.has(id),
  };
}

/** Throws a clear Error for a fault this simulator cannot apply; returns it typed otherwise. */
function checkedFault(sim: Simulation, fault: Fault, verb: string): Fault {
  const problem = faultProblem(fault, targetsOf(sim));
  if (problem !== undefined) {
    const what =
      typeof fault === 'object' && fault !== null
        ? `${String(fault.kind)} on "${String(fault.target)}"`
        : 'fault';
    throw new Error(
      `cannot ${verb} ${what}: ${problem.field}: ${problem.message} (plant ${sim.plant.plant.id})`,
    );
  }
  return fault;
}

const sameFault = (a: Fault, b: Fault): boolean => a.kind === b.kind && a.target === b.target;

/** Start a fault; a second fault of the same kind on the same target replaces the first. */
export function injectFault(state: SimState, fault: Fault): void {
  const sim = asSimulation(state);
  checkedFault(sim, fault, 'inject');
  applyFault(sim, fault);
  sim.faults = sim.faults.filter((f) => !sameFault(f, fault));
  sim.faults.push(
    fault.magnitude === undefined
      ? { kind: fault.kind, target: fault.target }
      : { kind: fault.kind, target: fault.target, magnitude: fault.magnitude },
  );
}

function applyFault(sim: Simulation, fault: Fault): void {
  const m = sim.model;
  const i = m.equipmentIndex.get(fault.target) ?? -1;
  const s = m.compiled.sensorIndex.get(fault.target) ?? -1;
  switch (fault.kind) {
    case 'pump.trip':
      sim.tripped[i] = 1;
      return;
    case 'valve.stuck':
      sim.stuck[i] = 1;
      if (fault.magnitude !== undefined) {
        sim.x[i * SLOTS_PER_EQUIPMENT + SLOT.VALVE_FRACTION] = fault.magnitude;
        sim.x[i * SLOTS_PER_EQUIPMENT + SLOT.POSITION] = fault.magnitude * 100;
      }
      return;
    case 'cooling.loss':
      sim.coolingLost[i] = 1;
      return;
    case 'bearing.wear':
      sim.wearRate[i] = (fault.magnitude ?? DEFAULT_WEAR_PER_HOUR) / MS_PER_HOUR;
      return;
    case 'sensor.drift':
      sim.driftRate[s] =
        (fault.magnitude ?? (m.sensorSpan[s] ?? 0) * DEFAULT_DRIFT_SHARE_PER_MINUTE) /
        MS_PER_MINUTE;
      return;
    case 'sensor.freeze': {
      // Frozen at what it last reported; before any report, at the true value.
      const last = sim.lastReading[s] ?? NaN;
      sim.frozen[s] = 1;
      sim.frozenValue[s] = last === last ? last : (sim.x[m.sensorSlot[s] ?? 0] ?? 0);
      return;
    }
    case 'sensor.dropout':
      sim.dropout[s] = 1;
      return;
    default:
      assertNever(fault.kind, 'fault kind');
  }
}

/**
 * End a fault: a tripped machine follows its run command again, a stuck valve moves again, a
 * worn bearing is replaced (wear back to zero), a drifting sensor is recalibrated. Clearing a fault
 * that is not active does nothing; one the plant cannot have is an Error.
 */
export function clearFault(state: SimState, fault: Fault): void {
  const sim = asSimulation(state);
  checkedFault(sim, fault, 'clear');
  if (!sim.faults.some((f) => sameFault(f, fault))) return;
  sim.faults = sim.faults.filter((f) => !sameFault(f, fault));
  const m = sim.model;
  const i = m.equipmentIndex.get(fault.target) ?? -1;
  const s = m.compiled.sensorIndex.get(fault.target) ?? -1;
  switch (fault.kind) {
    case 'pump.trip':
      sim.tripped[i] = 0;
      return;
    case 'valve.stuck':
      sim.stuck[i] = 0;
      return;
    case 'cooling.loss':
      sim.coolingLost[i] = 0;
      return;
    case 'bearing.wear':
      sim.wearRate[i] = 0;
      sim.x[i * SLOTS_PER_EQUIPMENT + SLOT.WEAR] = 0;
      return;
    case 'sensor.drift':
      sim.driftRate[s] = 0;
      sim.driftOffset[s] = 0;
      return;
    case 'sensor.freeze':
      sim.frozen[s] = 0;
      return;
    case 'sensor.dropout':
      sim.dropout[s] = 0;
      return;
    default:
      assertNever(fault.kind, 'fault kind');
  }
}

/** The faults now active, in the order they were injected. */
export function activeFaults(state: SimState): Fault[] {
  return asSimulation(state).faults.map((f) => ({ ...f }));
}
