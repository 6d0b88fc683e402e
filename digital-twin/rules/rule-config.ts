import type { CompiledPlant } from '../compiled-plant.js';
import type { RuleKind } from '../capsule.js';
import type { Equipment } from '../plant.js';

/** One rule instance: a rule kind applied to one sensor (or, for vibration, one equipment). */
export interface RuleInstance {
  /** Rule instance id: `limit/<sensorId>`, `rate/<sensorId>`, `deviation/<sensorId>`, `vibration/<equipmentId>`. */
  readonly rule: string;
  readonly kind: RuleKind;
  /** The sensor index the rule watches; for vibration, the first of `sensors`. */
  readonly sensor: number;
  /** Every sensor index the rule watches (one, except for vibration). */
  readonly sensors: readonly number[];
  readonly equipment: Equipment;
}

/**
 * A plant's alarm settings laid out by sensor index, so the reducer and the rules read numbers
 * from typed arrays instead of walking optional fields of plant objects on every reading.
 */
export interface RuleConfig {
  readonly sensorCount: number;
  /** Limits; a missing limit is +Infinity (hi, hihi) or -Infinity (lo, lolo) so it never trips. */
  readonly hi: Float64Array;
  readonly hihi: Float64Array;
  readonly lo: Float64Array;
  readonly lolo: Float64Array;
  /** 1 where the sensor has limits at all. */
  readonly hasLimits: Uint8Array;
  readonly deadband: Float64Array;
  readonly limitOnDelayMs: Float64Array;
  /** Rate-of-change limit in units/min; NaN where the sensor has none. */
  readonly rateMax: Float64Array;
  readonly rateOnDelayMs: Float64Array;
  /** Deviation tolerance in sensor units; NaN where the sensor has none. */
  readonly deviationTolerance: Float64Array;
  readonly deviationOnDelayMs: Float64Array;
  /** 1 for sensors of kind `vibration` (watched by the vibration rule, not the limit rule). */
  readonly isVibration: Uint8Array;
  /** Index of the sensor's equipment's run actuator (pump.run / motor.run), or -1. */
  readonly runActuator: Int32Array;
  /** Index of the sensor's `redundantWith` sensor, or -1. */
  readonly redundant: Int32Array;
  /** Equipment criticality (1 most critical … 5) per sensor, default 3. */
  readonly criticality: Uint8Array;
  /** Vibration sensor indexes per equipment id. */
  readonly vibrationByEquipment: ReadonlyMap<string, readonly number[]>;
  /** Every rule instance, in the canonical order the rules are evaluated in. */
  readonly instances: readonly RuleInstance[];
  readonly instanceByRule: ReadonlyMap<string, RuleInstance>;
}

/** Default equipment criticality when the plant file gives none. */
export const DEFAULT_CRITICALITY = 3;

/** Vibration rule on-delay when the vibration sensor has no limits block to take one from. */
export const DEFAULT_VIBRATION_ON_DELAY_MS = 5_000;

const cache = new WeakMap<CompiledPlant, RuleConfig>();

/** The rule configuration of a compiled plant (computed once per plant, then cached). */
export function ruleConfig(plant: CompiledPlant): RuleConfig {
  const cached = cache.get(plant);
  if (cached) return cached;
  const config = buildRuleConfig(plant);
  cache.set(plant, config);
  return config;
}

function buildRuleConfig(plant: CompiledPlant): RuleConfig {
  const n = plant.sensors.length;
  const hi = new Float64Array(n).fill(Infinity);
  const hihi = new Float64Array(n).fill(Infinity);
  const lo = new Float64Array(n).fill(-Infinity);
  const lolo = new Float64Array(n).fill(-Infinity);
  const hasLimits = new Uint8Array(n);
  const deadband = new Float64Array(n);
  const limitOnDelayMs = new Float64Array(n);
  const rateMax = new Float64Array(n).fill(NaN);
  const rateOnDelayMs = new Float64Array(n);
  const deviationTolerance = new Float64Array(n).fill(NaN);
  const deviationOnDelayMs = new Float64Array(n);
  const isVibration = new Uint8Array(n);
  const runActuator = new Int32Array(n).fill(-1);
  const redundant = new Int32Array(n).fill(-1);
  const criticality = new Uint8Array(n).fill(DEFAULT_CRITICALITY);
  const vibrationByEquipment = new Map<string, number[]>();

  for (let i = 0; i < n; i++) {
    const sensor = plant.sensors[i]!;
    const equipment = plant.sensorEquipment[i]!;
    const limits = sensor.limits;
    if (limits) {
      hasLimits[i] = 1;
      if (limits.hi !== undefined) hi[i] = limits.hi;
      if (limits.hihi !== undefined) hihi[i] = limits.hihi;
      if (limits.lo !== undefined) lo[i] = limits.lo;
      if (limits.lolo !== undefined) lolo[i] = limits.lolo;
      deadband[i] = limits.deadband;
      limitOnDelayMs[i] = limits.onDelayMs;
    }
    if (sensor.rateOfChange) {
      rateMax[i] = sensor.rateOfChange.maxPerMinute;
      rateOnDelayMs[i] = sensor.rateOfChange.onDelayMs;
    }
    if (sensor.deviation) {
      deviationTolerance[i] = sensor.deviation.tolerance;
      deviationOnDelayMs[i] = sensor.deviation.onDelayMs;
    }
    if (sensor.redundantWith !== undefined) {
      redundant[i] = plant.sensorIndex.get(sensor.redundantWith) ?? -1;
    }
    criticality[i] = equipment.criticality ?? DEFAULT_CRITICALITY;
    const run = equipment.actuators.find((a) => a.kind === 'pump.run' || a.kind === 'motor.run');
    if (run) runActuator[i] = plant.actuatorIndex.get(run.id) ?? -1;
    if (sensor.kind === 'vibration') {
      isVibration[i] = 1;
      const group = vibrationByEquipment.get(equipment.id);
      if (group) group.push(i);
      else vibrationByEquipment.set(equipment.id, [i]);
    }
  }

  // Canonical order: per sensor (plant-file order) limit, rate, deviation; then vibration per
  // equipment (plant-file order). New capsule ids within one evaluation follow this order.
  const instances: RuleInstance[] = [];
  for (let i = 0; i < n; i++) {
    const sensor = plant.sensors[i]!;
    const equipment = plant.sensorEquipment[i]!;
    const one = (kind: RuleKind): RuleInstance => ({
      rule: `${kind}/${sensor.id}`,
      kind,
      sensor: i,
      sensors: [i],
      equipment,
    });
    if (sensor.limits && sensor.kind !== 'vibration') instances.push(one('limit'));
    if (sensor.rateOfChange) instances.push(one('rate'));
    if (sensor.deviation) instances.push(one('deviation'));
  }
  for (const equipment of plant.plant.equipment) {
    const group = vibrationByEquipment.get(equipment.id);
    if (!group) continue;
    instances.push({
      rule: `vibration/${equipment.id}`,
      kind: 'vibration',
      sensor: group[0]!,
      sensors: group,
      equipment,
    });
  }
  const instanceByRule = new Map(instances.map((instance) => [instance.rule, instance]));

  return Object.freeze({
    sensorCount: n,
    hi,
    hihi,
    lo,
    lolo,
    hasLimits,
    deadband,
    limitOnDelayMs,
    rateMax,
    rateOnDelayMs,
    deviationTolerance,
    deviationOnDelayMs,
    isVibration,
    runActuator,
    redundant,
    criticality,
    vibrationByEquipment,
    instances,
    instanceByRule,
  });
}
