/**
 * WebXR with an emulated Meta Quest 3 (IWER, installed before Babylon starts): enter immersive
 * VR, switch to hand input, aim the right hand's ray at a capsule and pinch; the capsule is
 * selected and its panel appears as 3D GUI in front of the user, and Acknowledge from that
 * panel is accepted by the server. Served on `localhost` (Babylon refuses XR on 127.0.0.1).
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromiumPath, launchChromium } from './chromium.js';
import { liveServerUnavailable, startLiveServer } from './live-server.js';
import type { LiveServer } from './live-server.js';

const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
const IWER_SCRIPT = fileURLToPath(
  new URL('../../node_modules/iwer/build/iwer.min.js', import.meta.url),
);
const skipReason =
  chromiumPath() === null
    ? 'Chromium is not installed (set CHROMIUM_PATH)'
    : liveServerUnavailable();

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument -- the page-side app and IWER are reached through window in page.evaluate */

/**
 * Turn the emulated right hand so its pointer ray (as Babylon reports it, in world space)
 * points at `target`. The device-to-world map is measured by moving the hand one metre along
 * the device's x, y and z, so no assumption about Babylon's handedness or camera offset is made.
 */
async function aimRightHandAt(page: Page, capsuleId: string): Promise<string> {
  return page.evaluate(async (capsuleId) => {
    const twin = (window as any).twinspace;
    const device = (window as any).__xrDevice;
    const hand = device.hands.right;
    const frame = (): Promise<void> => new Promise((r) => setTimeout(r, 700));
    const controller = (): any =>
      twin.xr.experience.input.controllers.find((c: any) => c.inputSource.handedness === 'right');
    // One Ray object reused: createPickingRay is simply a convenient way to get a Babylon Ray.
    twin.__ray ??= twin.handles.scene.createPickingRay(0, 0, null, null);
    const worldRay = (): { o: number[]; d: number[] } => {
      controller().getWorldPointerRayToRef(twin.__ray);
      const { origin, direction } = twin.__ray;
      return { o: [origin.x, origin.y, origin.z], d: [direction.x, direction.y, direction.z] };
    };
    const fmt = (a: number[]): string => a.map((v) => v.toFixed(2)).join(',');
    const sub = (a: number[], b: number[]): number[] => a.map((v, i) => v - b[i]!);
    const norm = (a: number[]): number[] => {
      const l = Math.hypot(a[0]!, a[1]!, a[2]!) || 1;
      return a.map((v) => v / l);
    };
    const dot = (a: number[], b: number[]): number => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
    const cross = (a: number[], b: number[]): number[] => [
      a[1]! * b[2]! - a[2]! * b[1]!,
      a[2]! * b[0]! - a[0]! * b[2]!,
      a[0]! * b[1]! - a[1]! * b[0]!,
    ];
    for (let i = 0; i < 20 && controller() === undefined; i += 1) await frame();
    if (controller() === undefined)
      return `no right-hand controller (${twin.xr.experience.input.controllers.length} inputs)`;
    const start = [hand.position.x, hand.position.y, hand.position.z];
    const p0 = worldRay().o;
    hand.position.set(start[0] + 1, start[1], start[2]);
    await frame();
    const mx = norm(sub(worldRay().o, p0));
    hand.position.set(start[0], start[1], start[2] + 1);
    await frame();
    const mz = norm(sub(worldRay().o, p0));
    hand.position.set(start[0], start[1] + 1, start[2]);
    await frame();
    const my = norm(sub(worldRay().o, p0));
    hand.position.set(start[0], start[1], start[2]);
    await frame();
    const toDevice = (w: number[]): number[] => [dot(mx, w), dot(my, w), dot(mz, w)];
    // Device-space quaternion helpers (x, y, z, w).
    const mul = (a: number[], b: number[]): number[] => [
      a[3]! * b[0]! + a[0]! * b[3]! + a[1]! * b[2]! - a[2]! * b[1]!,
      a[3]! * b[1]! - a[0]! * b[2]! + a[1]! * b[3]! + a[2]! * b[0]!,
      a[3]! * b[2]! + a[0]! * b[1]! - a[1]! * b[0]! + a[2]! * b[3]!,
      a[3]! * b[3]! - a[0]! * b[0]! - a[1]! * b[1]! - a[2]! * b[2]!,
    ];
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const p = twin.layer.positionOf(capsuleId);
      const ray = worldRay();
      const want = toDevice(norm(sub([p.x, p.y, p.z], ray.o)));
      const have = toDevice(norm(ray.d));
      const axis = cross(have, want);
      const s = Math.hypot(axis[0]!, axis[1]!, axis[2]!);
      const c = dot(have, want);
      if (s < 1e-3 && c > 0) break;
      const angle = Math.atan2(s, c);
      const k = Math.sin(angle / 2) / (s || 1);
      const delta = [axis[0]! * k, axis[1]! * k, axis[2]! * k, Math.cos(angle / 2)];
      const q = hand.quaternion;
      const next = mul(delta, [q.x, q.y, q.z, q.w]);
      hand.quaternion.set(next[0], next[1], next[2], next[3]);
      await frame();
    }
    const final = worldRay();
    const hit = twin.layer.pick(twin.__ray);
    const p = twin.layer.positionOf(capsuleId);
    return hit === capsuleId
      ? 'hit'
      : `missed: picked ${hit}, ray ${fmt(final.o)} → ${fmt(final.d)}, capsule at ${fmt([p.x, p.y, p.z])}, mx ${fmt(mx)} mz ${fmt(mz)}`;
  }, capsuleId);
}

describe.skipIf(skipReason !== null)('spatial client in WebXR (emulated Meta Quest 3)', () => {
  let server: LiveServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startLiveServer({ SCENARIO: 'cooling-pump-trip', TIME_SCALE: '3' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.addInitScript({ path: IWER_SCRIPT });
    await page.addInitScript(() => {
      const iwer = (window as any).IWER;
      const device = new iwer.XRDevice(iwer.metaQuest3);
      device.installRuntime({ forceInstall: true });
      (window as any).__xrDevice = device;
    });
    await page.goto(`${server.url}?name=Headset`);
    await page.waitForFunction(() => document.body.dataset['ready'] === 'true', undefined, {
      timeout: 60_000,
    });
    await page.waitForFunction(() => (window as any).twinspace.layer.count > 0, undefined, {
      timeout: 60_000,
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('enters VR, selects a capsule by pinching at it, and acknowledges it from the 3D panel', async () => {
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
    await page.evaluate(() => {
      (window as any).__xrDevice.primaryInputMode = 'hand';
    });
    const target = await page.evaluate(() => {
      const twin = (window as any).twinspace;
      const active = [...twin.capsules.values()].find((c: any) => c.state === 'active');
      return (active ?? [...twin.capsules.values()][0])?.id as string | undefined;
    });
    expect(target).toBeDefined();
    expect(await aimRightHandAt(page, target!)).toBe('hit');
    await page.evaluate(async () => {
      const hand = (window as any).__xrDevice.hands.right;
      hand.updatePinchValue(1);
      await new Promise((r) => setTimeout(r, 300));
      hand.updatePinchValue(0);
    });
    await page.waitForFunction((id) => (window as any).twinspace.selection?.id === id, target, {
      timeout: 10_000,
    });
    // The panel now lives on a plane in front of the user, not on the desktop overlay.
    const onPlane = await page.evaluate(() => {
      const twin = (window as any).twinspace;
      return twin.panel.visible && twin.panel.root.host !== twin.gui;
    });
    expect(onPlane).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}xr.png` });
    await page.evaluate(() => {
      const twin = (window as any).twinspace;
      const [button] = twin.panel.root.getDescendants(
        false,
        (c: any) => c.name === 'button:Acknowledge',
      );
      button.onPointerUpObservable.notifyObservers({});
    });
    await page.waitForFunction(
      () => /accepted|rejected/.test((window as any).twinspace.panel.statusText),
      undefined,
      {
        timeout: 15_000,
      },
    );
    expect(await page.evaluate(() => (window as any).twinspace.panel.statusText)).toContain(
      'accepted',
    );
  }, 120_000);
});
/* eslint-enable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument */
