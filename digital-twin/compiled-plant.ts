import type { Actuator, Equipment, Plant, Sensor } from './plant.js';

/**
 * A validated plant with dense indexes, so hot paths (reducer, simulator, room) address sensors
 * and actuators by number rather than by string. Built once per plant; never mutated.
 */
export interface CompiledPlant {
  readonly plant: Plant;
  /** Every sensor in plant-file order; its position is its index everywhere. */
  readonly sensors: readonly Sensor[];
  /** For each sensor index, the equipment it belongs to. */
  readonly sensorEquipment: readonly Equipment[];
  readonly sensorIndex: ReadonlyMap<string, number>;
  readonly actuators: readonly Actuator[];
  readonly actuatorEquipment: readonly Equipment[];
  readonly actuatorIndex: ReadonlyMap<string, number>;
  readonly equipmentById: ReadonlyMap<string, Equipment>;
}

/** Index a plant that `validatePlant` accepted. */
export function compilePlant(plant: Plant): CompiledPlant {
  const sensors: Sensor[] = [];
  const sensorEquipment: Equipment[] = [];
  const sensorIndex = new Map<string, number>();
  const actuators: Actuator[] = [];
  const actuatorEquipment: Equipment[] = [];
  const actuatorIndex = new Map<string, number>();
  const equipmentById = new Map<string, Equipment>();
  for (const equipment of plant.equipment) {
    equipmentById.set(equipment.id, equipment);
    for (const sensor of equipment.sensors) {
      sensorIndex.set(sensor.id, sensors.length);
      sensors.push(sensor);
      sensorEquipment.push(equipment);
    }
    for (const actuator of equipment.actuators) {
      actuatorIndex.set(actuator.id, actuators.length);
      actuators.push(actuator);
      actuatorEquipment.push(equipment);
    }
  }
  return Object.freeze({
    plant,
    sensors,
    sensorEquipment,
    sensorIndex,
    actuators,
    actuatorEquipment,
    actuatorIndex,
    equipmentById,
  });
}
