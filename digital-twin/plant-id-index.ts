import { EQUIPMENT_KINDS, SENSOR_KINDS } from './plant.js';
import type { EquipmentKind, SensorKind } from './plant.js';
import { asOneOf, describeValue, fieldPath, indexPath, isRecord } from './validation-errors.js';
import type { ProblemCollector } from './validation-errors.js';

/** Where each id was first declared, plus what cross-references need to know about it. */
export interface IdIndex {
  zones: Map<string, string>;
  equipment: Map<string, { path: string; kind: EquipmentKind | undefined }>;
  sensors: Map<string, { path: string; kind: SensorKind | undefined }>;
  actuators: Map<string, string>;
  /** Bindings already claimed, keyed by source-specific address, to catch two claimants. */
  sensorBindings: Map<string, string>;
  actuatorBindings: Map<string, string>;
}

/**
 * First pass: every id and where it first appears. Cross-references (zone, redundantWith,
 * connects, confirmSensor) may point forward in the file, so they need the whole set first.
 */
export function collectIds(zones: unknown[], equipment: unknown[]): IdIndex {
  const ids: IdIndex = {
    zones: new Map(),
    equipment: new Map(),
    sensors: new Map(),
    actuators: new Map(),
    sensorBindings: new Map(),
    actuatorBindings: new Map(),
  };
  zones.forEach((zone, i) => {
    if (isRecord(zone) && typeof zone.id === 'string' && !ids.zones.has(zone.id)) {
      ids.zones.set(zone.id, indexPath('zones', i));
    }
  });
  equipment.forEach((item, i) => {
    if (!isRecord(item)) return;
    const path = indexPath('equipment', i);
    if (typeof item.id === 'string' && !ids.equipment.has(item.id)) {
      ids.equipment.set(item.id, { path, kind: asOneOf(item.kind, EQUIPMENT_KINDS) });
    }
    if (Array.isArray(item.sensors)) {
      item.sensors.forEach((sensor: unknown, j) => {
        if (isRecord(sensor) && typeof sensor.id === 'string' && !ids.sensors.has(sensor.id)) {
          ids.sensors.set(sensor.id, {
            path: indexPath(fieldPath(path, 'sensors'), j),
            kind: asOneOf(sensor.kind, SENSOR_KINDS),
          });
        }
      });
    }
    if (Array.isArray(item.actuators)) {
      item.actuators.forEach((actuator: unknown, j) => {
        if (isRecord(actuator) && typeof actuator.id === 'string') {
          if (!ids.actuators.has(actuator.id)) {
            ids.actuators.set(actuator.id, indexPath(fieldPath(path, 'actuators'), j));
          }
        }
      });
    }
  });
  return ids;
}

/** An id: a non-empty string without surrounding spaces (they never survive copy-paste intact). */
export function checkId(p: ProblemCollector, value: unknown, path: string): string | undefined {
  const id = p.nonEmptyString(value, path);
  if (id !== undefined && id.trim() !== id) {
    p.add(path, `expected an id without leading or trailing spaces, got ${describeValue(id)}`);
    return undefined;
  }
  return id;
}

/** Report a second declaration of an id (the first one is where `firstPath` says). */
export function checkUnique(
  p: ProblemCollector,
  id: string | undefined,
  what: string,
  path: string,
  firstPath: string | undefined,
): void {
  const ownPath = path.slice(0, path.lastIndexOf('.'));
  if (id !== undefined && firstPath !== undefined && firstPath !== ownPath) {
    p.add(path, `duplicate ${what} id "${id}" (first declared at ${firstPath})`);
  }
}
