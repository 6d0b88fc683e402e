/**
 * Missions in the browser: two Chromium pages against a real server. One captures "the last 10
 * minutes" from the live plant with the mission bar, the other opens the shared replay link, and
 * the timeline's controls from one page (pause, seek, speed) show on the other. Back to live
 * leaves the replay for the live plant.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromiumPath, launchChromium } from './chromium.js';
import { liveServerUnavailable, startLiveServer } from './live-server.js';
import type { LiveServer } from './live-server.js';
import { openApp, waitForCapsules } from './page-helpers.js';

const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
const skipReason =
  chromiumPath() === null
    ? 'Chromium is not installed (set CHROMIUM_PATH)'
    : liveServerUnavailable();

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment -- the page-side app is reached through window in page.evaluate */
function badge(page: Page): Promise<string> {
  return page.locator('#mode-badge').innerText();
}

function missionState(page: Page): Promise<string | undefined> {
  return page.evaluate(() => document.getElementById('mission-bar')?.dataset['missionState']);
}

function playhead(page: Page): Promise<number | null> {
  return page.evaluate(() => (window as any).twinspace.timeline.playheadT as number | null);
}

describe.skipIf(skipReason !== null)('replaying a mission in the browser', () => {
  let server: LiveServer;
  let browser: Browser;
  let alice: Page;
  let bob: Page;
  let missionId = '';

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startLiveServer({ SCENARIO: 'cooling-pump-trip', TIME_SCALE: '5' });
    browser = await launchChromium();
    alice = await openApp(browser, server.url, 'Alice');
    await waitForCapsules(alice);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    'captures the last 10 minutes from the live plant and plays it',
    { timeout: 60_000 },
    async () => {
      expect(await badge(alice)).toBe('LIVE');
      await alice.click('#replay-last');
      await alice.waitForFunction(() => document.body.dataset['mode'] === 'replay', undefined, {
        timeout: 30_000,
      });
      expect(await badge(alice)).toMatch(/^REPLAY M-\d+$/);
      missionId = (await badge(alice)).replace('REPLAY ', '');
      expect(new URL(alice.url()).searchParams.get('mission')).toBe(missionId);
      await alice.waitForFunction(
        () => document.getElementById('mission-bar')?.dataset['missionState'] === 'active',
        undefined,
        { timeout: 20_000 },
      );
      expect(await alice.locator('#timeline').isVisible()).toBe(true);
      // The capsules the scenario raised in those 10 minutes are marked on the timeline.
      expect(await alice.locator('.tl-marker').count()).toBeGreaterThan(0);
    },
  );

  it(
    'opens the same replay from the shared link on a second page',
    { timeout: 200_000 },
    async () => {
      bob = await openApp(browser, `${server.url}?mission=${missionId}`, 'Bob');
      await bob.waitForFunction(() => document.body.dataset['mode'] === 'replay', undefined, {
        timeout: 30_000,
      });
      expect(await badge(bob)).toBe(`REPLAY ${missionId}`);
      expect(await missionState(bob)).toBe('active');
    },
  );

  it("shows one page's pause, seek and speed on the other", { timeout: 60_000 }, async () => {
    // Each sees the other as an avatar at their camera, named and coloured.
    await alice.waitForFunction(() => (window as any).twinspace.avatars.count >= 1, undefined, {
      timeout: 20_000,
    });
    await alice.click('#tl-play');
    await bob.waitForFunction(
      () => document.getElementById('mission-bar')?.dataset['missionState'] === 'paused',
      undefined,
      { timeout: 20_000 },
    );
    const span = await alice.evaluate(() => {
      const track = document.getElementById('tl-track')!.getBoundingClientRect();
      return { left: track.left, width: track.width, y: track.top + track.height / 2 };
    });
    const before = await playhead(bob);
    await alice.mouse.click(span.left + span.width * 0.1, span.y);
    await bob.waitForFunction(
      (before) => (window as any).twinspace.timeline.playheadT !== before,
      before,
      { timeout: 20_000 },
    );
    // Bob's playhead sits a tenth of the way into the span, where Alice clicked.
    const fraction = await bob.evaluate(() => {
      const app = (window as any).twinspace;
      const bar = document.getElementById('tl-track')!.querySelector('.tl-head') as HTMLElement;
      return { t: app.timeline.playheadT as number, left: parseFloat(bar.style.left) };
    });
    expect(fraction.left).toBeGreaterThan(5);
    expect(fraction.left).toBeLessThan(15);

    // Scrubbing changes what the capsule list shows: fewer capsules were open early in the span
    // than at its end.
    const early = await bob.evaluate(() => (window as any).twinspace.capsules.size as number);
    await alice.mouse.click(span.left + span.width * 0.995, span.y);
    await bob.waitForFunction((early) => (window as any).twinspace.capsules.size > early, early, {
      timeout: 20_000,
    });

    await alice.selectOption('#tl-speed', '10');
    await bob.waitForFunction(
      () => (document.getElementById('tl-speed') as HTMLSelectElement).value === '10',
      undefined,
      { timeout: 20_000 },
    );
    await alice.screenshot({ path: `${ARTIFACTS}replay-timeline.png` });
  });

  it(
    'goes back to live on one page while the other stays in the replay',
    { timeout: 60_000 },
    async () => {
      await alice.click('#tl-live');
      await alice.waitForFunction(() => document.body.dataset['mode'] === 'live', undefined, {
        timeout: 30_000,
      });
      expect(await badge(alice)).toBe('LIVE');
      expect(new URL(alice.url()).searchParams.get('mission')).toBeNull();
      expect(await badge(bob)).toBe(`REPLAY ${missionId}`);
    },
  );
});
