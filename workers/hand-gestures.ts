/**
 * One gesture vocabulary for every hand the app sees: MediaPipe's 21 landmarks from a desktop
 * camera and WebXR's 25 hand joints from a headset are both read as 21 points in MediaPipe's
 * order (`pointsFromXrJoints` drops the four finger metacarpals), then classified as pinch,
 * point, open palm or fist. Pure: no browser imports, time comes in as an argument.
 *
 * Features are angles and ratios, so neither the unit (normalised image, metres) nor the
 * hand's size or orientation matters: a finger's bend is the sum of its three joint angles
 * (wrist→knuckle, knuckle→middle, middle→tip), a pinch the thumb–index tip distance over the
 * palm (wrist to middle knuckle). Each feature is a Schmitt trigger (enter and leave at
 * different thresholds), so a hand held near a threshold does not flicker between gestures.
 * Thresholds come from recorded hands (tests/unit/workers/fixtures): open fingers bend 30–75°,
 * curled ones 140–235°; an emoji pinch has its tips 0.41–0.44 palms apart, an open hand 0.8+.
 */
import { HAND_LANDMARK_COUNT } from './hand-frames.js';
import type { Handedness } from './hand-frames.js';

export const GESTURES = ['none', 'open', 'point', 'pinch', 'fist'] as const;
export type Gesture = (typeof GESTURES)[number];

/** 21 points, x y z each, in MediaPipe's landmark order. */
export type HandPoints = ArrayLike<number>;

/** Finger bend (degrees) below which a curled finger counts as extended again. */
export const EXTEND_BELOW_DEG = 100;
/** Finger bend (degrees) above which an extended finger counts as curled. */
export const CURL_ABOVE_DEG = 125;
/** Thumb–index tip distance (palms) below which a pinch starts (a palm held up: 0.51) … */
export const PINCH_ENTER = 0.47;
/** … and above which it ends. */
export const PINCH_EXIT = 0.65;
/**
 * A pinch is the thumb meeting the index, not the thumb lying over curled fingers (a fist):
 * the thumb–index distance must be under this share of the thumb–middle tip distance (emoji
 * pinches 0.58–0.64, an IWER pinch 0.02; a fist's thumb lies nearer the middle finger, > 0.8).
 */
export const PINCH_INDEX_SHARE = 0.7;

/** WebXR joint index (XRHand order) of each of MediaPipe's 21 landmarks. */
export const XR_JOINT_OF_LANDMARK: readonly number[] = [
  0, // wrist
  1,
  2,
  3,
  4, // thumb: metacarpal, proximal, distal, tip
  6,
  7,
  8,
  9, // index: proximal, intermediate, distal, tip (metacarpal 5 skipped)
  11,
  12,
  13,
  14, // middle
  16,
  17,
  18,
  19, // ring
  21,
  22,
  23,
  24, // pinky
];

/** MediaPipe-ordered points from WebXR joint positions (25 × x y z, XRHand order). */
export function pointsFromXrJoints(joints: ArrayLike<number>, out?: Float64Array): Float64Array {
  if (joints.length < 75)
    throw new Error(`WebXR hand joints: expected 25 × 3 numbers, got ${joints.length}`);
  const points = out ?? new Float64Array(HAND_LANDMARK_COUNT * 3);
  for (let i = 0; i < HAND_LANDMARK_COUNT; i += 1) {
    const j = XR_JOINT_OF_LANDMARK[i]!;
    points[i * 3] = joints[j * 3]!;
    points[i * 3 + 1] = joints[j * 3 + 1]!;
    points[i * 3 + 2] = joints[j * 3 + 2]!;
  }
  return points;
}

function distance(p: HandPoints, a: number, b: number): number {
  const dx = p[a * 3]! - p[b * 3]!;
  const dy = p[a * 3 + 1]! - p[b * 3 + 1]!;
  const dz = p[a * 3 + 2]! - p[b * 3 + 2]!;
  return Math.sqrt(dx * dx + dy * dy + dz * dz);
}

/** Angle (degrees) between segments a→b and b→c: 0 when straight. */
function turn(p: HandPoints, a: number, b: number, c: number): number {
  const ux = p[b * 3]! - p[a * 3]!;
  const uy = p[b * 3 + 1]! - p[a * 3 + 1]!;
  const uz = p[b * 3 + 2]! - p[a * 3 + 2]!;
  const vx = p[c * 3]! - p[b * 3]!;
  const vy = p[c * 3 + 1]! - p[b * 3 + 1]!;
  const vz = p[c * 3 + 2]! - p[b * 3 + 2]!;
  const lengths = Math.sqrt((ux * ux + uy * uy + uz * uz) * (vx * vx + vy * vy + vz * vz));
  if (lengths === 0) return 0;
  const cos = Math.min(1, Math.max(-1, (ux * vx + uy * vy + uz * vz) / lengths));
  return (Math.acos(cos) * 180) / Math.PI;
}

/** What the classifier measures on one hand. */
export interface HandFeatures {
  /** Bend (degrees) of index, middle, ring, pinky. */
  bends: [number, number, number, number];
  /** Thumb tip to index tip, in palms. */
  pinch: number;
  /** Thumb tip to middle tip, in palms. */
  thumbToMiddle: number;
}

/** Features of 21 points; throws on fewer or on a degenerate (zero-size) palm. */
export function handFeatures(points: HandPoints): HandFeatures {
  if (points.length < HAND_LANDMARK_COUNT * 3)
    throw new Error(`hand points: expected 21 × 3 numbers, got ${points.length}`);
  const palm = distance(points, 0, 9);
  if (!(palm > 0)) throw new Error('hand points: wrist and middle knuckle coincide');
  const bend = (finger: number): number => {
    const mcp = 1 + finger * 4;
    return (
      turn(points, 0, mcp, mcp + 1) +
      turn(points, mcp, mcp + 1, mcp + 2) +
      turn(points, mcp + 1, mcp + 2, mcp + 3)
    );
  };
  return {
    bends: [bend(1), bend(2), bend(3), bend(4)],
    pinch: distance(points, 4, 8) / palm,
    thumbToMiddle: distance(points, 4, 12) / palm,
  };
}

/** One hand's trigger states: which fingers are extended, whether it pinches. */
interface HandState {
  extended: [boolean, boolean, boolean, boolean];
  pinching: boolean;
  gesture: Gesture;
  since: number;
}

/** A hand as seen in one frame; `points` null when the hand is not seen. */
export interface HandObservation {
  handedness: Handedness;
  points: HandPoints | null;
}

/** A hand's gesture changed at `t`. */
export interface GestureChange {
  handedness: Handedness;
  from: Gesture;
  to: Gesture;
  t: number;
}

function gestureOf(state: HandState): Gesture {
  const [index, middle, ring, pinky] = state.extended;
  if (state.pinching) return 'pinch';
  if (!index && !middle && !ring && !pinky) return 'fist';
  if (index && !middle && !ring && !pinky) return 'point';
  if (index && middle && ring && pinky) return 'open';
  return 'none';
}

/**
 * Gestures of both hands over time. Feed it every frame's observations (a hand not in the
 * frame: `points: null`, or leave it out); it answers the changes. A hand that disappears ends
 * its gesture at once (a pinch must not stay held while the hand is out of view), and comes
 * back with fresh triggers.
 */
export class GestureClassifier {
  readonly #hands = new Map<Handedness, HandState>();

  /** The current gesture of a hand ('none' when unseen). */
  gesture(handedness: Handedness): Gesture {
    return this.#hands.get(handedness)?.gesture ?? 'none';
  }

  /** Since when (the `t` passed to `update`) a hand has held its gesture. */
  since(handedness: Handedness): number | undefined {
    return this.#hands.get(handedness)?.since;
  }

  /** Classify one frame at time `t`; returns the gestures that changed, left hand first. */
  update(observations: readonly HandObservation[], t: number): GestureChange[] {
    const changes: GestureChange[] = [];
    for (const handedness of ['left', 'right'] as const) {
      const seen = observations.find((o) => o.handedness === handedness && o.points !== null);
      const previous = this.#hands.get(handedness);
      if (seen === undefined || seen.points === null) {
        if (previous !== undefined) {
          this.#hands.delete(handedness);
          if (previous.gesture !== 'none')
            changes.push({ handedness, from: previous.gesture, to: 'none', t });
        }
        continue;
      }
      const features = handFeatures(seen.points);
      const state: HandState = previous ?? {
        extended: features.bends.map((b) => b < (EXTEND_BELOW_DEG + CURL_ABOVE_DEG) / 2) as [
          boolean,
          boolean,
          boolean,
          boolean,
        ],
        pinching: false,
        gesture: 'none',
        since: t,
      };
      features.bends.forEach((bend, i) => {
        if (state.extended[i] && bend > CURL_ABOVE_DEG) state.extended[i] = false;
        else if (!state.extended[i] && bend < EXTEND_BELOW_DEG) state.extended[i] = true;
      });
      if (state.pinching) {
        if (features.pinch > PINCH_EXIT || features.pinch > features.thumbToMiddle)
          state.pinching = false;
      } else if (
        features.pinch < PINCH_ENTER &&
        features.pinch < PINCH_INDEX_SHARE * features.thumbToMiddle
      ) {
        state.pinching = true;
      }
      const gesture = gestureOf(state);
      if (gesture !== state.gesture) {
        changes.push({ handedness, from: state.gesture, to: gesture, t });
        state.gesture = gesture;
        state.since = t;
      }
      this.#hands.set(handedness, state);
    }
    return changes;
  }

  /** Forget both hands (tracking stopped); ends their gestures. */
  reset(t: number): GestureChange[] {
    return this.update([], t);
  }
}
