/**
 * Who may do what, through real HTTP and real colyseus.js clients: tokens at every door, the
 * permission table for every role × command × route, confirmation and interlocks before the
 * plant moves, one audit record per outcome, brute-force locks, flood disconnects, revocation.
 */
import { Client } from 'colyseus.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMMAND_TYPES,
  PERMISSIONS,
  permits,
  ROUTE_ACTIONS,
  USER_ROLES,
} from '../../../digital-twin/index.js';
import type { Command, RouteAction } from '../../../digital-twin/index.js';
import {
  getJson,
  httpBase,
  joinPlant,
  patchJson,
  postJson,
  signIn,
  startTestServer,
  TEST_ADMIN_PASSWORD,
  tokenFor,
  waitFor,
} from './helpers.js';
import type { JsonReply, TestServer } from './helpers.js';

/** The audit records of one command, by its commandId. */
async function auditOf(base: string, commandId: string): Promise<Record<string, unknown>[]> {
  const page = await getJson(base, '/api/v1/audit?limit=1000');
  const items = page.body['items'] as { detail: { commandId?: string } | null }[];
  return items.filter((item) => item.detail?.commandId === commandId);
}

/** Waits for exactly one audit record of `commandId` (audit rows are written just after the ack). */
async function oneAuditRecord(base: string, commandId: string): Promise<Record<string, unknown>> {
  const records = await waitFor(async () => {
    const found = await auditOf(base, commandId);
    return found.length > 0 ? found : undefined;
  }, `the audit record of ${commandId}`);
  // Give a second record (there must be none) the time to land.
  await new Promise((r) => setTimeout(r, 200));
  expect(await auditOf(base, commandId)).toHaveLength(1);
  return records[0]!;
}

let ids = 0;
function commandOf(type: Command['type'], capsuleId: string): Record<string, unknown> {
  ids += 1;
  const commandId = `m-${type}-${ids}`;
  switch (type) {
    case 'valve.actuate':
      return { type, commandId, actuatorId: 'V-102.POS', position: 0.6 };
    case 'pump.start':
    case 'pump.stop':
      return { type, commandId, actuatorId: 'P-202.RUN' };
    case 'setpoint.change':
      return { type, commandId, actuatorId: 'R-101.TIC-SP', value: 70 };
    case 'capsule.shelve':
      return { type, commandId, capsuleId, durationMs: 60_000 };
    case 'annotation.add':
      return { type, commandId, text: 'checked', equipmentId: 'R-101' };
    case 'capsule.ack':
    case 'capsule.resolve':
    case 'capsule.unshelve':
    case 'capsule.dismiss':
      return { type, commandId, capsuleId };
  }
}

describe('sign-in, roles, confirmation and interlocks', () => {
  let server: TestServer;
  let base: string;

  beforeAll(async () => {
    server = await startTestServer({ CONFIRM_TIMEOUT_S: '2', ROOM_MESSAGES_PER_S: '40' });
    base = httpBase(server.wsUrl);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses a join without a token, with a tampered one, and HTTP reads without one', async () => {
    const bare = new Client(server.wsUrl);
    await expect(bare.joinOrCreate('plant', { name: 'Mallory' })).rejects.toThrow(/sign in first/);
    const token = await tokenFor(base, 'Tamper', 'operator');
    const [head, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const forged = `${head}.${Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url')}.${signature}`;
    await expect(bare.joinOrCreate('plant', { token: forged })).rejects.toThrow(/signature/);
    expect((await getJson(base, '/api/v1/plant', { token: null })).status).toBe(401);
    const forgedRead = await getJson(base, '/api/v1/users', { token: forged });
    expect(forgedRead.status).toBe(401);
    expect(forgedRead.body.error?.message).toMatch(/signature/);
    // The actor comes from the token, never from join options.
    const client = await joinPlant(server.wsUrl, 'Tamper');
    const names: string[] = [];
    client.state().presence.forEach((p) => names.push(`${p.name}/${p.role}`));
    expect(names).toContain('Tamper/operator');
    await client.leave();
  });

  it('runs the whole permission table: every role × command in the room', async () => {
    const capsuleId = 'C-1';
    for (const role of USER_ROLES) {
      const client = await joinPlant(server.wsUrl, `matrix-${role}`, role);
      try {
        for (const type of COMMAND_TYPES) {
          const body = commandOf(type, capsuleId);
          const answer = await client.request(body);
          if (permits(role, type)) {
            // Allowed: the table did not stop it (the twin may still refuse, e.g. no such capsule).
            expect(answer.ack?.code, `${role} ${type}`).not.toBe('not_permitted');
            if (answer.confirm !== undefined)
              await client.confirm(body['commandId'] as string, true);
          } else {
            expect(answer.ack, `${role} ${type}`).toMatchObject({
              status: 'rejected',
              code: 'not_permitted',
            });
            expect(answer.ack?.reason).toContain(`needs the ${PERMISSIONS[type]} role`);
            const record = await oneAuditRecord(base, body['commandId'] as string);
            expect(record).toMatchObject({ role, action: type, result: 'rejected' });
          }
        }
      } finally {
        await client.leave();
      }
    }
  }, 120_000);

  it('runs the whole permission table: every role × route action over HTTP', async () => {
    const sample: Record<RouteAction, (who: { as: string }) => Promise<JsonReply>> = {
      'plant.read': (who) => getJson(base, '/api/v1/capsules?limit=1', who),
      'mission.create': (who) =>
        postJson(base, '/api/v1/missions', { title: 'matrix', lastMinutes: 1 }, who),
      'mission.control': (who) => postJson(base, '/api/v1/missions/M-999/pause', {}, who),
      'audit.read': (who) => getJson(base, '/api/v1/audit?limit=1', who),
      'users.manage': (who) => getJson(base, '/api/v1/users', who),
    };
    for (const role of USER_ROLES) {
      const name = `route-${role}`;
      await tokenFor(base, name, role);
      for (const action of ROUTE_ACTIONS) {
        const reply = await sample[action]({ as: name });
        if (permits(role, action)) expect(reply.status, `${role} ${action}`).not.toBe(403);
        else {
          expect(reply.status, `${role} ${action}`).toBe(403);
          expect(reply.body.error?.message).toContain(`needs the ${PERMISSIONS[action]} role`);
        }
      }
    }
  }, 60_000);

  it('a viewer cannot acknowledge or actuate, and each refusal is one audit record', async () => {
    const viewer = await joinPlant(server.wsUrl, 'Vera', 'viewer');
    try {
      const ack = await viewer.command({
        type: 'capsule.ack',
        commandId: 'v-ack',
        capsuleId: 'C-1',
      });
      expect(ack).toMatchObject({ status: 'rejected', code: 'not_permitted' });
      const valve = await viewer.command({
        type: 'valve.actuate',
        commandId: 'v-valve',
        actuatorId: 'V-102.POS',
        position: 0,
      });
      expect(valve).toMatchObject({ status: 'rejected', code: 'not_permitted' });
      expect(await oneAuditRecord(base, 'v-ack')).toMatchObject({
        actorName: 'Vera',
        role: 'viewer',
        action: 'capsule.ack',
        result: 'rejected',
      });
      expect(await oneAuditRecord(base, 'v-valve')).toMatchObject({
        action: 'valve.actuate',
        target: 'V-102.POS',
      });
    } finally {
      await viewer.leave();
    }
  });

  it("an operator's valve command does nothing until confirmed, then runs, with one audit record", async () => {
    const op = await joinPlant(server.wsUrl, 'Otto', 'operator');
    try {
      const engine = server.server.engine;
      const index = engine.plant.actuatorIndex.get('V-102.POS')!;
      const before = engine.twin.actuators[index];
      const answer = await op.request({
        type: 'valve.actuate',
        commandId: 'o-valve',
        actuatorId: 'V-102.POS',
        position: 0.25,
      });
      expect(answer.confirm?.summary).toMatch(/^Close V-102\.POS .* from 60 % to 25 %$/);
      expect(answer.confirm?.interlocks.ok).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      expect(engine.twin.actuators[index]).toBe(before);
      // Nobody else can confirm it: a confirmation is the sender's own.
      const other = await joinPlant(server.wsUrl, 'Olga', 'operator');
      other.room.send('confirm', { commandId: 'o-valve' });
      await waitFor(
        () => other.acks.find((a) => a.code === 'unknown_confirmation'),
        "the refusal of another user's confirmation",
      );
      await other.leave();
      expect(engine.twin.actuators[index]).toBe(before);
      const ack = await op.confirm('o-valve');
      expect(ack).toMatchObject({ status: 'accepted' });
      expect(engine.twin.actuators[index]).toBe(0.25);
      expect(await oneAuditRecord(base, 'o-valve')).toMatchObject({
        actorName: 'Otto',
        action: 'valve.actuate',
        result: 'accepted',
        detail: expect.objectContaining({ confirmed: true }) as unknown,
      });
    } finally {
      await op.leave();
    }
  });

  it('refuses an unconfirmed command once the confirmation window closes', async () => {
    const op = await joinPlant(server.wsUrl, 'Otto', 'operator');
    const { engine } = server.server;
    const index = engine.plant.actuatorIndex.get('P-202.RUN')!;
    const before = engine.twin.actuators[index];
    try {
      const answer = await op.request({
        type: before === 1 ? 'pump.stop' : 'pump.start',
        commandId: 'o-late',
        actuatorId: 'P-202.RUN',
      });
      expect(answer.confirm?.timeoutS).toBe(2);
      const ack = await waitFor(
        () => op.acks.find((a) => a.commandId === 'o-late'),
        'the expiry of the confirmation',
      );
      expect(ack).toMatchObject({ status: 'rejected', code: 'confirmation_expired' });
      // Too late to confirm: nothing is waiting any more.
      expect(await op.confirm('o-late')).toMatchObject({ code: 'unknown_confirmation' });
      expect(engine.twin.actuators[index]).toBe(before);
      expect(await oneAuditRecord(base, 'o-late')).toMatchObject({ result: 'rejected' });
    } finally {
      await op.leave();
    }
  }, 40_000);

  it('a blocked interlock refuses the command and names itself', async () => {
    const op = await joinPlant(server.wsUrl, 'Otto', 'operator');
    try {
      expect(
        await op.command({
          type: 'valve.actuate',
          commandId: 'il-close',
          actuatorId: 'V-101.POS',
          position: 0,
        }),
      ).toMatchObject({ status: 'accepted' });
      expect(
        await op.command({ type: 'pump.stop', commandId: 'il-stop', actuatorId: 'P-101.RUN' }),
      ).toMatchObject({ status: 'accepted' });
      const answer = await op.request({
        type: 'pump.start',
        commandId: 'il-start',
        actuatorId: 'P-101.RUN',
      });
      expect(answer.confirm).toBeUndefined();
      expect(answer.ack).toMatchObject({ status: 'rejected', code: 'interlock' });
      expect(answer.ack?.reason).toContain('IL-101');
      expect(answer.ack?.reason).toContain('P-101 may not start while V-101 is closed');
      expect(await oneAuditRecord(base, 'il-start')).toMatchObject({
        result: 'rejected',
        reason: expect.stringContaining('IL-101') as unknown,
      });
    } finally {
      await op.leave();
    }
  });

  it('disabling a user closes their open connection and refuses their token', async () => {
    const token = await tokenFor(base, 'Dora', 'operator');
    const dora = await joinPlant(server.wsUrl, 'Dora', 'operator');
    const users = (await getJson(base, '/api/v1/users')).body['items'] as {
      id: string;
      name: string;
    }[];
    const id = users.find((u) => u.name === 'Dora')!.id;
    const reply = await patchJson(base, `/api/v1/users/${id}`, { disabled: true });
    expect(reply.status).toBe(200);
    expect(await dora.closed()).toBe(4401);
    const again = await getJson(base, '/api/v1/plant', { token });
    expect(again.status).toBe(401);
    expect(again.body.error?.message).toMatch(/disabled/);
    await expect(new Client(server.wsUrl).joinOrCreate('plant', { token })).rejects.toThrow(
      /disabled/,
    );
    const audit = await getJson(base, '/api/v1/audit?action=user.disable');
    expect(audit.body['items']).toEqual([
      expect.objectContaining({ target: 'Dora', result: 'ok' }),
    ]);
  });

  it('closes a connection that floods messages and counts it in /metrics', async () => {
    const flood = await joinPlant(server.wsUrl, 'Flo', 'viewer');
    for (let i = 0; i < 200; i++) flood.room.send('presence', { selection: null });
    expect(await flood.closed()).toBe(4429);
    const metrics = await (await fetch(new URL('/metrics', base))).text();
    expect(metrics).toMatch(/twinspace_room_disconnects_total\{reason="flood"\} [1-9]/);
  });

  it('audit records cannot be changed or deleted through the API', async () => {
    const patched = await patchJson(base, '/api/v1/audit', { result: 'ok' });
    expect(patched.status).toBe(405);
  });
});

describe('brute force, expiry and sign-out', () => {
  let server: TestServer;
  let base: string;
  const lines: string[] = [];
  const WRONG = 'definitely-not-the-password';

  beforeAll(async () => {
    const log = {
      debug: (m: string) => lines.push(m),
      info: (m: string) => lines.push(m),
      warn: (m: string) => lines.push(m),
      error: (m: string, e?: unknown) => lines.push(`${m} ${String(e)}`),
    };
    server = await startTestServer(
      { SIGN_IN_FAILURES: '5', SIGN_IN_LOCK_S: '4', ACCESS_TOKEN_TTL_S: '5' },
      { log },
    );
    base = httpBase(server.wsUrl);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('1,000 wrong passwords from one address get 429s and a lock; the right one works after it', async () => {
    const statuses = new Map<number, number>();
    const order: number[] = [];
    let retryAfter: string | null = null;
    const started = Date.now();
    for (let i = 0; i < 1000; i++) {
      const response = await fetch(new URL('/api/v1/auth/sign-in', base), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'admin', password: WRONG }),
      });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (i < 7) order.push(response.status);
      if (response.status === 429) retryAfter ??= response.headers.get('retry-after');
      await response.arrayBuffer();
    }
    // Five guesses per lock window (4 s), then 429 until the window ends.
    expect(order).toEqual([401, 401, 401, 401, 401, 429, 429]);
    const windows = 1 + Math.floor((Date.now() - started) / 4000);
    expect(statuses.get(401)).toBeLessThanOrEqual(5 * windows);
    expect(statuses.get(429)).toBeGreaterThanOrEqual(1000 - 5 * windows);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // While locked, even the right password is refused.
    expect((await signIn(base, 'admin', TEST_ADMIN_PASSWORD)).status).toBe(429);
    const ok = await waitFor(
      async () => {
        const reply = await signIn(base, 'admin', TEST_ADMIN_PASSWORD);
        return reply.status === 200 ? reply : undefined;
      },
      'the lock to expire',
      15_000,
    );
    const token = ok.body['accessToken'] as string;
    const failures = await getJson(base, '/api/v1/audit?action=sign-in&result=failed&limit=1000', {
      token,
    });
    expect((failures.body['items'] as unknown[]).length).toBe(statuses.get(401));
    // The password is never stored or logged.
    const all = await getJson(base, '/api/v1/audit?limit=1000', { token });
    expect(JSON.stringify(all.body)).not.toContain(WRONG);
    expect(JSON.stringify(all.body)).not.toContain(TEST_ADMIN_PASSWORD);
    expect(lines.join('\n')).not.toContain(WRONG);
    expect(lines.join('\n')).not.toContain(TEST_ADMIN_PASSWORD);
  }, 60_000);

  it('an expired token closes the connection and is refused; refresh gives a new one', async () => {
    const session = await waitFor(
      async () => {
        const reply = await signIn(base, 'admin', TEST_ADMIN_PASSWORD);
        return reply.status === 200 ? reply : undefined;
      },
      'a sign-in',
      10_000,
    );
    const token = session.body['accessToken'] as string;
    const client = new Client(server.wsUrl);
    const room = await client.joinOrCreate('plant', { token });
    let code: number | undefined;
    room.onLeave((c) => (code = c));
    await waitFor(() => code, 'the expiry to close the connection', 15_000);
    expect(code).toBe(4401);
    const expired = await getJson(base, '/api/v1/plant', { token });
    expect(expired.status).toBe(401);
    expect(expired.body.error?.message).toMatch(/expired/);
    const refreshed = await postJson(
      base,
      '/api/v1/auth/refresh',
      { refreshToken: session.body['refreshToken'] },
      { token: null },
    );
    expect(refreshed.status).toBe(200);
    const fresh = refreshed.body['accessToken'] as string;
    expect((await getJson(base, '/api/v1/plant', { token: fresh })).status).toBe(200);
    // Signing out revokes every token of the session.
    expect((await postJson(base, '/api/v1/auth/sign-out', {}, { token: fresh })).status).toBe(200);
    expect((await getJson(base, '/api/v1/plant', { token: fresh })).status).toBe(401);
    const again = await postJson(
      base,
      '/api/v1/auth/refresh',
      { refreshToken: refreshed.body['refreshToken'] },
      { token: null },
    );
    expect(again.status).toBe(401);
  }, 40_000);
});
