/**
 * What crosses the worker boundary for hand tracking: plain records, cloned by comlink (21
 * landmarks a hand is 126 numbers; the frame itself is the only thing worth transferring).
 * Times are epoch milliseconds (`performance.timeOrigin + performance.now()`), because a worker's
 * `performance.now()` counts from its own start, not the page's.
 */

/** Landmarks MediaPipe gives per hand, in its order (0 wrist, 4 thumb tip, 8 index tip …). */
export const HAND_LANDMARK_COUNT = 21;

export const HANDEDNESS = ['left', 'right'] as const;
/** Which hand, as the user sees it (their own left or right). */
export type Handedness = (typeof HANDEDNESS)[number];

/** One detected hand. */
export interface TrackedHand {
  handedness: Handedness;
  /** Handedness confidence, 0–1. */
  score: number;
  /** x, y in [0, 1] of the frame (x to the right of the frame as captured), z relative depth; 63 numbers. */
  image: number[];
  /** Metric landmarks (m) around the hand's centre, for gestures; 63 numbers. */
  world: number[];
}

/** The worker's answer for one frame. */
export interface HandFrame {
  /** The caller's id for the frame. */
  frameId: number;
  /** When the frame was captured (epoch ms). */
  capturedAt: number;
  /** When the worker had its landmarks (epoch ms). */
  detectedAt: number;
  /** Time spent in HandLandmarker for this frame (ms). */
  detectMs: number;
  hands: TrackedHand[];
}

/** How the worker loads HandLandmarker; every URL is same-origin. */
export interface HandTrackerOptions {
  /** The `.task` bundle (built by scripts/hand-model/). */
  modelUrl: string;
  /** Hands to look for. */
  numHands: number;
  /**
   * Whether frames arrive mirrored (a selfie view). MediaPipe labels handedness as if they
   * were; for an unmirrored camera frame its left is the user's right.
   */
  mirrored: boolean;
}

/** The tracker the worker exposes with comlink. */
export interface HandTrackerApi {
  /** Load the WASM runtime and the model; rejects with a message naming what failed. */
  load(options: HandTrackerOptions): Promise<void>;
  /** Landmarks in `frame` (transferred, closed by the worker). */
  detect(frame: ImageBitmap, frameId: number, capturedAt: number): Promise<HandFrame>;
  close(): void;
}
