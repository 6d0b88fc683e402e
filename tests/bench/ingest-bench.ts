/**
 * Ingest figures: readings/s from a broker through the MQTT source (decode, validate, store in
 * memory, ack after storing) against the raw mqtt.js QoS 1 subscribe rate measured in the same
 * run on the same broker, and publish → sink latency p50/p99 at a steady 10,000 readings/s.
 *
 * The publisher runs in its own process (one mqtt.js client saturates a core by itself), and the
 * broker is a private Mosquitto with raised queue limits (its defaults drop QoS 1 messages for a
 * subscriber that falls behind), or an aedes process where Mosquitto is absent.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import type { Reading } from '../../digital-twin/index.js';
import { MqttSource } from '../../sim-server/ingest/mqtt/index.js';
import type { IngestRejection, ReadingSink } from '../../sim-server/ingest/source.js';
import { wirePlant } from '../integration/ingest/fixtures/wire-plant.js';
import { startBroker } from '../integration/ingest/helpers/broker.js';
import type { TestBroker } from '../integration/ingest/helpers/broker.js';

type Figures = Record<string, number | string>;

const MESSAGES = 60_000;
const SENSORS = 1_000;
const LATENCY_RATE = 10_000; // readings/s
const LATENCY_SECONDS = 5;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// Plain JS for `node -e`: publishes JSON readings with QoS 1, at most `window` unacked, either
// as fast as possible (rate 0) or paced to `rate` messages/s; `t` is the publish time.
const PUBLISHER = `
const mqtt = (await import('mqtt')).default;
const { url, prefix, count, rate, sensors, version } = JSON.parse(process.env.BENCH_PUBLISH);
const client = await mqtt.connectAsync(url, { protocolVersion: version, clean: true });
let sent = 0, acked = 0, inflight = 0;
const window = 2000;
await new Promise((resolve) => {
  const started = Date.now();
  const pump = () => {
    const allowed = rate > 0 ? Math.min(count, Math.floor(((Date.now() - started) * rate) / 1000)) : count;
    while (sent < allowed && inflight < window) {
      const t = Date.now();
      const body = JSON.stringify({ value: sent % 100, t, quality: 'good' });
      inflight += 1;
      client.publish(prefix + '/L-1/FT-' + (sent % sensors), body, { qos: 1 }, () => {
        inflight -= 1; acked += 1;
        if (acked === count) resolve();
      });
      sent += 1;
    }
    if (sent < count) setTimeout(pump, rate > 0 ? 5 : 0);
  };
  pump();
});
await client.endAsync();
process.stdout.write('done\\n');
`;

function publish(broker: TestBroker, prefix: string, count: number, rate: number): Promise<void> {
  const { url, protocolVersion: version } = broker;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', PUBLISHER], {
      cwd: ROOT,
      env: {
        ...process.env,
        BENCH_PUBLISH: JSON.stringify({ url, prefix, count, rate, sensors: SENSORS, version }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`publisher exited with ${String(code)}`)),
    );
  });
}

/** Readings per second from first to last message; `received` counts what arrived. */
interface Rate {
  perSecond: number;
  received: number;
}

async function rawSubscribeRate(broker: TestBroker): Promise<Rate> {
  const prefix = `raw${randomUUID().slice(0, 8)}`;
  const client = await mqtt.connectAsync(broker.url, {
    protocolVersion: broker.protocolVersion,
    clean: true,
  });
  await client.subscribeAsync(`${prefix}/#`, { qos: 1 });
  let received = 0;
  let first = 0;
  let last = 0;
  const done = new Promise<void>((resolve) => {
    client.on('message', () => {
      const now = performance.now();
      if (received === 0) first = now;
      received += 1;
      last = now;
      if (received === MESSAGES) resolve();
    });
  });
  await publish(broker, prefix, MESSAGES, 0);
  await Promise.race([done, new Promise((r) => setTimeout(r, 30_000))]);
  await client.endAsync();
  return { perSecond: (received / (last - first)) * 1000, received };
}

class CountingSink implements ReadingSink {
  readonly seen = new Set<string>();
  latencies: number[] = [];
  first = 0;
  last = 0;
  rejected = 0;
  recordLatency = false;

  accept(readings: Reading[]): Promise<void> {
    const now = performance.now();
    if (this.seen.size === 0) this.first = now;
    this.last = now;
    const wall = Date.now();
    for (const r of readings) {
      this.seen.add(`${r.sensorId}\u0000${r.t}\u0000${r.value}`);
      if (this.recordLatency) this.latencies.push(wall - r.t);
    }
    return Promise.resolve();
  }

  reject(_rejection: IngestRejection): void {
    this.rejected += 1;
  }
}

async function sourceRate(broker: TestBroker): Promise<Rate & { rejected: number }> {
  const prefix = `src${randomUUID().slice(0, 8)}`;
  const sink = new CountingSink();
  const source = new MqttSource({
    url: broker.url,
    protocolVersion: broker.protocolVersion,
    clientId: `bench-${prefix}`,
    plant: wirePlant({ prefix, bulkSensors: SENSORS }),
  });
  await source.start(sink);
  let delivered = 0;
  const originalAccept = sink.accept.bind(sink);
  const done = new Promise<void>((resolve) => {
    sink.accept = (readings) => {
      delivered += readings.length;
      const result = originalAccept(readings);
      if (delivered >= MESSAGES) resolve();
      return result;
    };
  });
  await publish(broker, prefix, MESSAGES, 0);
  await Promise.race([done, new Promise((r) => setTimeout(r, 30_000))]);
  await source.stop();
  return {
    perSecond: (delivered / (sink.last - sink.first)) * 1000,
    received: delivered,
    rejected: sink.rejected,
  };
}

async function latencyAt(
  broker: TestBroker,
  rate: number,
): Promise<{ p50: number; p99: number; max: number; received: number }> {
  const prefix = `lat${randomUUID().slice(0, 8)}`;
  const sink = new CountingSink();
  sink.recordLatency = true;
  const source = new MqttSource({
    url: broker.url,
    protocolVersion: broker.protocolVersion,
    clientId: `bench-${prefix}`,
    plant: wirePlant({ prefix, bulkSensors: SENSORS }),
  });
  await source.start(sink);
  const count = rate * LATENCY_SECONDS;
  await publish(broker, prefix, count, rate);
  const deadline = Date.now() + 10_000;
  while (sink.latencies.length < count && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  await source.stop();
  // The first second warms up the JIT and the connection; the steady state is what a plant sees.
  const steady = sink.latencies.slice(rate).sort((a, b) => a - b);
  const pick = (q: number) =>
    steady[Math.min(steady.length - 1, Math.floor(q * steady.length))] ?? Number.NaN;
  return {
    p50: pick(0.5),
    p99: pick(0.99),
    max: steady.at(-1) ?? Number.NaN,
    received: sink.latencies.length,
  };
}

/** The `ingest` section of `npm run bench`. */
export async function benchIngest(): Promise<Figures> {
  const broker = await startBroker();
  try {
    const raw = await rawSubscribeRate(broker);
    const source = await sourceRate(broker);
    const latency = await latencyAt(broker, LATENCY_RATE);
    return {
      broker: broker.kind,
      'messages per run': MESSAGES,
      'raw mqtt.js QoS 1 subscribe (msg/s)': raw.perSecond,
      'MQTT source → in-memory sink (readings/s)': source.perSecond,
      'source / raw': `${((source.perSecond / raw.perSecond) * 100).toFixed(0)} %`,
      'source readings received': source.received,
      'source rejections': source.rejected,
      [`latency publish → sink at ${LATENCY_RATE}/s p50 (ms)`]: latency.p50,
      [`latency publish → sink at ${LATENCY_RATE}/s p99 (ms)`]: latency.p99,
      'latency max (ms)': latency.max,
      'latency readings received': latency.received,
    };
  } finally {
    await broker.stop();
  }
}
