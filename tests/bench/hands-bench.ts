/**
 * `npm run bench -- hands`: the app against a live server in Chromium with a fake camera
 * playing the e2e test's emoji-hand clip. The same scene is measured with "Hands (camera)" off
 * (the baseline) and on: the render frame's main-thread time (p50), hand tracking's own
 * main-thread time per 60 Hz frame, worker detections per second, detect time, and latency
 * from a frame's capture (and from the worker's detection) to its gesture on the main thread.
 * `HANDS_BENCH_MS` sets each phase's length (default 10 s).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../e2e/chromium.js';
import { handClip } from '../e2e/hand-clip.js';
import { startLiveServer } from '../e2e/live-server.js';
import { openApp, VIEWPORT, waitForCapsules } from '../e2e/page-helpers.js';
import { percentile } from './percentile.js';

const FRAME_60HZ_MS = 1000 / 60;

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment -- the page-side app is reached through window in page.evaluate */

export async function benchHands(): Promise<Record<string, number | string>> {
  const phaseMs = Number(process.env['HANDS_BENCH_MS'] ?? 10_000);
  const dir = mkdtempSync(join(tmpdir(), 'twinspace-hands-bench-'));
  const server = await startLiveServer({ SCENARIO: 'cooling-pump-trip', TIME_SCALE: '3' });
  const clip = await handClip(dir);
  const browser = await launchChromium([
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${clip}`,
  ]);
  try {
    const context = await browser.newContext({ viewport: VIEWPORT, permissions: ['camera'] });
    const page = await openApp(context, server.url, 'Bench');
    await waitForCapsules(page);
    /** Render frames' main-thread time (ms) over `ms`, and hand tracking's figures. */
    const measure = (ms: number) =>
      page.evaluate(async (ms) => {
        const twin = (window as any).twinspace;
        const engine = twin.handles.engine;
        const frames: number[] = [];
        let began = 0;
        const a = engine.onBeginFrameObservable.add(() => (began = performance.now()));
        const b = engine.onEndFrameObservable.add(() => frames.push(performance.now() - began));
        const hands = twin.hands;
        const main0 = hands.mainThreadMs;
        const detected0 = hands.stats?.detected ?? 0;
        const t0 = performance.now();
        await new Promise((r) => setTimeout(r, ms));
        const elapsed = performance.now() - t0;
        engine.onBeginFrameObservable.remove(a);
        engine.onEndFrameObservable.remove(b);
        return {
          frames,
          elapsed,
          handsMainMs: hands.mainThreadMs - main0,
          detected: (hands.stats?.detected ?? 0) - detected0,
          latency: hands.latency,
        };
      }, ms);
    const off = await measure(phaseMs);
    await page.click('.hands-toggle');
    await page.waitForFunction(
      () => (window as any).twinspace.hands.state !== 'starting',
      undefined,
      {
        timeout: 120_000,
      },
    );
    const state = await page.evaluate(() => (window as any).twinspace.hands.state as string);
    if (state !== 'on') throw new Error(`hands did not start: ${state}`);
    const on = await measure(phaseMs);
    const sorted = (values: number[]): number[] => [...values].sort((x, y) => x - y);
    const offFrame = percentile(sorted(off.frames), 0.5);
    const onFrame = percentile(sorted(on.frames), 0.5);
    const handsPerFrame = on.handsMainMs / (on.elapsed / FRAME_60HZ_MS);
    const capture = sorted(on.latency.captureToGesture);
    const detection = sorted(on.latency.detectionToGesture);
    return {
      'phase length (s)': phaseMs / 1000,
      'render frame p50, hands off (ms)': offFrame,
      'render frame p50, hands on (ms)': onFrame,
      'on / off': onFrame / offFrame,
      'hand tracking main-thread ms per 60 Hz frame': handsPerFrame,
      'main-thread cost per frame, hands on (ms)': onFrame + handsPerFrame,
      'worker detections / s': on.detected / (on.elapsed / 1000),
      'detect p50 (ms)': percentile(sorted(on.latency.detectMs), 0.5),
      'capture → gesture p50 (ms)': percentile(capture, 0.5),
      'capture → gesture p99 (ms)': percentile(capture, 0.99),
      'detection → gesture p50 (ms)': percentile(detection, 0.5),
      'detection → gesture p99 (ms)': percentile(detection, 0.99),
      'answers measured': capture.length,
    };
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
