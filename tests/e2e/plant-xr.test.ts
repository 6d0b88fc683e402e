/**
 * WebXR with an emulated Meta Quest 3 (IWER, installed before Babylon starts): enter immersive
 * VR and stand at the plant's edge facing it; switch to hand input, aim the right hand's ray at
 * a capsule and pinch: the capsule is selected and its panel appears as 3D GUI in front of the
 * user; aim at the panel's Acknowledge button and pinch: Babylon's XR pointer selection presses
 * it and the server records the acknowledgement. Served on `localhost` (Babylon refuses XR on
 * 127.0.0.1).
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Plant } from '../../digital-twin/index.js';
import { equipmentSize } from '../../xr-client/scene/equipment-dimensions.js';
import { chromiumPath, launchChromium } from './chromium.js';
import { liveServerUnavailable, startLiveServer } from './live-server.js';
import type { LiveServer } from './live-server.js';
import { getJson } from '../integration/server/helpers.js';
import {
  activeCapsuleId,
  openApp,
  serverCapsuleActor,
  waitForCapsules,
  waitForCommandStatus,
} from './page-helpers.js';
import { aimRightHandAt, installQuest3, pinchRightHand } from './xr-helpers.js';

const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
const USER_NAME = 'Headset';
const skipReason =
  chromiumPath() === null
    ? 'Chromium is not installed (set CHROMIUM_PATH)'
    : liveServerUnavailable();

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument -- the page-side app and IWER are reached through window in page.evaluate */

describe.skipIf(skipReason !== null)('spatial client in WebXR (emulated Meta Quest 3)', () => {
  let server: LiveServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startLiveServer({ SCENARIO: 'cooling-pump-trip', TIME_SCALE: '3' });
    browser = await launchChromium();
    page = await openApp(browser, server.url, USER_NAME, installQuest3);
    await waitForCapsules(page);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('enters VR standing on the plant floor at its edge, clear of equipment, facing its centre', async () => {
    expect(
      await page.evaluate(() =>
        (window as any).twinspace.xr === null
          ? (window as any).twinspace.problems.join('; ') || 'no xr'
          : 'xr',
      ),
    ).toBe('xr');
    await page.evaluate(() => (window as any).twinspace.xr.enterVr());
    await page.waitForFunction(() => (window as any).twinspace.xr.inXr === true, undefined, {
      timeout: 15_000,
    });
    const head = await page.evaluate(async () => {
      const base = (window as any).twinspace.xr.experience.baseExperience;
      // Two whole XR frames: the start pose becomes the reference space's offset, and the
      // camera's world matrix follows it.
      for (let i = 0; i < 2; i += 1)
        await new Promise((resolve) => base.sessionManager.onXRFrameObservable.addOnce(resolve));
      const camera = base.camera;
      const forward = camera.getDirection(camera.position.constructor.Forward());
      const p = camera.globalPosition;
      return { x: p.x as number, y: p.y as number, z: p.z as number, fx: forward.x, fz: forward.z };
    });
    const { plant } = (await getJson(server.url, 'api/v1/plant')).body as unknown as {
      plant: Plant;
    };
    // IWER's Quest 3 stands the head 1.6 m above the floor; the plant floor is y = 0.
    expect(head.y).toBeCloseTo(1.6, 1);
    const zone = plant.zones.find(
      (z) =>
        head.x >= z.bounds.minX &&
        head.x <= z.bounds.maxX &&
        head.z >= z.bounds.minZ &&
        head.z <= z.bounds.maxZ,
    );
    expect(zone, `a zone floor under the user at ${head.x}, ${head.z}`).toBeDefined();
    const clearance = Math.min(
      ...plant.equipment.map((item) => {
        const size = equipmentSize(item);
        const dx = Math.max(Math.abs(head.x - item.position.x) - size.x / 2, 0);
        const dz = Math.max(Math.abs(head.z - item.position.z) - size.z / 2, 0);
        return Math.hypot(dx, dz);
      }),
    );
    expect(clearance, 'distance from the user to the nearest equipment (m)').toBeGreaterThan(0.5);
    const minX = Math.min(...plant.zones.map((z) => z.bounds.minX));
    const maxX = Math.max(...plant.zones.map((z) => z.bounds.maxX));
    const minZ = Math.min(...plant.zones.map((z) => z.bounds.minZ));
    const maxZ = Math.max(...plant.zones.map((z) => z.bounds.maxZ));
    const toCentre = Math.atan2((minX + maxX) / 2 - head.x, (minZ + maxZ) / 2 - head.z);
    const heading = Math.atan2(head.fx, head.fz);
    const off = Math.abs(Math.atan2(Math.sin(toCentre - heading), Math.cos(toCentre - heading)));
    expect((off * 180) / Math.PI, 'degrees between the view and the plant centre').toBeLessThan(10);
  });

  it('selects a capsule by pinching at it, then acknowledges it by pinching at Acknowledge on the 3D panel', async () => {
    await page.evaluate(() => {
      (window as any).__xrDevice.primaryInputMode = 'hand';
    });
    const target = await activeCapsuleId(page);
    expect(target, 'an active capsule to select').not.toBeNull();
    expect(await aimRightHandAt(page, { capsule: target! })).toBe('hit');
    expect(await pinchRightHand(page)).toBe('down up');
    await page.waitForFunction((id) => (window as any).twinspace.selection?.id === id, target, {
      timeout: 10_000,
    });
    // The panel now lives on a plane in front of the user, not on the desktop overlay.
    const onPlane = await page.evaluate(() => {
      const twin = (window as any).twinspace;
      return twin.panel.visible && twin.panel.root.host !== twin.gui;
    });
    expect(onPlane).toBe(true);
    // The panel's buttons get their place on the plane's texture when the GUI next lays out.
    await page.waitForTimeout(500);
    expect(await aimRightHandAt(page, { panelControl: 'button:Acknowledge' })).toBe('hit');
    await page.screenshot({ path: `${ARTIFACTS}xr.png` });
    expect(await pinchRightHand(page)).toBe('down up');
    expect(await waitForCommandStatus(page)).toContain('accepted');
    // The pinch pressed the button of the capsule that was selected: the panel still shows it.
    expect(await page.evaluate(() => (window as any).twinspace.selection?.id)).toBe(target);
    expect(await serverCapsuleActor(server.url, target!, 'acknowledged')).toBe(USER_NAME);
  }, 240_000);
});
/* eslint-enable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument */
