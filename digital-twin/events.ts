import type { Actor, Capsule, CapsuleState, Severity } from './capsule.js';
import type { Command } from './commands.js';
import type { Reading } from './reading.js';

/** Fields every event carries: a gap-free sequence number and the plant time (ms epoch). */
export interface EventHeader {
  seq: number;
  t: number;
}

export interface ReadingsEvent extends EventHeader {
  type: 'readings';
  readings: Reading[];
}

/** The shadow simulator's noise-free expectation for sensors, used by the deviation rule. */
export interface ExpectationsEvent extends EventHeader {
  type: 'expectations';
  values: { sensorId: string; value: number }[];
}

export interface CapsuleRaisedEvent extends EventHeader {
  type: 'capsule.raised';
  capsule: Capsule;
}

/** A change to one open capsule: lifecycle state, severity, condition or consensus. */
export interface CapsuleChangedEvent extends EventHeader {
  type: 'capsule.changed';
  capsuleId: string;
  /** The history entry this change appends. */
  action: string;
  actor: Actor;
  note?: string;
  changes: {
    state?: CapsuleState;
    severity?: Severity;
    priority?: number;
    conditionActive?: boolean;
    shelvedUntil?: number | null;
    shelvedFrom?: CapsuleState | null;
    consensus?: number;
    checks?: Capsule['checks'];
    description?: string;
  };
}

export interface CommandAcceptedEvent extends EventHeader {
  type: 'command.accepted';
  command: Command;
  actor: Actor;
}

export interface CommandRejectedEvent extends EventHeader {
  type: 'command.rejected';
  command: Command;
  actor: Actor;
  code: RejectionCode;
  reason: string;
}

export interface ActuatorChangedEvent extends EventHeader {
  type: 'actuator.changed';
  actuatorId: string;
  value: number;
  actor: Actor;
}

export interface AnnotationEvent extends EventHeader {
  type: 'annotation';
  annotationId: string;
  text: string;
  actor: Actor;
  equipmentId: string | null;
  capsuleId: string | null;
}

export const FAULT_KINDS = [
  'pump.trip',
  'valve.stuck',
  'cooling.loss',
  'bearing.wear',
  'sensor.drift',
  'sensor.freeze',
  'sensor.dropout',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A fault injected into the simulator (scenario or what-if branch). `target` is an equipment or sensor id. */
export interface Fault {
  kind: FaultKind;
  target: string;
  /** Kind-specific magnitude: drift in units/min, wear rate per hour, stuck position, … */
  magnitude?: number;
}

export interface FaultInjectedEvent extends EventHeader {
  type: 'fault.injected';
  fault: Fault;
}

export interface FaultClearedEvent extends EventHeader {
  type: 'fault.cleared';
  fault: Fault;
}

export type TwinEvent =
  | ReadingsEvent
  | ExpectationsEvent
  | CapsuleRaisedEvent
  | CapsuleChangedEvent
  | CommandAcceptedEvent
  | CommandRejectedEvent
  | ActuatorChangedEvent
  | AnnotationEvent
  | FaultInjectedEvent
  | FaultClearedEvent;

export type TwinEventType = TwinEvent['type'];

/** An event before the log gives it a sequence number and time. */
export type EventBody = TwinEvent extends infer E
  ? E extends TwinEvent
    ? Omit<E, 'seq' | 't'>
    : never
  : never;

export const REJECTION_CODES = [
  'unknown_capsule',
  'unknown_actuator',
  'illegal_transition',
  'value_out_of_range',
  'wrong_actuator_kind',
  'not_permitted',
  'invalid_command',
  // The plant (an OPC-UA server, an MQTT command topic) refused the write or never confirmed it.
  'plant_refused',
  // An interlock declared in the plant file holds (D-10); the reason names it.
  'interlock',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];
