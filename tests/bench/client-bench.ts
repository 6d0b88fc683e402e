/**
 * Client frame cost: the capsule layer (thin instances, 10 % of capsules changing per frame,
 * labels for the nearest few) against a bare Babylon scene with the same thin-instance count
 * rewriting the same number of matrices, in the same page, engine and browser run. Both app
 * sides keep the same record per entity (position, instance index) and do the same work per
 * change: pick a random entity, read its record, derive its new look (size or state) from the
 * frame and its new height from the old one. The bare side then writes the instance matrix by
 * hand; the capsule side calls `layer.update` at the instance index it kept. The same scene
 * changed by id through `upsert` (how room patches arrive) is printed beside it. Headless
 * Chromium renders in software here, so FPS means nothing; main-thread CPU ms per frame and
 * draw calls are the figures. Software frames take up to a second, so the label scheduler
 * (time-based) is fed a 60 Hz frame clock, as on a device; the labels part is its mean over
 * frames that search and frames that do not.
 */
import type { BenchOptions, BenchRow } from '../../xr-client/bench/bench-main.js';
import { launchChromium } from '../e2e/chromium.js';
import { serveBuiltClient } from '../e2e/serve-client.js';

const OPTIONS: BenchOptions = {
  counts: (process.env['CLIENT_BENCH_COUNTS'] ?? '1000,10000,100000').split(',').map(Number),
  changeShare: 0.1,
  warmupFrames: Number(process.env['CLIENT_BENCH_WARMUP'] ?? 15),
  frames: Number(process.env['CLIENT_BENCH_FRAMES'] ?? 60),
  labels: process.env['CLIENT_BENCH_LABELS'] !== '0',
};

/** Run the page bench and return figures for tests/bench/run.ts to print. */
export async function benchClient(): Promise<Record<string, number | string>> {
  const served = await serveBuiltClient();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const offsite: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(served.url)) offsite.push(request.url());
    });
    await page.goto(`${served.url}bench.html`);
    await page.waitForFunction(() => document.title.endsWith('(ready)'), undefined, {
      timeout: 60_000,
    });
    if (!(await page.evaluate(() => window.crossOriginIsolated)))
      throw new Error(
        'the bench page is not cross-origin isolated: timings would be 100 µs coarse',
      );
    const rows = await page.evaluate((options) => window.twinspaceBench.run(options), OPTIONS);
    const figures: Record<string, number | string> = {};
    for (const row of rows) figures[`${row.count} capsules`] = describe(row);
    for (const row of rows) {
      const k = `${row.count / 1000}k`;
      figures[`${k} bare ms/frame (median)`] = row.bare.medianMs;
      figures[`${k} capsules ms/frame (median)`] = row.capsules.medianMs;
      figures[`${k} ratio capsules/bare (goal ≤ 1.2)`] = row.ratio;
      figures[`${k} update part bare / capsules ms`] =
        `${row.bare.updateMedianMs.toFixed(2)} / ${row.capsules.updateMedianMs.toFixed(2)}`;
      figures[`${k} parts bare (mean ms)`] = parts(row.bare.partsMs);
      figures[`${k} parts capsules (mean ms)`] = parts(row.capsules.partsMs);
      if (row.byId !== null)
        figures[`${k} capsules changed by id (upsert) ms/frame, ratio`] =
          `${row.byId.medianMs.toFixed(2)} (×${(row.byId.medianMs / row.bare.medianMs).toFixed(2)}); write ${(row.byId.partsMs['write'] ?? NaN).toFixed(2)} ms`;
      figures[`${k} draw calls bare / capsules`] =
        `${row.bare.drawCalls} / ${row.capsules.drawCalls}`;
      if (row.withPlant !== null) {
        figures[`${k} capsules + demo plant ms/frame`] = row.withPlant.medianMs;
        figures[`${k} draw calls with plant`] = row.withPlant.drawCalls;
      }
    }
    figures['requests off localhost'] = offsite.length === 0 ? 'none' : offsite.join(', ');
    return figures;
  } finally {
    await browser.close();
    await served.close();
  }
}

function parts(partsMs: Record<string, number>): string {
  return Object.entries(partsMs)
    .map(([name, ms]) => `${name} ${ms.toFixed(2)}`)
    .join(', ');
}

function describe(row: BenchRow): string {
  return (
    `${row.changedPerFrame} changed/frame; median ${row.capsules.medianMs.toFixed(2)} ms vs bare ` +
    `${row.bare.medianMs.toFixed(2)} ms (×${row.ratio.toFixed(2)}); p95 ${row.capsules.p95Ms.toFixed(2)} vs ` +
    `${row.bare.p95Ms.toFixed(2)}; draw calls ${row.capsules.drawCalls} vs ${row.bare.drawCalls}`
  );
}
