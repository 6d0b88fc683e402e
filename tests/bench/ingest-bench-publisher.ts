/**
 * The ingest bench's publisher, run in its own process (one mqtt.js client saturates a core by
 * itself). `BENCH_PUBLISH` (JSON) says what to send:
 * - `json`: `count` one-reading JSON messages round-robin over `sensors` topics
 *   `<prefix>/L-1/FT-<n>`;
 * - `sparkplug`: NBIRTH and one DBIRTH per device, then `count` DDATA messages round-robin over
 *   the devices, each carrying every one of the device's `metrics` (by alias, as Sparkplug's
 *   bandwidth rule has it) under one payload timestamp.
 * Every message is QoS 1 with at most `window` unacknowledged, as fast as possible (`rate` 0) or
 * paced to `rate` messages/s. Times: `stamp: 'now'` stamps the publish time (latency runs; one
 * ms later where a sensor's previous reading already has that time);
 * `'unique'` stamps `base + k` for the k-th message of a topic, so no sensor ever gets two
 * readings with the same time (the readings table keys on sensor and time, and a duplicate
 * would be deduplicated rather than stored).
 * Prints one JSON line `{ "start": epochMs }` when it starts the data, `{ "end": epochMs }` when
 * the broker acknowledged the last message.
 */
import mqtt from 'mqtt';
import {
  encodeSparkplugPayload,
  SPARKPLUG_DATATYPES,
} from '../../sim-server/ingest/sparkplug/index.js';
import type { SparkplugMetric } from '../../sim-server/ingest/sparkplug/index.js';
import { EDGE_NODE } from './ingest-bench-plant.js';

export interface PublishJob {
  url: string;
  version: 4 | 5;
  kind: 'json' | 'sparkplug';
  /** JSON: topic prefix; Sparkplug: group id. */
  prefix: string;
  count: number;
  rate: number;
  /** JSON: topics; Sparkplug: devices. */
  sensors: number;
  /** Sparkplug: metrics per device (per DDATA). */
  metrics: number;
  stamp: 'now' | 'unique';
  window: number;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.env.BENCH_PUBLISH ?? '') as PublishJob;
  const client = await mqtt.connectAsync(job.url, { protocolVersion: job.version, clean: true });
  const base = Date.now() - 10 * 60_000;
  let seq = 0;
  const nextSeq = (): number => {
    seq = (seq + 1) % 256;
    return seq;
  };
  const spBase = `spBv1.0/${job.prefix}`;
  /** The last time stamped per topic (births included). */
  const lastT: number[] = [];
  if (job.kind === 'sparkplug') {
    const birth = (): SparkplugMetric[] => {
      const metrics: SparkplugMetric[] = [];
      for (let i = 0; i < job.metrics; i += 1)
        metrics.push({
          name: `m${i}`,
          alias: i + 1,
          datatype: SPARKPLUG_DATATYPES.Double,
          doubleValue: 20,
        });
      return metrics;
    };
    const now = Date.now();
    await client.publishAsync(
      `${spBase}/NBIRTH/${EDGE_NODE}`,
      Buffer.from(
        encodeSparkplugPayload({
          timestamp: now,
          seq: 0,
          metrics: [{ name: 'bdSeq', datatype: SPARKPLUG_DATATYPES.UInt64, longValue: 0n }],
        }),
      ),
      { qos: 1 },
    );
    for (let d = 0; d < job.sensors; d += 1) {
      await client.publishAsync(
        `${spBase}/DBIRTH/${EDGE_NODE}/D-${d}`,
        Buffer.from(encodeSparkplugPayload({ timestamp: now, seq: nextSeq(), metrics: birth() })),
        { qos: 1 },
      );
      lastT[d] = now;
    }
  }

  const body = (k: number): { topic: string; payload: string | Buffer } => {
    const slot = k % job.sensors;
    const round = Math.floor(k / job.sensors);
    // A publisher that fell behind its pace sends a burst: never two readings of one sensor in
    // the same millisecond, or the second would be deduplicated rather than stored.
    const t = job.stamp === 'now' ? Math.max(Date.now(), (lastT[slot] ?? 0) + 1) : base + round;
    lastT[slot] = t;
    if (job.kind === 'json') {
      return {
        topic: `${job.prefix}/L-1/FT-${slot}`,
        payload: JSON.stringify({ value: k % 100, t, quality: 'good' }),
      };
    }
    const metrics: SparkplugMetric[] = [];
    for (let i = 0; i < job.metrics; i += 1)
      metrics.push({ alias: i + 1, doubleValue: (k + i) % 150 });
    return {
      topic: `${spBase}/DDATA/${EDGE_NODE}/D-${slot}`,
      payload: Buffer.from(encodeSparkplugPayload({ timestamp: t, seq: nextSeq(), metrics })),
    };
  };

  process.stdout.write(`${JSON.stringify({ start: Date.now() })}\n`);
  let sent = 0;
  let acked = 0;
  let inflight = 0;
  await new Promise<void>((resolve, reject) => {
    const started = Date.now();
    const pump = (): void => {
      const allowed =
        job.rate > 0
          ? Math.min(job.count, Math.floor(((Date.now() - started) * job.rate) / 1000))
          : job.count;
      while (sent < allowed && inflight < job.window) {
        const { topic, payload } = body(sent);
        inflight += 1;
        client.publish(topic, payload, { qos: 1 }, (error) => {
          if (error) return reject(error);
          inflight -= 1;
          acked += 1;
          if (acked === job.count) resolve();
        });
        sent += 1;
      }
      if (sent < job.count) setTimeout(pump, job.rate > 0 ? 2 : 0);
    };
    pump();
  });
  process.stdout.write(`${JSON.stringify({ end: Date.now() })}\n`);
  await client.endAsync();
}

await main();
