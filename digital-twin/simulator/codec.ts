import type { CompiledPlant } from '../compiled-plant.js';
import type { Fault } from '../events.js';
import { Prng } from '../prng.js';
import { faultProblem } from './faults.js';
import { simModel } from './model.js';
import { asSimulation, Simulation } from './sim-state.js';
import type { SimState } from './sim-state.js';
import { SLOTS_PER_EQUIPMENT } from './state-layout.js';

/**
 * Simulator state as bytes: a versioned header naming the plant and its dimensions, the clock,
 * the PRNG, then every state array as little-endian numbers. Decoding and stepping on gives
 * exactly what the original would have (the tests check readings bit for bit).
 *
 * Layout (version 1): "TSIM", u16 version, u16 reserved, u32 + UTF-8 plant id, u32 × 5 counts
 * (equipment, sensors, actuators, pipes, slots per equipment), f64 t, f64 stepMs, i32 × 4 PRNG
 * words, f64 spare gaussian, u32 + UTF-8 JSON of the active faults, f64 arrays (x, act, wearRate,
 * driftRate, driftOffset, frozenValue, lastReading, edgeFlow, edgeTemp), u8 arrays (tripped,
 * stuck, coolingLost, frozen, dropout).
 */

const MAGIC = [0x54, 0x53, 0x49, 0x4d]; // "TSIM"
export const SIM_CODEC_VERSION = 1;

type F64Field =
  | 'x'
  | 'act'
  | 'wearRate'
  | 'driftRate'
  | 'driftOffset'
  | 'frozenValue'
  | 'lastReading'
  | 'edgeFlow'
  | 'edgeTemp';
type U8Field = 'tripped' | 'stuck' | 'coolingLost' | 'frozen' | 'dropout';
const F64_FIELDS: readonly F64Field[] = [
  'x',
  'act',
  'wearRate',
  'driftRate',
  'driftOffset',
  'frozenValue',
  'lastReading',
  'edgeFlow',
  'edgeTemp',
];
const U8_FIELDS: readonly U8Field[] = ['tripped', 'stuck', 'coolingLost', 'frozen', 'dropout'];

/** The simulator's complete state as bytes. */
export function encodeSimState(state: SimState): Uint8Array<ArrayBuffer> {
  const sim = asSimulation(state);
  const encoder = new TextEncoder();
  const plantId = encoder.encode(sim.plant.plant.id);
  const faults = encoder.encode(JSON.stringify(sim.faults));
  const m = sim.model;
  let size = 8 + 4 + plantId.length + 5 * 4 + 8 + 8 + 16 + 8 + 4 + faults.length;
  for (const field of F64_FIELDS) size += sim[field].length * 8;
  for (const field of U8_FIELDS) size += sim[field].length;

  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let o = 0;
  bytes.set(MAGIC, o);
  o += 4;
  view.setUint16(o, SIM_CODEC_VERSION, true);
  o += 4;
  view.setUint32(o, plantId.length, true);
  o += 4;
  bytes.set(plantId, o);
  o += plantId.length;
  for (const count of [m.nEquipment, m.nSensors, m.nActuators, m.nEdges, SLOTS_PER_EQUIPMENT]) {
    view.setUint32(o, count, true);
    o += 4;
  }
  view.setFloat64(o, sim.t, true);
  view.setFloat64(o + 8, sim.stepMs, true);
  o += 16;
  const prng = sim.prng;
  for (const word of [prng.a, prng.b, prng.c, prng.d]) {
    view.setInt32(o, word, true);
    o += 4;
  }
  view.setFloat64(o, prng.spare, true);
  o += 8;
  view.setUint32(o, faults.length, true);
  o += 4;
  bytes.set(faults, o);
  o += faults.length;
  for (const field of F64_FIELDS) {
    const array = sim[field];
    for (let k = 0; k < array.length; k++, o += 8) view.setFloat64(o, array[k] ?? 0, true);
  }
  for (const field of U8_FIELDS) {
    bytes.set(sim[field], o);
    o += sim[field].length;
  }
  return bytes;
}

/** A simulator continued from encodeSimState bytes; a clear Error for bytes of another plant or version. */
export function decodeSimState(bytes: Uint8Array, plant: CompiledPlant): SimState {
  if (!(bytes instanceof Uint8Array)) {
    throw new Error('decodeSimState: expected a Uint8Array of encodeSimState bytes');
  }
  try {
    return decode(bytes, plant);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new Error(
        `decodeSimState: the bytes end early (${bytes.length} bytes); they are truncated or not simulator state`,
        { cause: error },
      );
    }
    throw error;
  }
}

function decode(bytes: Uint8Array, plant: CompiledPlant): SimState {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8 || MAGIC.some((b, k) => bytes[k] !== b)) {
    throw new Error('decodeSimState: these bytes are not simulator state (no "TSIM" header)');
  }
  const version = view.getUint16(4, true);
  if (version !== SIM_CODEC_VERSION) {
    throw new Error(
      `decodeSimState: simulator state version ${version} is not readable by this build (it reads version ${SIM_CODEC_VERSION})`,
    );
  }
  let o = 8;
  const decoder = new TextDecoder();
  const idLength = view.getUint32(o, true);
  o += 4;
  const plantId = decoder.decode(bytes.subarray(o, o + idLength));
  o += idLength;
  if (plantId !== plant.plant.id) {
    throw new Error(
      `decodeSimState: the state is of plant "${plantId}", not of plant "${plant.plant.id}"`,
    );
  }
  const model = simModel(plant);
  const expected = [
    ['equipment', model.nEquipment],
    ['sensors', model.nSensors],
    ['actuators', model.nActuators],
    ['pipes', model.nEdges],
    ['state slots per equipment', SLOTS_PER_EQUIPMENT],
  ] as const;
  for (const [what, count] of expected) {
    const found = view.getUint32(o, true);
    o += 4;
    if (found !== count) {
      throw new Error(
        `decodeSimState: the state has ${found} ${what} but plant "${plant.plant.id}" has ${count}; it was saved from another version of the plant`,
      );
    }
  }
  const t = view.getFloat64(o, true);
  const stepMs = view.getFloat64(o + 8, true);
  o += 16;
  const words: number[] = [];
  for (let k = 0; k < 4; k++, o += 4) words.push(view.getInt32(o, true));
  const spare = view.getFloat64(o, true);
  o += 8;
  const prng = new Prng({
    a: words[0] ?? 0,
    b: words[1] ?? 0,
    c: words[2] ?? 0,
    d: words[3] ?? 0,
    spare,
  });
  const faultsLength = view.getUint32(o, true);
  o += 4;
  if (o + faultsLength > bytes.length) throw new RangeError('faults past the end');
  const faults = parseFaults(decoder.decode(bytes.subarray(o, o + faultsLength)), plant);
  o += faultsLength;

  const sim = new Simulation(plant, model, t, stepMs, prng);
  for (const field of F64_FIELDS) {
    const array = sim[field];
    for (let k = 0; k < array.length; k++, o += 8) array[k] = view.getFloat64(o, true);
  }
  for (const field of U8_FIELDS) {
    const array = sim[field];
    if (o + array.length > bytes.length) throw new RangeError('flags past the end');
    array.set(bytes.subarray(o, o + array.length));
    o += array.length;
  }
  if (o !== bytes.length) {
    throw new Error(
      `decodeSimState: ${bytes.length - o} unexpected bytes after the simulator state`,
    );
  }
  sim.faults = faults;
  return sim;
}

function parseFaults(json: string, plant: CompiledPlant): Fault[] {
  const model = simModel(plant);
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed)) throw new Error('decodeSimState: the fault list is not an array');
  return parsed.map((fault: unknown, k) => {
    const problem = faultProblem(fault, {
      equipmentKind: (id) => {
        const i = model.equipmentIndex.get(id);
        return i === undefined ? undefined : plant.plant.equipment[i]?.kind;
      },
      hasSensor: (id) => plant.sensorIndex.has(id),
    });
    if (problem !== undefined) {
      throw new Error(`decodeSimState: faults[${k}].${problem.field}: ${problem.message}`);
    }
    return fault as Fault;
  });
}
