/**
 * Sign-in and roles in Chromium against a live server: a wrong password is refused on the form,
 * the signed-in bar names the user and role, an operator moves a valve only through the
 * confirmation in the panel, and a viewer sees the same controls disabled with the reason.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { getJson, httpBase, tokenFor } from '../integration/server/helpers.js';
import { chromiumPath, launchChromium } from './chromium.js';
import { liveServerUnavailable, startLiveServer } from './live-server.js';
import type { LiveServer } from './live-server.js';
import { openApp, waitForCommandStatus, waitForControlCenter } from './page-helpers.js';

const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
const skipReason =
  chromiumPath() === null
    ? 'Chromium is not installed (set CHROMIUM_PATH)'
    : liveServerUnavailable();

/** The valve commands the server accepted from `name`, from the command audit trail. */
async function acceptedValveCommands(url: string, name: string): Promise<unknown[]> {
  const reply = await getJson(url, 'api/v1/commands?limit=1000');
  const items = reply.body['items'] as {
    type: string;
    status: string;
    actor: { name: string };
  }[];
  return items.filter(
    (c) => c.type === 'valve.actuate' && c.status === 'accepted' && c.actor.name === name,
  );
}

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment -- the page-side app is reached through window in page.evaluate */
describe.skipIf(skipReason !== null)('sign-in and roles in the browser', () => {
  let server: LiveServer;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startLiveServer({ TIME_SCALE: '1' });
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('refuses a wrong password on the sign-in form and says why', async () => {
    await tokenFor(httpBase(server.url), 'Wanda', 'operator');
    const page = await browser.newPage();
    try {
      await page.goto(server.url);
      await page.fill('#sign-in-name', 'Wanda');
      await page.fill('#sign-in-password', 'not-her-password');
      await page.click('#sign-in-submit');
      await page.waitForFunction(
        () => (document.getElementById('sign-in-error')?.textContent ?? '') !== '',
      );
      expect(await page.textContent('#sign-in-error')).toMatch(/name or password is wrong/);
      // Nothing of the plant was loaded.
      expect(await page.evaluate(() => document.body.dataset['ready'] ?? null)).toBeNull();
    } finally {
      await page.close();
    }
  }, 120_000);

  it('an operator opens a valve only through the confirmation in the panel', async () => {
    const page = await openApp(browser, server.url, 'Olive', undefined, 'operator');
    try {
      expect(await page.textContent('#user-name')).toBe('Olive · operator');
      await page.evaluate(() =>
        (window as any).twinspace.select({ kind: 'equipment', id: 'V-102' }),
      );
      const close = await waitForControlCenter(page, 'button:Close');
      expect(close, 'the Close button laid out').not.toBeNull();
      await page.mouse.click(close!.x, close!.y);
      await page.waitForFunction(() => (window as any).twinspace.panel.confirming !== null);
      const asking = await page.evaluate(() => (window as any).twinspace.panel.confirming);
      expect(asking).toMatch(/Close V-102\.POS .* to 0 %/);
      expect(asking).toMatch(/no interlock applies|interlocks clear/);
      await page.screenshot({ path: `${ARTIFACTS}confirm-dialog.png` });
      // Nothing moved yet.
      expect(await acceptedValveCommands(server.url, 'Olive')).toHaveLength(0);
      const confirm = await waitForControlCenter(page, 'button:Confirm');
      await page.mouse.click(confirm!.x, confirm!.y);
      expect(await waitForCommandStatus(page)).toContain('accepted');
      await expect
        .poll(() => acceptedValveCommands(server.url, 'Olive'), { timeout: 10_000 })
        .toHaveLength(1);
    } finally {
      await page.close();
    }
  }, 240_000);

  it('a viewer sees the plant controls disabled, with the reason', async () => {
    const page = await openApp(browser, server.url, 'Vic', undefined, 'viewer');
    try {
      expect(await page.textContent('#user-name')).toBe('Vic · viewer');
      await page.evaluate(() =>
        (window as any).twinspace.select({ kind: 'equipment', id: 'V-102' }),
      );
      const open = await waitForControlCenter(page, 'button:Open');
      expect(open).not.toBeNull();
      const reason = await page.evaluate(
        () =>
          (window as any).twinspace.gui.getControlByName('button:Open').metadata?.disabledReason,
      );
      expect(reason).toBe('valve.actuate needs the operator role or higher; you are a viewer');
      await page.mouse.click(open!.x, open!.y);
      await page.waitForFunction(() =>
        (window as any).twinspace.panel.statusText.includes('needs the operator role'),
      );
      expect(await page.evaluate(() => (window as any).twinspace.panel.confirming)).toBeNull();
      expect(await acceptedValveCommands(server.url, 'Vic')).toHaveLength(0);
    } finally {
      await page.close();
    }
  }, 240_000);
});
/* eslint-enable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment */
