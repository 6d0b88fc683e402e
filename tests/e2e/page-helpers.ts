/**
 * What the browser tests do to a Twinspace page and ask of the server: open the app and wait
 * until it has started, find GUI controls on screen, read the panel's command status, and read
 * capsules back from the HTTP API. The page-side app is reached as `window.twinspace`.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { UserRole } from '../../digital-twin/index.js';
import { getJson, httpBase, passwordOf, tokenFor } from '../integration/server/helpers.js';

/** The viewport every browser test uses (the GUI's layout, and screenshots, depend on it). */
export const VIEWPORT = { width: 1280, height: 720 } as const;

/**
 * How long a page may take to start (ms). On this 2-core machine with other work running
 * (load average 10–12) a second page took over 60 s to build its plant in software WebGL.
 */
export const APP_START_TIMEOUT_MS = 150_000;

/**
 * Open the app as `name` in a new page and wait until it has started (`data-ready`), or fail
 * with the error it shows. `beforeLoad` runs before the page loads (init scripts: an emulated
 * headset must be in place before Babylon looks for WebXR).
 */
export async function openApp(
  browser: Browser | BrowserContext,
  url: string,
  name: string,
  beforeLoad?: (page: Page) => Promise<void>,
  role: UserRole = 'operator',
): Promise<Page> {
  // The user exists (made by admin through the API); the page signs in through its own form.
  await tokenFor(httpBase(url), name, role);
  // A context (with its own permissions, fake camera …) was made with its viewport already.
  const page =
    'newContext' in browser
      ? await browser.newPage({ viewport: VIEWPORT })
      : await browser.newPage();
  if (beforeLoad !== undefined) await beforeLoad(page);
  await page.goto(url);
  await signInOnPage(page, name);
  await page.waitForFunction(
    () => document.body.dataset['ready'] === 'true' || document.body.dataset['error'] !== undefined,
    undefined,
    { timeout: APP_START_TIMEOUT_MS },
  );
  const error = await page.evaluate(() => document.body.dataset['error'] ?? null);
  if (error !== null) throw new Error(`the app did not start: ${error}`);
  return page;
}

/** Fills the page's sign-in form as `name` (password as the test helpers made it) and submits. */
export async function signInOnPage(page: Page, name: string): Promise<void> {
  await page.waitForSelector('#sign-in-name', { timeout: APP_START_TIMEOUT_MS });
  await page.fill('#sign-in-name', name);
  await page.fill('#sign-in-password', passwordOf(name));
  await page.click('#sign-in-submit');
}

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument -- the page-side app is reached through window in page.evaluate */

/** Wait until the room has sent open capsules and the page draws at least one. */
export async function waitForCapsules(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as any).twinspace.layer.count > 0, undefined, {
    timeout: 60_000,
  });
}

/** Id of an active (not yet acknowledged) capsule the page knows, or null when there is none. */
export function activeCapsuleId(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const capsules = [...(window as any).twinspace.capsules.values()];
    return (capsules.find((c: any) => c.state === 'active')?.id as string | undefined) ?? null;
  });
}

/** Centre (CSS px) of a full-screen GUI control by name, or null when not laid out. */
export function controlCenter(page: Page, name: string): Promise<{ x: number; y: number } | null> {
  return page.evaluate((name) => {
    const control = (window as any).twinspace.gui.getControlByName(name);
    if (!control || !control.isVisible) return null;
    return { x: control.centerX as number, y: control.centerY as number };
  }, name);
}

/**
 * Centre of a full-screen GUI control once the GUI has laid it out (a new control has no
 * position until the next rendered frame), or null if it never is within `timeoutMs`.
 */
export async function waitForControlCenter(
  page: Page,
  name: string,
  timeoutMs = 4_000,
): Promise<{ x: number; y: number } | null> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const centre = await controlCenter(page, name);
    if (centre !== null && centre.x > 0 && centre.y > 0) return centre;
    if (Date.now() > until) return null;
    await page.waitForTimeout(100);
  }
}

/** Wait until the panel shows a command's outcome ("…: accepted" or "…: rejected: …"); return it. */
export async function waitForCommandStatus(page: Page, timeoutMs = 15_000): Promise<string> {
  await page.waitForFunction(
    () => /accepted|rejected/.test((window as any).twinspace.panel.statusText),
    undefined,
    { timeout: timeoutMs },
  );
  return page.evaluate(() => (window as any).twinspace.panel.statusText as string);
}

/* eslint-enable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument */

/** Open capsules on the server (id → state), from the HTTP API. */
export async function serverOpenCapsules(url: string): Promise<Map<string, string>> {
  const reply = await getJson(url, 'api/v1/capsules?limit=1000');
  const body = reply.body as unknown as { items: { id: string; state: string }[] };
  return new Map(
    body.items
      .filter((c) => c.state !== 'resolved' && c.state !== 'dismissed')
      .map((c) => [c.id, c.state]),
  );
}

/**
 * Name of whoever did `action` (e.g. `acknowledged`) to capsule `id`, from its history in the
 * HTTP API, or undefined if no one has within `timeoutMs`. The API reads what storage has
 * written, which trails the room by a batch, so this polls.
 */
export async function serverCapsuleActor(
  url: string,
  id: string,
  action: string,
  timeoutMs = 10_000,
): Promise<string | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const reply = await getJson(url, `api/v1/capsules/${encodeURIComponent(id)}`);
    if (reply.status === 200) {
      const body = reply.body as unknown as {
        capsule: { history: { action: string; actor: { name: string } }[] };
      };
      const actor = body.capsule.history.find((h) => h.action === action)?.actor.name;
      if (actor !== undefined) return actor;
    }
    if (Date.now() > until) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
