/** An axis-aligned area on the plant floor (metres, plant x and z). */
export interface FloorRect {
  minX: number;
  minZ: number;
  maxX: number;
  maxZ: number;
}

/** Where a headset user first stands (feet, on the floor) and the point they face. */
export interface XrStartPose {
  x: number;
  z: number;
  lookAtX: number;
  lookAtZ: number;
}

/** How far inside the plant's near edge the user stands (m): on the floor, not at its rim. */
const EDGE_INSET_M = 1;
/** Free space kept between the user's feet and any equipment footprint (m): arm's length. */
const CLEARANCE_M = 1;
/** Step between the spots tried along the edge (m). */
const STEP_M = 1;
/** Where the user stands when no spot on the edge is clear: this far outside the plant (m). */
const OUTSIDE_M = 2;

/**
 * The start pose for immersive VR: on a zone floor just inside the plant's near (minimum z)
 * edge, as close to the middle of that edge as a spot clear of every equipment footprint
 * allows, facing the plant's centre. Entering VR otherwise drops the user wherever the XR
 * origin happens to be (the plant's corner, or the desktop camera's ground point), which can
 * be inside a vessel or off the plant altogether.
 */
export function xrStartPose(
  zones: readonly FloorRect[],
  equipment: readonly FloorRect[],
): XrStartPose {
  const all = zones.length > 0 ? zones : equipment;
  if (all.length === 0) return { x: 0, z: -OUTSIDE_M, lookAtX: 0, lookAtZ: 0 };
  const bounds = union([...all, ...equipment]);
  const lookAtX = (bounds.minX + bounds.maxX) / 2;
  const lookAtZ = (bounds.minZ + bounds.maxZ) / 2;
  const z = bounds.minZ + EDGE_INSET_M;
  const halfWidth = (bounds.maxX - bounds.minX) / 2;
  // From the middle of the edge outwards, alternating sides: the nearest clear spot wins.
  for (let offset = 0; offset <= halfWidth; offset += STEP_M) {
    for (const x of offset === 0 ? [lookAtX] : [lookAtX - offset, lookAtX + offset]) {
      const onFloor = zones.length === 0 || zones.some((zone) => inside(zone, x, z, 0));
      if (onFloor && equipment.every((item) => !inside(item, x, z, CLEARANCE_M)))
        return { x, z, lookAtX, lookAtZ };
    }
  }
  return { x: lookAtX, z: bounds.minZ - OUTSIDE_M, lookAtX, lookAtZ };
}

function union(rects: readonly FloorRect[]): FloorRect {
  return {
    minX: Math.min(...rects.map((r) => r.minX)),
    minZ: Math.min(...rects.map((r) => r.minZ)),
    maxX: Math.max(...rects.map((r) => r.maxX)),
    maxZ: Math.max(...rects.map((r) => r.maxZ)),
  };
}

/** Whether (x, z) lies within `margin` of `rect`. */
function inside(rect: FloorRect, x: number, z: number, margin: number): boolean {
  return (
    x >= rect.minX - margin &&
    x <= rect.maxX + margin &&
    z >= rect.minZ - margin &&
    z <= rect.maxZ + margin
  );
}
