/**
 * What-if branches end to end: capture the cooling-pump trip, branch it over HTTP with "start the
 * standby pump two minutes after the trip", watch the progress as room messages in the parent's
 * replay, read the predictions, join the branch with colyseus.js and find it read-only. The
 * branch computes in a worker thread; the live plant's command log never changes.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getJson,
  joinPlant,
  joinReplay,
  postJson,
  ROOT,
  startTestServer,
  tokenFor,
  waitFor,
} from './helpers.js';
import type { TestClient, TestServer } from './helpers.js';

interface MissionJson {
  id: string;
  kind: string;
  fromT: number;
  toT: number;
  parentMissionId: string | null;
}
interface JobJson {
  missionId: string;
  status: string;
  progress: number;
}

let server: TestServer;
let base: string;
let parent: MissionJson;
let alice: TestClient;
let bob: TestClient | undefined;
/** Plant time of the first event: the scenario's clock starts one step before it. */
let t0: number;

const restartStandby = {
  kind: 'command',
  atMs: 120_000,
  command: { type: 'pump.start', actuatorId: 'P-202.RUN' },
};

beforeAll(async () => {
  server = await startTestServer({ SNAPSHOT_EVERY_S: '10', LOG_LEVEL: 'error' });
  base = server.server.url;
  t0 = await waitFor(
    async () => (await server.server.storage.firstEventT()) ?? undefined,
    'the first stored event',
  );
  // The trip is at 30 s; the baseline must reach past the fork plus the horizon (4 min).
  await waitFor(() => server.server.engine.twin.t > t0 + 330_000, 'plant time 5.5 min', 60_000);
  const reply = await postJson(base, '/api/v1/missions', { title: 'Trip', lastMinutes: 30 });
  parent = reply.body['mission'] as MissionJson;
  alice = await joinReplay(server.wsUrl, parent.id, 'Alice Analyst');
}, 90_000);

afterAll(async () => {
  for (const client of [alice, bob]) await client?.leave().catch(() => undefined);
  await server?.stop();
});

describe('a what-if branch through the API and the rooms', () => {
  let branch: MissionJson;

  it('is accepted with 202, computes in the background and tells the parent room its progress', async () => {
    const reply = await postJson(base, `/api/v1/missions/${parent.id}/branches`, {
      title: 'Standby pump at T+2 min',
      forkT: t0 + 30_000,
      horizonMs: 240_000,
      modifications: [restartStandby],
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(202);
    branch = reply.body['mission'] as MissionJson;
    expect(branch.kind).toBe('branch');
    expect(branch.parentMissionId).toBe(parent.id);
    expect(['queued', 'computing']).toContain((reply.body['job'] as JobJson).status);

    const jobs = (): JobJson[] =>
      alice.messages
        .filter((m) => m.type === 'branch')
        .map((m) => (m.body as { job: JobJson }).job)
        .filter((j) => j.missionId === branch.id);
    await waitFor(() => jobs().some((j) => j.status === 'done'), 'the branch to finish', 60_000);
    const progress = jobs().map((j) => j.progress);
    expect(progress.some((p) => p > 0 && p < 100)).toBe(true);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    const job = await getJson(base, `/api/v1/missions/${branch.id}/branch`);
    expect(job.status).toBe(200);
    expect((job.body['job'] as JobJson).status).toBe('done');
  });

  it('predicts that the over-temperature capsule is never raised', async () => {
    const reply = await getJson(base, `/api/v1/missions/${branch.id}/predictions`);
    expect(reply.status).toBe(200);
    const deltas = reply.body['timelineDeltas'] as { kind: string; rule: string }[];
    expect(deltas).toContainEqual(
      expect.objectContaining({ kind: 'only-baseline', rule: 'limit/R-101.TT-01' }),
    );
    expect(reply.body['expectedOutcome']).toMatch(/never raised/);
    expect(reply.body['baseline']).toMatch(/simulated plant/);
    const sensors = reply.body['sensorDeltas'] as { sensorId: string }[];
    expect(sensors.map((s) => s.sensorId)).toContain('R-101.TT-01');
  });

  it('replays in a room of its own, with the baseline markers, and refuses plant commands', async () => {
    const commandsBefore = await getJson(base, '/api/v1/commands?limit=1000');
    bob = await joinReplay(server.wsUrl, branch.id, 'Bob Engineer');
    expect(bob.state().mode).toBe('replay');
    await waitFor(() => bob?.messages.find((m) => m.type === 'markers'), 'the markers');
    const markers = bob.messages.find((m) => m.type === 'markers')?.body as {
      markers: { title: string | null }[];
      baselineMarkers?: { title: string | null }[];
    };
    const titles = (list: { title: string | null }[] = []): (string | null)[] =>
      list.map((m) => m.title);
    expect(titles(markers.baselineMarkers)).toContain('High temperature at R-101');
    expect(titles(markers.markers)).not.toContain('High temperature at R-101');

    const seek = await bob.control({ type: 'seek', t: branch.fromT + 200_000 });
    expect(seek.ok).toBe(true);
    await waitFor(() => bob?.state().mission.t === branch.fromT + 200_000, 'the seek');
    // The same moment in the recording: the branch's reactor is cooler, its standby pump runs.
    expect((await alice.control({ type: 'seek', t: branch.fromT + 200_000 })).ok).toBe(true);
    await waitFor(() => alice.state().mission.t === branch.fromT + 200_000, 'the parent seek');
    const reactor = (c: TestClient): number => c.state().sensors.get('R-101.TT-01')?.value ?? NaN;
    expect(reactor(bob)).toBeLessThan(reactor(alice) - 5);
    expect(bob.state().actuators.get('P-202.RUN')?.value).toBe(1);
    expect(alice.state().actuators.get('P-202.RUN')?.value).toBe(0);

    const ack = await bob.command({
      type: 'pump.stop',
      commandId: 'from-branch',
      actuatorId: 'P-202.RUN',
    });
    expect(ack.status).toBe('rejected');
    expect(ack.reason).toMatch(/read-only/);
    // The live log gains only what the live plant itself did meanwhile (the scenario's own
    // operator step), never the branch room's command.
    const commandsAfter = await getJson(base, '/api/v1/commands?limit=1000');
    type CommandRow = { commandId: string; actor: { name: string } };
    const before = new Set((commandsBefore.body['items'] as CommandRow[]).map((c) => c.commandId));
    const added = (commandsAfter.body['items'] as CommandRow[]).filter(
      (c) => !before.has(c.commandId),
    );
    expect(
      added.filter((c) => c.commandId === 'from-branch' || c.actor.name === 'Bob Engineer'),
    ).toEqual([]);
  });

  it('follows a confirmation request with its dry run; nothing moves until confirmed', async () => {
    const operator = await joinPlant(server.wsUrl, 'Olga Operator');
    try {
      const commandsBefore = await getJson(base, '/api/v1/commands?limit=1000');
      const answer = await operator.request({
        type: 'valve.actuate',
        commandId: 'dry-1',
        actuatorId: 'V-101.POS',
        position: 0.2,
      });
      expect(answer.confirm?.commandId).toBe('dry-1');
      const dry = await waitFor(
        () =>
          operator.messages.find(
            (m) =>
              m.type === 'confirm.dryRun' &&
              (m.body as { commandId: string }).commandId === 'dry-1',
          )?.body as { expectedOutcome: string; horizonMs: number; status: string } | undefined,
        'the dry run',
      );
      expect(dry.status).toBe('accepted');
      expect(dry.horizonMs).toBe(120_000);
      expect(dry.expectedOutcome.length).toBeGreaterThan(10);
      const cancelled = await operator.confirm('dry-1', true);
      expect(cancelled.status).toBe('rejected');
      const commandsAfter = await getJson(base, '/api/v1/commands?limit=1000');
      type CommandRow = { commandId: string; status: string };
      const accepted = (commandsAfter.body['items'] as CommandRow[]).filter(
        (c) => c.commandId === 'dry-1' && c.status === 'accepted',
      );
      expect(accepted).toEqual([]);
      expect((commandsAfter.body['items'] as CommandRow[]).length).toBeGreaterThanOrEqual(
        (commandsBefore.body['items'] as CommandRow[]).length,
      );
    } finally {
      await operator.leave();
    }
  });

  it('answers bad branches with 4xx naming the field', async () => {
    const post = (body: Record<string, unknown>, id = parent.id) =>
      postJson(base, `/api/v1/missions/${id}/branches`, {
        forkT: t0 + 30_000,
        horizonMs: 60_000,
        modifications: [],
        ...body,
      });
    const unknown = await post({}, 'M-999');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.message).toBe('mission "M-999" does not exist');

    const actuator = await post({
      modifications: [
        { kind: 'command', atMs: 0, command: { type: 'pump.start', actuatorId: 'X' } },
      ],
    });
    expect(actuator.status).toBe(400);
    expect(actuator.body.error?.field).toBe('modifications[0].command.actuatorId');

    const horizon = await post({ horizonMs: 7_200_000 });
    expect(horizon.status).toBe(400);
    expect(horizon.body.error?.field).toBe('horizonMs');
    expect(horizon.body.error?.message).toMatch(/1 hour at most/);

    const fork = await post({ forkT: parent.toT + 60_000 });
    expect(fork.status).toBe(400);
    expect(fork.body.error?.field).toBe('forkT');

    const ofBranch = await post({}, branch.id);
    expect(ofBranch.status).toBe(409);
    expect(ofBranch.body.error?.field).toBe('id');

    const predictionsOfReplay = await getJson(base, `/api/v1/missions/${parent.id}/predictions`);
    expect(predictionsOfReplay.status).toBe(404);
    expect(predictionsOfReplay.body.error?.code).toBe('not_a_branch');
  });

  it('refuses a full queue with 429 and Retry-After, and computes the rest', async () => {
    const bearer = await tokenFor(base, 'Queue Tester', 'operator');
    const replies = await Promise.all(
      Array.from({ length: 7 }, () =>
        fetchBranch(bearer, { forkT: t0 + 30_000, horizonMs: 600_000, modifications: [] }),
      ),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThanOrEqual(1);
    const full = replies.find((r) => r.status === 429);
    expect(full).toBeDefined();
    expect(full?.headers.get('retry-after')).toBe('10');
    await server.server.branches.idle();
  }, 120_000);
});

async function fetchBranch(bearer: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(new URL(`/api/v1/missions/${parent.id}/branches`, base), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify(body),
  });
}

/** Project files a module loads at run time (type-only imports vanish), and the packages. */
function runtimeImports(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(
      /^\s*(?:import|export)(?!\s+type\b)[^'"]*?from\s+'([^']+)'/gm,
    )) {
      const spec = match[1] as string;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec);
    }
  };
  visit(join(ROOT, entry));
  return { files: [...files].map((f) => relative(ROOT, f)), packages: [...packages] };
}

describe('a branch cannot reach the plant', () => {
  it('the branch worker loads nothing but the pure core', () => {
    const { files, packages } = runtimeImports('sim-server/branches/branch-worker.ts');
    expect(files.filter((f) => !f.startsWith('digital-twin/'))).toEqual([
      'sim-server/branches/branch-worker.ts',
    ]);
    expect(files.length).toBeGreaterThan(10);
    expect(packages.sort()).toEqual(['node:os', 'node:worker_threads']);
  });

  it('a replay or branch room loads no source, writer or live engine', () => {
    const { files, packages } = runtimeImports('sim-server/rooms/replay-room.ts');
    const plantSide = files.filter((f) => /^sim-server\/(ingest|plant-on-wire|live)\//.test(f));
    expect(plantSide).toEqual([]);
    expect(packages.filter((p) => /mqtt|opcua|sparkplug/i.test(p))).toEqual([]);
    expect(files).toContain('sim-server/missions/replay-cursor.ts');
  });
});
