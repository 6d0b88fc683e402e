import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttSource } from '../../../sim-server/ingest/mqtt/index.js';
import { mosquittoBinary, sharedBroker, startBroker } from './helpers/broker.js';
import type { TestBroker } from './helpers/broker.js';
import { eventually, MemorySink } from './helpers/memory-sink.js';
import { wirePlant } from './fixtures/wire-plant.js';

const NOW = () => Date.now();

/** mulberry32, so a failing fuzz run reproduces. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A QoS 1 publisher with a persistent session, so its unacked publishes survive a broker restart. */
async function publisher(
  broker: TestBroker,
  clientId = `pub-${randomUUID()}`,
): Promise<MqttClient> {
  return mqtt.connectAsync(broker.url, {
    clientId,
    clean: false,
    protocolVersion: broker.protocolVersion,
    reconnectPeriod: 200,
    ...(broker.protocolVersion === 5 ? { properties: { sessionExpiryInterval: 600 } } : {}),
  });
}

function sourceFor(
  broker: TestBroker,
  prefix: string,
  clientId: string,
  extra: Partial<ConstructorParameters<typeof MqttSource>[0]> = {},
) {
  return new MqttSource({
    url: broker.url,
    clientId,
    plant: wirePlant({ prefix, bulkSensors: 4 }),
    backoff: { initialMs: 100, maxMs: 1_000 },
    protocolVersion: broker.protocolVersion,
    ...extra,
  });
}

describe('MqttSource against a real broker', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await sharedBroker();
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('turns JSON and bare-number payloads into readings and refuses bad ones with a reason', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const sink = new MemorySink();
    const source = sourceFor(broker, prefix, `src-${prefix}`);
    await source.start(sink);
    const pub = await publisher(broker);
    try {
      const t = NOW() - 1000;
      await pub.publishAsync(
        `${prefix}/R-1/TT-1`,
        JSON.stringify({ value: 71.5, t, quality: 'good' }),
        { qos: 1 },
      );
      await pub.publishAsync(`${prefix}/R-1/PT-1`, '3.25', { qos: 1 });
      await pub.publishAsync(`${prefix}/R-1/TT-1`, '{"value":"hot"}', { qos: 1 });
      await pub.publishAsync(`${prefix}/R-1/TT-1`, 'NaN', { qos: 1 });
      await pub.publishAsync(`${prefix}/R-1/PT-1`, Buffer.from([0xff, 0x00, 0x13]), { qos: 1 });
      await pub.publishAsync(
        `${prefix}/R-1/TT-1`,
        JSON.stringify({ value: 20, t: NOW() + 86_400_000 }),
        { qos: 1 },
      );
      // Under the `<prefix>/#` wildcard but bound to nothing.
      await pub.publishAsync(`${prefix}/R-1/nobody`, '1', { qos: 1 });
      await eventually(
        () => sink.readings.size === 2 && sink.rejections.length === 5,
        'two readings and five rejections',
      );
      expect(sink.of('TT-1')).toEqual([{ sensorId: 'TT-1', t, value: 71.5, quality: 'good' }]);
      expect(sink.of('PT-1')).toMatchObject([{ value: 3.25, quality: 'good' }]);
      expect(sink.reasons().sort()).toEqual([
        'bad_timestamp',
        'json_parse',
        'non_finite',
        'unknown_topic',
        'wrong_type',
      ]);
      expect(sink.rejections.every((r) => r.origin.startsWith(`${prefix}/`))).toBe(true);
      expect(source.subscriptions).toContain(`${prefix}/#`);
    } finally {
      await pub.endAsync();
      await source.stop();
    }
  });

  it('survives thousands of malformed payloads over the wire, classifying every one', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const sink = new MemorySink();
    const source = sourceFor(broker, prefix, `src-${prefix}`);
    await source.start(sink);
    const pub = await publisher(broker);
    const random = seeded(4242);
    const total = 2000;
    try {
      for (let i = 0; i < total; i += 1) {
        const bytes = Buffer.alloc(Math.floor(random() * 40));
        for (let j = 0; j < bytes.length; j += 1) bytes[j] = Math.floor(random() * 256);
        // Half on a JSON topic, half as Sparkplug DDATA from a node that never sent a birth.
        const topic =
          i % 2 === 0 ? `${prefix}/R-1/TT-1` : `spBv1.0/${prefix}-group/DDATA/edge-1/reactor`;
        // Awaited, and paced: the shared Mosquitto keeps its defaults (20 in flight, 1,000
        // queued), which drop messages for a subscriber that falls behind a flood.
        await pub.publishAsync(topic, bytes, { qos: i % 2 === 0 ? 1 : 0 });
        if (i % 100 === 99)
          await eventually(() => source.stats.messages >= i - 100, 'the source keeping up');
      }
      // One more than published: the host's own rebirth request (NCMD) comes back on `spBv1.0/<group>/#`.
      await eventually(() => source.stats.messages === total + 1, `all ${total} messages received`);
      await eventually(
        () => sink.rejections.length + sink.delivered === total,
        'every message classified',
      );
      expect(source.running).toBe(true);
      expect(new Set(sink.reasons()).size).toBeGreaterThanOrEqual(2);
    } finally {
      await pub.endAsync();
      await source.stop();
    }
  });

  it('acknowledges a message only after the sink has stored it, so a restart redelivers the rest', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const clientId = `src-${prefix}`;
    const held = new MemorySink();
    let release: () => void = () => undefined;
    held.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = sourceFor(broker, prefix, clientId);
    await first.start(held);
    const pub = await publisher(broker);
    const t0 = NOW() - 10_000;
    for (let i = 0; i < 20; i += 1) {
      await pub.publishAsync(`${prefix}/L-1/FT-${i % 4}`, JSON.stringify({ value: i, t: t0 + i }), {
        qos: 1,
      });
    }
    await eventually(() => held.delivered === 20, 'all 20 handed to the held sink');
    expect(first.stats.ackWindowDepth).toBe(20);
    // The process "crashes" before storage finished: nothing was acked, so the broker keeps all 20.
    await first.stop();
    release();

    const sink = new MemorySink();
    const second = sourceFor(broker, prefix, clientId);
    await second.start(sink);
    try {
      await eventually(
        () => sink.readings.size === 20,
        'the 20 unacknowledged messages redelivered',
      );
      await eventually(() => second.stats.ackWindowDepth === 0, 'every redelivered message acked');
    } finally {
      await second.stop();
    }
    // Acked now: a third session with the same id receives nothing more.
    const after = new MemorySink();
    const third = sourceFor(broker, prefix, clientId);
    await third.start(after);
    try {
      await pub.publishAsync(`${prefix}/R-1/PT-1`, '1.5', { qos: 1 });
      await eventually(() => after.readings.size === 1, 'the marker reading');
      expect(after.of('PT-1')).toHaveLength(1);
      expect(after.delivered).toBe(1);
    } finally {
      await third.stop();
      await pub.endAsync();
    }
  });

  it('applies back-pressure: with storage stalled, at most maxInFlight messages are taken from the broker', async (ctx) => {
    // The window is MQTT 5's Receive Maximum; a 3.1.1-only broker (aedes) sets its own.
    if (broker.protocolVersion !== 5) ctx.skip();
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const sink = new MemorySink();
    let release: () => void = () => undefined;
    sink.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const source = sourceFor(broker, prefix, `src-${prefix}`, { maxInFlight: 50 });
    await source.start(sink);
    const pub = await publisher(broker);
    const t0 = NOW() - 10_000;
    try {
      for (let i = 0; i < 300; i += 1) {
        await pub.publishAsync(
          `${prefix}/L-1/FT-${i % 4}`,
          JSON.stringify({ value: i % 100, t: t0 + i }),
          { qos: 1 },
        );
      }
      await eventually(() => sink.delivered > 0, 'the first messages');
      // Proving a negative needs a pause: give the broker time to (wrongly) send more. A broker
      // may hold the window below 50 (its own in-flight limit); it must never exceed it.
      await new Promise((r) => setTimeout(r, 1_000));
      expect(sink.delivered).toBeLessThanOrEqual(50);
      expect(source.stats.ackWindowDepth).toBe(sink.delivered);
      expect(sink.readings.size).toBe(0);
      release();
      await eventually(() => sink.readings.size === 300, 'all 300 once storage resumes');
    } finally {
      release();
      await pub.endAsync();
      await source.stop();
    }
  });

  it('publishes a command and resolves when the confirming reading arrives, or says why not', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const sink = new MemorySink();
    const source = sourceFor(broker, prefix, `src-${prefix}`, { commandTimeoutMs: 1_500 });
    await source.start(sink);
    // A stand-in valve: obeys commands on its command topic and reports its position in %.
    const valve = await publisher(broker);
    await valve.subscribeAsync(`${prefix}/V-1/cmd`, { qos: 1 });
    const commands: unknown[] = [];
    let obey = true;
    valve.on('message', (_topic, payload) => {
      const command = JSON.parse(payload.toString()) as { value: number };
      commands.push(command);
      if (!obey) return;
      const report = JSON.stringify({ value: command.value * 100, t: Date.now() });
      void valve.publishAsync(`${prefix}/V-1/ZT-1`, report, { qos: 1 });
    });
    try {
      expect(source.handles('V-1.POS')).toBe(true);
      expect(source.handles('V-2.POS')).toBe(false);
      await expect(source.write('V-1.POS', 0.25)).resolves.toEqual({ ok: true });
      expect(commands).toMatchObject([{ value: 0.25 }]);
      expect(sink.of('ZT-1').map((r) => r.value)).toContain(25);
      await expect(source.write('V-1.POS', 1.5)).resolves.toMatchObject({
        ok: false,
        reason: expect.stringContaining('range') as unknown,
      });
      obey = false;
      const ignored = await source.write('V-1.POS', 0.75);
      expect(ignored).toMatchObject({
        ok: false,
        reason: expect.stringContaining('no reading of ZT-1') as unknown,
      });
      await expect(source.write('V-2.POS', 0.5)).resolves.toMatchObject({ ok: false });
    } finally {
      await valve.endAsync();
      await source.stop();
    }
  });
});

describe.skipIf(mosquittoBinary() === undefined)(
  'MqttSource across a broker restart (private Mosquitto with persistence)',
  () => {
    it('loses nothing: every QoS 1 message published arrives in the sink exactly once after dedupe', async () => {
      const broker = await startBroker();
      const prefix = `t${randomUUID().slice(0, 8)}`;
      const sink = new MemorySink();
      const source = sourceFor(broker, prefix, `src-${prefix}`);
      await source.start(sink);
      const pub = await publisher(broker, `pub-${prefix}`);
      const total = 3000;
      const t0 = NOW() - 60_000;
      // "Published" means the broker acknowledged it (PUBACK): from then on it is the broker's
      // and our source's job not to lose it. mqtt.js resends unacked publishes after a reconnect.
      const acked = new Set<number>();
      // One publish in flight at a time. With hundreds in flight across the restart, about one
      // loaded run in ten lost one message whose publish had resolved (PUBACK) yet never reached
      // our source, with nothing in its ack window: upstream of the code under test, most likely
      // mqtt.js 5.16 reusing a packet id its resend store still held. Not what this test is about.
      const publishing = (async () => {
        for (let i = 0; i < total; i += 1) {
          const body = JSON.stringify({ value: i % 100, t: t0 + i });
          await pub.publishAsync(`${prefix}/L-1/FT-${i % 4}`, body, { qos: 1 }).then(
            () => acked.add(i),
            () => undefined,
          );
        }
      })();
      try {
        await eventually(
          () => sink.readings.size > total / 4,
          'a quarter of the stream before the restart',
        );
        await broker.restart();
        await publishing;
        await eventually(
          () => acked.size === total,
          () => `PUBACKs for all ${total} (have ${acked.size})`,
          60_000,
        );
        const missing = () =>
          [...acked].filter((i) => !sink.readings.has(`FT-${i % 4}\u0000${t0 + i}`));
        await eventually(
          () => missing().length === 0,
          () =>
            `every acknowledged reading after the restart (missing ${missing().length}: ${missing().slice(0, 5).join(', ')}; ` +
            `have ${sink.readings.size}, delivered ${sink.delivered}, window ${source.stats.ackWindowDepth}, ` +
            `connected ${String(source.stats.connected)}, reconnects ${source.stats.reconnects})`,
          60_000,
        );
        // Exactly once: no reading twice, none that was not published.
        expect(sink.readings.size).toBe(total);
        expect(source.stats.reconnects).toBeGreaterThan(0);
        // Redeliveries after the restart reach the sink twice; the (sensor, t) dedupe absorbs them.
        expect(sink.delivered).toBeGreaterThanOrEqual(total);
      } finally {
        await pub.endAsync(true);
        await source.stop();
        await broker.stop();
      }
    }, 120_000);
  },
);
