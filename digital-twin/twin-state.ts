import type { Capsule, CapsuleState, RuleKind } from './capsule.js';
import type { CompiledPlant } from './compiled-plant.js';
import type { Fault } from './events.js';
import type { Quality } from './reading.js';
import { ruleConfig } from './rules/rule-config.js';
import type { RuleConfig } from './rules/rule-config.js';

/** Quality codes stored per sensor in `TwinState.quality`. */
export const QUALITY_NONE = 0; // no reading yet
export const QUALITY_GOOD = 1;
export const QUALITY_UNCERTAIN = 2;
export const QUALITY_BAD = 3;

const QUALITY_BY_CODE: readonly (Quality | undefined)[] = [undefined, 'good', 'uncertain', 'bad'];

/** Limit zones stored per sensor in `TwinState.zone`. */
export const ZONE_LOLO = -2;
export const ZONE_LO = -1;
export const ZONE_NORMAL = 0;
export const ZONE_HI = 1;
export const ZONE_HIHI = 2;

/** Slot of each rule kind in a sensor's four `latch` entries. */
export const LATCH_SLOT: { readonly [K in RuleKind]: number } = {
  limit: 0,
  rate: 1,
  vibration: 2,
  deviation: 3,
};
export const LATCH_SLOTS = 4;

/** How many closed capsule ids the state remembers (with their final state) for command reasons. */
export const CLOSED_CAPSULE_MEMORY = 1024;

/**
 * The fold of all events for one plant. Per-sensor data lives in typed arrays indexed by the
 * sensor's index in `plant.sensors`, so folding a reading is a map lookup and a few array writes.
 *
 * The rule indicators (zone, rate, deviation, vibration baseline …) are maintained by the reducer
 * as a pure fold of readings, so the rules are a pure function of this state and `t` (SPEC E-5).
 * Times are ms since the Unix epoch; NaN means "none".
 *
 * Capsule objects are never mutated once stored: a change replaces the object (copy on write), so
 * a capsule returned by `getCapsule` / `openCapsules` stays as it was. Treat them as read-only.
 */
export interface TwinState {
  readonly plant: CompiledPlant;
  readonly config: RuleConfig;
  /** Sequence number of the last event folded (0 before any). */
  seq: number;
  /** Time of the last event folded (or t0). */
  t: number;

  /** Latest value per sensor; NaN when none yet or when the latest reading was bad. */
  readonly value: Float64Array;
  /** Time of the latest reading per sensor; NaN when none yet. */
  readonly readingT: Float64Array;
  /** QUALITY_NONE / GOOD / UNCERTAIN / BAD per sensor. */
  readonly quality: Uint8Array;
  /** The simulator's latest expectation per sensor; NaN when none. */
  readonly expected: Float64Array;

  /** Limit zone per sensor (ZONE_LOLO … ZONE_HIHI), with deadband hysteresis. */
  readonly zone: Int8Array;
  /** When the current zone began. */
  readonly zoneSince: Float64Array;
  /** When the value last left the normal zone; NaN while normal. */
  readonly outSince: Float64Array;
  /** Time of the latest usable (good or uncertain) reading. */
  readonly usableT: Float64Array;
  /** Smoothed value (first stage of the rate estimate). */
  readonly smoothed: Float64Array;
  /** Smoothed rate of change, units/min; NaN until two usable readings. */
  readonly rate: Float64Array;
  /** When |rate| first exceeded the sensor's rate limit; NaN while within it. */
  readonly rateSince: Float64Array;
  /** When |value − expected| first exceeded the tolerance; NaN while within it. */
  readonly deviationSince: Float64Array;
  /** Vibration baseline (slow EWMA), NaN when not learning (no reading yet, equipment stopped). */
  readonly baseline: Float64Array;
  /** When the current baseline began learning. */
  readonly baselineSince: Float64Array;
  /** When the vibration condition (above hi, or well above baseline) began; NaN while absent. */
  readonly vibrationSince: Float64Array;
  /**
   * Per sensor and rule kind (`i * LATCH_SLOTS + LATCH_SLOT[kind]`): severity rank (1 info,
   * 2 warning, 3 critical) at which a capsule was closed while its condition was still present;
   * the rule raises again only above it or after the condition clears (SPEC E-13).
   */
  readonly latch: Uint8Array;

  /** Actuator values per actuator index (initial from the plant). */
  readonly actuators: Float64Array;

  /** Open capsules (active, acknowledged, shelved) by id. */
  readonly capsules: Map<string, Capsule>;
  /** Open capsule id by rule instance id: at most one open capsule per rule instance. */
  readonly capsuleByRule: Map<string, string>;
  /** The last CLOSED_CAPSULE_MEMORY closed capsules' final states, oldest first. */
  readonly closedCapsules: Map<string, CapsuleState>;
  /** Number the next raised capsule gets (`C-<n>`). */
  nextCapsule: number;

  /** Faults injected and not cleared, in injection order. */
  faults: Fault[];
  /** Annotations added so far. */
  annotations: number;
  /** Readings and expectations that named a sensor this plant does not have (ignored). */
  unknownReadings: number;
  /** Readings older than the sensor's latest (ignored). */
  staleReadings: number;
  /** actuator.changed events for an actuator this plant does not have (ignored). */
  unknownActuators: number;
}

/** Names of the per-sensor Float64Array fields, in the order the snapshot codec writes them. */
export const SENSOR_FLOAT_FIELDS = [
  'value',
  'readingT',
  'expected',
  'zoneSince',
  'outSince',
  'usableT',
  'smoothed',
  'rate',
  'rateSince',
  'deviationSince',
  'baseline',
  'baselineSince',
  'vibrationSince',
] as const;
export type SensorFloatField = (typeof SENSOR_FLOAT_FIELDS)[number];

/** A fresh state for a plant at time t0: no readings, actuators at their initial values. */
export function createTwinState(plant: CompiledPlant, t0: number): TwinState {
  const n = plant.sensors.length;
  const nan = (): Float64Array => new Float64Array(n).fill(NaN);
  const actuators = new Float64Array(plant.actuators.length);
  plant.actuators.forEach((actuator, i) => (actuators[i] = actuator.initial));
  return {
    plant,
    config: ruleConfig(plant),
    seq: 0,
    t: t0,
    value: nan(),
    readingT: nan(),
    quality: new Uint8Array(n),
    expected: nan(),
    zone: new Int8Array(n),
    zoneSince: nan(),
    outSince: nan(),
    usableT: nan(),
    smoothed: nan(),
    rate: nan(),
    rateSince: nan(),
    deviationSince: nan(),
    baseline: nan(),
    baselineSince: nan(),
    vibrationSince: nan(),
    latch: new Uint8Array(n * LATCH_SLOTS),
    actuators,
    capsules: new Map(),
    capsuleByRule: new Map(),
    closedCapsules: new Map(),
    nextCapsule: 1,
    faults: [],
    annotations: 0,
    unknownReadings: 0,
    staleReadings: 0,
    unknownActuators: 0,
  };
}

/** An independent copy (for branches): folding into one never changes the other. */
export function cloneTwinState(state: TwinState): TwinState {
  return {
    ...state,
    value: state.value.slice(),
    readingT: state.readingT.slice(),
    quality: state.quality.slice(),
    expected: state.expected.slice(),
    zone: state.zone.slice(),
    zoneSince: state.zoneSince.slice(),
    outSince: state.outSince.slice(),
    usableT: state.usableT.slice(),
    smoothed: state.smoothed.slice(),
    rate: state.rate.slice(),
    rateSince: state.rateSince.slice(),
    deviationSince: state.deviationSince.slice(),
    baseline: state.baseline.slice(),
    baselineSince: state.baselineSince.slice(),
    vibrationSince: state.vibrationSince.slice(),
    latch: state.latch.slice(),
    actuators: state.actuators.slice(),
    // Capsule objects are copy-on-write (never mutated in place), so sharing them is safe.
    capsules: new Map(state.capsules),
    capsuleByRule: new Map(state.capsuleByRule),
    closedCapsules: new Map(state.closedCapsules),
    faults: state.faults.map((fault) => ({ ...fault })),
  };
}

/** The number n of a capsule id `C-<n>`, or NaN for an id of another shape. */
export function capsuleNumber(id: string): number {
  return /^C-[1-9][0-9]*$/.test(id) ? Number(id.slice(2)) : NaN;
}

/** Orders capsule ids by number (`C-2` before `C-10`), then as strings. */
export function compareCapsuleIds(a: string, b: string): number {
  const na = capsuleNumber(a);
  const nb = capsuleNumber(b);
  if (na !== nb && !(Number.isNaN(na) && Number.isNaN(nb))) {
    if (Number.isNaN(na)) return 1;
    if (Number.isNaN(nb)) return -1;
    return na - nb;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Open capsules (active, acknowledged, shelved), oldest first. */
export function openCapsules(state: TwinState): Capsule[] {
  return [...state.capsules.values()].sort((a, b) => compareCapsuleIds(a.id, b.id));
}

/** An open capsule by id; closed capsules have left the state (the event log keeps them). */
export function getCapsule(state: TwinState, id: string): Capsule | undefined {
  return state.capsules.get(id);
}

/** The latest reading of a sensor, or undefined when the sensor is unknown or has none yet. */
export function sensorReading(
  state: TwinState,
  sensorId: string,
): { value: number; t: number; quality: Quality } | undefined {
  const i = state.plant.sensorIndex.get(sensorId);
  if (i === undefined) return undefined;
  const quality = QUALITY_BY_CODE[state.quality[i]!];
  if (quality === undefined) return undefined;
  return { value: state.value[i]!, t: state.readingT[i]!, quality };
}

/** An actuator's current value, or undefined for an unknown actuator. */
export function actuatorValue(state: TwinState, actuatorId: string): number | undefined {
  const i = state.plant.actuatorIndex.get(actuatorId);
  return i === undefined ? undefined : state.actuators[i];
}

/** Whether the sensor's latest reading can be used by rules (good or uncertain). */
export function isUsable(state: TwinState, i: number): boolean {
  const q = state.quality[i];
  return q === QUALITY_GOOD || q === QUALITY_UNCERTAIN;
}
