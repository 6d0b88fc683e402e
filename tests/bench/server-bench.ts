/**
 * Patch latency of the live plant room: from the moment the engine applies a sensor change to
 * the moment a colyseus.js client's callback sees it, with 1, 50 and 200 clients connected over
 * real WebSockets. The server runs in this process at real time (10 Hz simulator steps) on the
 * full demo plant; the clients run in a child process (this file with `--bench-clients`), as they
 * would on other machines, so decoding 200 copies of each patch does not stall the server's loop.
 * Times are compared as `performance.timeOrigin + performance.now()` in both processes.
 *
 * The patch interval is printed as the reference: a change waits on average half an interval for
 * the next patch, so p50 ≈ interval / 2 and p99 ≈ one interval are the floor.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, getStateCallbacks } from 'colyseus.js';
import type { Room } from 'colyseus.js';
import { loadConfig } from '../../sim-server/config.js';
import { createServer } from '../../sim-server/server.js';
import { httpBase, TEST_ADMIN_PASSWORD, tokenFor } from '../integration/server/helpers.js';
import { percentile } from './percentile.js';

const ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));
const THIS_FILE = fileURLToPath(import.meta.url);
const CLIENTS_FLAG = '--bench-clients';
const PATCH_RATE_MS = 50;
const SENSOR = 'R-101.TT-01';
/** Clients, and how long to measure them: a lone client gets longer so its p99 rests on ~150 samples. */
const RUNS = [
  { clients: 1, measureMs: 12_000 },
  { clients: 50, measureMs: 6000 },
  { clients: 200, measureMs: 6000 },
];
const WARM_UP_MS = 1500;
/** At most this many clients per child process: one JS thread decoding 200 patch streams is the bottleneck otherwise. */
const CLIENTS_PER_PROCESS = 50;

type Figures = Record<string, number | string>;
/** Parent → clients: start or stop recording. Clients → parent: joined, then [plant t, seen at]. */
type ToClients = { type: 'measure' } | { type: 'stop' };
type FromClients = { type: 'joined' } | { type: 'samples'; samples: [number, number][] };

interface StateView {
  sensors: Map<string, { t: number }>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const now = (): number => performance.timeOrigin + performance.now();

/** Child-process side: join `count` clients and record when each sees a new reading of SENSOR. */
async function runClients(wsUrl: string, count: number): Promise<void> {
  let measuring = false;
  const samples: [number, number][] = [];
  const rooms: Room<StateView>[] = [];
  for (let i = 0; i < count; i++) {
    const room = await new Client(wsUrl).joinOrCreate<StateView>('plant', {
      name: `bench ${i}`,
      token: process.env['TWINSPACE_BENCH_TOKEN'],
    });
    const $ = getStateCallbacks(room);
    $(room.state).sensors.onAdd((sensor, id) => {
      if (id !== SENSOR) return;
      $(sensor).listen('t', (t: number) => {
        if (measuring) samples.push([t, now()]);
      });
    });
    rooms.push(room);
  }
  process.on('message', (message: ToClients) => {
    if (message.type === 'measure') measuring = true;
    else {
      measuring = false;
      process.send?.({ type: 'samples', samples } satisfies FromClients, () => {
        void Promise.all(rooms.map((room) => room.leave(true).catch(() => undefined))).then(() =>
          process.exit(0),
        );
      });
    }
  });
  process.send?.({ type: 'joined' } satisfies FromClients);
}

function nextMessage(child: ChildProcess, type: FromClients['type']): Promise<FromClients> {
  return new Promise((resolvePromise, reject) => {
    const onMessage = (message: FromClients): void => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      resolvePromise(message);
    };
    child.on('message', onMessage);
    child.once('exit', (code) =>
      reject(new Error(`bench clients exited with ${code} before '${type}'`)),
    );
  });
}

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
      ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    },
    ROOT,
  );
  const server = await createServer(config);
  const wsUrl = `ws://127.0.0.1:${server.port}`;
  // The client processes (forked, so they inherit the environment) join with this token.
  process.env['TWINSPACE_BENCH_TOKEN'] = await tokenFor(httpBase(wsUrl));
  // When the engine applied each reading of the watched sensor, keyed by its plant time.
  const appliedAt = new Map<number, number>();
  server.engine.subscribe((events) => {
    const at = now();
    for (const event of events) {
      if (event.type !== 'readings') continue;
      if (event.readings.some((r) => r.sensorId === SENSOR)) appliedAt.set(event.t, at);
    }
  });

  const figures: Figures = {
    'patch interval (ms)': PATCH_RATE_MS,
    'plant sensors': server.engine.plant.sensors.length,
    // Other work on the machine shows up in every figure here; this says how much there was.
    'load average at start (1 min)': loadavg()[0] ?? NaN,
  };
  let baselineP99 = NaN;
  try {
    for (const { clients: count, measureMs } of RUNS) {
      const sizes: number[] = [];
      for (let left = count; left > 0; left -= CLIENTS_PER_PROCESS)
        sizes.push(Math.min(left, CLIENTS_PER_PROCESS));
      const children = sizes.map((size) =>
        fork(THIS_FILE, [CLIENTS_FLAG, wsUrl, String(size)], {
          execArgv: ['--import', 'tsx'],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        }),
      );
      await Promise.all(children.map((child) => nextMessage(child, 'joined')));
      await sleep(WARM_UP_MS);
      for (const child of children) child.send({ type: 'measure' } satisfies ToClients);
      await sleep(measureMs);
      const replies = children.map((child) => nextMessage(child, 'samples'));
      const exits = children.map((child) => new Promise((r) => child.once('exit', r)));
      for (const child of children) child.send({ type: 'stop' } satisfies ToClients);
      const samples = (await Promise.all(replies)).flatMap(
        (reply) => (reply as Extract<FromClients, { type: 'samples' }>).samples,
      );
      await Promise.all(exits);
      const latencies: number[] = [];
      for (const [t, seenAt] of samples) {
        const applied = appliedAt.get(t);
        if (applied !== undefined) latencies.push(seenAt - applied);
      }
      appliedAt.clear();
      latencies.sort((a, b) => a - b);
      const p99 = percentile(latencies, 0.99);
      if (count === 1) baselineP99 = p99;
      figures[`${count} client(s): p50 (ms)`] = percentile(latencies, 0.5);
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

const clientsAt = process.argv.indexOf(CLIENTS_FLAG);
if (clientsAt >= 0 && resolve(process.argv[1] ?? '') === THIS_FILE) {
  await runClients(process.argv[clientsAt + 1] ?? '', Number(process.argv[clientsAt + 2]));
}
