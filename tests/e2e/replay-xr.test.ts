/**
 * A replay in a headset (IWER's emulated Meta Quest 3): capture "the last 10 minutes" from the
 * live view, enter immersive VR in the replay, and drive the 3D mission bar with hand pinches —
 * pause, seek a quarter into the span, back to live — checking each on the server's mission
 * (HTTP API) and on a second participant's room state. The headset's hands travel in presence
 * to the other participant, and the other participant's hands are drawn for the headset user.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { getJson, joinReplay } from '../integration/server/helpers.js';
import type { TestClient } from '../integration/server/helpers.js';
import { chromiumPath, launchChromium } from './chromium.js';
import { liveServerUnavailable, startLiveServer } from './live-server.js';
import type { LiveServer } from './live-server.js';
import { openApp, waitForCapsules } from './page-helpers.js';
import { aimRightHandAt, installQuest3, pinchRightHand } from './xr-helpers.js';

const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
const skipReason =
  chromiumPath() === null
    ? 'Chromium is not installed (set CHROMIUM_PATH)'
    : liveServerUnavailable();

interface MissionJson {
  id: string;
  state: string;
  fromT: number;
  toT: number;
  playhead: { anchorT: number; speed: number; playing: boolean };
}

/** The mission as the server's HTTP API has it. */
async function serverMission(url: string, id: string): Promise<MissionJson> {
  const reply = await getJson(url, `api/v1/missions/${encodeURIComponent(id)}`);
  return (reply.body as unknown as { mission: MissionJson }).mission;
}

/** Polls the server's mission until `ok` holds, or fails showing the last one seen. */
async function waitForMission(
  url: string,
  id: string,
  ok: (mission: MissionJson) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<MissionJson> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const mission = await serverMission(url, id);
    if (ok(mission)) return mission;
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}: mission is ${JSON.stringify(mission)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-assignment -- the page-side app is reached through window in page.evaluate */

describe.skipIf(skipReason !== null)('a replay in WebXR (emulated Meta Quest 3)', () => {
  let server: LiveServer;
  let browser: Browser;
  let page: Page;
  let desk: TestClient | undefined;
  let missionId = '';

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startLiveServer({ SCENARIO: 'cooling-pump-trip', TIME_SCALE: '5' });
    browser = await launchChromium();
    page = await openApp(browser, server.url, 'Headset', installQuest3);
    await waitForCapsules(page);
  }, 300_000);

  afterAll(async () => {
    await desk?.leave();
    await browser?.close();
    await server?.close();
  });

  it('shows the mission bar in front of the user on entering VR in a replay', async () => {
    await page.click('#replay-last');
    await page.waitForFunction(
      () => document.getElementById('mission-bar')?.dataset['missionState'] === 'active',
      undefined,
      { timeout: 30_000 },
    );
    missionId = (await page.locator('#mode-badge').innerText()).replace('REPLAY ', '');
    expect(missionId).toMatch(/^M-\d+$/);
    // A second participant at a desk, over colyseus.js: their hands are in presence.
    desk = await joinReplay(server.url.replace(/^http/, 'ws'), missionId, 'Desk');
    desk.room.send('presence', {
      head: { x: 2, y: 1.7, z: -3, yaw: 0, pitch: 0 },
      leftHand: { x: 1.75, y: 1.2, z: -2.8 },
      rightHand: { x: 2.25, y: 1.25, z: -2.8 },
    });

    await page.evaluate(() => (window as any).twinspace.xr.enterVr());
    await page.waitForFunction(() => (window as any).twinspace.xrTimeline.visible, undefined, {
      timeout: 30_000,
    });
    expect(
      await page.evaluate(() =>
        (window as any).twinspace.xrTimeline.gui.getControlByName('xrtl:badge').text.trim(),
      ),
    ).toBe(`REPLAY ${missionId}`);
  }, 90_000);

  it('pauses the replay for everyone with a pinch at Pause', async () => {
    await page.evaluate(() => {
      (window as any).__xrDevice.primaryInputMode = 'hand';
    });
    // The bar's buttons get their place on the plane's texture when the GUI next lays out.
    await page.waitForTimeout(500);
    expect(await aimRightHandAt(page, { panelControl: 'xrtl:play' })).toBe('hit');
    expect(await pinchRightHand(page)).toBe('down up');
    const paused = await waitForMission(
      server.url,
      missionId,
      (m) => m.state === 'paused',
      'the pause',
    );
    expect(paused.playhead.playing).toBe(false);
    await page.waitForFunction(
      () =>
        (window as any).twinspace.xrTimeline.gui.getControlByName('xrtl:play').textBlock.text ===
        'Play',
      undefined,
      { timeout: 20_000 },
    );
  }, 180_000);

  it('seeks a quarter into the span with a pinch on the track', async () => {
    const before = await serverMission(server.url, missionId);
    expect(await aimRightHandAt(page, { panelControl: 'xrtl:track', fx: 0.25 })).toBe('hit');
    await page.screenshot({ path: `${ARTIFACTS}replay-xr.png` });
    expect(await pinchRightHand(page)).toBe('down up');
    const span = before.toT - before.fromT;
    const sought = await waitForMission(
      server.url,
      missionId,
      (m) => m.playhead.anchorT !== before.playhead.anchorT,
      'the seek',
    );
    // Aimed a quarter in: the ray lands within a few percent of it.
    expect((sought.playhead.anchorT - before.fromT) / span).toBeGreaterThan(0.2);
    expect((sought.playhead.anchorT - before.fromT) / span).toBeLessThan(0.3);
    expect(sought.state).toBe('paused');
    // The other participant's twin moves to the same plant time.
    const until = Date.now() + 10_000;
    while (desk!.state().mission.t !== sought.playhead.anchorT && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(desk!.state().mission.t).toBe(sought.playhead.anchorT);
  }, 180_000);

  it("sends the headset's hands to others and draws the others' hands", async () => {
    // The headset's tracked hands reach the other participant's room state.
    const until = Date.now() + 20_000;
    const headset = (): any => {
      let found: any;
      desk!.state().presence.forEach((p: any) => {
        if (p.name === 'Headset') found = p;
      });
      return found;
    };
    while (!(headset()?.hasRightHand === true && headset()?.hasLeftHand === true)) {
      if (Date.now() > until) throw new Error(`no hands from the headset: ${headset()?.device}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(headset().device).toBe('xr');
    expect(Number.isFinite(headset().rightX)).toBe(true);
    // The right hand sits near the headset, not at the origin.
    expect(
      Math.hypot(headset().rightX - headset().headX, headset().rightZ - headset().headZ),
    ).toBeLessThan(1.5);

    // The desk participant's hands are drawn where they sent them.
    const sessionId = desk!.room.sessionId;
    await page.waitForFunction(
      (id) => (window as any).twinspace.avatars.handsOf(id).right !== null,
      sessionId,
      { timeout: 20_000 },
    );
    const drawn = await page.evaluate(
      (id) => (window as any).twinspace.avatars.handsOf(id),
      sessionId,
    );
    // Presence carries float32 coordinates: close to what was sent, not equal to it.
    const sent = { left: [1.75, 1.2, -2.8], right: [2.25, 1.25, -2.8] } as const;
    for (const side of ['left', 'right'] as const) {
      const [x, y, z] = sent[side];
      expect(drawn[side].x).toBeCloseTo(x, 4);
      expect(drawn[side].y).toBeCloseTo(y, 4);
      expect(drawn[side].z).toBeCloseTo(z, 4);
    }
  }, 60_000);

  it('goes back to live with a pinch at Back to live, and the bar goes away', async () => {
    expect(await aimRightHandAt(page, { panelControl: 'xrtl:live' })).toBe('hit');
    expect(await pinchRightHand(page)).toBe('down up');
    await page.waitForFunction(() => document.body.dataset['mode'] === 'live', undefined, {
      timeout: 30_000,
    });
    expect(await page.evaluate(() => (window as any).twinspace.xrTimeline.visible)).toBe(false);
  }, 180_000);
});
/* eslint-enable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-assignment */
