import {
  ACTUATOR_KINDS,
  EQUIPMENT_KINDS,
  PLANT_SCHEMA_VERSION,
  SENSOR_KINDS,
  SENSOR_UNITS,
  SIGNALS_BY_EQUIPMENT_KIND,
} from './plant.js';
import { checkInterlockList } from './interlock-validation.js';
import type { EquipmentKind, Plant, Range, SensorKind } from './plant.js';
import { checkActuatorBinding, checkSensorBinding } from './plant-binding-validation.js';
import { checkId, checkUnique, collectIds } from './plant-id-index.js';
import type { IdIndex } from './plant-id-index.js';
import {
  ProblemCollector,
  asOneOf,
  ROOT_PATH,
  describeValue,
  fieldPath,
  indexPath,
  isRecord,
} from './validation-errors.js';
import type { PlantProblem } from './validation-errors.js';

/** What `validatePlant` answers: the plant, or every problem found in it. */
export type PlantValidationResult =
  { ok: true; plant: Plant } | { ok: false; errors: PlantProblem[] };

/**
 * Check an untrusted plant file and report every problem with its JSON path. On success the
 * input itself is returned, typed: nothing is copied and no defaults are filled in.
 */
export function validatePlant(input: unknown): PlantValidationResult {
  const p = new ProblemCollector();
  if (!isRecord(input)) {
    p.add(ROOT_PATH, `expected the plant to be a JSON object, got ${describeValue(input)}`);
    return { ok: false, errors: p.problems };
  }
  p.knownKeys(input, PLANT_KEYS, ROOT_PATH);
  if (input.schemaVersion !== PLANT_SCHEMA_VERSION) {
    p.add(
      'schemaVersion',
      `expected ${PLANT_SCHEMA_VERSION} (the plant schema version this build reads), got ${describeValue(input.schemaVersion)}`,
    );
  }
  checkId(p, input.id, 'id');
  p.nonEmptyString(input.name, 'name');

  const zones = p.array(input.zones, 'zones') ?? [];
  const equipment = p.array(input.equipment, 'equipment') ?? [];
  const ids = collectIds(zones, equipment);
  zones.forEach((zone, i) => checkZone(p, zone, indexPath('zones', i), ids));
  equipment.forEach((item, i) => checkEquipment(p, item, indexPath('equipment', i), ids));
  checkInterlockList(p, input.interlocks, ids);

  if (p.problems.length > 0) return { ok: false, errors: p.problems };
  // Every field the Plant type names has been checked above, so the cast is earned.
  return { ok: true, plant: input as unknown as Plant };
}

const PLANT_KEYS = ['schemaVersion', 'id', 'name', 'zones', 'equipment', 'interlocks'] as const;
const ZONE_KEYS = ['id', 'name', 'bounds'] as const;
const BOUNDS_KEYS = ['minX', 'minZ', 'maxX', 'maxZ'] as const;
const VEC3_KEYS = ['x', 'y', 'z'] as const;
const RANGE_KEYS = ['min', 'max'] as const;
const EQUIPMENT_KEYS = [
  'id',
  'name',
  'kind',
  'zone',
  'position',
  'rotationY',
  'size',
  'model',
  'params',
  'connects',
  'criticality',
  'sensors',
  'actuators',
] as const;
const CONNECTS_KEYS = ['from', 'to', 'path'] as const;
const SENSOR_KEYS = [
  'id',
  'name',
  'kind',
  'unit',
  'range',
  'signal',
  'limits',
  'rateOfChange',
  'deviation',
  'redundantWith',
  'noise',
  'binding',
] as const;
const LIMIT_NAMES = ['lolo', 'lo', 'hi', 'hihi'] as const;
const LIMITS_KEYS = [...LIMIT_NAMES, 'deadband', 'onDelayMs'] as const;
const RATE_OF_CHANGE_KEYS = ['maxPerMinute', 'onDelayMs'] as const;
const DEVIATION_KEYS = ['tolerance', 'onDelayMs'] as const;
const ACTUATOR_KEYS = [
  'id',
  'name',
  'kind',
  'range',
  'initial',
  'unit',
  'signal',
  'binding',
] as const;
const CRITICALITY_MIN = 1;
const CRITICALITY_MAX = 5;

function checkZone(p: ProblemCollector, value: unknown, path: string, ids: IdIndex): void {
  const zone = p.object(value, path);
  if (zone === undefined) return;
  p.knownKeys(zone, ZONE_KEYS, path);
  const idPath = fieldPath(path, 'id');
  const id = checkId(p, zone.id, idPath);
  checkUnique(p, id, 'zone', idPath, id === undefined ? undefined : ids.zones.get(id));
  p.nonEmptyString(zone.name, fieldPath(path, 'name'));
  const boundsPath = fieldPath(path, 'bounds');
  const bounds = p.object(zone.bounds, boundsPath);
  if (bounds === undefined) return;
  p.knownKeys(bounds, BOUNDS_KEYS, boundsPath);
  const minX = p.finite(bounds.minX, fieldPath(boundsPath, 'minX'));
  const minZ = p.finite(bounds.minZ, fieldPath(boundsPath, 'minZ'));
  const maxX = p.finite(bounds.maxX, fieldPath(boundsPath, 'maxX'));
  const maxZ = p.finite(bounds.maxZ, fieldPath(boundsPath, 'maxZ'));
  if (minX !== undefined && maxX !== undefined && !(minX < maxX)) {
    p.add(fieldPath(boundsPath, 'maxX'), `expected maxX > minX (${minX}), got ${maxX}`);
  }
  if (minZ !== undefined && maxZ !== undefined && !(minZ < maxZ)) {
    p.add(fieldPath(boundsPath, 'maxZ'), `expected maxZ > minZ (${minZ}), got ${maxZ}`);
  }
}

/** A `{ x, y, z }` of finite numbers; `positive` for sizes. */
function checkVec3(p: ProblemCollector, value: unknown, path: string, positive = false): void {
  const v = p.object(value, path);
  if (v === undefined) return;
  p.knownKeys(v, VEC3_KEYS, path);
  for (const axis of VEC3_KEYS) {
    if (positive) p.positive(v[axis], fieldPath(path, axis));
    else p.finite(v[axis], fieldPath(path, axis));
  }
}

/** A `{ min, max }` of finite numbers with min < max. */
function checkRange(p: ProblemCollector, value: unknown, path: string): Range | undefined {
  const r = p.object(value, path);
  if (r === undefined) return undefined;
  p.knownKeys(r, RANGE_KEYS, path);
  const min = p.finite(r.min, fieldPath(path, 'min'));
  const max = p.finite(r.max, fieldPath(path, 'max'));
  if (min === undefined || max === undefined) return undefined;
  if (!(min < max)) {
    p.add(fieldPath(path, 'max'), `expected max > min (${min}), got ${max}`);
    return undefined;
  }
  return { min, max };
}

// Listing hundreds of zone ids in one message would bury the useful part.
const MAX_LISTED = 5;

function listSome(values: Iterable<string>): string {
  const all = [...values];
  const shown = all.slice(0, MAX_LISTED).join(', ');
  return all.length > MAX_LISTED ? `${shown}, … (${all.length} in all)` : shown;
}

function checkEquipment(p: ProblemCollector, value: unknown, path: string, ids: IdIndex): void {
  const item = p.object(value, path);
  if (item === undefined) return;
  p.knownKeys(item, EQUIPMENT_KEYS, path);
  const idPath = fieldPath(path, 'id');
  const id = checkId(p, item.id, idPath);
  checkUnique(
    p,
    id,
    'equipment',
    idPath,
    id === undefined ? undefined : ids.equipment.get(id)?.path,
  );
  p.nonEmptyString(item.name, fieldPath(path, 'name'));
  const kind = p.oneOf(item.kind, EQUIPMENT_KINDS, fieldPath(path, 'kind'));

  const zone = p.nonEmptyString(item.zone, fieldPath(path, 'zone'));
  if (zone !== undefined && !ids.zones.has(zone)) {
    p.add(
      fieldPath(path, 'zone'),
      ids.zones.size === 0
        ? `unknown zone "${zone}": the plant declares no zones`
        : `unknown zone "${zone}" (zones: ${listSome(ids.zones.keys())})`,
    );
  }

  checkVec3(p, item.position, fieldPath(path, 'position'));
  if (item.rotationY !== undefined) p.finite(item.rotationY, fieldPath(path, 'rotationY'));
  if (item.size !== undefined) checkVec3(p, item.size, fieldPath(path, 'size'), true);
  if (item.model !== undefined) p.nonEmptyString(item.model, fieldPath(path, 'model'));
  if (item.params !== undefined) {
    const params = p.object(item.params, fieldPath(path, 'params'));
    if (params !== undefined) {
      for (const [key, param] of Object.entries(params)) {
        p.finite(param, fieldPath(fieldPath(path, 'params'), key));
      }
    }
  }
  if (item.criticality !== undefined) {
    const c = item.criticality;
    if (
      typeof c !== 'number' ||
      !Number.isInteger(c) ||
      c < CRITICALITY_MIN ||
      c > CRITICALITY_MAX
    ) {
      p.add(
        fieldPath(path, 'criticality'),
        `expected an integer ${CRITICALITY_MIN}..${CRITICALITY_MAX} (1 = most critical), got ${describeValue(c)}`,
      );
    }
  }
  checkConnects(p, item, kind, id, path, ids);

  const sensors = p.array(item.sensors, fieldPath(path, 'sensors')) ?? [];
  sensors.forEach((sensor, j) =>
    checkSensor(p, sensor, indexPath(fieldPath(path, 'sensors'), j), kind, ids),
  );
  const actuators = p.array(item.actuators, fieldPath(path, 'actuators')) ?? [];
  actuators.forEach((actuator, j) =>
    checkActuator(p, actuator, indexPath(fieldPath(path, 'actuators'), j), kind, ids),
  );
}

/** Pipes say what they connect; nothing else may (the simulator's flow network hangs on it). */
function checkConnects(
  p: ProblemCollector,
  item: Record<string, unknown>,
  kind: EquipmentKind | undefined,
  ownId: string | undefined,
  path: string,
  ids: IdIndex,
): void {
  const connectsPath = fieldPath(path, 'connects');
  if (kind === undefined) return;
  if (kind !== 'pipe') {
    if (item.connects !== undefined) {
      p.add(connectsPath, `only pipes have connects; this is a ${kind}`);
    }
    return;
  }
  if (item.connects === undefined) {
    p.add(connectsPath, 'a pipe needs connects: { from, to } naming the equipment it joins');
    return;
  }
  const connects = p.object(item.connects, connectsPath);
  if (connects === undefined) return;
  p.knownKeys(connects, CONNECTS_KEYS, connectsPath);
  const ends: (string | undefined)[] = [];
  for (const end of ['from', 'to'] as const) {
    const endPath = fieldPath(connectsPath, end);
    const target = p.nonEmptyString(connects[end], endPath);
    ends.push(target);
    if (target === undefined) continue;
    const other = ids.equipment.get(target);
    if (other === undefined) {
      p.add(endPath, `unknown equipment "${target}"`);
    } else if (target === ownId) {
      p.add(endPath, 'a pipe cannot connect to itself');
    } else if (other.kind === 'pipe') {
      p.add(endPath, `"${target}" is a pipe; pipes connect non-pipe equipment`);
    }
  }
  if (ends[0] !== undefined && ends[0] === ends[1]) {
    p.add(fieldPath(connectsPath, 'to'), `expected a different equipment than from ("${ends[0]}")`);
  }
  if (connects.path !== undefined) {
    const points = p.array(connects.path, fieldPath(connectsPath, 'path'));
    points?.forEach((point, k) =>
      checkVec3(p, point, indexPath(fieldPath(connectsPath, 'path'), k)),
    );
  }
}

/** The sensor kind that measures a signal: `outletTemperature` is a temperature, `flow` a flow. */
function sensorKindOfSignal(signal: string): SensorKind | undefined {
  if (signal === 'temperature' || signal.endsWith('Temperature')) return 'temperature';
  return asOneOf(signal, SENSOR_KINDS);
}

function checkSensor(
  p: ProblemCollector,
  value: unknown,
  path: string,
  equipmentKind: EquipmentKind | undefined,
  ids: IdIndex,
): void {
  const sensor = p.object(value, path);
  if (sensor === undefined) return;
  p.knownKeys(sensor, SENSOR_KEYS, path);
  const idPath = fieldPath(path, 'id');
  const id = checkId(p, sensor.id, idPath);
  checkUnique(p, id, 'sensor', idPath, id === undefined ? undefined : ids.sensors.get(id)?.path);
  // Faults and capsules name "an equipment or sensor id", so the two must not collide.
  if (id !== undefined && ids.equipment.has(id)) {
    p.add(
      idPath,
      `sensor id "${id}" is also an equipment id (${ids.equipment.get(id)?.path}); faults and capsules could not tell them apart`,
    );
  }
  if (sensor.name !== undefined) p.nonEmptyString(sensor.name, fieldPath(path, 'name'));
  const kind = p.oneOf(sensor.kind, SENSOR_KINDS, fieldPath(path, 'kind'));
  if (kind !== undefined) p.oneOf(sensor.unit, SENSOR_UNITS[kind], fieldPath(path, 'unit'));
  else p.nonEmptyString(sensor.unit, fieldPath(path, 'unit'));
  const range = checkRange(p, sensor.range, fieldPath(path, 'range'));

  const signalPath = fieldPath(path, 'signal');
  if (equipmentKind !== undefined) {
    const signal = asOneOf(sensor.signal, SIGNALS_BY_EQUIPMENT_KIND[equipmentKind]);
    if (signal === undefined) {
      p.add(
        signalPath,
        `expected one of ${SIGNALS_BY_EQUIPMENT_KIND[equipmentKind].join(', ')} (the signals of a ${equipmentKind}), got ${describeValue(sensor.signal)}`,
      );
    } else if (kind !== undefined && sensorKindOfSignal(signal) !== kind) {
      p.add(
        signalPath,
        `signal "${signal}" is not measured by a ${kind} sensor (it needs kind ${sensorKindOfSignal(signal) ?? 'unknown'})`,
      );
    }
  } else {
    p.nonEmptyString(sensor.signal, signalPath);
  }

  if (sensor.limits !== undefined) checkLimits(p, sensor.limits, fieldPath(path, 'limits'), range);
  if (sensor.rateOfChange !== undefined) {
    const rocPath = fieldPath(path, 'rateOfChange');
    const roc = p.object(sensor.rateOfChange, rocPath);
    if (roc !== undefined) {
      p.knownKeys(roc, RATE_OF_CHANGE_KEYS, rocPath);
      p.positive(roc.maxPerMinute, fieldPath(rocPath, 'maxPerMinute'));
      p.nonNegative(roc.onDelayMs, fieldPath(rocPath, 'onDelayMs'));
    }
  }
  if (sensor.deviation !== undefined) {
    const devPath = fieldPath(path, 'deviation');
    const dev = p.object(sensor.deviation, devPath);
    if (dev !== undefined) {
      p.knownKeys(dev, DEVIATION_KEYS, devPath);
      p.positive(dev.tolerance, fieldPath(devPath, 'tolerance'));
      p.nonNegative(dev.onDelayMs, fieldPath(devPath, 'onDelayMs'));
    }
  }
  if (sensor.redundantWith !== undefined) {
    const redPath = fieldPath(path, 'redundantWith');
    const other = p.nonEmptyString(sensor.redundantWith, redPath);
    const target = other === undefined ? undefined : ids.sensors.get(other);
    if (other === undefined) {
      // already reported
    } else if (other === id) {
      p.add(redPath, 'a sensor cannot be redundant with itself');
    } else if (target === undefined) {
      p.add(redPath, `unknown sensor "${other}"`);
    } else if (kind !== undefined && target.kind !== undefined && target.kind !== kind) {
      p.add(
        redPath,
        `"${other}" is a ${target.kind} sensor; a redundant sensor must also be ${kind}`,
      );
    }
  }
  if (sensor.noise !== undefined) p.nonNegative(sensor.noise, fieldPath(path, 'noise'));
  checkSensorBinding(p, sensor.binding, fieldPath(path, 'binding'), ids);
}

function checkLimits(
  p: ProblemCollector,
  value: unknown,
  path: string,
  range: Range | undefined,
): void {
  const limits = p.object(value, path);
  if (limits === undefined) return;
  p.knownKeys(limits, LIMITS_KEYS, path);
  let previous: { name: string; value: number } | undefined;
  for (const name of LIMIT_NAMES) {
    if (limits[name] === undefined) continue;
    const limitPath = fieldPath(path, name);
    const limit = p.finite(limits[name], limitPath);
    if (limit === undefined) continue;
    if (range !== undefined && (limit < range.min || limit > range.max)) {
      p.add(limitPath, `expected within range ${range.min}..${range.max}, got ${limit}`);
    }
    if (previous !== undefined && !(limit > previous.value)) {
      p.add(limitPath, `expected ${name} > ${previous.name} (${previous.value}), got ${limit}`);
    }
    previous = { name, value: limit };
  }
  p.nonNegative(limits.deadband, fieldPath(path, 'deadband'));
  p.nonNegative(limits.onDelayMs, fieldPath(path, 'onDelayMs'));
}

function checkActuator(
  p: ProblemCollector,
  value: unknown,
  path: string,
  equipmentKind: EquipmentKind | undefined,
  ids: IdIndex,
): void {
  const actuator = p.object(value, path);
  if (actuator === undefined) return;
  p.knownKeys(actuator, ACTUATOR_KEYS, path);
  const idPath = fieldPath(path, 'id');
  const id = checkId(p, actuator.id, idPath);
  checkUnique(p, id, 'actuator', idPath, id === undefined ? undefined : ids.actuators.get(id));
  if (actuator.name !== undefined) p.nonEmptyString(actuator.name, fieldPath(path, 'name'));
  const kind = p.oneOf(actuator.kind, ACTUATOR_KINDS, fieldPath(path, 'kind'));
  const rangePath = fieldPath(path, 'range');
  let range = checkRange(p, actuator.range, rangePath);
  if (range !== undefined) {
    if (kind === 'valve.position' && (range.min < 0 || range.max > 1)) {
      p.add(
        rangePath,
        `expected a valve position range within 0..1, got ${range.min}..${range.max}`,
      );
      range = undefined;
    } else if (
      (kind === 'pump.run' || kind === 'motor.run') &&
      (range.min !== 0 || range.max !== 1)
    ) {
      p.add(
        rangePath,
        `expected exactly 0..1 for ${kind} (0 = stopped, 1 = running), got ${range.min}..${range.max}`,
      );
      range = undefined;
    }
  }
  const initialPath = fieldPath(path, 'initial');
  const initial = p.finite(actuator.initial, initialPath);
  if (initial !== undefined) {
    if (range !== undefined && (initial < range.min || initial > range.max)) {
      p.add(initialPath, `expected within range ${range.min}..${range.max}, got ${initial}`);
    } else if ((kind === 'pump.run' || kind === 'motor.run') && initial !== 0 && initial !== 1) {
      p.add(initialPath, `expected 0 (stopped) or 1 (running), got ${initial}`);
    }
  }
  if (actuator.unit !== undefined) p.nonEmptyString(actuator.unit, fieldPath(path, 'unit'));

  const signalPath = fieldPath(path, 'signal');
  if (kind === 'setpoint' || actuator.signal !== undefined) {
    if (kind !== undefined && kind !== 'setpoint') {
      p.add(signalPath, `only setpoint actuators name a controlled signal; this is ${kind}`);
    } else if (equipmentKind !== undefined) {
      const signals = SIGNALS_BY_EQUIPMENT_KIND[equipmentKind];
      if (asOneOf(actuator.signal, signals) === undefined) {
        p.add(
          signalPath,
          `expected the controlled signal, one of ${signals.join(', ')} (the signals of a ${equipmentKind}), got ${describeValue(actuator.signal)}`,
        );
      }
    } else {
      p.nonEmptyString(actuator.signal, signalPath);
    }
  }
  checkActuatorBinding(p, actuator.binding, fieldPath(path, 'binding'), ids);
}
