/**
 * Thousands of malformed MQTT payloads and Sparkplug packets thrown at a running server through a
 * real broker: the process keeps running, every one is refused with a reason and counted in
 * /metrics, and a good reading sent after the flood still reaches the twin.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrng } from '../../../digital-twin/index.js';
import { getJson, startTestServer, waitFor } from '../server/helpers.js';
import type { TestServer } from '../server/helpers.js';
import { sharedBroker } from './helpers/broker.js';
import type { TestBroker } from './helpers/broker.js';
import { writeWiredDemoPlant } from './fixtures/wired-demo-plant.js';

const JSON_SENSOR = 'P-201.FT-01'; // 0–250 m3/h
const MESSAGES_PER_KIND = 250;

describe('fuzzing the server over MQTT', () => {
  const prefix = `fz${randomUUID().slice(0, 8)}`;
  const group = `g-${prefix}`;
  const dir = mkdtempSync(join(tmpdir(), 'twinspace-server-fuzz-'));
  let broker: TestBroker;
  let server: TestServer;

  beforeAll(async () => {
    broker = await sharedBroker();
    const plantPath = writeWiredDemoPlant(dir, {
      prefix,
      group,
      endpoint: 'opc.tcp://127.0.0.1:1',
      keep: ['P-201', 'C-401'],
    });
    server = await startTestServer({
      PLANT: plantPath,
      SCENARIO: 'none',
      TIME_SCALE: '1',
      MQTT_URL: broker.url,
      MQTT_CLIENT_ID: `twinspace-${prefix}`,
      MQTT_PROTOCOL_VERSION: String(broker.protocolVersion),
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('refuses and counts every malformed message, keeps running, and still takes good readings', async () => {
    const base = `http://127.0.0.1:${server.server.port}/`;
    const rejected = async (): Promise<number> => {
      const text = await (await fetch(new URL('/metrics', base))).text();
      let sum = 0;
      for (const m of text.matchAll(/^twinspace_ingest_rejects_total\{[^}]*\} (\d+)$/gm))
        sum += Number(m[1]);
      return sum;
    };
    const before = await rejected();
    const prng = createPrng(20261123);
    const randomBytes = (n: number): Buffer => {
      const bytes = Buffer.alloc(n);
      for (let i = 0; i < n; i += 1) bytes[i] = Math.floor(prng.next() * 256);
      return bytes;
    };
    const topic = `${prefix}/P-201/FT-01`;
    const now = Date.now();
    // Each message is malformed in exactly one way, so each must be refused exactly once.
    const kinds: [string, (i: number) => { topic: string; payload: Buffer | string }][] = [
      // 0xff never occurs in UTF-8, so these can never parse as a number by accident.
      [
        'garbage bytes',
        () => ({
          topic,
          payload: Buffer.concat([
            Buffer.from([0xff]),
            randomBytes(1 + Math.floor(prng.next() * 200)),
          ]),
        }),
      ],
      [
        'wrong JSON types',
        (i) => ({
          topic,
          payload: JSON.stringify(
            [
              { value: 'hot' },
              { value: [i] },
              { value: true },
              { value: 1, t: 'soon' },
              { value: 1, quality: 'great' },
            ][i % 5],
          ),
        }),
      ],
      [
        'non-finite',
        (i) => ({
          topic,
          payload: ['NaN', 'Infinity', '-inf', '{"value":1e999}', '{"value":"NaN"}'][i % 5]!,
        }),
      ],
      ['out of range', (i) => ({ topic, payload: JSON.stringify({ value: 1e9 + i, t: now }) })],
      [
        'far future or past',
        (i) => ({
          topic,
          payload: JSON.stringify({
            value: 10,
            t: i % 2 === 0 ? now + 400 * 86_400_000 : 1_000 + i,
          }),
        }),
      ],
      ['truncated JSON', (i) => ({ topic, payload: `{"value": ${i}, "t":` })],
      // Under the filter that covers the plant's topics, so the broker delivers it.
      ['unknown topic', (i) => ({ topic: `${prefix}/P-201/NOPE-${i % 17}`, payload: '1' })],
      [
        'Sparkplug junk',
        (i) => ({
          topic: `spBv1.0/${group}/DDATA/utilities/C-401`,
          payload: randomBytes(1 + (i % 300)),
        }),
      ],
      [
        'Sparkplug data without a birth',
        (i) => ({
          topic: `spBv1.0/${group}/NDATA/utilities`,
          payload: Buffer.from([0x08, i % 100]),
        }),
      ],
    ];
    const publisher = await mqtt.connectAsync(broker.url, {
      protocolVersion: broker.protocolVersion,
    });
    let sent = 0;
    for (const [, make] of kinds) {
      for (let i = 0; i < MESSAGES_PER_KIND; i += 1) {
        const { topic: to, payload } = make(i);
        await publisher.publishAsync(to, payload, { qos: 1 });
        sent += 1;
      }
    }
    // Two 10 MB payloads: refused by size before anything parses them.
    for (let i = 0; i < 2; i += 1) {
      await publisher.publishAsync(topic, Buffer.alloc(10 * 1024 * 1024, 0x31), { qos: 1 });
      sent += 1;
    }
    expect(sent).toBeGreaterThanOrEqual(2_000);
    const counted = await waitFor(
      async () => {
        const n = (await rejected()) - before;
        return n >= sent ? n : undefined;
      },
      `${sent} rejections in /metrics`,
      60_000,
    ).catch(async () => (await rejected()) - before);
    expect(counted).toBe(sent);

    // Each is kept for inspection, its raw input truncated.
    const kept = await waitFor(async () => {
      const r = await getJson(base, '/api/v1/rejects?source=mqtt&reason=too_large');
      const page = r.body as unknown as { items: { raw: string; detail: string }[] };
      return page.items.length === 2 ? page.items : undefined;
    }, 'the two 10 MB payloads in the rejects table');
    for (const reject of kept) {
      expect(Buffer.byteLength(reject.raw)).toBeLessThanOrEqual(4096);
      expect(reject.detail).toContain(topic);
    }
    const unknown = await getJson(base, '/api/v1/rejects?reason=unknown_topic&limit=1000');
    expect((unknown.body as unknown as { items: unknown[] }).items).toHaveLength(MESSAGES_PER_KIND);
    expect((await getJson(base, '/api/v1/rejects?limit=0')).status).toBe(400);

    // Still alive, and a good reading after the flood reaches the twin.
    expect((await fetch(new URL('/healthz', base))).status).toBe(200);
    const t = Date.now();
    await publisher.publishAsync(topic, JSON.stringify({ value: 123.5, t, quality: 'good' }), {
      qos: 1,
    });
    await waitFor(() => {
      const i = server.server.engine.plant.sensorIndex.get(JSON_SENSOR) ?? -1;
      return server.server.engine.twin.value[i] === 123.5;
    }, 'the good reading in the twin');
    await publisher.endAsync();
  }, 240_000);
});
