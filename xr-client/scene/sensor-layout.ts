import type { Equipment, Plant, Vec3 } from '../../digital-twin/index.js';
import { equipmentSize } from './equipment-dimensions.js';
import { pointAlong } from './pipe-routing.js';

/** Height (m) of a sensor marker above the top of its equipment. */
const MARKER_LIFT_M = 0.35;

/**
 * Where each sensor's marker floats, in plant-file order (the sensor index everywhere else:
 * CompiledPlant.sensorIndex, the twin, the room). Sensors have no position in the plant file, so
 * they ring the top of their equipment; on a pipe they sit evenly along its route.
 *
 * `pipeRoutes` holds the drawn polyline of each pipe equipment, by id.
 */
export function sensorMarkerPositions(
  plant: Plant,
  pipeRoutes: ReadonlyMap<string, readonly Vec3[]>,
): Float32Array {
  let total = 0;
  for (const equipment of plant.equipment) total += equipment.sensors.length;
  const out = new Float32Array(total * 3);
  let index = 0;
  for (const equipment of plant.equipment) {
    const count = equipment.sensors.length;
    const route = pipeRoutes.get(equipment.id);
    for (let i = 0; i < count; i += 1) {
      const p =
        route !== undefined && route.length > 0
          ? alongPipe(route, i, count)
          : aroundTop(equipment, i, count);
      out[index * 3] = p.x;
      out[index * 3 + 1] = p.y;
      out[index * 3 + 2] = p.z;
      index += 1;
    }
  }
  return out;
}

function alongPipe(route: readonly Vec3[], i: number, count: number): Vec3 {
  const p = pointAlong(route, (i + 1) / (count + 1));
  return { x: p.x, y: p.y + MARKER_LIFT_M, z: p.z };
}

function aroundTop(equipment: Equipment, i: number, count: number): Vec3 {
  const size = equipmentSize(equipment);
  const y = equipment.position.y + size.y + MARKER_LIFT_M;
  if (count === 1) return { x: equipment.position.x, y, z: equipment.position.z };
  // A ring inside the footprint, turned with the equipment, so markers stay over their equipment.
  const radius = Math.min(size.x, size.z) * 0.35;
  const angle = (2 * Math.PI * i) / count + (equipment.rotationY ?? 0);
  return {
    x: equipment.position.x + Math.cos(angle) * radius,
    y,
    z: equipment.position.z + Math.sin(angle) * radius,
  };
}
