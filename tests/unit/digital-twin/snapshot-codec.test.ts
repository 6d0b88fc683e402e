import { describe, expect, it } from 'vitest';
import {
  compilePlant,
  createTwinState,
  decide,
  decodeSnapshot,
  encodeSnapshot,
  hashState,
  SNAPSHOT_VERSION,
} from '../../../digital-twin/index.js';
import type { Actor, TwinState } from '../../../digital-twin/index.js';
import { fold, readings, runRules, T0, tinyPlant, tinyPlantFile } from './fixtures/tiny-plant.js';

const plant = tinyPlant();
const ada: Actor = { id: 'u1', name: 'Ada', role: 'operator' };

/** One step of a small incident: TT-1 heating, VT-1 rising, the model lagging; rules run. */
function step(state: TwinState, k: number): void {
  const t = T0 + k * 500;
  fold(state, t, readings(t, ['TT-1', 70 + k], ['TT-2', 70 + k * 0.9], ['VT-1', 2 + k * 0.3]), {
    type: 'expectations',
    values: [{ sensorId: 'TT-1', value: 70 + k * 0.8 }],
  });
  runRules(state, t);
}

/** A state with open, acknowledged and closed capsules, a fault, an annotation and a bad sensor. */
function busyState(): TwinState {
  const state = createTwinState(plant, T0);
  for (let k = 0; k <= 30; k++) step(state, k);
  for (const command of [
    { type: 'capsule.ack', commandId: 'a', capsuleId: 'C-1' },
    { type: 'capsule.dismiss', commandId: 'b', capsuleId: 'C-2' },
    { type: 'annotation.add', commandId: 'c', text: 'hot', equipmentId: 'R-1' },
  ] as const) {
    const decision = decide(state, command, ada, T0 + 15_200);
    if (decision.status !== 'accepted') throw new Error(decision.reason);
    fold(state, T0 + 15_200, ...decision.events);
  }
  fold(state, T0 + 15_300, {
    type: 'fault.injected',
    fault: { kind: 'bearing.wear', target: 'P-1', magnitude: 3 },
  });
  fold(state, T0 + 15_400, readings(T0 + 15_400, ['FT-1', 0, 'bad']));
  return state;
}

const SIM = new Uint8Array([1, 2, 3, 250, 0, 7]);

describe('snapshot codec', () => {
  it('S-3: decode gives the same hash, the same sim bytes, and the same bytes when re-encoded', () => {
    const state = busyState();
    expect(state.capsules.size).toBeGreaterThan(0);
    expect(state.closedCapsules.size).toBeGreaterThan(0);
    const bytes = encodeSnapshot({ twin: state, sim: SIM });
    const { twin, sim } = decodeSnapshot(bytes, plant);
    expect(hashState(twin)).toBe(hashState(state));
    expect(sim).toEqual(SIM);
    expect(encodeSnapshot({ twin, sim })).toEqual(bytes);
    expect(decodeSnapshot(encodeSnapshot({ twin: state }), plant).sim).toBeNull();
  });

  it('S-3: folding on from a decoded snapshot gives the hashes of the uninterrupted run', () => {
    const original = busyState();
    const decoded = decodeSnapshot(encodeSnapshot({ twin: original }), plant).twin;
    for (let k = 31; k <= 60; k++) {
      step(original, k);
      step(decoded, k);
      expect(hashState(decoded), `step ${k}`).toBe(hashState(original));
    }
    const command = { type: 'capsule.resolve', commandId: 'r', capsuleId: 'C-1' } as const;
    expect(decide(decoded, command, ada, T0 + 40_000)).toEqual(
      decide(original, command, ada, T0 + 40_000),
    );
  });

  it('S-2: the snapshot starts with magic and version, and decodes from any byte offset', () => {
    const bytes = encodeSnapshot({ twin: busyState(), sim: SIM });
    expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe('TWSN');
    expect(bytes[4]! | (bytes[5]! << 8)).toBe(SNAPSHOT_VERSION);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const { twin } = decodeSnapshot(shifted.subarray(3), plant);
    expect(hashState(twin)).toBe(hashState(busyState()));
  });

  it('S-2: typed arrays travel raw: each sensor costs 110 bytes', () => {
    const bigger = tinyPlantFile();
    bigger.equipment[1]!.sensors.push(
      ...Array.from({ length: 100 }, (_, k) => ({
        id: `XT-${k}`,
        kind: 'flow' as const,
        unit: 'm3/h',
        range: { min: 0, max: 1 },
        signal: 'flow',
        binding: { source: 'simulator' as const },
      })),
    );
    const small = encodeSnapshot({ twin: createTwinState(plant, T0) }).length;
    const large = encodeSnapshot({ twin: createTwinState(compilePlant(bigger), T0) }).length;
    // 13 Float64 arrays + quality + zone + 4 latch bytes = 110 bytes, give or take padding.
    expect(large - small).toBeGreaterThanOrEqual(100 * 110);
    expect(large - small).toBeLessThan(100 * 110 + 16);
  });

  it('S-4: bytes that are not a snapshot, cut short, damaged or from a newer format fail by name', () => {
    const bytes = encodeSnapshot({ twin: busyState(), sim: SIM });
    expect(() => decodeSnapshot(new Uint8Array(10), plant)).toThrow(/10 bytes is too short/);
    expect(() =>
      decodeSnapshot(new TextEncoder().encode('{"not":"a snapshot"} padding padding'), plant),
    ).toThrow(/bad magic "{\\"no".*not a twin snapshot/);
    expect(() => decodeSnapshot(bytes.slice(0, bytes.length - 100), plant)).toThrow(
      new RegExp(
        `truncated or padded: the header says ${bytes.length} bytes, got ${bytes.length - 100}`,
      ),
    );
    const damaged = bytes.slice();
    damaged[Math.floor(bytes.length / 2)]! ^= 0x40;
    expect(() => decodeSnapshot(damaged, plant)).toThrow(/checksum mismatch.*damaged/);
    const newer = bytes.slice();
    newer[4] = 99;
    expect(() => decodeSnapshot(newer, plant)).toThrow(
      `snapshot: format version 99 is not supported by this build (it reads version ${SNAPSHOT_VERSION})`,
    );
  });

  it('S-4: a header that checks out but does not parse is reported by field', () => {
    const bytes = encodeSnapshot({ twin: busyState() });
    const view = new DataView(bytes.buffer);
    const jsonLength = view.getUint32(8, true);
    const json = new TextDecoder().decode(bytes.subarray(32, 32 + jsonLength));
    // Same length, so every offset stays valid; re-sign it so only the content is wrong.
    const broken = new TextEncoder().encode(json.replace('"seq":', '"seq":"'));
    const edited = bytes.slice();
    edited.set(broken.subarray(0, jsonLength), 32);
    const resign = (b: Uint8Array): Uint8Array => {
      let h = 0x811c9dc5;
      for (let k = 0; k < b.length - 4; k++) h = Math.imul(h ^ b[k]!, 0x01000193);
      new DataView(b.buffer).setUint32(b.length - 4, h >>> 0, true);
      return b;
    };
    expect(() => decodeSnapshot(resign(edited), plant)).toThrow(/header is unreadable/);
    const noSeq = bytes.slice();
    noSeq.set(new TextEncoder().encode(json.replace('"seq":', '"sez":')), 32);
    expect(() => decodeSnapshot(resign(noSeq), plant)).toThrow(
      /header is unreadable: seq: expected a non-negative integer, got undefined/,
    );
  });

  it('S-4: a snapshot of another plant, or of this plant with other sensors, is refused', () => {
    const bytes = encodeSnapshot({ twin: busyState() });
    const other = { ...tinyPlantFile(), id: 'other' };
    expect(() => decodeSnapshot(bytes, compilePlant(other))).toThrow(
      'snapshot: taken of plant "tiny", cannot load it into plant "other"',
    );
    const changed = tinyPlantFile();
    changed.equipment[1]!.sensors.pop();
    expect(() => decodeSnapshot(bytes, changed)).toThrow(
      /had 4 sensors and 3 actuators .*this one has 3 and 3 \(the plant file changed\)/,
    );
  });

  it('S-5: the decoded twin owns its memory', () => {
    const bytes = encodeSnapshot({ twin: busyState(), sim: SIM });
    const { twin, sim } = decodeSnapshot(bytes, plant);
    const before = hashState(twin);
    bytes.fill(0, 32);
    expect(hashState(twin)).toBe(before);
    expect(sim).toEqual(SIM);
  });
});
