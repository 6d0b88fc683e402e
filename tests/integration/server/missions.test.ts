/**
 * Missions end to end: capture over HTTP, a replay room shared by two colyseus.js clients over
 * real WebSockets, controls from either client seen by both, read-only enforcement, annotations,
 * and completion at the span's end. The server runs cooling-pump-trip 100× faster than real time
 * with a snapshot every 10 s of plant time, so replays cross snapshot boundaries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  criticalOnReactor,
  getJson,
  joinPlant,
  joinReplay,
  postJson,
  startTestServer,
  waitFor,
} from './helpers.js';
import type { SeenCapsule, TestClient, TestServer } from './helpers.js';

interface MissionJson {
  id: string;
  state: string;
  fromT: number;
  toT: number;
  t: number;
  sourceCapsuleId: string | null;
  playhead: { speed: number; playing: boolean };
}

let server: TestServer;
let base: string;
let live: TestClient;
let critical: SeenCapsule & { raisedAt?: number };
let mission: MissionJson;
let alice: TestClient;
let bob: TestClient;

beforeAll(async () => {
  server = await startTestServer({ SNAPSHOT_EVERY_S: '10', AUTO_CAPTURE: 'critical' });
  base = server.server.url;
  live = await joinPlant(server.wsUrl, 'Live watcher');
  critical = await waitFor(() => criticalOnReactor(live.state()), 'the critical capsule', 80_000);
  // Some plant time after the raise, so a capture around the capsule spans it.
  const raisedAt = (critical as unknown as { raisedAt: number }).raisedAt;
  await waitFor(() => server.server.engine.twin.t > raisedAt + 60_000, 'a minute after the raise');
}, 120_000);

afterAll(async () => {
  for (const client of [alice, bob, live]) await client?.leave().catch(() => undefined);
  await server?.stop();
});

function seenCapsuleIds(client: TestClient): string[] {
  const ids: string[] = [];
  client.state().capsules.forEach((capsule) => ids.push(capsule.id));
  return ids;
}

describe('capturing a mission over HTTP', () => {
  it('opened a draft around the critical capsule by itself (AUTO_CAPTURE=critical)', async () => {
    const auto = await waitFor(async () => {
      const listed = await getJson(base, '/api/v1/missions?state=draft');
      return (listed.body['items'] as (MissionJson & { createdBy: { role: string } })[]).find(
        (m) => m.sourceCapsuleId === critical.id,
      );
    }, 'the auto-captured mission');
    expect(auto.createdBy.role).toBe('system');
    expect(auto.fromT).toBe((critical as unknown as { raisedAt: number }).raisedAt - 120_000);
  });

  it('captures "this capsule" from shortly before its raise, as a draft', async () => {
    const reply = await postJson(base, '/api/v1/missions', {
      title: 'Cooling pump trip',
      sourceCapsuleId: critical.id,
    });
    expect(reply.status).toBe(201);
    mission = reply.body['mission'] as MissionJson;
    expect(mission.id).toMatch(/^M-\d+$/);
    expect(mission.state).toBe('draft');
    expect(mission.sourceCapsuleId).toBe(critical.id);
    const raisedAt = (critical as unknown as { raisedAt: number }).raisedAt;
    expect(mission.fromT).toBe(raisedAt - 120_000);
    expect(mission.toT).toBeGreaterThan(raisedAt);

    const listed = await getJson(base, '/api/v1/missions?state=draft');
    expect(listed.status).toBe(200);
    expect((listed.body['items'] as MissionJson[]).map((m) => m.id)).toContain(mission.id);
  });

  it('captures the last N minutes and an explicit span', async () => {
    const last = await postJson(base, '/api/v1/missions', { title: 'Last 2', lastMinutes: 2 });
    expect(last.status).toBe(201);
    const lastMission = last.body['mission'] as MissionJson;
    expect(lastMission.toT - lastMission.fromT).toBe(120_000);

    const explicit = await postJson(base, '/api/v1/missions', {
      title: 'Explicit',
      kind: 'replay',
      from: new Date(mission.fromT).toISOString(),
      to: mission.fromT + 30_000,
    });
    expect(explicit.status).toBe(201);
    expect((explicit.body['mission'] as MissionJson).toT).toBe(mission.fromT + 30_000);
  });

  it('answers bad captures and controls with the field and what is allowed', async () => {
    const noTitle = await postJson(base, '/api/v1/missions', { lastMinutes: 5 });
    expect(noTitle.status).toBe(400);
    expect(noTitle.body.error?.field).toBe('title');

    const two = await postJson(base, '/api/v1/missions', {
      title: 'x',
      lastMinutes: 5,
      sourceCapsuleId: critical.id,
    });
    expect(two.status).toBe(400);
    expect(two.body.error?.message).toMatch(/exactly one of/);

    const branch = await postJson(base, '/api/v1/missions', {
      title: 'x',
      kind: 'branch',
      lastMinutes: 5,
    });
    expect(branch.status).toBe(400);
    expect(branch.body.error?.field).toBe('kind');

    const unknownCapsule = await postJson(base, '/api/v1/missions', {
      title: 'x',
      sourceCapsuleId: 'C-nope',
    });
    expect(unknownCapsule.status).toBe(404);
    expect(unknownCapsule.body.error?.field).toBe('sourceCapsuleId');

    const pauseDraft = await postJson(base, `/api/v1/missions/${mission.id}/pause`);
    expect(pauseDraft.status).toBe(409);
    expect(pauseDraft.body.error).toMatchObject({
      code: 'illegal_transition',
      field: 'state',
      allowed: ['active'],
    });

    const seekOutside = await postJson(base, `/api/v1/missions/${mission.id}/seek`, {
      t: mission.fromT - 1,
    });
    expect(seekOutside.status).toBe(400);
    expect(seekOutside.body.error?.field).toBe('t');

    const tooFast = await postJson(base, `/api/v1/missions/${mission.id}/speed`, { speed: 1000 });
    expect(tooFast.status).toBe(400);
    expect(tooFast.body.error).toMatchObject({ field: 'speed', allowed: ['0.1', '100'] });

    const missing = await postJson(base, '/api/v1/missions/M-999/start');
    expect(missing.status).toBe(404);

    const badState = await getJson(base, '/api/v1/missions?state=running');
    expect(badState.status).toBe(400);
    expect(badState.body.error?.field).toBe('state');

    const stillDraft = await getJson(base, `/api/v1/missions/${mission.id}`);
    expect((stillDraft.body['mission'] as MissionJson).state).toBe('draft');
  });
});

describe('a replay shared by two clients', () => {
  it('puts both clients in one replay room with the mission at its start', async () => {
    alice = await joinReplay(server.wsUrl, mission.id, 'Alice');
    bob = await joinReplay(server.wsUrl, mission.id, 'Bob');
    expect(alice.room.roomId).toBe(bob.room.roomId);
    expect(alice.room.roomId).not.toBe(live.room.roomId);
    await waitFor(() => alice.state().mission?.id === mission.id, 'the mission in state');
    expect(alice.state().mode).toBe('replay');
    expect(alice.state().mission.state).toBe('draft');
    expect(alice.state().mission.t).toBe(mission.fromT);
    // Two minutes before the raise, the capsule does not exist yet.
    expect(seenCapsuleIds(alice)).not.toContain(critical.id);
    await waitFor(() => alice.state().presence.size === 2, 'both in presence');
    // Markers of the span arrive on join: the capsule's raise is one of them.
    const markers = alice.messages.find((m) => m.type === 'markers')?.body as {
      markers: { kind: string; capsuleId: string; t: number }[];
    };
    expect(markers.markers).toContainEqual(
      expect.objectContaining({ kind: 'raised', capsuleId: critical.id }),
    );
  });

  it('plays when one starts, pauses for both when the other pauses', async () => {
    const started = await alice.control({ type: 'start' });
    expect(started).toMatchObject({ ok: true, state: 'active' });
    await waitFor(() => bob.state().mission.state === 'active', 'Bob sees active');
    const t0 = bob.state().mission.t;
    await waitFor(() => bob.state().mission.t > t0 + 500, 'the playhead moving for Bob');

    const paused = await bob.control({ type: 'pause' });
    expect(paused).toMatchObject({ ok: true, state: 'paused' });
    await waitFor(() => !alice.state().mission.playing, 'Alice sees the pause');
    // The twin settles where the playhead was paused, and stays there.
    const held = paused.t;
    await waitFor(() => alice.state().mission.t === held, 'the twin at the pause point');
    await new Promise((r) => setTimeout(r, 400));
    expect(alice.state().mission.t).toBe(held);
  });

  it('seeks for everyone: the capsule appears after its raise and vanishes before it', async () => {
    const raisedAt = mission.fromT + 120_000;
    expect(await alice.control({ type: 'seek', t: raisedAt + 10_000 })).toMatchObject({
      ok: true,
    });
    await waitFor(() => seenCapsuleIds(bob).includes(critical.id), 'Bob sees the capsule');
    expect(bob.state().mission.t).toBe(raisedAt + 10_000);

    expect(await bob.control({ type: 'seek', t: raisedAt - 5_000 })).toMatchObject({ ok: true });
    await waitFor(() => !seenCapsuleIds(alice).includes(critical.id), 'the capsule gone for Alice');
    expect(alice.state().mission.t).toBe(raisedAt - 5_000);
  });

  it('plays at 10× and refuses a speed outside 0.1–100× naming the field', async () => {
    expect(await alice.control({ type: 'speed', speed: 10 })).toMatchObject({ ok: true });
    await waitFor(() => bob.state().mission.speed === 10, 'Bob sees 10×');
    const refused = await bob.control({ type: 'speed', speed: 1000 });
    expect(refused).toMatchObject({ ok: false, field: 'speed' });
    const garbage = await bob.control({ type: 'rewind' });
    expect(garbage).toMatchObject({ ok: false, code: 'invalid_control', field: 'type' });
    expect(bob.state().mission.speed).toBe(10);

    // 10× from paused: resuming moves plant time about ten times faster than the wall clock.
    expect(await bob.control({ type: 'resume' })).toMatchObject({ ok: true, state: 'active' });
    await waitFor(() => alice.state().mission.playing, 'playing again');
    const wall0 = Date.now();
    const t0 = alice.state().mission.t;
    await new Promise((r) => setTimeout(r, 1000));
    const rate = (alice.state().mission.t - t0) / (Date.now() - wall0);
    expect(rate).toBeGreaterThan(5);
    expect(rate).toBeLessThan(15);
    expect(await alice.control({ type: 'pause' })).toMatchObject({ ok: true });
  });

  it('refuses plant commands as read-only and leaves the live plant alone', async () => {
    const before = await getJson(base, '/api/v1/commands?limit=1000');
    const valveBefore =
      server.server.engine.twin.actuators[
        server.server.engine.plant.actuatorIndex.get('V-101.POS') ?? -1
      ];
    const ack = await alice.command({
      type: 'valve.actuate',
      commandId: 'replay-valve',
      actuatorId: 'V-101.POS',
      position: 0.1,
    });
    expect(ack).toMatchObject({ status: 'rejected', code: 'read_only' });
    expect(ack.reason).toMatch(/read-only/);
    const after = await getJson(base, '/api/v1/commands?limit=1000');
    expect((after.body['items'] as unknown[]).length).toBe(
      (before.body['items'] as unknown[]).length,
    );
    const valveAfter =
      server.server.engine.twin.actuators[
        server.server.engine.plant.actuatorIndex.get('V-101.POS') ?? -1
      ];
    expect(valveAfter).toBe(valveBefore);
  });

  it('turns a capsule acknowledgement into an annotation both see, not a live change', async () => {
    const raisedAt = mission.fromT + 120_000;
    await alice.control({ type: 'seek', t: raisedAt + 20_000 });
    await waitFor(() => seenCapsuleIds(alice).includes(critical.id), 'the capsule in the replay');
    const ack = await alice.command({
      type: 'capsule.ack',
      commandId: 'replay-ack',
      capsuleId: critical.id,
      note: 'pump P-201 tripped here',
    });
    expect(ack.status).toBe('accepted');
    await waitFor(() => bob.state().annotations.size === 1, 'the annotation for Bob');
    bob.state().annotations.forEach((annotation) => {
      expect(annotation).toMatchObject({
        author: 'Alice',
        capsuleId: critical.id,
        t: raisedAt + 20_000,
      });
      expect(annotation.text).toMatch(/pump P-201 tripped here/);
    });
    // The live capsule was not acknowledged by the replay.
    expect(server.server.engine.twin.capsules.get(critical.id)?.state).not.toBe('acknowledged');
    const stored = await getJson(base, `/api/v1/missions/${mission.id}`);
    expect(stored.body['annotations']).toEqual([
      expect.objectContaining({ capsuleId: critical.id, command: 'capsule.ack' }),
    ]);
  });

  it('carries head poses as presence and refuses malformed ones', async () => {
    bob.room.send('presence', { head: { x: 1, y: 1.6, z: -2, yaw: 0.5, pitch: 0 } });
    await waitFor(() => {
      let seen = false;
      alice.state().presence.forEach((p) => (seen ||= p.name === 'Bob' && p.hasHead));
      return seen;
    }, "Bob's head for Alice");
    const before = bob.acks.length;
    bob.room.send('presence', { head: { x: 'left' } });
    const refused = await waitFor(() => bob.acks[before], 'the refusal');
    expect(refused).toMatchObject({ status: 'rejected', code: 'invalid_presence' });
  });

  it('completes when the playhead reaches the end of the span', { timeout: 60_000 }, async () => {
    await alice.control({ type: 'seek', t: mission.toT - 2_000 });
    await alice.control({ type: 'speed', speed: 100 });
    expect(await alice.control({ type: 'resume' })).toMatchObject({ ok: true });
    await waitFor(() => bob.state().mission.state === 'completed', 'completed for Bob', 30_000);
    const done = await getJson(base, `/api/v1/missions/${mission.id}`);
    expect(done.body['mission']).toMatchObject({ state: 'completed' });
    const resumeDone = await alice.control({ type: 'resume' });
    expect(resumeDone).toMatchObject({ ok: false, code: 'illegal_transition' });
  });

  it('refuses to open a replay of a mission that does not exist', async () => {
    await expect(joinReplay(server.wsUrl, 'M-404', 'Eve')).rejects.toThrow(/does not exist/);
  });
});

describe('resolve markers on the timeline', () => {
  it('marks where a capsule was resolved, from the stored capsule events', async () => {
    const ack = await live.command({
      type: 'capsule.ack',
      commandId: 'live-ack-for-marker',
      capsuleId: critical.id,
    });
    expect(ack).toMatchObject({ status: 'accepted' });
    const resolved = await live.command({
      type: 'capsule.resolve',
      commandId: 'live-resolve-for-marker',
      capsuleId: critical.id,
    });
    // Acknowledged with its condition cleared, the rules may have resolved it already (C-3).
    if (resolved.status !== 'accepted') expect(resolved.reason).toMatch(/closed \(resolved\)/);
    // Capturing "this capsule" once it closed ends the span at its resolution.
    const captured = await waitFor(async () => {
      const reply = await postJson(base, '/api/v1/missions', {
        title: 'Raise to resolve',
        sourceCapsuleId: critical.id,
      });
      const m = reply.body['mission'] as MissionJson | undefined;
      return m !== undefined && m.toT < server.server.engine.twin.t - 1_000 ? m : undefined;
    }, 'a capture ending at the resolution');
    const carol = await joinReplay(server.wsUrl, captured.id, 'Carol');
    try {
      const body = await waitFor(
        () =>
          carol.messages.find((m) => m.type === 'markers')?.body as
            | { markers: { kind: string; capsuleId: string; t: number; action: string | null }[] }
            | undefined,
        'the markers',
      );
      const ofCapsule = body.markers.filter((m) => m.capsuleId === critical.id);
      expect(ofCapsule.map((m) => m.kind)).toContain('raised');
      const resolve = ofCapsule.find((m) => m.kind === 'resolved');
      expect(resolve).toMatchObject({ action: 'resolved', t: captured.toT });
      // Acknowledging is a change, not a resolve.
      expect(ofCapsule.find((m) => m.action === 'acknowledged')?.kind).toBe('changed');
    } finally {
      await carol.leave();
    }
  });
});
