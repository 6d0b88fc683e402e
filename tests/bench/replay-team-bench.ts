/**
 * A team in one replay: 20 colyseus.js clients join the replay room of a captured mission and
 * one of them seeks. Figures: time from sending the seek to each client's view showing the new
 * playhead (p50/p99 over every client and seek), beside the time to the sender's own ack — the
 * baseline the same server needs for one round trip — and the room's patch interval. The
 * server and the clients share this process, as in the integration tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  httpBase,
  joinReplay,
  postJson,
  startTestServer,
  waitFor,
} from '../integration/server/helpers.js';
import type { TestClient, TestServer } from '../integration/server/helpers.js';
import { percentile } from './percentile.js';

type Figures = Record<string, number | string>;

const CLIENTS = 20;
const SEEKS = 30;
const PATCH_RATE_MS = 50;

/** Seeks from one client of `CLIENTS` in the mission's replay; every client's follow time and the sender's ack. */
async function measure(
  server: TestServer,
  mission: { id: string; fromT: number; toT: number },
): Promise<{ followMs: number[]; ackMs: number[] }> {
  const clients: TestClient[] = [];
  try {
    for (let i = 0; i < CLIENTS; i += 1)
      clients.push(await joinReplay(server.wsUrl, mission.id, `Bench ${i + 1}`));
    await waitFor(() => clients.every((c) => c.state().mission?.id === mission.id), 'everyone in');
    const [sender] = clients as [TestClient];
    const state = clients[0]?.state().mission?.state;
    if (state === 'draft') await sender.control({ type: 'start' });
    if (clients[0]?.state().mission?.playing === true) await sender.control({ type: 'pause' });

    const followMs: number[] = [];
    const ackMs: number[] = [];
    const span = mission.toT - mission.fromT;
    for (let i = 0; i < SEEKS; i += 1) {
      const t = mission.fromT + Math.round(((i % 10) + 0.5) * (span / 10)) + i;
      const start = performance.now();
      const seen = clients.map(
        (client) =>
          new Promise<void>((done) => {
            const check = (): void => {
              if (client.state().mission?.t === t) {
                followMs.push(performance.now() - start);
                done();
              } else setTimeout(check, 1);
            };
            check();
          }),
      );
      const ack = await sender.control({ type: 'seek', t });
      ackMs.push(performance.now() - start);
      if (!ack.ok) throw new Error(`seek ${t} refused: ${JSON.stringify(ack)}`);
      await Promise.all(seen);
    }
    followMs.sort((a, b) => a - b);
    ackMs.sort((a, b) => a - b);
    return { followMs, ackMs };
  } finally {
    for (const client of clients) await client.leave().catch(() => undefined);
  }
}

/**
 * Twice: with the live plant running at 100× (the recording's pace, a stress on this one
 * thread) and after a restart on the same database with the live plant at 1× (production).
 */
export async function benchReplayTeam(): Promise<Figures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'twinspace-bench-team-'));
  const figures: Figures = { clients: CLIENTS, seeks: SEEKS, 'patch interval ms': PATCH_RATE_MS };
  try {
    const env = { DATA_DIR: dataDir, PATCH_RATE_MS: String(PATCH_RATE_MS) };
    let server = await startTestServer({ ...env, TIME_SCALE: '100' });
    let mission: { id: string; fromT: number; toT: number };
    try {
      // Three minutes of plant time to replay (TIME_SCALE 100: under two seconds).
      const started = server.server.engine.twin.t;
      await waitFor(() => server.server.engine.twin.t > started + 180_000, 'plant time', 60_000);
      const created = await postJson(httpBase(server.wsUrl), '/api/v1/missions', {
        title: 'Team bench',
        lastMinutes: 2,
      });
      mission = created.body['mission'] as typeof mission;
      report(figures, 'live at 100×', await measure(server, mission));
    } finally {
      await server.stop();
    }
    server = await startTestServer({ ...env, TIME_SCALE: '1' });
    try {
      report(figures, 'live at 1×', await measure(server, mission));
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return figures;
}

function report(
  figures: Figures,
  label: string,
  { followMs, ackMs }: { followMs: number[]; ackMs: number[] },
): void {
  figures[`${label}: everyone follows p50 ms`] = percentile(followMs, 0.5);
  figures[`${label}: everyone follows p99 ms`] = percentile(followMs, 0.99);
  figures[`${label}: sender ack p50 ms (baseline)`] = percentile(ackMs, 0.5);
  figures[`${label}: sender ack p99 ms (baseline)`] = percentile(ackMs, 0.99);
  figures[`${label}: follow p99 / patch interval`] = percentile(followMs, 0.99) / PATCH_RATE_MS;
}
