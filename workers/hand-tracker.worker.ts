/**
 * The hand tracker's worker: MediaPipe HandLandmarker (CPU, image mode) on frames the page
 * transfers, exposed with comlink. The WASM runtime comes from `@mediapipe/tasks-vision` as
 * files Vite serves (`?url`); the module variant is the one that loads in a module worker
 * (the classic one fails with "ModuleFactory not set"). The model is fetched from the page's
 * origin by the worker itself, so a missing or broken bundle is reported with its URL.
 */
import { expose } from 'comlink';
import { HandLandmarker } from '@mediapipe/tasks-vision';
import type { HandLandmarkerResult } from '@mediapipe/tasks-vision';
import wasmBinaryUrl from '@mediapipe/tasks-vision/vision_wasm_module_internal.wasm?url';
import wasmLoaderUrl from '@mediapipe/tasks-vision/vision_wasm_module_internal.js?url';
import { HAND_LANDMARK_COUNT } from './hand-frames.js';
import type {
  HandFrame,
  HandTrackerApi,
  HandTrackerOptions,
  Handedness,
  TrackedHand,
} from './hand-frames.js';

const epochNow = (): number => performance.timeOrigin + performance.now();

/** Flatten 21 {x, y, z} into 63 numbers. */
function flat(points: readonly { x: number; y: number; z: number }[]): number[] {
  const out = new Array<number>(HAND_LANDMARK_COUNT * 3);
  for (let i = 0; i < HAND_LANDMARK_COUNT; i += 1) {
    const p = points[i];
    out[i * 3] = p?.x ?? 0;
    out[i * 3 + 1] = p?.y ?? 0;
    out[i * 3 + 2] = p?.z ?? 0;
  }
  return out;
}

/** The hands of one result; handedness as the user sees it. */
export function handsOf(result: HandLandmarkerResult, mirrored: boolean): TrackedHand[] {
  const hands: TrackedHand[] = [];
  result.landmarks.forEach((image, i) => {
    const category = result.handedness[i]?.[0];
    // The legacy landmark model has no label file; index 0 is "Left", as in its handedness.txt.
    const label = category?.categoryName || (category?.index === 1 ? 'Right' : 'Left');
    const asLabelled: Handedness = label.toLowerCase() === 'right' ? 'right' : 'left';
    const handedness: Handedness = mirrored ? asLabelled : asLabelled === 'left' ? 'right' : 'left';
    hands.push({
      handedness,
      score: category?.score ?? 0,
      image: flat(image),
      world: flat(result.worldLandmarks[i] ?? image),
    });
  });
  return hands;
}

class WorkerHandTracker implements HandTrackerApi {
  #landmarker: HandLandmarker | null = null;
  #mirrored = false;

  async load(options: HandTrackerOptions): Promise<void> {
    this.#landmarker?.close();
    this.#landmarker = null;
    this.#mirrored = options.mirrored;
    let model: Uint8Array;
    try {
      const response = await fetch(options.modelUrl);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      model = new Uint8Array(await response.arrayBuffer());
      // A .task bundle is a zip; anything else (an HTML fallback page …) is not the model.
      if (model[0] !== 0x50 || model[1] !== 0x4b || model[2] !== 3 || model[3] !== 4)
        throw new Error(`not a .task bundle (no zip header in ${model.length} bytes)`);
    } catch (error) {
      throw new Error(
        `hand model ${options.modelUrl} could not be fetched: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    try {
      this.#landmarker = await HandLandmarker.createFromOptions(
        { wasmLoaderPath: wasmLoaderUrl, wasmBinaryPath: wasmBinaryUrl },
        {
          baseOptions: { modelAssetBuffer: model, delegate: 'CPU' },
          // Image mode: palm detection on every frame. In video mode the landmark model tracks
          // its own last region instead, and on this bundle that drifts: the same pinch frame
          // measured 0.41, 0.62, 0.55 palms thumb to index on three repeats (0.41 every time in
          // image mode). At the one to a few detections a second this path sustains on a
          // loaded machine, tracking between frames saves little anyway.
          runningMode: 'IMAGE',
          numHands: options.numHands,
        },
      );
    } catch (error) {
      throw new Error(
        `hand model ${options.modelUrl} did not load: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }

  detect(frame: ImageBitmap, frameId: number, capturedAt: number): Promise<HandFrame> {
    try {
      const landmarker = this.#landmarker;
      if (landmarker === null) throw new Error('Invariant: detect before load');
      const started = performance.now();
      const result = landmarker.detect(frame);
      const detectMs = performance.now() - started;
      return Promise.resolve({
        frameId,
        capturedAt,
        detectedAt: epochNow(),
        detectMs,
        hands: handsOf(result, this.#mirrored),
      });
    } finally {
      frame.close();
    }
  }

  close(): void {
    this.#landmarker?.close();
    this.#landmarker = null;
  }
}

expose(new WorkerHandTracker());
