/**
 * `npm start` as a child process: acknowledge a capsule, wait until the API reports it stored,
 * kill the process with SIGKILL (no flush, no goodbye), start it again on the same DATA_DIR and
 * find the capsule and its acknowledgement in the API and in the live room.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  criticalOnReactor,
  getJson,
  joinPlant,
  spawnServer,
  waitFor,
  writeTestPlant,
} from './helpers.js';
import type { ServerProcess } from './helpers.js';

const dataDir = mkdtempSync(join(tmpdir(), 'twinspace-restart-'));
const plantPath = writeTestPlant(dataDir);
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts `tsx sim-server/main.ts` on the test's DATA_DIR, with the cooling-pump trip sped up. */
async function startMain(): Promise<ServerProcess> {
  const server = await spawnServer({
    DATA_DIR: dataDir,
    PLANT: plantPath,
    SCENARIO: 'cooling-pump-trip',
    TIME_SCALE: '100',
    SNAPSHOT_EVERY_S: '20',
    PATCH_RATE_MS: '50',
  });
  children.push(server.child);
  return server;
}

describe('restart after SIGKILL', () => {
  it('keeps every capsule and acknowledgement it reported as stored', async () => {
    const first = await startMain();
    const base = `http://127.0.0.1:${first.port}/`;
    const alice = await joinPlant(`ws://127.0.0.1:${first.port}`, 'Alice');
    const capsule = await waitFor(
      () => criticalOnReactor(alice.state()),
      'a critical capsule on R-101',
      90_000,
    );
    const ack = await alice.command({
      type: 'capsule.ack',
      commandId: 'ack-before-kill',
      capsuleId: capsule.id,
    });
    expect(ack.status).toBe('accepted');
    // The API reads the database: once it shows the acknowledgement, the acknowledgement is durable.
    await waitFor(async () => {
      const { body } = await getJson(base, `/api/v1/capsules/${capsule.id}`);
      const stored = body['capsule'] as { history?: { action: string }[] } | undefined;
      return stored?.history?.some((h) => h.action === 'acknowledged');
    }, 'the acknowledgement to be stored');
    const before = (await getJson(base, '/api/v1/plant')).body['live'] as { durableSeq: number };

    first.child.kill('SIGKILL');
    await waitFor(
      () => first.child.exitCode !== null || first.child.signalCode !== null,
      'the server to die',
    );

    const second = await startMain();
    expect(second.output()).toContain('recovered');
    const base2 = `http://127.0.0.1:${second.port}/`;
    const { status, body } = await getJson(base2, `/api/v1/capsules/${capsule.id}`);
    expect(status).toBe(200);
    const stored = body['capsule'] as {
      history: { action: string; actor: { name: string } }[];
      state: string;
    };
    expect(stored.history.find((h) => h.action === 'acknowledged')?.actor.name).toBe('Alice');
    const live = (await getJson(base2, '/api/v1/plant')).body['live'] as { seq: number };
    expect(live.seq).toBeGreaterThanOrEqual(before.durableSeq);

    // The live twin was rebuilt too: the room shows the capsule still acknowledged by Alice
    // (unless the plant recovered meanwhile and the rules resolved it, which history would show).
    const bob = await joinPlant(`ws://127.0.0.1:${second.port}`, 'Bob');
    const seen = bob.state().capsules.get(capsule.id);
    if (seen === undefined) {
      const now = await getJson(base2, `/api/v1/capsules/${capsule.id}`);
      expect((now.body['capsule'] as { state: string }).state).toBe('resolved');
    } else {
      expect(seen.state).toBe('acknowledged');
      expect(seen.acknowledgedBy).toBe('Alice');
    }
    const again = await bob.command({
      type: 'capsule.ack',
      commandId: 'ack-after-restart',
      capsuleId: capsule.id,
    });
    expect(again.status).toBe('rejected');
    await bob.leave();

    // A graceful stop flushes and exits 0.
    second.child.kill('SIGTERM');
    const code = await waitFor(() => second.child.exitCode ?? undefined, 'a clean exit', 20_000);
    expect(code).toBe(0);
  }, 240_000);
});
