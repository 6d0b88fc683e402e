/**
 * Every HTTP endpoint of the live server, including bad parameters (400 naming the field) and
 * cursor pagination that neither skips nor repeats rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { criticalOnReactor, getJson, joinPlant, startTestServer, waitFor } from './helpers.js';
import type { TestClient, TestServer } from './helpers.js';

let server: TestServer;
let operator: TestClient;
let base: string;
let capsuleId: string;
const COMMANDS = 23;

beforeAll(async () => {
  server = await startTestServer();
  base = server.server.url;
  operator = await joinPlant(server.wsUrl, 'Operator One');
  const capsule = await waitFor(
    () => criticalOnReactor(operator.state()),
    'a critical capsule on R-101',
    60_000,
  );
  capsuleId = capsule.id;
  await operator.command({ type: 'capsule.ack', commandId: 'http-ack', capsuleId });
  // A trail of commands to page through: accepted annotations and rejected acks of nothing.
  for (let i = 0; i < COMMANDS; i++) {
    await operator.command(
      i % 2 === 0
        ? {
            type: 'annotation.add',
            commandId: `note-${i}`,
            text: `note ${i}`,
            equipmentId: 'R-101',
          }
        : { type: 'capsule.ack', commandId: `ghost-${i}`, capsuleId: 'C-99999' },
    );
  }
  // Wait until the last command is stored, so the API sees the whole trail.
  await waitFor(async () => {
    const page = await getJson(base, '/api/v1/commands?limit=1000');
    return (page.body['items'] as unknown[]).length >= COMMANDS + 1;
  }, 'the command trail to be stored');
}, 150_000);

afterAll(async () => {
  await operator?.leave().catch(() => undefined);
  await server?.stop();
});

type Page = { items: Record<string, unknown>[]; nextCursor: string | null };

async function allPages(path: string, limit: number): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const sep = path.includes('?') ? '&' : '?';
    const url: string = `${path}${sep}limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const { status, body } = await getJson(base, url);
    expect(status).toBe(200);
    const page = body as unknown as Page;
    expect(page.items.length).toBeLessThanOrEqual(limit);
    rows.push(...page.items);
    if (page.nextCursor === null) return rows;
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not end');
}

describe('health and operations', () => {
  it('answers /healthz and /readyz with the database and the source up', async () => {
    expect(await getJson(base, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await getJson(base, '/readyz')).toEqual({
      status: 200,
      body: { status: 'ready', database: true, source: true },
    });
  });

  it('lists connected clients and recent commands on /ws/status', async () => {
    const { body } = await getJson(base, '/ws/status');
    expect(body['clients']).toBe(1);
    expect((body['presence'] as { name: string }[])[0]?.name).toBe('Operator One');
    const recent = body['recentCommands'] as {
      type: string;
      ack: { commandId: string; status: string };
    }[];
    expect(recent.at(-1)?.ack.commandId).toBe(`note-${COMMANDS - 1}`);
  });

  it('exposes Prometheus metrics for readings, the write queue, patches, rejects and clients', async () => {
    const response = await fetch(`${base}metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/^twinspace_readings_total [1-9]\d*$/m);
    expect(text).toMatch(/^twinspace_readings_per_second /m);
    expect(text).toMatch(/^twinspace_write_queue_depth \d+$/m);
    expect(text).toMatch(/^twinspace_patch_bytes_count [1-9]\d*$/m);
    expect(text).toMatch(/^twinspace_rejects_total\{reason="unknown_capsule"\} [1-9]\d*$/m);
    expect(text).toMatch(/^twinspace_clients 1$/m);
  });

  it('publishes an OpenAPI document built from the request schemas', async () => {
    const { status, body } = await getJson(base, '/api/v1/openapi.json');
    expect(status).toBe(200);
    expect(body['openapi']).toBe('3.1.0');
    const paths = body['paths'] as Record<
      string,
      { get: { parameters: { name: string; in: string }[] } }
    >;
    const names = paths['/api/v1/capsules']?.get.parameters.map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining(['state', 'severity', 'zone', 'text', 'cursor', 'limit']),
    );
    expect(paths['/api/v1/sensors/{id}/readings']?.get.parameters.map((p) => p.name)).toContain(
      'bucket',
    );
  });

  it('serves the client (or a page saying how to build it) at / and 404s unknown API paths', async () => {
    const page = await fetch(base);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const missing = await getJson(base, '/api/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.error?.code).toBe('not_found');
  });
});

describe('/api/v1/plant', () => {
  it('returns the plant and the live clock', async () => {
    const { status, body } = await getJson(base, '/api/v1/plant');
    expect(status).toBe(200);
    expect((body['plant'] as { id: string }).id).toBe('demo-reactor');
    const live = body['live'] as {
      seq: number;
      durableSeq: number;
      sourceRunning: boolean;
      scenario: string;
    };
    expect(live.seq).toBeGreaterThan(0);
    expect(live.sourceRunning).toBe(true);
    expect(live.scenario).toBe('cooling-pump-trip');
  });
});

describe('/api/v1/capsules', () => {
  it('finds the acknowledged capsule by state, severity, zone and text', async () => {
    const zone = server.server.engine.plant.equipmentById.get('R-101')?.zone ?? '';
    const one = await getJson(base, `/api/v1/capsules/${capsuleId}`);
    const capsule = one.body['capsule'] as {
      title: string;
      state: string;
      history: { action: string; actor: { name: string } }[];
    };
    const word = capsule.title.split(/\s+/)[0] ?? '';
    for (const query of [
      `state=${capsule.state}`,
      'severity=critical',
      `zone=${encodeURIComponent(zone)}`,
      `text=${encodeURIComponent(word.toLowerCase())}`,
    ]) {
      const { status, body } = await getJson(base, `/api/v1/capsules?${query}`);
      expect(status, query).toBe(200);
      expect(
        (body['items'] as { id: string }[]).map((c) => c.id),
        query,
      ).toContain(capsuleId);
    }
    const none = await getJson(base, '/api/v1/capsules?state=dismissed');
    expect((none.body['items'] as { id: string }[]).map((c) => c.id)).not.toContain(capsuleId);
  });

  it('returns one capsule with its history, and 404 for an unknown id', async () => {
    const { status, body } = await getJson(base, `/api/v1/capsules/${capsuleId}`);
    expect(status).toBe(200);
    const capsule = body['capsule'] as { history: { action: string; actor: { name: string } }[] };
    expect(capsule.history[0]?.action).toBe('raised');
    expect(capsule.history.find((h) => h.action === 'acknowledged')?.actor.name).toBe(
      'Operator One',
    );
    const missing = await getJson(base, '/api/v1/capsules/C-424242');
    expect(missing.status).toBe(404);
    expect(missing.body.error?.message).toContain('C-424242');
  });

  it('pages without skipping or repeating', async () => {
    const whole = await getJson(base, '/api/v1/capsules?limit=1000');
    const ids = (whole.body['items'] as { id: string }[]).map((c) => c.id);
    expect(ids.length).toBeGreaterThan(0);
    const paged = (await allPages('/api/v1/capsules', 1)).map((c) => c['id']);
    // The plant keeps running: a capsule raised meanwhile may join the pages, none may go missing.
    expect(new Set(paged).size).toBe(paged.length);
    for (const id of ids) expect(paged).toContain(id);
  });

  it('names the bad parameter in a 400', async () => {
    for (const [query, field] of [
      ['state=open', 'state'],
      ['severity=catastrophic', 'severity'],
      ['limit=0', 'limit'],
      ['limit=ten', 'limit'],
      ['colour=red', 'colour'],
      ['cursor=not-a-cursor', 'cursor'],
    ] as const) {
      const { status, body } = await getJson(base, `/api/v1/capsules?${query}`);
      expect(status, query).toBe(400);
      expect(body.error?.field, query).toBe(field);
      expect(body.error?.code, query).toBe('bad_parameter');
    }
  });
});

describe('/api/v1/sensors/:id/readings', () => {
  const sensor = '/api/v1/sensors/R-101.TT-01/readings';

  it('aggregates readings into buckets with avg, min and max', async () => {
    const { status, body } = await getJson(base, `${sensor}?bucket=1m`);
    expect(status).toBe(200);
    expect(body['kind']).toBe('buckets');
    const buckets = body['buckets'] as {
      t: number;
      avg: number;
      min: number;
      max: number;
      count: number;
    }[];
    expect(buckets.length).toBeGreaterThan(0);
    for (const b of buckets) {
      expect(b.t % 60_000).toBe(0);
      expect(b.min).toBeLessThanOrEqual(b.avg);
      expect(b.avg).toBeLessThanOrEqual(b.max);
    }
    expect(buckets.reduce((n, b) => n + b.count, 0)).toBeGreaterThan(10);
  });

  it('returns raw readings over an explicit range', async () => {
    // A minute that holds stored readings (the twin runs ahead of what is durable).
    const { body: bucketed } = await getJson(base, `${sensor}?bucket=1m`);
    const minute = (bucketed['buckets'] as { t: number; count: number }[]).find((b) => b.count > 0);
    expect(minute).toBeDefined();
    const from = minute?.t ?? 0;
    const { status, body } = await getJson(
      base,
      `${sensor}?from=${from}&to=${new Date(from + 60_000).toISOString()}`,
    );
    expect(status).toBe(200);
    expect(body['kind']).toBe('raw');
    const readings = body['readings'] as { t: number; value: number; quality: string }[];
    // Bucket counts leave bad readings out; raw rows keep them with their quality.
    expect(readings.filter((r) => r.quality !== 'bad').length).toBe(minute?.count);
    expect(readings.every((r) => r.t >= from && r.t < from + 60_000)).toBe(true);
  });

  it('names the bad parameter, and 404s an unknown sensor', async () => {
    for (const [query, field] of [
      ['bucket=7x', 'bucket'],
      ['bucket=1ms', 'bucket'],
      ['from=yesterday', 'from'],
      ['from=2000&to=1000', 'from'],
      ['limit=-1', 'limit'],
    ] as const) {
      const { status, body } = await getJson(base, `${sensor}?${query}`);
      expect(status, query).toBe(400);
      expect(body.error?.field, query).toBe(field);
    }
    const missing = await getJson(base, '/api/v1/sensors/NOPE-1/readings');
    expect(missing.status).toBe(404);
  });
});

describe('/api/v1/commands', () => {
  it('keeps the audit trail: who, what, the answer', async () => {
    const { body } = await getJson(base, '/api/v1/commands?limit=1000');
    const items = body['items'] as {
      commandId: string;
      status: string;
      actor: { name: string };
      code: string | null;
    }[];
    const ack = items.find((c) => c.commandId === 'http-ack');
    expect(ack).toMatchObject({ status: 'accepted', actor: { name: 'Operator One' } });
    expect(items.find((c) => c.commandId === 'ghost-1')).toMatchObject({
      status: 'rejected',
      code: 'unknown_capsule',
    });
    const forCapsule = await getJson(base, `/api/v1/commands?capsuleId=${capsuleId}`);
    expect((forCapsule.body['items'] as { commandId: string }[]).map((c) => c.commandId)).toContain(
      'http-ack',
    );
  });

  it('pages without skipping or repeating', async () => {
    const whole = await getJson(base, '/api/v1/commands?limit=1000');
    const ids = (whole.body['items'] as { commandId: string }[]).map((c) => c.commandId);
    expect(ids.length).toBeGreaterThanOrEqual(COMMANDS + 1);
    const paged = (await allPages('/api/v1/commands', 5)).map((c) => c['commandId']);
    expect(paged).toEqual(ids);
    expect(new Set(paged).size).toBe(paged.length);
  });

  it('names the bad parameter in a 400', async () => {
    const { status, body } = await getJson(base, '/api/v1/commands?limit=5000');
    expect(status).toBe(400);
    expect(body.error?.field).toBe('limit');
  });
});
