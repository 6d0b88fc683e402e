/**
 * The public surface of `workers/`: the main-thread halves of the worker pairs and the pure
 * logic that goes with them. The `.worker.ts` halves are loaded by URL, never imported.
 */
export { HandTracker } from './hand-tracker.js';
export type { HandTrackerState, HandTrackerStats } from './hand-tracker.js';
export { HAND_LANDMARK_COUNT, HANDEDNESS } from './hand-frames.js';
export type {
  HandFrame,
  HandTrackerApi,
  HandTrackerOptions,
  Handedness,
  TrackedHand,
} from './hand-frames.js';
export { GESTURES, GestureClassifier, handFeatures, pointsFromXrJoints } from './hand-gestures.js';
export type {
  Gesture,
  GestureChange,
  HandFeatures,
  HandObservation,
  HandPoints,
} from './hand-gestures.js';
