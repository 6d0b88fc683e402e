/**
 * The plant room over real WebSockets with real colyseus.js clients, against an in-process server
 * running the cooling-pump-trip scenario 25× faster than real time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { criticalOnReactor, getJson, joinPlant, startTestServer, waitFor } from './helpers.js';
import type { SeenCapsule, TestClient, TestServer } from './helpers.js';

let server: TestServer;
let alice: TestClient;
let bob: TestClient;

beforeAll(async () => {
  // 25× leaves time for both to sign in (argon2id) and join before the critical raise.
  server = await startTestServer({ TIME_SCALE: '25' });
  [alice, bob] = await Promise.all([
    joinPlant(server.wsUrl, 'Alice'),
    joinPlant(server.wsUrl, 'Bob'),
  ]);
});

afterAll(async () => {
  await alice?.leave().catch(() => undefined);
  await bob?.leave().catch(() => undefined);
  await server?.stop();
});

describe('plant room', () => {
  it('gives a joining client the full plant state and shows who is here', async () => {
    const plant = server.server.engine.plant;
    const state = alice.state();
    expect(state.plantId).toBe('demo-reactor');
    expect(state.sensors.size).toBe(plant.sensors.length);
    expect(state.actuators.size).toBe(plant.actuators.length);
    expect(state.equipment.size).toBe(plant.equipmentById.size);
    await waitFor(() => alice.state().presence.size === 2, 'both clients in presence');
    const names: string[] = [];
    alice.state().presence.forEach((p) => names.push(p.name));
    expect(names.sort()).toEqual(['Alice', 'Bob']);
    // Sensor values arrive as patches: the reactor temperature moves while we watch.
    const first = await waitFor(
      () => alice.state().sensors.get('R-101.TT-01')?.t || undefined,
      'a reading',
    );
    await waitFor(
      () => (alice.state().sensors.get('R-101.TT-01')?.t ?? 0) > first,
      'a newer reading',
    );
    expect(alice.state().sensors.get('R-101.TT-01')?.quality).toMatch(/good|uncertain/);
  });

  it(
    'raises the same critical capsule on R-101 for both clients',
    { timeout: 90_000 },
    async () => {
      const seenByAlice = await waitFor(
        () => criticalOnReactor(alice.state()),
        'a critical capsule on R-101 (Alice)',
        80_000,
      );
      const seenByBob = await waitFor(
        () => criticalOnReactor(bob.state()),
        'a critical capsule on R-101 (Bob)',
      );
      expect(seenByBob.id).toBe(seenByAlice.id);
      expect(seenByAlice.state).toBe('active');
      expect(seenByAlice.sensorId).toMatch(/^R-101\.TT-/);
      expect(Number.isFinite(seenByAlice.x)).toBe(true);
      expect(bob.state().equipment.get('R-101')?.status).toBe('critical');
      // The raise also arrived as a discrete message.
      expect(bob.messages.some((m) => m.type === 'capsule')).toBe(true);
    },
  );

  it('refuses to resolve an active capsule, with a reason, and keeps serving', async () => {
    const capsule = criticalOnReactor(bob.state()) as SeenCapsule;
    const ack = await bob.command({
      type: 'capsule.resolve',
      commandId: 'resolve-too-early',
      capsuleId: capsule.id,
    });
    expect(ack).toMatchObject({
      commandId: 'resolve-too-early',
      status: 'rejected',
      code: 'illegal_transition',
    });
    expect(ack.reason).toBeTruthy();
    expect(criticalOnReactor(alice.state())?.state).toBe('active');
  });

  it('lets one client acknowledge and shows the other the new state and who did it', async () => {
    const capsule = criticalOnReactor(alice.state()) as SeenCapsule;
    const ack = await alice.command({
      type: 'capsule.ack',
      commandId: 'ack-1',
      capsuleId: capsule.id,
    });
    expect(ack).toEqual({ commandId: 'ack-1', status: 'accepted' });
    const seen = await waitFor(() => {
      const c = bob.state().capsules.get(capsule.id);
      return c?.state === 'acknowledged' ? c : undefined;
    }, 'Bob to see the acknowledgement');
    expect(seen.acknowledgedBy).toBe('Alice');
    expect(seen.lastActor).toBe('Alice');
    expect(seen.lastAction).toBe('acknowledged');
    const message = bob.messages.find(
      (m) => m.type === 'capsule' && (m.body as { action?: string }).action === 'acknowledged',
    );
    expect((message?.body as { actor: { name: string } }).actor.name).toBe('Alice');
    // Acknowledging again is an illegal transition, answered once.
    const again = await bob.command({
      type: 'capsule.ack',
      commandId: 'ack-2',
      capsuleId: capsule.id,
    });
    expect(again.status).toBe('rejected');
  });

  it('answers malformed commands and unknown messages with a rejection naming what was wrong', async () => {
    const missing = await alice.command({ type: 'capsule.ack', commandId: 'bad-1' });
    expect(missing).toMatchObject({
      commandId: 'bad-1',
      status: 'rejected',
      code: 'invalid_command',
    });
    expect(missing.reason).toContain('capsuleId');

    const unknownType = await alice.command({ type: 'reactor.explode', commandId: 'bad-2' });
    expect(unknownType).toMatchObject({ status: 'rejected', code: 'unknown_command_type' });
    expect(unknownType.reason).toContain('type');

    const before = alice.acks.length;
    alice.room.send('command', 'acknowledge everything');
    alice.room.send('teleport', { to: 'R-101' });
    const refusals = await waitFor(
      () => (alice.acks.length >= before + 2 ? alice.acks.slice(before) : undefined),
      'two refusals',
    );
    expect(refusals.map((a) => [a.commandId, a.status, a.code])).toEqual([
      [null, 'rejected', 'invalid_command'],
      [null, 'rejected', 'unknown_message'],
    ]);

    // Still serving: a valid command is accepted and plant time keeps moving.
    const t = alice.state().t;
    const note = await alice.command({
      type: 'annotation.add',
      commandId: 'note-1',
      text: 'checked by Alice',
      equipmentId: 'R-101',
    });
    expect(note.status).toBe('accepted');
    await waitFor(() => alice.state().t > t, 'plant time to advance');

    const metrics = await fetch(`${server.server.url}metrics`).then((r) => r.text());
    expect(metrics).toMatch(/twinspace_rejects_total\{reason="invalid_command"\} [2-9]/);
    expect(metrics).toMatch(/twinspace_rejects_total\{reason="unknown_message"\} 1/);
  });

  it('answers every command exactly once', async () => {
    await new Promise((r) => setTimeout(r, 300));
    const ids = [...alice.acks, ...bob.acks].map((a) => a.commandId).filter((id) => id !== null);
    expect(new Set(ids).size).toBe(ids.length);
    const status = await getJson(server.server.url, '/ws/status');
    expect(status.body['clients']).toBe(2);
  });

  it('lets a dropped client reconnect with its seat and state', async () => {
    const token = bob.room.reconnectionToken;
    bob.room.connection.close(4999, 'network glitch');
    await waitFor(() => {
      let offline = false;
      alice.state().presence.forEach((p) => (offline ||= p.name === 'Bob' && !p.connected));
      return offline;
    }, 'Bob shown as reconnecting');
    const { Client } = await import('colyseus.js');
    const room = await new Client(server.wsUrl).reconnect<typeof bob.room.state>(token);
    await waitFor(() => room.state.capsules?.size > 0, 'state after reconnecting');
    await waitFor(() => {
      let online = false;
      alice.state().presence.forEach((p) => (online ||= p.name === 'Bob' && p.connected));
      return online;
    }, 'Bob back online');
    await room.leave(true);
  });
});
