/**
 * The spatial client in Debian's Chromium against a real server (in-process createServer,
 * simulator with the cooling-pump-trip scenario so capsules open within seconds): the plant
 * renders, capsule instances match the server's open capsules, clicking a projected capsule
 * opens its panel, Acknowledge reaches the server and a second page, and a dropped connection
 * is shown, reconnected and resynced. Screenshots go to tests/e2e/artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { SEVERITIES } from '../../digital-twin/index.js';
import type { Severity } from '../../digital-twin/index.js';
import { SEVERITY_COLORS } from '../../xr-client/capsules/capsule-look.js';
import { chromiumPath, launchChromium } from './chromium.js';
import { liveServerUnavailable, startLiveServer } from './live-server.js';
import type { LiveServer } from './live-server.js';
import {
  activeCapsuleId,
  openApp,
  serverCapsuleActor,
  serverOpenCapsules,
  waitForCapsules,
  waitForCommandStatus,
  waitForControlCenter,
} from './page-helpers.js';

const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
const skipReason =
  chromiumPath() === null
    ? 'Chromium is not installed (set CHROMIUM_PATH)'
    : liveServerUnavailable();

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument -- the page-side app is reached through window in page.evaluate */
describe.skipIf(skipReason !== null)('spatial client against a live server', () => {
  let server: LiveServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startLiveServer({ SCENARIO: 'cooling-pump-trip', TIME_SCALE: '3' });
    browser = await launchChromium();
    page = await openApp(browser, server.url, 'Tester A');
    // The scenario trips the cooling pump early; wait until capsules are open.
    await waitForCapsules(page);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('renders the plant: the canvas differs from the clear colour over a large area', async () => {
    // Sampled frame by frame until the plant shows (a loaded machine may need a few frames before
    // every mesh is built); the test fails if it never covers a large area.
    const shareOfOneFrame = () =>
      page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const { scene, engine } = (window as any).twinspace.handles;
            scene.onAfterRenderObservable.addOnce(() => {
              const gl = engine._gl as WebGL2RenderingContext;
              const w = gl.drawingBufferWidth;
              const h = gl.drawingBufferHeight;
              const pixels = new Uint8Array(w * h * 4);
              gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
              const clear = [0.07 * 255, 0.09 * 255, 0.12 * 255];
              let differing = 0;
              for (let i = 0; i < pixels.length; i += 4) {
                const d =
                  Math.abs(pixels[i]! - clear[0]!) +
                  Math.abs(pixels[i + 1]! - clear[1]!) +
                  Math.abs(pixels[i + 2]! - clear[2]!);
                if (d > 12) differing += 1;
              }
              resolve(differing / (w * h));
            });
          }),
      );
    await page.bringToFront();
    let share = 0;
    const deadline = Date.now() + 30_000;
    while (share <= 0.1 && Date.now() < deadline) share = Math.max(share, await shareOfOneFrame());
    await page.screenshot({ path: `${ARTIFACTS}desktop.png` });
    // The demo plant's zones and equipment cover a good part of the default view.
    expect(share).toBeGreaterThan(0.1);
  });

  it('draws one capsule instance per open capsule on the server', async () => {
    let last = '';
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const server_ = await serverOpenCapsules(server.url);
      const client = await page.evaluate(() => ({
        count: (window as any).twinspace.layer.count as number,
        ids: [...(window as any).twinspace.capsules.keys()].sort() as string[],
      }));
      const serverIds = [...server_.keys()].sort();
      last = `server ${serverIds.join(',')} / client ${client.ids.join(',')} (instances ${client.count})`;
      if (client.count === serverIds.length && client.ids.join() === serverIds.join()) {
        expect(client.count).toBeGreaterThan(0);
        return;
      }
      await page.waitForTimeout(250);
    }
    throw new Error(`capsule instances never matched the server: ${last}`);
  });

  it('opens a capsule panel when its projected position is clicked', async () => {
    const target = await page.evaluate(() => {
      const twin = (window as any).twinspace;
      for (const id of twin.capsules.keys()) {
        const p = twin.projectCapsule(id);
        if (p !== null && p.x > 330 && p.x < 820 && p.y > 80 && p.y < 700)
          return { id: id as string, ...p };
      }
      return null;
    });
    expect(target).not.toBeNull();
    // Drawn where it is, in its severity's colour: the shader found the capsule's record and
    // its look in the look table.
    const severity = await page.evaluate(
      (id): Severity => (window as any).twinspace.capsules.get(id).severity,
      target!.id,
    );
    const nearTarget = await pixelsAround(page, target, 4);
    expect(
      nearTarget.some((rgb) => nearestSeverity(rgb) === severity),
      `no ${severity} pixel near the capsule at ${target!.x}, ${target!.y}: ${JSON.stringify(nearTarget)}`,
    ).toBe(true);
    await page.mouse.click(target!.x, target!.y);
    // Glyphs can overlap on screen: the nearest one under the cursor wins, so any capsule drawn
    // within a glyph's radius of the click is a correct answer; nothing selected is not.
    await page.waitForFunction(
      () => (window as any).twinspace.selection?.kind === 'capsule',
      undefined,
      {
        timeout: 10_000,
      },
    );
    const picked = await page.evaluate(() => {
      const twin = (window as any).twinspace;
      const id = twin.selection.id as string;
      return { id, at: twin.projectCapsule(id), title: twin.capsules.get(id)?.title as string };
    });
    expect(Math.hypot(picked.at.x - target!.x, picked.at.y - target!.y)).toBeLessThan(30);
    expect(await page.evaluate(() => (window as any).twinspace.panel.visible)).toBe(true);
    expect(
      await page.evaluate(() => (window as any).twinspace.gui.getControlByName('panel:title').text),
    ).toBe(picked.title);
    // The selected capsule carries a label, drawn as one more instance of the capsule mesh.
    await page.waitForFunction(
      (id) => {
        const twin = (window as any).twinspace;
        const labelled = twin.labels.labelled as string[];
        return labelled.includes(id) && twin.layer.instances === twin.layer.count + labelled.length;
      },
      picked.id,
      { timeout: 10_000 },
    );
    await page.screenshot({ path: `${ARTIFACTS}desktop-panel.png` });
  });

  it('Acknowledge changes the capsule on the server and in a second page', async () => {
    const second = await openApp(browser, server.url, 'Tester B');
    try {
      const id = await activeCapsuleId(page);
      expect(id, 'an active capsule to acknowledge').not.toBeNull();
      await page.evaluate((id) => (window as any).twinspace.select({ kind: 'capsule', id }), id);
      // Opening the second page sent this one to the background, where Chromium stops its
      // render loop, so the GUI would never lay the new panel's buttons out.
      await page.bringToFront();
      const button = await waitForControlCenter(page, 'button:Acknowledge');
      expect(button, 'the Acknowledge button laid out on screen').not.toBeNull();
      await page.mouse.click(button!.x, button!.y);
      expect(await waitForCommandStatus(page, 10_000)).toContain('accepted');
      // The capsule's history names who acknowledged it (it may resolve soon after, if its
      // condition clears).
      expect(await serverCapsuleActor(server.url, id!, 'acknowledged')).toBe('Tester A');
      await second.waitForFunction(
        (id) => {
          const capsule = (window as any).twinspace.capsules.get(id);
          return capsule === undefined || capsule.acknowledgedBy !== null;
        },
        id,
        { timeout: 10_000 },
      );
      expect(
        await second.evaluate(
          (id) => (window as any).twinspace.capsules.get(id)?.acknowledgedBy ?? 'closed',
          id,
        ),
      ).toMatch(/Tester A|closed/);
    } finally {
      await second.close();
    }
  }, 240_000);

  it('shows a dropped connection, refuses commands meanwhile, reconnects and resyncs', async () => {
    const statuses = await page.evaluate(async () => {
      const twin = (window as any).twinspace;
      const seen: string[] = [];
      twin.connection.simulateDrop();
      // The socket's close completes asynchronously; the status follows it.
      for (let i = 0; i < 100 && twin.status === 'online'; i += 1)
        await new Promise((r) => setTimeout(r, 20));
      seen.push(twin.status);
      const ack = await twin.command({
        type: 'capsule.ack',
        commandId: 'offline-1',
        capsuleId: 'C-1',
      });
      return { seen, ack };
    });
    expect(statuses.seen[0]).toBe('reconnecting');
    expect(statuses.ack).toMatchObject({ status: 'rejected', code: 'offline' });
    expect(await page.evaluate(() => (window as any).twinspace.panel.statusText)).toContain(
      'rejected',
    );
    await page
      .waitForFunction(() => document.body.dataset['status'] === 'reconnecting', undefined, {
        timeout: 5_000,
      })
      .catch(() => {});
    await page.waitForFunction(() => (window as any).twinspace.status === 'online', undefined, {
      timeout: 30_000,
    });
    const serverIds = [...(await serverOpenCapsules(server.url)).keys()].sort();
    await page.waitForFunction(
      (expected) => [...(window as any).twinspace.capsules.keys()].sort().join() === expected,
      serverIds.join(),
      { timeout: 10_000 },
    );
    await page.screenshot({ path: `${ARTIFACTS}desktop-reconnected.png` });
  }, 90_000);
});

/**
 * The severity whose colour `rgb` (0–255) has, or null for a dark or grey pixel: capsules are
 * drawn at brightness 0.3–1 with a darker rim, so the hue is compared, not the level.
 */
function nearestSeverity(rgb: [number, number, number]): Severity | null {
  const level = Math.hypot(...rgb);
  if (level < 60) return null;
  let best: Severity | null = null;
  let bestCos = 0.97;
  for (const severity of SEVERITIES) {
    const c = SEVERITY_COLORS[severity];
    const cos = (rgb[0] * c[0] + rgb[1] * c[1] + rgb[2] * c[2]) / (level * Math.hypot(...c));
    if (cos > bestCos) [best, bestCos] = [severity, cos];
  }
  return best;
}

/** The rendered pixels (r, g, b) within `radius` CSS pixels of `at`, read after the next frame. */
function pixelsAround(
  page: Page,
  at: { x: number; y: number },
  radius: number,
): Promise<[number, number, number][]> {
  return page.evaluate(
    ({ x, y, radius }) =>
      new Promise<[number, number, number][]>((resolve) => {
        const { scene, engine } = (window as any).twinspace.handles;
        scene.onAfterRenderObservable.addOnce(() => {
          const gl = engine._gl as WebGL2RenderingContext;
          const canvas = gl.canvas as HTMLCanvasElement;
          const scale = gl.drawingBufferWidth / canvas.clientWidth;
          const r = Math.ceil(radius * scale);
          const cx = Math.round(x * scale);
          const cy = gl.drawingBufferHeight - 1 - Math.round(y * scale);
          const size = 2 * r + 1;
          const pixels = new Uint8Array(size * size * 4);
          gl.readPixels(cx - r, cy - r, size, size, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
          const out: [number, number, number][] = [];
          for (let i = 0; i < pixels.length; i += 4)
            out.push([pixels[i]!, pixels[i + 1]!, pixels[i + 2]!]);
          resolve(out);
        });
      }),
    { ...at, radius },
  );
}
/* eslint-enable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument */
