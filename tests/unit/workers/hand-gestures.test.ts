/**
 * The gesture classifier on recorded hands: MediaPipe landmarks of emoji hands (what the
 * desktop camera path sees) and IWER's WebXR joint poses (what the headset path sees), each
 * gesture, hysteresis on jittered sequences, both hands at once and a hand that goes missing.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  GestureClassifier,
  PINCH_ENTER,
  PINCH_EXIT,
  handFeatures,
  pointsFromXrJoints,
} from '../../../workers/hand-gestures.js';
import type { Gesture, HandObservation } from '../../../workers/hand-gestures.js';

interface Recorded {
  handedness: 'left' | 'right';
  world: number[];
}
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const mediapipe = (fixture('mediapipe-emoji-hands.json') as { hands: Record<string, Recorded> })
  .hands;
const iwer = (fixture('iwer-hand-poses.json') as { poses: Record<string, number[]> }).poses;

const recorded = (name: string): number[] => {
  const hand = mediapipe[name];
  if (hand === undefined) throw new Error(`no recorded hand ${name}`);
  return hand.world;
};
const xr = (name: string): Float64Array => pointsFromXrJoints(iwer[name]!);

/** A synthetic fist: IWER's point pose with the index curled like the middle finger. */
function fist(): Float64Array {
  const p = Float64Array.from(xr('point'));
  for (let j = 1; j < 4; j += 1)
    for (let c = 0; c < 3; c += 1)
      p[(5 + j) * 3 + c] = p[5 * 3 + c]! + p[(9 + j) * 3 + c]! - p[9 * 3 + c]!;
  return p;
}

/** Deterministic jitter (mm-scale for metric points) so a sequence is not one frame repeated. */
function jittered(points: ArrayLike<number>, seed: number, amount: number): Float64Array {
  let s = seed >>> 0 || 1;
  const out = Float64Array.from(points);
  for (let i = 0; i < out.length; i += 1) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i]! += ((s / 2 ** 32) * 2 - 1) * amount;
  }
  return out;
}

/** Points with the thumb tip moved so the thumb–index distance is `ratio` palms. */
function thumbAt(points: ArrayLike<number>, ratio: number): Float64Array {
  const p = Float64Array.from(points);
  const palm = Math.hypot(p[0]! - p[27]!, p[1]! - p[28]!, p[2]! - p[29]!);
  const dir = [p[12]! - p[24]!, p[13]! - p[25]!, p[14]! - p[26]!];
  const length = Math.hypot(dir[0]!, dir[1]!, dir[2]!);
  for (let c = 0; c < 3; c += 1) p[12 + c] = p[24 + c]! + (dir[c]! / length) * ratio * palm;
  return p;
}

function classify(points: ArrayLike<number>, handedness: 'left' | 'right' = 'right'): Gesture {
  const classifier = new GestureClassifier();
  classifier.update([{ handedness, points }], 0);
  return classifier.gesture(handedness);
}

describe('gesture classifier on recorded MediaPipe hands (desktop camera)', () => {
  it.each([
    ['open-dark', 'open'],
    ['open-medium', 'open'],
    ['open-darkest', 'open'],
    ['palm-up', 'open'],
    ['point-up-dark', 'point'],
    ['point-up-medium', 'point'],
    ['point-right', 'point'],
    ['point-left', 'point'],
    ['pinch', 'pinch'],
    ['pinch-rotated', 'pinch'],
    ['call-me', 'none'],
  ] as const)('%s is %s', (name, gesture) => {
    expect(classify(recorded(name), mediapipe[name]!.handedness)).toBe(gesture);
  });
});

describe('gesture classifier on WebXR hand joints (IWER poses)', () => {
  it('maps the 25 joints onto the 21 landmarks (finger metacarpals dropped)', () => {
    const joints = Array.from({ length: 75 }, (_, i) => i);
    const points = pointsFromXrJoints(joints);
    expect(points.length).toBe(63);
    // Landmark 5 (index knuckle) is joint 6 (index proximal phalanx); 8 (index tip) is joint 9.
    expect([...points.slice(15, 18)]).toEqual([18, 19, 20]);
    expect([...points.slice(24, 27)]).toEqual([27, 28, 29]);
    expect(() => pointsFromXrJoints([1, 2, 3])).toThrow(/expected 25 × 3 numbers, got 3/);
  });

  it.each([
    ['relaxed', 'open'],
    ['point', 'point'],
    ['pinch', 'pinch'],
  ] as const)('IWER %s pose is %s', (pose, gesture) => {
    expect(classify(xr(pose))).toBe(gesture);
  });

  it('a fist is a fist, not a pinch, though the thumb lies near the fingers', () => {
    expect(handFeatures(fist()).bends.every((b) => b > 150)).toBe(true);
    expect(classify(fist())).toBe('fist');
  });
});

describe('hysteresis', () => {
  it('a pinch held near its threshold does not flicker, and ends only past the exit', () => {
    const classifier = new GestureClassifier();
    const open = xr('relaxed');
    const ratios = [0.9, 0.6, 0.5, 0.45, 0.55, 0.6, 0.62, 0.5, 0.6, 0.7, 0.6, 0.55];
    const gestures = ratios.map((ratio, i) => {
      classifier.update(
        [{ handedness: 'right', points: jittered(thumbAt(open, ratio), i + 1, 0.001) }],
        i,
      );
      return classifier.gesture('right');
    });
    expect(PINCH_ENTER).toBeLessThan(0.5);
    expect(PINCH_EXIT).toBeGreaterThan(0.62);
    // Enters at 0.45, stays through 0.55–0.62, leaves at 0.7, does not re-enter at 0.55–0.6.
    expect(gestures).toEqual([
      'open',
      'open',
      'open',
      'pinch',
      'pinch',
      'pinch',
      'pinch',
      'pinch',
      'pinch',
      'open',
      'open',
      'open',
    ]);
  });

  it('jitter on a recorded hand yields one gesture and one change over a long sequence', () => {
    for (const [name, gesture] of [
      ['open-dark', 'open'],
      ['point-right', 'point'],
      ['pinch', 'pinch'],
    ] as const) {
      const classifier = new GestureClassifier();
      const changes = Array.from({ length: 60 }, (_, i) =>
        classifier.update(
          [{ handedness: 'left', points: jittered(recorded(name), i * 7 + 3, 0.002) }],
          i * 33,
        ),
      ).flat();
      expect(changes).toEqual([{ handedness: 'left', from: 'none', to: gesture, t: 0 }]);
    }
  });
});

describe('hands and handedness', () => {
  it('classifies both hands independently, left first', () => {
    const classifier = new GestureClassifier();
    const frame: HandObservation[] = [
      { handedness: 'right', points: recorded('pinch') },
      { handedness: 'left', points: recorded('open-dark') },
    ];
    expect(classifier.update(frame, 5)).toEqual([
      { handedness: 'left', from: 'none', to: 'open', t: 5 },
      { handedness: 'right', from: 'none', to: 'pinch', t: 5 },
    ]);
    expect(classifier.update(frame, 6)).toEqual([]);
    expect(classifier.since('right')).toBe(5);
  });

  it('a hand that goes missing ends its gesture at once; it comes back fresh', () => {
    const classifier = new GestureClassifier();
    classifier.update([{ handedness: 'right', points: xr('pinch') }], 0);
    expect(classifier.update([{ handedness: 'right', points: null }], 1)).toEqual([
      { handedness: 'right', from: 'pinch', to: 'none', t: 1 },
    ]);
    expect(classifier.gesture('right')).toBe('none');
    expect(classifier.update([], 2)).toEqual([]);
    expect(classifier.update([{ handedness: 'right', points: xr('relaxed') }], 3)).toEqual([
      { handedness: 'right', from: 'none', to: 'open', t: 3 },
    ]);
    expect(classifier.reset(4)).toEqual([{ handedness: 'right', from: 'open', to: 'none', t: 4 }]);
  });

  it('refuses too few points or a degenerate palm with a message', () => {
    expect(() => handFeatures([0, 0, 0])).toThrow(/expected 21 × 3 numbers, got 3/);
    expect(() => handFeatures(new Array<number>(63).fill(0))).toThrow(
      /wrist and middle knuckle coincide/,
    );
  });
});
