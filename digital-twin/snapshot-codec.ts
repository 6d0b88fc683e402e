import type { Capsule, CapsuleState } from './capsule.js';
import { CAPSULE_STATES } from './capsule.js';
import type { CompiledPlant } from './compiled-plant.js';
import { compilePlant } from './compiled-plant.js';
import type { Fault } from './events.js';
import { FAULT_KINDS } from './events.js';
import type { Plant } from './plant.js';
import { capsuleNumber, createTwinState, openCapsules, SENSOR_FLOAT_FIELDS } from './twin-state.js';
import type { TwinState } from './twin-state.js';

/**
 * The snapshot codec (SPEC S-2 … S-5): a twin state (and, opaque, the simulator's own bytes) at
 * one sequence number, for fast seek, restart and branching. Layout, all integers little-endian:
 *
 * ```
 *  0  magic "TWSN"            4  version u16           6  flags u16 (bit 0: sim bytes present)
 *  8  header length u32      12  sensor count u32     16  actuator count u32
 * 20  sim length u32         24  total length u32     28  reserved u32 (0)
 * 32  header: UTF-8 JSON (plant id, seq, t, counters, capsules, closed capsules, faults), padded to 8
 *     per-sensor Float64 arrays in SENSOR_FLOAT_FIELDS order, then actuators (Float64, raw)
 *     quality (u8 × n), zone (i8 × n), latch (u8 × 4n), padded to 8
 *     sim bytes
 * end−4  FNV-1a 32 checksum of every byte before it
 * ```
 * Typed arrays travel raw (no per-value encoding), so a 100k-sensor state costs one memcpy per
 * array; capsules are few and irregular, so they go as JSON.
 */
export const SNAPSHOT_MAGIC = 'TWSN';
export const SNAPSHOT_VERSION = 1;
const FIXED_HEADER = 32;
const CHECKSUM_BYTES = 4;
const FLAG_SIM = 1;

/** What a snapshot holds: the twin and, if the run has one, the simulator's encoded state. */
export interface Snapshot {
  twin: TwinState;
  sim?: Uint8Array | null;
}

interface Header {
  plantId: string;
  seq: number;
  t: number;
  nextCapsule: number;
  annotations: number;
  unknownReadings: number;
  staleReadings: number;
  unknownActuators: number;
  capsules: Capsule[];
  closedCapsules: [string, CapsuleState][];
  faults: Fault[];
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function requireLittleEndian(): void {
  // Arrays are copied raw; a big-endian engine would need a byte swap that no target has needed.
  if (!LITTLE_ENDIAN)
    throw new Error('Invariant: the snapshot codec needs a little-endian platform');
}

function pad8(n: number): number {
  return (n + 7) & ~7;
}

function rawBytes(array: Float64Array | Uint8Array | Int8Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Encode a twin state (and optional simulator bytes) as one self-checking binary snapshot (S-2). */
export function encodeSnapshot(snapshot: Snapshot): Uint8Array {
  requireLittleEndian();
  const twin = snapshot.twin;
  const sim = snapshot.sim ?? null;
  const n = twin.plant.sensors.length;
  const m = twin.plant.actuators.length;
  const header: Header = {
    plantId: twin.plant.plant.id,
    seq: twin.seq,
    t: twin.t,
    nextCapsule: twin.nextCapsule,
    annotations: twin.annotations,
    unknownReadings: twin.unknownReadings,
    staleReadings: twin.staleReadings,
    unknownActuators: twin.unknownActuators,
    capsules: openCapsules(twin),
    closedCapsules: [...twin.closedCapsules],
    faults: twin.faults,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const arraysAt = pad8(FIXED_HEADER + json.length);
  const smallAt = arraysAt + (SENSOR_FLOAT_FIELDS.length * n + m) * 8;
  const simAt = pad8(smallAt + n * 6);
  const simLength = sim?.length ?? 0;
  const total = simAt + simLength + CHECKSUM_BYTES;
  if (total > 0xffff_ffff)
    throw new Error(`snapshot would be ${total} bytes; the format holds 4 GiB`);

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  for (let k = 0; k < 4; k++) out[k] = SNAPSHOT_MAGIC.charCodeAt(k);
  view.setUint16(4, SNAPSHOT_VERSION, true);
  view.setUint16(6, sim === null ? 0 : FLAG_SIM, true);
  view.setUint32(8, json.length, true);
  view.setUint32(12, n, true);
  view.setUint32(16, m, true);
  view.setUint32(20, simLength, true);
  view.setUint32(24, total, true);
  out.set(json, FIXED_HEADER);
  let at = arraysAt;
  for (const field of SENSOR_FLOAT_FIELDS) {
    out.set(rawBytes(twin[field]), at);
    at += n * 8;
  }
  out.set(rawBytes(twin.actuators), at);
  at = smallAt;
  out.set(twin.quality, at);
  out.set(rawBytes(twin.zone), at + n);
  out.set(twin.latch, at + 2 * n);
  if (sim !== null) out.set(sim, simAt);
  view.setUint32(total - CHECKSUM_BYTES, fnv1a32(out, total - CHECKSUM_BYTES), true);
  return out;
}

/**
 * Decode a snapshot for `plant` (S-3, S-4): the twin state exactly as encoded, and the simulator
 * bytes (or null). Throws an Error saying what is wrong for bytes that are not a snapshot, are
 * cut short or damaged, come from a newer format, or belong to another plant.
 */
export function decodeSnapshot(
  bytes: Uint8Array,
  plant: CompiledPlant | Plant,
): { twin: TwinState; sim: Uint8Array | null } {
  requireLittleEndian();
  const compiled = 'sensorIndex' in plant ? plant : compilePlant(plant);
  if (!(bytes instanceof Uint8Array)) throw new Error('snapshot: expected a Uint8Array');
  if (bytes.length < FIXED_HEADER + CHECKSUM_BYTES) {
    throw new Error(
      `snapshot: ${bytes.length} bytes is too short to be a snapshot (the fixed header alone is ${FIXED_HEADER})`,
    );
  }
  const magic = String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!);
  if (magic !== SNAPSHOT_MAGIC) {
    throw new Error(
      `snapshot: bad magic ${JSON.stringify(magic)}, expected "${SNAPSHOT_MAGIC}": not a twin snapshot`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version !== SNAPSHOT_VERSION) {
    throw new Error(
      `snapshot: format version ${version} is not supported by this build (it reads version ${SNAPSHOT_VERSION})`,
    );
  }
  const flags = view.getUint16(6, true);
  const jsonLength = view.getUint32(8, true);
  const n = view.getUint32(12, true);
  const m = view.getUint32(16, true);
  const simLength = view.getUint32(20, true);
  const total = view.getUint32(24, true);
  if (bytes.length !== total) {
    throw new Error(
      `snapshot: truncated or padded: the header says ${total} bytes, got ${bytes.length}`,
    );
  }
  const stored = view.getUint32(total - CHECKSUM_BYTES, true);
  const actual = fnv1a32(bytes, total - CHECKSUM_BYTES);
  if (stored !== actual) {
    throw new Error(
      `snapshot: checksum mismatch (stored ${hex32(stored)}, computed ${hex32(actual)}): the bytes are damaged`,
    );
  }
  const arraysAt = pad8(FIXED_HEADER + jsonLength);
  const smallAt = arraysAt + (SENSOR_FLOAT_FIELDS.length * n + m) * 8;
  const simAt = pad8(smallAt + n * 6);
  if (simAt + simLength + CHECKSUM_BYTES !== total) {
    throw new Error(
      'snapshot: section lengths do not add up to the total length: the header is damaged',
    );
  }

  let header: Header;
  try {
    header = parseHeader(
      JSON.parse(
        new TextDecoder('utf-8', { fatal: true }).decode(
          bytes.subarray(FIXED_HEADER, FIXED_HEADER + jsonLength),
        ),
      ),
    );
  } catch (error) {
    throw new Error(
      `snapshot: header is unreadable: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const plantId = compiled.plant.id;
  if (header.plantId !== plantId) {
    throw new Error(
      `snapshot: taken of plant "${header.plantId}", cannot load it into plant "${plantId}"`,
    );
  }
  if (n !== compiled.sensors.length || m !== compiled.actuators.length) {
    throw new Error(
      `snapshot: plant "${plantId}" had ${n} sensors and ${m} actuators when the snapshot was taken; this one has ${compiled.sensors.length} and ${compiled.actuators.length} (the plant file changed)`,
    );
  }

  const twin = createTwinState(compiled, header.t);
  let at = arraysAt;
  for (const field of SENSOR_FLOAT_FIELDS) {
    rawBytes(twin[field]).set(bytes.subarray(at, at + n * 8));
    at += n * 8;
  }
  rawBytes(twin.actuators).set(bytes.subarray(at, at + m * 8));
  twin.quality.set(bytes.subarray(smallAt, smallAt + n));
  rawBytes(twin.zone).set(bytes.subarray(smallAt + n, smallAt + 2 * n));
  twin.latch.set(bytes.subarray(smallAt + 2 * n, smallAt + 6 * n));

  twin.seq = header.seq;
  twin.nextCapsule = header.nextCapsule;
  twin.annotations = header.annotations;
  twin.unknownReadings = header.unknownReadings;
  twin.staleReadings = header.staleReadings;
  twin.unknownActuators = header.unknownActuators;
  twin.faults = header.faults;
  for (const capsule of header.capsules) {
    const other = twin.capsuleByRule.get(capsule.rule);
    if (other !== undefined || twin.capsules.has(capsule.id)) {
      throw new Error(
        `snapshot: capsule ${capsule.id} repeats an open capsule id or rule (${other ?? capsule.id}, rule ${capsule.rule}): the header is damaged`,
      );
    }
    twin.capsules.set(capsule.id, capsule);
    twin.capsuleByRule.set(capsule.rule, capsule.id);
  }
  for (const [id, state] of header.closedCapsules) twin.closedCapsules.set(id, state);

  const sim = (flags & FLAG_SIM) !== 0 ? bytes.slice(simAt, simAt + simLength) : null;
  return { twin, sim };
}

/** Check the JSON header's shape, so a damaged-but-checksummed file still fails by name. */
function parseHeader(value: unknown): Header {
  const h = record(value, 'header');
  const int = (key: string): number => {
    const v = h[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new Error(`${key}: expected a non-negative integer, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  if (typeof h.plantId !== 'string') throw new Error('plantId: expected a string');
  if (typeof h.t !== 'number' || !Number.isFinite(h.t))
    throw new Error('t: expected a finite number');
  const capsules = array(h.capsules, 'capsules').map((item, k) => {
    const c = record(item, `capsules[${k}]`);
    if (typeof c.id !== 'string' || Number.isNaN(capsuleNumber(c.id))) {
      throw new Error(`capsules[${k}].id: expected C-<n>, got ${JSON.stringify(c.id)}`);
    }
    if (typeof c.rule !== 'string') throw new Error(`capsules[${k}].rule: expected a string`);
    if (!CAPSULE_STATES.includes(c.state as CapsuleState)) {
      throw new Error(
        `capsules[${k}].state: expected a capsule state, got ${JSON.stringify(c.state)}`,
      );
    }
    return c as unknown as Capsule;
  });
  const closedCapsules = array(h.closedCapsules, 'closedCapsules').map((item, k) => {
    if (
      !Array.isArray(item) ||
      typeof item[0] !== 'string' ||
      !CAPSULE_STATES.includes(item[1] as CapsuleState)
    ) {
      throw new Error(`closedCapsules[${k}]: expected [id, state]`);
    }
    return [item[0], item[1] as CapsuleState] as [string, CapsuleState];
  });
  const faults = array(h.faults, 'faults').map((item, k) => {
    const f = record(item, `faults[${k}]`);
    if (!FAULT_KINDS.includes(f.kind as Fault['kind']) || typeof f.target !== 'string') {
      throw new Error(`faults[${k}]: expected { kind, target }`);
    }
    return f as unknown as Fault;
  });
  return {
    plantId: h.plantId,
    seq: int('seq'),
    t: h.t,
    nextCapsule: int('nextCapsule'),
    annotations: int('annotations'),
    unknownReadings: int('unknownReadings'),
    staleReadings: int('staleReadings'),
    unknownActuators: int('unknownActuators'),
    capsules,
    closedCapsules,
    faults,
  };
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${what}: expected an object`);
  }
  return value as Record<string, unknown>;
}

function array(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what}: expected an array`);
  return value as unknown[];
}

/** FNV-1a 32 over the first `length` bytes: catches damage, not tampering (it is no MAC). */
function fnv1a32(bytes: Uint8Array, length: number): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < length; k++) h = Math.imul(h ^ bytes[k]!, 0x01000193);
  return h >>> 0;
}

function hex32(v: number): string {
  return v.toString(16).padStart(8, '0');
}
