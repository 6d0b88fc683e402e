/**
 * The app side of the client bench: the entities both scenes keep (an app record per entity),
 * and what each does per change, with nothing of the page in it, so the page bench
 * (`bench-main.ts`, in Chromium) and the write-path bench (`tests/bench/capsule-write-bench.ts`,
 * in Node on Babylon's NullEngine) time the same loops.
 */
import { CAPSULE_STATES, SEVERITIES, createPrng, isClosedState } from '../../digital-twin/index.js';
import type { CapsuleState, Prng } from '../../digital-twin/index.js';
import { lookFor } from '../capsules/capsule-layer.js';
import type { CapsuleDraw, CapsuleLayer } from '../capsules/capsule-layer.js';

/**
 * The instance each change picks: both scenes draw the same sequence from digital-twin's seeded
 * generator, as `(nextU32() >>> 2) % count`. Shifted below 2^30 the draw is always a small
 * integer (a Smi) where V8 collects its feedback, so the modulo and everything indexed by the
 * pick compile as int32 arithmetic. A full 32-bit draw is a heap number half the time: V8 then
 * compiles `% count` as a float modulo (x87 `fprem` on x64, tens of cycles), and so every
 * further `%` of the pick, billing the capsule scene, which derives its fields from the pick,
 * more than the bare one. A pick that returned a double from a call V8 does not inline would
 * also box every result (a heap number per change, 10,000 a frame at 100k).
 */
export const PICK_SEED = 7;

/** The states changed capsules take, one per frame in turn: the open ones (a closed one leaves). */
export const CHANGE_STATES: readonly CapsuleState[] = CAPSULE_STATES.filter(
  (state) => !isClosedState(state),
);

/** Capsules spread over a 200 m square at 1–6 m height. */
export function capsulesFor(count: number): CapsuleDraw[] {
  const random = createPrng(count);
  const out: CapsuleDraw[] = [];
  for (let i = 0; i < count; i += 1) {
    out.push({
      id: `C-${i}`,
      severity: SEVERITIES[i % 3]!,
      state: 'active',
      priority: 1 + (i % 5),
      conditionActive: true,
      x: (random.next() - 0.5) * 200,
      y: 1 + random.next() * 5,
      z: (random.next() - 0.5) * 200,
    });
  }
  return out;
}

/**
 * The app's own record of each entity, as both scenes keep it: position and the instance index
 * it is drawn at, 16 bytes per entity apart from the instance buffer. One buffer read two ways:
 * x, y, z as floats, the index as an int32 (as an app keeps an index; read from a float array
 * it would be a double that every element write converts and checks again).
 */
export interface AppRecords {
  floats: Float32Array;
  ints: Int32Array;
}

export function appRecords(
  capsules: CapsuleDraw[],
  indexOf: (capsule: CapsuleDraw, i: number) => number,
): AppRecords {
  const buffer = new ArrayBuffer(capsules.length * 16);
  const floats = new Float32Array(buffer);
  const ints = new Int32Array(buffer);
  capsules.forEach((capsule, i) => {
    floats[i * 4] = capsule.x;
    floats[i * 4 + 1] = capsule.y;
    floats[i * 4 + 2] = capsule.z;
    ints[i * 4 + 3] = indexOf(capsule, i);
  });
  return { floats, ints };
}

/**
 * The bare scene's changes for one frame: the same app-side work as `changeByIndex` (pick an
 * entity, read its record, derive its new height from the old one), then the entity's instance
 * matrix written by hand: scale from the frame, translation from the record.
 */
export function changeBare(
  matrices: Float32Array,
  { floats, ints }: AppRecords,
  picks: Prng,
  changed: number,
  frame: number,
): void {
  const count = floats.length / 4;
  const size = 0.5 + (frame % 3) * 0.1;
  for (let k = 0; k < changed; k += 1) {
    const r = ((picks.nextU32() >>> 2) % count) * 4;
    const y = 1 + ((floats[r + 1]! + 0.01) % 5);
    floats[r + 1] = y;
    const m = ints[r + 3]! * 16;
    matrices[m] = matrices[m + 5] = matrices[m + 10] = size;
    matrices[m + 12] = floats[r]!;
    matrices[m + 13] = y;
    matrices[m + 14] = floats[r + 2]!;
  }
}

/**
 * The index path's changes for one frame: each picked capsule gets the frame's state and a new
 * height from its old one, written through `layer.update` at the instance index the app kept.
 * One function per path, each with one call site: V8 then inlines `update` into the loop.
 */
export function changeByIndex(
  layer: CapsuleLayer,
  { floats, ints }: AppRecords,
  picks: Prng,
  changed: number,
  state: CapsuleState,
): void {
  const count = floats.length / 4;
  for (let k = 0; k < changed; k += 1) {
    const i = (picks.nextU32() >>> 2) % count;
    const r = i * 4;
    const y = 1 + ((floats[r + 1]! + 0.01) % 5);
    floats[r + 1] = y;
    const look = lookFor(SEVERITIES[i % 3]!, state, true, 1 + (i % 5));
    layer.update(ints[r + 3]!, look, floats[r]!, y, floats[r + 2]!);
  }
}

/** The id path's changes for one frame: the same changes made to capsule objects and upserted. */
export function changeById(
  layer: CapsuleLayer,
  capsules: CapsuleDraw[],
  picks: Prng,
  changed: number,
  state: CapsuleState,
): void {
  for (let k = 0; k < changed; k += 1) {
    const capsule = capsules[(picks.nextU32() >>> 2) % capsules.length]!;
    capsule.state = state;
    capsule.y = 1 + ((capsule.y + 0.01) % 5);
    layer.upsert(capsule);
  }
}
