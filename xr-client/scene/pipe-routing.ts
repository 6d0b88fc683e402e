import type { Vec3 } from '../../digital-twin/index.js';

/** Where a pipe ends: an equipment's base-centre position, drawn size and nozzle height. */
export interface PipeEnd {
  position: Vec3;
  size: Vec3;
  /** Height (m above `position.y`) of the nozzles. */
  nozzleHeight: number;
}

export interface PipeRoutingOptions {
  /** Height (m above the floor) at which long runs cross the plant, as on a pipe rack. */
  rackHeight: number;
  /** Horizontal distance (m) below which a run stays at nozzle height instead of climbing to the rack. */
  localRunMax: number;
  /** Gap (m) between an equipment's side and the pipe's first bend. */
  clearance: number;
}

export const DEFAULT_PIPE_ROUTING: Readonly<PipeRoutingOptions> = Object.freeze({
  rackHeight: 5.5,
  localRunMax: 6,
  clearance: 0.3,
});

// Points closer than this are one point: a waypoint that repeats a port must not make a
// zero-length segment (it would have no direction to orient a cylinder along).
const SAME_POINT_M = 1e-3;

/**
 * The polyline a pipe follows from `from` to `to`. With `path`, the path's points are waypoints
 * between the two nozzles; without, an orthogonal route: out of the nozzle, up to the rack (or
 * stay low for short runs), along X, along Z, and down into the other nozzle.
 */
export function routePipe(
  from: PipeEnd,
  to: PipeEnd,
  path: readonly Vec3[] | undefined,
  options: PipeRoutingOptions = DEFAULT_PIPE_ROUTING,
): Vec3[] {
  const waypoints = path ?? [];
  const start = nozzle(from, waypoints[0] ?? to.position, options.clearance);
  const end = nozzle(to, waypoints[waypoints.length - 1] ?? from.position, options.clearance);
  const points: Vec3[] = [start];
  if (waypoints.length > 0) {
    points.push(...waypoints.map((p) => ({ x: p.x, y: p.y, z: p.z })));
  } else {
    const horizontal = Math.hypot(end.x - start.x, end.z - start.z);
    const runHeight =
      horizontal <= options.localRunMax
        ? Math.max(start.y, end.y)
        : Math.max(options.rackHeight, start.y, end.y);
    points.push(
      { x: start.x, y: runHeight, z: start.z },
      { x: end.x, y: runHeight, z: start.z },
      { x: end.x, y: runHeight, z: end.z },
    );
  }
  points.push(end);
  return dedupe(points);
}

/** Total length (m) of a polyline. */
export function polylineLength(points: readonly Vec3[]): number {
  let length = 0;
  for (let i = 1; i < points.length; i += 1) length += distance(points[i - 1]!, points[i]!);
  return length;
}

/** The point at `fraction` (0–1) of a polyline's length. */
export function pointAlong(points: readonly Vec3[], fraction: number): Vec3 {
  const first = points[0];
  if (first === undefined) throw new Error('Invariant: pointAlong needs at least one point');
  let remaining = polylineLength(points) * Math.min(Math.max(fraction, 0), 1);
  for (let i = 1; i < points.length; i += 1) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const segment = distance(a, b);
    if (remaining <= segment && segment > 0) {
      const f = remaining / segment;
      return { x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f, z: a.z + (b.z - a.z) * f };
    }
    remaining -= segment;
  }
  const last = points[points.length - 1]!;
  return { x: last.x, y: last.y, z: last.z };
}

/** A nozzle on the side of an equipment facing `toward`, `clearance` out from its footprint. */
function nozzle(end: PipeEnd, toward: Vec3, clearance: number): Vec3 {
  const dx = toward.x - end.position.x;
  const dz = toward.z - end.position.z;
  const length = Math.hypot(dx, dz);
  const y = end.position.y + end.nozzleHeight;
  if (length < SAME_POINT_M) return { x: end.position.x, y, z: end.position.z };
  const ux = dx / length;
  const uz = dz / length;
  // Distance from the centre to the footprint's edge along (ux, uz), for a box of size x × z.
  const edge = Math.min(
    Math.abs(ux) > 1e-9 ? end.size.x / 2 / Math.abs(ux) : Infinity,
    Math.abs(uz) > 1e-9 ? end.size.z / 2 / Math.abs(uz) : Infinity,
  );
  const out = Math.min(edge + clearance, length / 2);
  return { x: end.position.x + ux * out, y, z: end.position.z + uz * out };
}

function dedupe(points: Vec3[]): Vec3[] {
  const kept: Vec3[] = [];
  for (const point of points) {
    const last = kept[kept.length - 1];
    if (last === undefined || distance(last, point) > SAME_POINT_M) kept.push(point);
  }
  return kept;
}

function distance(a: Vec3, b: Vec3): number {
  return Math.hypot(b.x - a.x, b.y - a.y, b.z - a.z);
}
