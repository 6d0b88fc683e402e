/**
 * Patch latency of the live plant room: from the moment the engine applies a sensor change to
 * the moment a colyseus.js client's callback sees it, with 1, 50 and 200 clients connected over
 * real WebSockets. The server runs in this process at real time (10 Hz simulator steps); the
 * clients run here too, so their decoding shares the event loop with the server and the figures
 * are an upper bound. The patch interval is printed beside them as the reference: a change waits
 * on average half an interval for the next patch, so p99 ≈ one interval is the floor.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, getStateCallbacks } from 'colyseus.js';
import type { Room } from 'colyseus.js';
import { loadConfig } from '../../sim-server/config.js';
import { createServer } from '../../sim-server/server.js';

const ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));
const PATCH_RATE_MS = 50;
const SENSOR = 'R-101.TT-01';
/** Clients, and how long to measure them: a lone client gets longer so its p99 rests on ~150 samples. */
const RUNS = [
  { clients: 1, measureMs: 15_000 },
  { clients: 50, measureMs: 8000 },
  { clients: 200, measureMs: 8000 },
];
const WARM_UP_MS = 2000;

type Figures = Record<string, number | string>;

interface SensorView {
  t: number;
}
interface StateView {
  sensors: { onAdd?: unknown } & Map<string, SensorView>;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function benchServer(): Promise<Figures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'twinspace-bench-'));
  const config = loadConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      TIME_SCALE: '1',
      PATCH_RATE_MS: String(PATCH_RATE_MS),
      LOG_LEVEL: 'silent',
    },
    ROOT,
  );
  const server = await createServer(config);
  const wsUrl = `ws://127.0.0.1:${server.port}`;
  // When the engine applied each reading of the watched sensor, keyed by its plant time.
  const appliedAt = new Map<number, number>();
  server.engine.subscribe((events) => {
    const now = performance.now();
    for (const event of events) {
      if (event.type !== 'readings') continue;
      if (event.readings.some((r) => r.sensorId === SENSOR)) appliedAt.set(event.t, now);
    }
  });

  const figures: Figures = { 'patch interval (ms)': PATCH_RATE_MS };
  let baselineP99 = NaN;
  try {
    for (const { clients: count, measureMs } of RUNS) {
      let measuring = false;
      const latencies: number[] = [];
      const rooms: Room<StateView>[] = [];
      for (let i = 0; i < count; i++) {
        const room = await new Client(wsUrl).joinOrCreate<StateView>('plant', {
          name: `bench ${i}`,
        });
        const $ = getStateCallbacks(room);
        $(room.state).sensors.onAdd((sensor, id) => {
          if (id !== SENSOR) return;
          $(sensor).listen('t', (t: number) => {
            if (!measuring) return;
            const applied = appliedAt.get(t);
            if (applied !== undefined) latencies.push(performance.now() - applied);
          });
        });
        rooms.push(room);
      }
      await sleep(WARM_UP_MS);
      measuring = true;
      await sleep(measureMs);
      measuring = false;
      await Promise.all(rooms.map((room) => room.leave(true).catch(() => undefined)));
      await sleep(300);
      appliedAt.clear();
      latencies.sort((a, b) => a - b);
      const p50 = percentile(latencies, 50);
      const p99 = percentile(latencies, 99);
      if (count === 1) baselineP99 = p99;
      figures[`${count} client(s): p50 (ms)`] = p50;
      figures[`${count} client(s): p99 (ms)`] = p99;
      figures[`${count} client(s): max (ms)`] = latencies.at(-1) ?? NaN;
      figures[`${count} client(s): p99 / patch interval`] = p99 / PATCH_RATE_MS;
      figures[`${count} client(s): p99 vs 1 client`] = p99 / baselineP99;
      figures[`${count} client(s): samples`] = latencies.length;
    }
    figures['goal p99 (ms)'] = PATCH_RATE_MS + 10;
    figures['patches sent'] = server.metrics.patchBytes.count;
    figures['mean patch size (bytes)'] =
      server.metrics.patchBytes.sum / Math.max(1, server.metrics.patchBytes.count);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return figures;
}
