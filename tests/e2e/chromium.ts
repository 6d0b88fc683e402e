/**
 * Launch Debian's Chromium through playwright-core with the flags every Twinspace browser test
 * uses. `CHROMIUM_PATH` overrides the binary; `chromiumPath()` says whether one is present so
 * tests can skip with a reason instead of failing on a machine without it.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--headless',
  // Software WebGL2 (SwiftShader): the only GL there is on a machine without a GPU.
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

/** Path of the Chromium binary, or null when none is installed. */
export function chromiumPath(): string | null {
  const path = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
  return existsSync(path) ? path : null;
}

/**
 * Launch headless Chromium; throws with a clear message when it is missing. `extraArgs` come
 * after the common flags (a fake camera for the hand tests, …).
 */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  const executablePath = chromiumPath();
  if (executablePath === null) {
    throw new Error(
      "Chromium not found at /usr/bin/chromium: install Debian's chromium or set CHROMIUM_PATH",
    );
  }
  return chromium.launch({
    executablePath,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    headless: true,
  });
}
