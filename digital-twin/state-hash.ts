import { openCapsules, SENSOR_FLOAT_FIELDS } from './twin-state.js';
import type { TwinState } from './twin-state.js';

/**
 * A stable 64-bit FNV-1a hash of everything in a twin state that folding can change (SPEC S-1):
 * same plant + same events ⇒ same hash, on every machine; any difference ⇒ (almost surely) a
 * different hash. Used by determinism tests, snapshot checks and replay/branch comparisons.
 */
export function hashState(state: TwinState): string {
  const h = new Fnv64();
  h.text(state.plant.plant.id);
  h.number(state.plant.sensors.length);
  h.number(state.plant.actuators.length);
  h.number(state.seq);
  h.number(state.t);
  h.number(state.nextCapsule);
  h.number(state.annotations);
  h.number(state.unknownReadings);
  h.number(state.staleReadings);
  h.number(state.unknownActuators);
  for (const field of SENSOR_FLOAT_FIELDS) h.floats(state[field]);
  h.floats(state.actuators);
  h.bytes(state.quality);
  h.bytes(new Uint8Array(state.zone.buffer, state.zone.byteOffset, state.zone.byteLength));
  h.bytes(state.latch);
  // Capsules in id order, so Map insertion order (which differs after a snapshot) cannot matter.
  for (const capsule of openCapsules(state)) h.text(canonicalJson(capsule));
  // Closed capsules in memory order: the order decides which one is forgotten first.
  for (const [id, closedState] of state.closedCapsules) h.text(`${id}=${closedState}`);
  for (const fault of state.faults) h.text(canonicalJson(fault));
  return h.hex();
}

/**
 * JSON with object keys sorted, so two equal values always serialise alike (S-1). Numbers that
 * JSON cannot hold (NaN, ±Infinity) are written as strings rather than silently as null.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : `"${String(value)}"`;
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort();
      return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
    }
    case 'undefined':
    case 'bigint':
    case 'function':
    case 'symbol':
      break;
  }
  throw new Error(`Invariant: cannot hash a ${typeof value}`);
}

// FNV-1a 64: offset basis 0xcbf29ce484222325, prime 0x100000001b3 = 2^40 + 0x1b3. Kept as two
// 32-bit halves: BigInt arithmetic would be ~50× slower on the 100k-sensor states.
const OFFSET_HI = 0xcbf29ce4;
const OFFSET_LO = 0x84222325;
const PRIME_LO = 0x1b3;
const TWO_32 = 0x1_0000_0000;

/** Whether this platform stores typed arrays little-endian (every current JS engine does). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

class Fnv64 {
  #hi = OFFSET_HI;
  #lo = OFFSET_LO;

  byte(b: number): void {
    const lo = (this.#lo ^ b) >>> 0;
    // (hi·2^32 + lo) · (2^40 + 0x1b3) mod 2^64, with every partial product below 2^53.
    const low = lo * PRIME_LO;
    const carry = Math.floor(low / TWO_32);
    this.#lo = low >>> 0;
    this.#hi = (((this.#hi * PRIME_LO) >>> 0) + carry + ((lo << 8) >>> 0)) >>> 0;
  }

  /** A 32-bit word, least significant byte first (the same on every platform). */
  word(w: number): void {
    this.byte(w & 0xff);
    this.byte((w >>> 8) & 0xff);
    this.byte((w >>> 16) & 0xff);
    this.byte((w >>> 24) & 0xff);
  }

  bytes(data: Uint8Array): void {
    for (let k = 0; k < data.length; k++) this.byte(data[k]!);
  }

  /** Float64 values as IEEE-754 bits, every NaN as the one canonical quiet NaN (S-1). */
  floats(data: Float64Array): void {
    this.word(data.length);
    const words = new Uint32Array(data.buffer, data.byteOffset, data.length * 2);
    const low = LITTLE_ENDIAN ? 0 : 1;
    for (let k = 0; k < data.length; k++) {
      const v = data[k]!;
      if (v !== v) {
        this.word(0);
        this.word(0x7ff80000);
      } else {
        this.word(words[2 * k + low]!);
        this.word(words[2 * k + 1 - low]!);
      }
    }
  }

  number(v: number): void {
    SCRATCH_FLOAT[0] = v;
    this.floats(SCRATCH_FLOAT);
  }

  /** UTF-16 code units, length first, so concatenations cannot collide ("ab","c" vs "a","bc"). */
  text(s: string): void {
    this.word(s.length);
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      this.byte(c & 0xff);
      this.byte(c >>> 8);
    }
  }

  hex(): string {
    return this.#hi.toString(16).padStart(8, '0') + this.#lo.toString(16).padStart(8, '0');
  }
}

const SCRATCH_FLOAT = new Float64Array(1);
