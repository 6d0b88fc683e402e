/**
 * `npm run bench -- auth`: what sign-in and the permission table cost on the command path.
 *
 * - Command round trip (send → ack) through a real colyseus.js client, with every check on,
 *   against the same server with the room's per-message rate limiter and audit write bypassed
 *   (patched here, in the bench only). Blocks of the two alternate so drift hits both alike.
 * - In-process: one `permits()` lookup and one access-token verification.
 * - HTTP requests/s on the hand-made router: a gated read (`/api/v1/auth/me`, token verified)
 *   against the open `/healthz` — the figure a move to another framework is measured against.
 */
import { permits } from '../../digital-twin/index.js';
import { RoomSessions } from '../../sim-server/auth/room-sessions.js';
import { httpBase, joinPlant, startTestServer, tokenFor } from '../integration/server/helpers.js';
import { percentile } from './percentile.js';

type Figures = Record<string, number | string>;

const BLOCKS = 10;
const PER_BLOCK = 100;
const HTTP_MS = 3_000;

function summary(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

async function requestsPerSecond(url: string, headers: Record<string, string>): Promise<number> {
  let count = 0;
  const until = performance.now() + HTTP_MS;
  const started = performance.now();
  while (performance.now() < until) {
    const response = await fetch(url, { headers });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    count += 1;
  }
  return count / ((performance.now() - started) / 1000);
}

export async function benchAuth(): Promise<Figures> {
  // No scenario: a quiet plant, so the round trip is the command path and not other traffic.
  const server = await startTestServer({
    SCENARIO: 'none',
    PATCH_RATE_MS: '10',
    HTTP_REQUESTS_PER_MIN: '1000000',
    ROOM_MESSAGES_PER_S: '10000',
  });
  const base = httpBase(server.wsUrl);
  const client = await joinPlant(server.wsUrl, 'Bench', 'operator');
  const figures: Figures = { 'patch interval (ms)': 10 };
  const receive = Object.getOwnPropertyDescriptor(RoomSessions.prototype, 'receive')!;
  const audit = server.server.auth.audit.bind(server.server.auth);
  try {
    const checked: number[] = [];
    const bypassed: number[] = [];
    let n = 0;
    const roundTrips = async (into: number[]): Promise<void> => {
      for (let i = 0; i < PER_BLOCK; i++) {
        n += 1;
        const t0 = performance.now();
        // An unknown capsule: decided and refused by the twin, so nothing accumulates.
        await client.command({ type: 'capsule.ack', commandId: `b${n}`, capsuleId: 'C-999999' });
        into.push(performance.now() - t0);
      }
    };
    await roundTrips([]); // warm-up
    for (let block = 0; block < BLOCKS; block++) {
      await roundTrips(checked);
      RoomSessions.prototype.receive = function (_client, handler) {
        handler();
      };
      server.server.auth.audit = () => Promise.resolve();
      try {
        await roundTrips(bypassed);
      } finally {
        Object.defineProperty(RoomSessions.prototype, 'receive', receive);
        server.server.auth.audit = audit;
      }
    }
    const on = summary(checked);
    const off = summary(bypassed);
    figures['command round trip, checks on p50 (ms)'] = on.p50;
    figures['command round trip, checks on p99 (ms)'] = on.p99;
    figures['command round trip, bypassed p50 (ms)'] = off.p50;
    figures['command round trip, bypassed p99 (ms)'] = off.p99;
    figures['added by auth at p99 (ms, goal < 1)'] = on.p99 - off.p99;

    const LOOKUPS = 1_000_000;
    let allowed = 0;
    let t0 = performance.now();
    for (let i = 0; i < LOOKUPS; i++) if (permits('operator', 'valve.actuate')) allowed += 1;
    figures['permits() per call (ns)'] = ((performance.now() - t0) / LOOKUPS) * 1e6;
    if (allowed !== LOOKUPS) throw new Error('permits() changed its answer');
    const token = await tokenFor(base, 'Bench');
    const VERIFIES = 2_000;
    t0 = performance.now();
    for (let i = 0; i < VERIFIES; i++) await server.server.auth.verifyAccess(token);
    figures['token verification per call (µs)'] = ((performance.now() - t0) / VERIFIES) * 1000;

    const open = await requestsPerSecond(new URL('/healthz', base).href, {});
    const gated = await requestsPerSecond(new URL('/api/v1/auth/me', base).href, {
      authorization: `Bearer ${token}`,
    });
    figures['router GET /healthz (open) req/s'] = open;
    figures['router GET /api/v1/auth/me (gated) req/s'] = gated;
    figures['gated / open'] = gated / open;
  } finally {
    await client.leave();
    await server.stop();
  }
  return figures;
}
