import { openCapsules, SENSOR_FLOAT_FIELDS } from './twin-state.js';
import type { TwinState } from './twin-state.js';

/**
 * A stable 64-bit hash of everything in a twin state that folding can change (SPEC S-1):
 * same plant + same events ⇒ same hash, on every machine; any difference ⇒ (almost surely) a
 * different hash. Used by determinism tests, snapshot checks and replay/branch comparisons.
 */
export function hashState(state: TwinState): string {
  const h = new WordHash();
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

/** Whether this platform stores typed arrays little-endian (every current JS engine does). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A 64-bit hash over 32-bit words in two lanes: FNV-1a-32 (`h = (h ^ w) · 0x01000193`) and a
 * rotated variant (`h = (rotl(h, 13) ^ w) · 0xcc9e2d51`), finished with murmur3's fmix32.
 * Word-wise rather than FNV-1a 64 byte-wise because it is ~8× faster in JS (a 64-bit multiply
 * needs four 32-bit ones), and the demo run hashes its state at every step in tests.
 *
 * Every step is a bijection of the lane (xor, rotation, multiplication by an odd number), so a
 * change in any one word always changes both lanes; several changes cancel only by a 2^-64 chance.
 */
class WordHash {
  #a = 0x811c9dc5;
  #b = 0x9747b28c;

  word(w: number): void {
    this.#a = Math.imul(this.#a ^ w, 0x01000193);
    const b = this.#b;
    this.#b = Math.imul(((b << 13) | (b >>> 19)) ^ w, 0xcc9e2d51);
  }

  /** Bytes packed four to a word, length first. */
  bytes(data: Uint8Array): void {
    this.word(data.length);
    const n = data.length;
    let k = 0;
    for (; k + 4 <= n; k += 4) {
      this.word(data[k]! | (data[k + 1]! << 8) | (data[k + 2]! << 16) | (data[k + 3]! << 24));
    }
    let tail = 0;
    for (let shift = 0; k < n; k++, shift += 8) tail |= data[k]! << shift;
    this.word(tail);
  }

  /** Float64 values as IEEE-754 bits (low word first), every NaN as one canonical quiet NaN. */
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
    for (let k = 0; k < s.length; k++) this.word(s.charCodeAt(k));
  }

  hex(): string {
    const a = fmix32(this.#a ^ this.#b);
    const b = fmix32(this.#b + a);
    return hex32(a) + hex32(b);
  }
}

/** murmur3's finaliser: every input bit affects every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hex32(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}

const SCRATCH_FLOAT = new Float64Array(1);
