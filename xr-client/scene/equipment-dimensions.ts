import type { Equipment, EquipmentKind, Vec3 } from '../../digital-twin/index.js';

/**
 * Default bounding size (metres: x width, y height, z depth) per equipment kind, used when a
 * plant file gives no `size`. Procedural shapes are modelled at exactly this size, so an
 * equipment's instance scale is `size / default` per axis.
 */
export const DEFAULT_EQUIPMENT_SIZE: { readonly [K in EquipmentKind]: Readonly<Vec3> } = {
  tank: { x: 3, y: 5, z: 3 },
  reactor: { x: 2.6, y: 4.2, z: 2.6 },
  pump: { x: 2, y: 1.1, z: 0.9 },
  valve: { x: 0.7, y: 1, z: 0.5 },
  'heat-exchanger': { x: 5, y: 1.6, z: 1.2 },
  motor: { x: 1.4, y: 1, z: 0.9 },
  compressor: { x: 3, y: 2, z: 1.6 },
  pipe: { x: 0.2, y: 0.2, z: 0.2 },
};

/** The drawn size of an equipment: its own `size`, else its kind's default. */
export function equipmentSize(equipment: Pick<Equipment, 'kind' | 'size'>): Vec3 {
  const size = equipment.size ?? DEFAULT_EQUIPMENT_SIZE[equipment.kind];
  return { x: size.x, y: size.y, z: size.z };
}

/**
 * Height of a kind's pipe nozzles as a share of its drawn height; routes start and end there.
 * Matches where the procedural shapes put their nozzles (a valve's body, a pump's suction).
 */
const NOZZLE_HEIGHT_SHARE: { readonly [K in EquipmentKind]: number } = {
  tank: 0.3,
  reactor: 0.3,
  pump: 0.5,
  valve: 0.3,
  'heat-exchanger': 0.53,
  motor: 0.5,
  compressor: 0.45,
  pipe: 0.5,
};

/** Tall vessels take their outlets near the bottom, not half-way up a 10 m shell. */
const MAX_NOZZLE_HEIGHT_M = 1.5;

/** Height (m above the equipment's base) of its pipe nozzles. */
export function nozzleHeight(equipment: Pick<Equipment, 'kind' | 'size'>): number {
  return Math.min(
    equipmentSize(equipment).y * NOZZLE_HEIGHT_SHARE[equipment.kind],
    MAX_NOZZLE_HEIGHT_M,
  );
}
