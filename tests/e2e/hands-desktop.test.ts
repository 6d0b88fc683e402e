/**
 * Hands on the desktop, in Debian's Chromium with a fake camera playing a video of a hand that
 * opens, points and pinches (Noto Color Emoji hand glyphs drawn by the browser, joined into a
 * y4m with ffmpeg), against a real server: turning "Hands (camera)" on brings landmarks from
 * the worker and the preview shows, turning it off releases the camera; a refused camera and a model that cannot load each show their message while the
 * app keeps running. MediaPipe on this loaded 2-core machine manages about one detection a
 * second, so the waits are long; nothing here is timed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumPath, launchChromium } from './chromium.js';
import { ffmpegPresent, handClip } from './hand-clip.js';
import { liveServerUnavailable, startLiveServer } from './live-server.js';
import type { LiveServer } from './live-server.js';
import { APP_START_TIMEOUT_MS, openApp, VIEWPORT, waitForCapsules } from './page-helpers.js';

const DETECTION_TIMEOUT_MS = 240_000;

const skipReason =
  chromiumPath() === null
    ? 'Chromium is not installed (set CHROMIUM_PATH)'
    : !ffmpegPresent()
      ? 'ffmpeg is not installed (apt-get install ffmpeg)'
      : liveServerUnavailable();

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment -- the page-side app is reached through window in page.evaluate */

/** Opens the app as "Hands" in `context`; `query` adds URL parameters (`&handModel=…`). */
function openIn(context: BrowserContext, url: string, query = ''): Promise<Page> {
  return openApp(context, query === '' ? url : `${url}?${query.slice(1)}`, 'Hands');
}

const handsState = (page: Page): Promise<{ state: string; message: string }> =>
  page.evaluate(() => ({
    state: (window as any).twinspace.hands.state as string,
    message: (window as any).twinspace.hands.message as string,
  }));

/** The app still renders: its frame counter moves on. */
async function stillRendering(page: Page): Promise<boolean> {
  const frame = () => page.evaluate(() => (window as any).twinspace.handles.scene.getFrameId());
  const before = await frame();
  await page.waitForFunction(
    (before) => (window as any).twinspace.handles.scene.getFrameId() > before,
    before,
    { timeout: 60_000 },
  );
  return true;
}

describe.skipIf(skipReason !== null)('hands on the desktop with a fake camera', () => {
  let server: LiveServer;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'twinspace-hands-'));
    const clip = await handClip(dir);
    server = await startLiveServer({ SCENARIO: 'cooling-pump-trip', TIME_SCALE: '3' });
    browser = await launchChromium([
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${clip}`,
      // A context without the camera permission is refused, not left at a prompt.
      '--deny-permission-prompts',
    ]);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'landmarks arrive from the worker and are drawn, off releases the camera',
    async () => {
      const context = await browser.newContext({ viewport: VIEWPORT, permissions: ['camera'] });
      try {
        const page = await openIn(context, server.url);
        await waitForCapsules(page);
        expect((await handsState(page)).state).toBe('off');
        await page.click('.hands-toggle');
        await page.waitForFunction(
          () => (window as any).twinspace.hands.state !== 'starting',
          undefined,
          {
            timeout: 120_000,
          },
        );
        expect(await handsState(page)).toMatchObject({ state: 'on' });
        await page.waitForFunction(
          () => ((window as any).twinspace.hands.lastFrame?.hands.length ?? 0) > 0,
          undefined,
          { timeout: DETECTION_TIMEOUT_MS },
        );
        const hand = await page.evaluate(() => {
          const h = (window as any).twinspace.hands.lastFrame.hands[0];
          return { landmarks: h.image.length / 3, world: h.world.length / 3, score: h.score };
        });
        expect(hand).toMatchObject({ landmarks: 21, world: 21 });
        expect(await page.isVisible('.hands-preview')).toBe(true);

        // Gestures from the fake camera are not asserted: in its frames MediaPipe finds the
        // emoji pinch not at all and the open palm not as open (issue 16's report); the
        // classifier's gestures are covered by tests/unit/workers on recorded hands.

        await page.click('.hands-toggle');
        expect(await handsState(page)).toEqual({ state: 'off', message: '' });
        await page.waitForSelector('.hands-preview', { state: 'hidden', timeout: 10_000 });
        const frames = await page.evaluate(() => (window as any).twinspace.hands.stats);
        expect(frames).toBeNull();
      } finally {
        await context.close();
      }
    },
    DETECTION_TIMEOUT_MS * 2 + APP_START_TIMEOUT_MS,
  );

  it(
    'a refused camera shows the message instead of an error, and the app goes on',
    async () => {
      const context = await browser.newContext({ viewport: VIEWPORT });
      try {
        const page = await openIn(context, server.url);
        await page.click('.hands-toggle');
        await page.waitForFunction(
          () => (window as any).twinspace.hands.state === 'unavailable',
          undefined,
          {
            timeout: 60_000,
          },
        );
        expect((await handsState(page)).message).toMatch(/Camera permission was refused/);
        expect(await page.textContent('.hands-message')).toMatch(/Camera permission was refused/);
        expect(await page.evaluate(() => document.body.dataset['error'] ?? null)).toBeNull();
        expect(await stillRendering(page)).toBe(true);
      } finally {
        await context.close();
      }
    },
    APP_START_TIMEOUT_MS + 60_000,
  );

  it(
    'a model that cannot load says hand tracking is unavailable, and the app goes on',
    async () => {
      const context = await browser.newContext({ viewport: VIEWPORT, permissions: ['camera'] });
      try {
        const page = await openIn(context, server.url, '&handModel=./models/missing.task');
        await page.click('.hands-toggle');
        await page.waitForFunction(
          () => (window as any).twinspace.hands.state === 'unavailable',
          undefined,
          {
            timeout: 120_000,
          },
        );
        expect((await handsState(page)).message).toMatch(
          /^Hand tracking is unavailable: hand model .*missing\.task/,
        );
        expect(await page.evaluate(() => document.body.dataset['error'] ?? null)).toBeNull();
        expect(await stillRendering(page)).toBe(true);
        // The capsules still answer a click-free selection: the app is usable without hands.
        expect(await page.evaluate(() => (window as any).twinspace.status)).toBe('online');
      } finally {
        await context.close();
      }
    },
    APP_START_TIMEOUT_MS + 120_000,
  );
});
