/**
 * What-if branches in the browser: capture the cooling-pump trip, pause near its start, open
 * "Branch here…", start the standby pump two minutes later, compute, open the branch and read
 * its predictions; the baseline's capsule raises are a second row of the timeline, and a click
 * on a delta moves the playhead to it and selects its equipment.
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

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- the page-side app is reached through window in page.evaluate */
function playhead(page: Page): Promise<number | null> {
  return page.evaluate(() => (window as any).twinspace.timeline.playheadT as number | null);
}

describe.skipIf(skipReason !== null)('a what-if branch in the browser', () => {
  let server: LiveServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startLiveServer({ SCENARIO: 'cooling-pump-trip', TIME_SCALE: '20' });
    browser = await launchChromium();
    page = await openApp(browser, server.url, 'Alice');
    await waitForCapsules(page);
    // Past the reactor's high-temperature alarm (~2.5 min after the trip at 0:30).
    await page.waitForFunction(
      () =>
        [...(window as any).twinspace.capsules.values()].some(
          (c: { title: string }) => c.title === 'High temperature at R-101',
        ),
      undefined,
      { timeout: 120_000 },
    );
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('branches from the timeline and computes the branch', { timeout: 120_000 }, async () => {
    await page.click('#replay-last');
    await page.waitForFunction(
      () => document.getElementById('mission-bar')?.dataset['missionState'] === 'active',
      undefined,
      { timeout: 30_000 },
    );
    await page.click('#tl-play'); // pause
    await page.waitForFunction(
      () => document.getElementById('mission-bar')?.dataset['missionState'] === 'paused',
    );
    // Fork at the span's start: the trip comes 30 s later, the alarm about 2.5 min after it.
    const track = await page.evaluate(() => {
      const box = document.getElementById('tl-track')!.getBoundingClientRect();
      return { left: box.left, y: box.top + box.height / 2 };
    });
    await page.mouse.click(track.left + 1, track.y);
    await page.waitForFunction(
      () => {
        const m = (window as any).twinspace.timeline;
        return m.playheadT !== null;
      },
      undefined,
      { timeout: 20_000 },
    );

    await page.click('#tl-branch');
    expect(await page.locator('#branch-editor').isVisible()).toBe(true);
    await page.selectOption('#br-action', 'pump.start');
    await page.selectOption('#br-target', 'P-202.RUN');
    await page.fill('#br-offset', '120');
    await page.click('#br-add');
    expect(await page.locator('#br-mods li').innerText()).toMatch(
      /pump\.start P-202\.RUN at \+120 s/,
    );
    await page.fill('#br-horizon', '5');
    await page.click('#br-submit');
    await page.waitForFunction(
      () => document.getElementById('br-progress')?.dataset['status'] === 'done',
      undefined,
      { timeout: 90_000 },
    );
  });

  it(
    'opens the branch with its predictions and the baseline row',
    { timeout: 60_000 },
    async () => {
      await page.click('#br-open');
      await page.waitForFunction(
        () =>
          (window as any).twinspace.timeline.mode === 'replay' &&
          !document.getElementById('branch-deltas')!.hidden,
        undefined,
        { timeout: 30_000 },
      );
      const outcome = await page.locator('#br-outcome').innerText();
      expect(outcome).toMatch(/'High temperature at R-101' is never raised/);
      expect(await page.locator('#tl-baseline-track .tl-marker').count()).toBeGreaterThan(0);
      expect(await page.locator('#tl-branch').isHidden()).toBe(true);
      expect(await page.locator('#br-trend-branch').count()).toBe(1);
    },
  );

  it(
    'jumps the playhead to a delta and highlights its equipment',
    { timeout: 60_000 },
    async () => {
      const delta = page.locator('.br-delta[data-kind="capsule"][data-t]').first();
      const t = Number(await delta.getAttribute('data-t'));
      const equipmentId = await delta.getAttribute('data-equipment-id');
      await delta.click();
      await page.waitForFunction(
        (t) => Math.abs(((window as any).twinspace.timeline.playheadT as number) - t) < 2000,
        t,
        { timeout: 20_000 },
      );
      const selection = await page.evaluate(() => (window as any).twinspace.selection);
      expect(selection).toEqual({ kind: 'equipment', id: equipmentId });
      expect(Math.abs((await playhead(page))! - t)).toBeLessThan(2000);
      await page.screenshot({ path: `${ARTIFACTS}branch.png` });
    },
  );
});
