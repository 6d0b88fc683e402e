/**
 * The main-thread side of the hand tracker: owns the worker (`hand-tracker.worker.ts`, through
 * comlink), turns camera frames into ImageBitmaps it transfers there, and hands each answer to
 * `onFrame`. At most one frame is in the worker at a time; a frame offered while one is in
 * flight is dropped, so the worker runs at the rate it can sustain (about one detection a
 * second on a loaded 2-core machine, 30 a second on a laptop) and nothing queues behind it.
 * Nothing here ever blocks the caller: `offer` returns at once.
 */
import { releaseProxy, transfer, wrap } from 'comlink';
import type { Remote } from 'comlink';
import type { HandFrame, HandTrackerApi, HandTrackerOptions } from './hand-frames.js';

/** What the tracker counts, for the UI and the bench. */
export interface HandTrackerStats {
  offered: number;
  /** Offered while a frame was in flight, or before the model had loaded. */
  dropped: number;
  detected: number;
  /** Detections that failed in the worker. */
  failed: number;
}

export type HandTrackerState = 'idle' | 'loading' | 'ready' | 'failed' | 'closed';

const epochNow = (): number => performance.timeOrigin + performance.now();

export class HandTracker {
  readonly stats: HandTrackerStats = { offered: 0, dropped: 0, detected: 0, failed: 0 };
  readonly #worker: Worker;
  readonly #remote: Remote<HandTrackerApi>;
  readonly #onFrame: (frame: HandFrame) => void;
  readonly #onError: (message: string) => void;
  #state: HandTrackerState = 'idle';
  #inFlight = false;
  #nextFrameId = 1;

  constructor(onFrame: (frame: HandFrame) => void, onError: (message: string) => void) {
    this.#worker = new Worker(new URL('./hand-tracker.worker.ts', import.meta.url), {
      type: 'module',
      name: 'hand-tracker',
    });
    this.#remote = wrap<HandTrackerApi>(this.#worker);
    this.#onFrame = onFrame;
    this.#onError = onError;
    this.#worker.addEventListener('error', (event) => {
      this.#state = 'failed';
      onError(`hand tracker worker failed: ${event.message || 'it could not start'}`);
    });
  }

  get state(): HandTrackerState {
    return this.#state;
  }

  /** Whether a frame is in the worker now. */
  get busy(): boolean {
    return this.#inFlight;
  }

  /**
   * Load runtime and model in the worker; rejects with the worker's message. A relative
   * `modelUrl` is resolved against the page (a worker would resolve it against its script).
   */
  async load(options: HandTrackerOptions): Promise<void> {
    this.#state = 'loading';
    try {
      await this.#remote.load({
        ...options,
        modelUrl: new URL(options.modelUrl, document.baseURI).href,
      });
      if (this.#state === 'loading') this.#state = 'ready';
    } catch (error) {
      this.#state = 'failed';
      throw error instanceof Error ? error : new Error(String(error));
    }
  }

  /**
   * Offer a camera frame: taken when the worker is free (returns true), dropped otherwise.
   * `capturedAt` is epoch ms; the default is now.
   */
  offer(source: ImageBitmapSource, capturedAt = epochNow()): boolean {
    this.stats.offered += 1;
    if (this.#state !== 'ready' || this.#inFlight) {
      this.stats.dropped += 1;
      return false;
    }
    this.#inFlight = true;
    const frameId = this.#nextFrameId;
    this.#nextFrameId += 1;
    void this.#send(source, frameId, capturedAt);
    return true;
  }

  async #send(source: ImageBitmapSource, frameId: number, capturedAt: number): Promise<void> {
    try {
      const bitmap = await createImageBitmap(source);
      if (this.#state !== 'ready') {
        bitmap.close();
        return;
      }
      const frame = await this.#remote.detect(transfer(bitmap, [bitmap]), frameId, capturedAt);
      this.stats.detected += 1;
      if (this.#state === 'ready') this.#onFrame(frame);
    } catch (error) {
      this.stats.failed += 1;
      if (this.#state === 'ready')
        this.#onError(
          `hand tracking failed on a frame: ${error instanceof Error ? error.message : String(error)}`,
        );
    } finally {
      this.#inFlight = false;
    }
  }

  /** Stop: the worker and its model go away; frames in flight are discarded. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    void this.#remote.close().catch(() => undefined);
    this.#remote[releaseProxy]();
    this.#worker.terminate();
  }
}
