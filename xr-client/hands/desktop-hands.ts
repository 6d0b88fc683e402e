/**
 * Hands on the desktop: a "Hands (camera)" toggle; when on, the webcam's frames go to the hand
 * tracker worker (one in flight, the rest dropped), its landmarks through the same gesture
 * classifier the XR session uses, and the gestures to the app as `HandGestureEvent`s. The
 * camera is asked for only when the toggle is turned on and released when it is turned off.
 * A refused permission, a missing camera and a model that fails to load each say so in the
 * message line, and the app goes on without hands. The render loop never waits for any of it:
 * frames are offered from the video's own frame callback, answers arrive as worker messages.
 */
import { GestureClassifier, HandTracker } from '../../workers/index.js';
import type {
  Gesture,
  GestureChange,
  HandFrame,
  Handedness,
  TrackedHand,
} from '../../workers/index.js';

/** What a hand gesture means to the app; `x`, `y` are the hand's pointer in CSS px of the view. */
export interface HandGestureEvent {
  handedness: Handedness;
  gesture: Gesture;
  phase: 'start' | 'move' | 'end';
  x: number;
  y: number;
}

export type DesktopHandsState = 'off' | 'starting' | 'on' | 'unavailable';

/** Latencies (ms) the bench and the tests read. */
export interface HandLatency {
  /** Capture to gesture handled on the main thread. */
  captureToGesture: number[];
  /** Worker detection done to gesture handled on the main thread. */
  detectionToGesture: number[];
  detectMs: number[];
}

const PREVIEW_WIDTH = 192;
const PREVIEW_HEIGHT = 144;
/** Bones drawn in the preview, as landmark index pairs. */
const BONES: readonly (readonly [number, number])[] = [
  [0, 1],
  [1, 2],
  [2, 3],
  [3, 4],
  [0, 5],
  [5, 6],
  [6, 7],
  [7, 8],
  [5, 9],
  [9, 10],
  [10, 11],
  [11, 12],
  [9, 13],
  [13, 14],
  [14, 15],
  [15, 16],
  [13, 17],
  [17, 18],
  [18, 19],
  [19, 20],
  [0, 17],
];
const LATENCY_SAMPLES = 2048;
const epochNow = (): number => performance.timeOrigin + performance.now();

export class DesktopHands {
  readonly latency: HandLatency = { captureToGesture: [], detectionToGesture: [], detectMs: [] };
  /** Main-thread time (ms) spent in hand tracking: offering frames and handling answers. */
  mainThreadMs = 0;
  readonly #onGesture: (event: HandGestureEvent) => void;
  readonly #view: () => { width: number; height: number };
  readonly #modelUrl: string;
  readonly #button: HTMLButtonElement;
  readonly #preview: HTMLCanvasElement;
  readonly #message: HTMLDivElement;
  readonly #classifier = new GestureClassifier();
  #state: DesktopHandsState = 'off';
  #stream: MediaStream | null = null;
  #video: HTMLVideoElement | null = null;
  #tracker: HandTracker | null = null;
  #lastFrame: HandFrame | null = null;
  #frameCallback = 0;

  constructor(
    onGesture: (event: HandGestureEvent) => void,
    view: () => { width: number; height: number },
    modelUrl = './models/hand_landmarker.task',
  ) {
    this.#onGesture = onGesture;
    this.#view = view;
    this.#modelUrl = modelUrl;
    const box = document.createElement('div');
    box.className = 'hands';
    this.#button = document.createElement('button');
    this.#button.className = 'hands-toggle';
    this.#button.textContent = 'Hands (camera)';
    this.#button.setAttribute('aria-pressed', 'false');
    this.#button.addEventListener('click', () => void this.toggle());
    this.#preview = document.createElement('canvas');
    this.#preview.className = 'hands-preview';
    this.#preview.width = PREVIEW_WIDTH;
    this.#preview.height = PREVIEW_HEIGHT;
    this.#preview.hidden = true;
    this.#message = document.createElement('div');
    this.#message.className = 'hands-message';
    this.#message.setAttribute('role', 'status');
    box.append(this.#button, this.#preview, this.#message);
    document.body.appendChild(box);
    this.#setState('off', '');
  }

  get state(): DesktopHandsState {
    return this.#state;
  }

  get message(): string {
    return this.#message.textContent ?? '';
  }

  /** The latest worker answer (landmarks of each hand), or null. */
  get lastFrame(): HandFrame | null {
    return this.#lastFrame;
  }

  get stats(): HandTracker['stats'] | null {
    return this.#tracker?.stats ?? null;
  }

  async toggle(): Promise<void> {
    if (this.#state === 'on' || this.#state === 'starting') this.stop();
    else await this.start();
  }

  /** Ask for the camera, load the tracker, start offering frames. */
  async start(): Promise<void> {
    if (this.#state === 'on' || this.#state === 'starting') return;
    this.#setState('starting', 'Starting the camera…');
    try {
      this.#stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 640 }, height: { ideal: 480 } },
        audio: false,
      });
    } catch (error) {
      this.#fail(cameraProblem(error));
      return;
    }
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = this.#stream;
    this.#video = video;
    this.#setState('starting', 'Loading hand tracking…');
    const tracker = new HandTracker(
      (frame) => this.#onFrame(frame),
      (message) => this.#fail(`Hand tracking is unavailable: ${message}`),
    );
    this.#tracker = tracker;
    try {
      await Promise.all([
        video.play(),
        tracker.load({ modelUrl: this.#modelUrl, numHands: 2, mirrored: false }),
      ]);
    } catch (error) {
      this.#fail(
        `Hand tracking is unavailable: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    if (this.#tracker !== tracker) return;
    this.#setState('on', 'Hands on: pinch to select, open palm for the panel, fist to orbit.');
    this.#preview.hidden = false;
    this.#pump();
  }

  /** Release the camera and the worker; ends any gesture in progress. */
  stop(): void {
    this.#release();
    this.#setState('off', '');
  }

  #pump(): void {
    const video = this.#video;
    if (video === null) return;
    this.#frameCallback = video.requestVideoFrameCallback(() => {
      const started = performance.now();
      this.#tracker?.offer(video);
      this.#pump();
      this.mainThreadMs += performance.now() - started;
    });
  }

  #onFrame(frame: HandFrame): void {
    const started = performance.now();
    this.#lastFrame = frame;
    const changes = this.#classifier.update(
      frame.hands.map((hand) => ({ handedness: hand.handedness, points: hand.world })),
      frame.capturedAt,
    );
    for (const change of changes) this.#emit(change, frame);
    // Held gestures report where the hand is now: fist drags and pinch aims follow it.
    for (const hand of frame.hands) {
      const gesture = this.#classifier.gesture(hand.handedness);
      if (gesture === 'none' || changes.some((c) => c.handedness === hand.handedness)) continue;
      this.#onGesture({
        handedness: hand.handedness,
        gesture,
        phase: 'move',
        ...this.#pointer(hand),
      });
    }
    const done = epochNow();
    push(this.latency.captureToGesture, done - frame.capturedAt);
    push(this.latency.detectionToGesture, done - frame.detectedAt);
    push(this.latency.detectMs, frame.detectMs);
    this.#drawPreview(frame);
    this.mainThreadMs += performance.now() - started;
  }

  #emit(change: GestureChange, frame: HandFrame): void {
    const hand = frame.hands.find((h) => h.handedness === change.handedness);
    const at = hand === undefined ? { x: -1, y: -1 } : this.#pointer(hand);
    if (change.from !== 'none')
      this.#onGesture({ handedness: change.handedness, gesture: change.from, phase: 'end', ...at });
    if (change.to !== 'none')
      this.#onGesture({ handedness: change.handedness, gesture: change.to, phase: 'start', ...at });
  }

  /**
   * The hand's pointer on the view: between thumb and index tips (where a pinch closes), the
   * frame mirrored as a selfie view is, so moving the hand right moves the pointer right.
   */
  #pointer(hand: TrackedHand): { x: number; y: number } {
    const p = hand.image;
    const x = 1 - (p[4 * 3]! + p[8 * 3]!) / 2;
    const y = (p[4 * 3 + 1]! + p[8 * 3 + 1]!) / 2;
    const { width, height } = this.#view();
    return { x: x * width, y: y * height };
  }

  #drawPreview(frame: HandFrame): void {
    const context = this.#preview.getContext('2d');
    const video = this.#video;
    if (context === null || video === null) return;
    context.save();
    context.translate(PREVIEW_WIDTH, 0);
    context.scale(-1, 1);
    context.drawImage(video, 0, 0, PREVIEW_WIDTH, PREVIEW_HEIGHT);
    context.lineWidth = 2;
    for (const hand of frame.hands) {
      context.strokeStyle = hand.handedness === 'left' ? '#38bdf8' : '#f472b6';
      const p = hand.image;
      context.beginPath();
      for (const [a, b] of BONES) {
        context.moveTo(p[a * 3]! * PREVIEW_WIDTH, p[a * 3 + 1]! * PREVIEW_HEIGHT);
        context.lineTo(p[b * 3]! * PREVIEW_WIDTH, p[b * 3 + 1]! * PREVIEW_HEIGHT);
      }
      context.stroke();
    }
    context.restore();
  }

  #fail(message: string): void {
    this.#release();
    this.#setState('unavailable', message);
  }

  #release(): void {
    if (this.#video !== null && this.#frameCallback !== 0)
      this.#video.cancelVideoFrameCallback(this.#frameCallback);
    this.#frameCallback = 0;
    for (const track of this.#stream?.getTracks() ?? []) track.stop();
    this.#stream = null;
    if (this.#video !== null) this.#video.srcObject = null;
    this.#video = null;
    this.#tracker?.close();
    this.#tracker = null;
    for (const change of this.#classifier.reset(epochNow()))
      if (change.from !== 'none')
        this.#onGesture({
          handedness: change.handedness,
          gesture: change.from,
          phase: 'end',
          x: -1,
          y: -1,
        });
    this.#preview.hidden = true;
  }

  #setState(state: DesktopHandsState, message: string): void {
    this.#state = state;
    this.#message.textContent = message;
    this.#button.setAttribute('aria-pressed', String(state === 'on' || state === 'starting'));
    this.#button.textContent = state === 'on' ? 'Hands (camera): on' : 'Hands (camera)';
    document.body.dataset['hands'] = state;
  }
}

function push(samples: number[], value: number): void {
  if (samples.length >= LATENCY_SAMPLES) samples.shift();
  samples.push(value);
}

/** What to tell the user when the camera cannot be had. */
function cameraProblem(error: unknown): string {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return 'Camera permission was refused: hand tracking is off. Allow the camera for this site to use hands.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return 'No camera found: hand tracking needs a webcam.';
  if (name === 'NotReadableError') return 'The camera is in use by another application.';
  return `The camera could not be started: ${error instanceof Error ? error.message : String(error)}`;
}
