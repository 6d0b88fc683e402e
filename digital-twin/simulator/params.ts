import type { EquipmentKind } from '../plant.js';

/**
 * The `params` each equipment kind's physics reads, with units and defaults. PARAMS.md documents
 * the same table for people writing plant files; keep the two in step. Keys a kind does not list
 * are ignored by the simulator (other tools may use them).
 */
export interface ParamSpec {
  readonly key: string;
  /** NaN means "not set": the feature it enables is off. */
  readonly default: number;
  readonly unit: string;
}

const p = <K extends string>(key: K, value: number, unit: string) =>
  ({ key, default: value, unit }) as const;

// Tanks and reactors share their first five slots (volume … outletFlow): gravity drainage reads
// TANK_P.outletFlow for both.
const TANK = [
  p('volume', 50, 'm3'),
  p('height', 5, 'm'),
  p('initialLevel', 50, '%'),
  p('initialTemperature', 20, 'degC'),
  p('outletFlow', 20, 'm3/h'),
  p('levelSetpoint', NaN, '%'),
  p('makeupMax', 60, 'm3/h'),
  p('makeupGain', 5, 'm3/h per %'),
  p('makeupTemperature', 20, 'degC'),
  p('supplyTemperature', NaN, 'degC'),
  p('supplyTau', 300, 's'),
  p('blanketPressure', 0, 'bar'),
] as const;

const REACTOR = [
  p('volume', 8, 'm3'),
  p('height', 4, 'm'),
  p('initialLevel', 60, '%'),
  p('initialTemperature', 70, 'degC'),
  p('outletFlow', 10, 'm3/h'),
  p('reactionHeat', 1500, 'kW'),
  p('referenceTemperature', 70, 'degC'),
  p('referenceLevel', 60, '%'),
  p('activation', 0.035, '1/K'),
  p('maxHeatFactor', 2, '-'),
  p('jacketUA', 80, 'kW/K'),
  p('lossUA', 1.5, 'kW/K'),
  p('ambientTemperature', 20, 'degC'),
  p('pressureReference', 2, 'bar'),
  p('pressureCoefficient', 0.025, '1/K'),
  p('reliefPressure', 6, 'bar'),
  p('controlGain', 0.15, '1/K'),
  p('controlReset', 40, 's'),
  p('jacketShare', 0.5, '-'),
] as const;

const EXCHANGER = [
  p('ua', 40, 'kW/K'),
  p('initialTemperature', 20, 'degC'),
  p('pressureDrop', 0.3, 'bar'),
] as const;

/** Shared by every rotating machine, in the same slots, so one routine drives all three. */
const rotating = (
  speed: number,
  power: number,
  current: number,
  spin: number,
  vibration: number,
  rise: number,
  tau: number,
) =>
  [
    p('speedNominal', speed, 'rpm'),
    p('powerNominal', power, 'kW'),
    p('currentNominal', current, 'A'),
    p('spinTime', spin, 's'),
    p('vibrationBase', vibration, 'mm/s'),
    p('bearingTemperatureRise', rise, 'K'),
    p('wearTemperatureRise', 4, 'K per mm/s'),
    p('thermalTau', tau, 's'),
    p('ambientTemperature', 20, 'degC'),
    p('running', 1, '0|1'),
  ] as const;

const PUMP = [
  ...rotating(2950, 15, 28, 1.5, 1.8, 25, 120),
  p('flowNominal', 30, 'm3/h'),
  p('headPressure', 4, 'bar'),
  p('suctionLevel', 3, '%'),
  p('inletTemperature', 20, 'degC'),
] as const;

const COMPRESSOR = [
  ...rotating(3570, 75, 130, 3, 2.2, 35, 180),
  p('flowNominal', 600, 'm3/h'),
  p('pressureRatio', 8, '-'),
  p('suctionLevel', 3, '%'),
  p('inletTemperature', 20, 'degC'),
] as const;

const MOTOR = [...rotating(1480, 30, 55, 3, 1.5, 30, 300), p('load', 0.7, '-')] as const;

const VALVE = [
  p('flowNominal', 20, 'm3/h'),
  p('strokeTime', 10, 's'),
  p('initialPosition', 1, '0..1'),
  p('supplyPressure', 3, 'bar'),
  p('supplyTemperature', 20, 'degC'),
] as const;

const PIPE = [p('coolant', 0, '0|1')] as const;

type Keys<T extends readonly ParamSpec[]> = T[number]['key'] & string;

/** Param specs per equipment kind, in slot order. */
export const PARAM_SPECS: { readonly [K in EquipmentKind]: readonly ParamSpec[] } = {
  tank: TANK,
  reactor: REACTOR,
  'heat-exchanger': EXCHANGER,
  pump: PUMP,
  compressor: COMPRESSOR,
  motor: MOTOR,
  valve: VALVE,
  pipe: PIPE,
};

/** Slot of each param in an equipment's row of the params table. */
function slots<T extends readonly ParamSpec[]>(specs: T): { readonly [K in Keys<T>]: number } {
  const out: Record<string, number> = {};
  specs.forEach((spec, i) => (out[spec.key] = i));
  return out as { [K in Keys<T>]: number };
}

export const TANK_P = slots(TANK);
export const REACTOR_P = slots(REACTOR);
export const EXCHANGER_P = slots(EXCHANGER);
/** Pumps and compressors share their first slots' meaning where the keys agree. */
export const PUMP_P = slots(PUMP);
export const COMPRESSOR_P = slots(COMPRESSOR);
export const MOTOR_P = slots(MOTOR);
export const VALVE_P = slots(VALVE);
export const PIPE_P = slots(PIPE);

/** Width of one equipment's row in the params table. */
export const PARAMS_PER_EQUIPMENT = Math.max(
  ...Object.values(PARAM_SPECS).map((specs) => specs.length),
);
