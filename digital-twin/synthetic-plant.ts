/**
 * Synthetic plants of any size for tests and benchmarks: repeated process trains laid out on a
 * grid of zones, every sensor bound to the simulator, some with alarm limits. Deterministic for a
 * seed, and valid by construction (the tests run validatePlant on 10, 1,000 and 100,000 sensors).
 */
import type { Actuator, Equipment, Plant, Sensor, SensorKind, Zone } from './plant.js';
import { PLANT_SCHEMA_VERSION, SENSOR_UNITS } from './plant.js';
import { createPrng } from './prng.js';
import type { Prng } from './prng.js';

export interface SyntheticPlantOptions {
  /** Exactly how many sensors the plant has: an integer 10…100,000. */
  sensors: number;
  /** Varies flows, sizes, valve openings and levels. Default 1. */
  seed?: number;
}

export const SYNTHETIC_MIN_SENSORS = 10;
export const SYNTHETIC_MAX_SENSORS = 100_000;

/** Trains per zone; a zone is one column of trains, 5 m apart. */
const TRAINS_PER_ZONE = 20;
const TRAIN_PITCH_M = 5;
/** Zone footprint along X (a train's length plus an aisle) and along Z. */
const ZONE_WIDTH_M = 26;
const ZONE_DEPTH_M = TRAINS_PER_ZONE * TRAIN_PITCH_M;
const SIM = { source: 'simulator' } as const;

/**
 * A valid plant with exactly `sensors` sensors. Each train is a closed loop a process engineer
 * would recognise: supply tank → pump → control valve → receiver tank → gravity return, with
 * level, temperature, pressure, flow, speed, current, vibration and position sensors.
 */
export function generateSyntheticPlant(options: SyntheticPlantOptions): Plant {
  const { sensors } = options;
  if (
    typeof sensors !== 'number' ||
    !Number.isInteger(sensors) ||
    sensors < SYNTHETIC_MIN_SENSORS ||
    sensors > SYNTHETIC_MAX_SENSORS
  ) {
    throw new Error(
      `generateSyntheticPlant: sensors must be an integer ${SYNTHETIC_MIN_SENSORS}..${SYNTHETIC_MAX_SENSORS}, got ${String(sensors)}`,
    );
  }
  const seed = options.seed ?? 1;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new Error(`generateSyntheticPlant: seed must be a finite number, got ${String(seed)}`);
  }
  const prng = createPrng(seed);
  const trainCount = Math.ceil(sensors / SENSORS_PER_TRAIN);
  const zoneCount = Math.ceil(trainCount / TRAINS_PER_ZONE);
  const columns = Math.ceil(Math.sqrt(zoneCount));
  const zones: Zone[] = [];
  for (let z = 0; z < zoneCount; z++) {
    const minX = (z % columns) * ZONE_WIDTH_M;
    const minZ = Math.floor(z / columns) * ZONE_DEPTH_M;
    zones.push({
      id: `Z-${pad(z + 1, zoneCount)}`,
      name: `Area ${z + 1}`,
      bounds: { minX, minZ, maxX: minX + ZONE_WIDTH_M, maxZ: minZ + ZONE_DEPTH_M },
    });
  }
  const equipment: Equipment[] = [];
  let remaining = sensors;
  for (let t = 0; t < trainCount; t++) {
    const zone = zones[Math.floor(t / TRAINS_PER_ZONE)];
    if (zone === undefined) throw new Error('Invariant: train outside every zone');
    const origin = {
      x: zone.bounds.minX + 2,
      z: zone.bounds.minZ + (t % TRAINS_PER_ZONE) * TRAIN_PITCH_M + TRAIN_PITCH_M / 2,
    };
    const train = buildTrain(`U${pad(t + 1, trainCount)}`, zone.id, origin, prng);
    // Trim the last train so the plant has exactly the sensors asked for.
    for (const item of train) {
      const keep = Math.min(item.sensors.length, remaining);
      item.sensors.length = keep;
      remaining -= keep;
      equipment.push(item);
    }
  }
  return {
    schemaVersion: PLANT_SCHEMA_VERSION,
    id: `synthetic-${sensors}-${seed}`,
    name: `Synthetic plant (${sensors} sensors, seed ${seed})`,
    zones,
    equipment,
  };
}

/** Sensors in one full train (see buildTrain). */
const SENSORS_PER_TRAIN = 18;

function pad(n: number, of: number): string {
  return String(n).padStart(Math.max(String(of).length, 3), '0');
}

function between(prng: Prng, min: number, max: number, decimals = 2): number {
  const f = 10 ** decimals;
  return Math.round((min + (max - min) * prng.next()) * f) / f;
}

function sensor(
  id: string,
  kind: SensorKind,
  signal: string,
  max: number,
  extra: Partial<Sensor> = {},
): Sensor {
  const unit = SENSOR_UNITS[kind][0] ?? '';
  return { id, kind, unit, range: { min: 0, max }, signal, ...extra, binding: SIM };
}

const LEVEL_LIMITS = { lolo: 5, lo: 10, hi: 90, hihi: 95, deadband: 1, onDelayMs: 5000 };
const VIBRATION_LIMITS = { hi: 4.5, hihi: 7.1, deadband: 0.3, onDelayMs: 5000 };

/** One train: TA → P → V → TB → (gravity) TA, pipes L1…L4. 18 sensors, 2 actuators. */
function buildTrain(
  prefix: string,
  zone: string,
  origin: { x: number; z: number },
  prng: Prng,
): Equipment[] {
  const flow = between(prng, 12, 40, 1);
  const opening = between(prng, 0.45, 0.9);
  // Installed flow at that opening (PARAMS.md): the receiver drains it back at 50 % level.
  const installed = opening / Math.sqrt(0.2 + 0.8 * opening * opening);
  const returnFlow = Math.round(((flow * installed) / Math.SQRT1_2) * 100) / 100;
  const volume = between(prng, 20, 80, 0);
  const temperature = between(prng, 15, 60, 1);
  const at = (dx: number, y = 0) => ({ x: origin.x + dx, y, z: origin.z });
  const ta = `${prefix}-TA`;
  const pump = `${prefix}-P`;
  const valve = `${prefix}-V`;
  const tb = `${prefix}-TB`;
  const base = (id: string, name: string, kind: Equipment['kind'], dx: number): Equipment => ({
    id,
    name,
    kind,
    zone,
    position: at(dx),
    sensors: [],
    actuators: [],
  });
  const tank = (
    id: string,
    name: string,
    dx: number,
    params: Record<string, number>,
  ): Equipment => ({
    ...base(id, name, 'tank', dx),
    size: { x: 3, y: 4, z: 3 },
    params: { volume, height: 4, initialLevel: 50, initialTemperature: temperature, ...params },
    sensors: [
      sensor(`${id}.LT`, 'level', 'level', 100, { limits: LEVEL_LIMITS }),
      sensor(`${id}.TT`, 'temperature', 'temperature', 150),
      sensor(`${id}.PT`, 'pressure', 'pressure', 2),
    ],
  });
  const run: Actuator = {
    id: `${pump}.RUN`,
    kind: 'pump.run',
    range: { min: 0, max: 1 },
    initial: 1,
    binding: SIM,
  };
  const position: Actuator = {
    id: `${valve}.POS`,
    kind: 'valve.position',
    range: { min: 0, max: 1 },
    initial: opening,
    binding: SIM,
  };
  const pipe = (n: number, from: string, to: string, dx: number, y: number): Equipment => ({
    ...base(`${prefix}-L${n}`, `Line ${from} → ${to}`, 'pipe', dx),
    position: at(dx, y),
    connects: { from, to },
    sensors: [sensor(`${prefix}-L${n}.FT`, 'flow', 'flow', Math.ceil(flow * 1.5))],
  });
  return [
    tank(ta, `Supply tank ${prefix}`, 0, {}),
    {
      ...base(pump, `Pump ${prefix}`, 'pump', 6),
      size: { x: 1.6, y: 1.2, z: 0.8 },
      params: { flowNominal: flow },
      sensors: [
        sensor(`${pump}.FT`, 'flow', 'flow', Math.ceil(flow * 1.5)),
        sensor(`${pump}.PT`, 'pressure', 'pressure', 10),
        sensor(`${pump}.ST`, 'speed', 'speed', 3600),
        sensor(`${pump}.IT`, 'current', 'current', 50),
        sensor(`${pump}.VT`, 'vibration', 'vibration', 20, { limits: VIBRATION_LIMITS }),
        sensor(`${pump}.TT`, 'temperature', 'temperature', 150),
      ],
      actuators: [run],
    },
    {
      ...base(valve, `Control valve ${prefix}`, 'valve', 11),
      size: { x: 0.8, y: 0.8, z: 0.6 },
      sensors: [
        sensor(`${valve}.ZT`, 'position', 'position', 100),
        sensor(`${valve}.FT`, 'flow', 'flow', Math.ceil(flow * 1.5)),
      ],
      actuators: [position],
    },
    tank(tb, `Receiver tank ${prefix}`, 17, { outletFlow: returnFlow }),
    pipe(1, ta, pump, 3, 0.8),
    pipe(2, pump, valve, 8.5, 0.8),
    pipe(3, valve, tb, 14, 0.8),
    pipe(4, tb, ta, 8.5, 3),
  ];
}
