import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttSource } from '../../../sim-server/ingest/mqtt/index.js';
import {
  decodeSparkplugPayload,
  encodeSparkplugPayload,
  REBIRTH_METRIC,
  SPARKPLUG_DATATYPES as D,
} from '../../../sim-server/ingest/sparkplug/index.js';
import type { SparkplugPayload } from '../../../sim-server/ingest/sparkplug/index.js';
import { sharedBroker } from './helpers/broker.js';
import type { TestBroker } from './helpers/broker.js';
import { eventually, MemorySink } from './helpers/memory-sink.js';
import { wirePlant } from './fixtures/wire-plant.js';

describe('MqttSource with a Sparkplug B edge node on a real broker', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await sharedBroker();
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('reads births and data, asks for a rebirth on a seq gap, and marks sensors bad on death', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const group = `${prefix}-group`;
    const node = `spBv1.0/${group}`;
    const sink = new MemorySink();
    const source = new MqttSource({
      url: broker.url,
      protocolVersion: broker.protocolVersion,
      clientId: `src-${prefix}`,
      plant: wirePlant({ prefix, group }),
    });
    await source.start(sink);
    expect(source.subscriptions).toContain(`${node}/#`);

    // The edge node: NDEATH as its will (Sparkplug requires it), births, data, and it obeys rebirth.
    const bdSeq = 3;
    const deathPayload = Buffer.from(
      encodeSparkplugPayload({
        metrics: [{ name: 'bdSeq', datatype: D.UInt64, longValue: BigInt(bdSeq) }],
      }),
    );
    const edge = await mqtt.connectAsync(broker.url, {
      clientId: `edge-${prefix}`,
      clean: true,
      will: { topic: `${node}/NDEATH/edge-1`, payload: deathPayload, qos: 1, retain: false },
    });
    let seq = 0;
    const send = (topic: string, payload: SparkplugPayload) =>
      edge.publishAsync(topic, Buffer.from(encodeSparkplugPayload(payload)), { qos: 0 });
    const births = async () => {
      seq = 0;
      await send(`${node}/NBIRTH/edge-1`, {
        timestamp: Date.now(),
        seq: 0,
        metrics: [{ name: 'bdSeq', datatype: D.UInt64, longValue: BigInt(bdSeq) }],
      });
      seq = 1;
      await send(`${node}/DBIRTH/edge-1/reactor`, {
        timestamp: Date.now(),
        seq,
        metrics: [
          { name: 'temperature', alias: 1, datatype: D.Double, doubleValue: 50 },
          { name: 'level', alias: 2, datatype: D.Float, floatValue: 40 },
        ],
      });
    };
    const rebirths: string[] = [];
    await edge.subscribeAsync(`${node}/NCMD/edge-1`);
    edge.on('message', (topic, payload) => {
      const metrics = decodeSparkplugPayload(payload).metrics;
      if (metrics.some((m) => m.name === REBIRTH_METRIC && m.booleanValue === true)) {
        rebirths.push(topic);
        void births();
      }
    });
    try {
      await births();
      await eventually(
        () => sink.of('TT-2').length === 1 && sink.of('LT-2').length === 1,
        'values from the DBIRTH',
      );
      const t = Date.now();
      seq += 1;
      await send(`${node}/DDATA/edge-1/reactor`, {
        timestamp: t,
        seq,
        metrics: [{ alias: 1, datatype: D.Double, doubleValue: 55.5 }],
      });
      await eventually(
        () => sink.of('TT-2').some((r) => r.value === 55.5),
        'the DDATA value by alias',
      );

      // Skip seq numbers: the host must ask for a rebirth, and the edge node answers with births.
      seq += 5;
      await send(`${node}/DDATA/edge-1/reactor`, {
        timestamp: t + 1,
        seq,
        metrics: [{ alias: 1, datatype: D.Double, doubleValue: 56 }],
      });
      await eventually(
        () => rebirths.length === 1,
        'a rebirth request (NCMD Node Control/Rebirth)',
      );
      expect(rebirths).toEqual([`${node}/NCMD/edge-1`]);

      // The edge node drops off the network: the broker publishes its will (NDEATH).
      edge.stream.destroy();
      await eventually(
        () => sink.of('TT-2').some((r) => r.quality === 'bad'),
        'bad TT-2 after NDEATH',
      );
      const bad = sink.of('LT-2').filter((r) => r.quality === 'bad');
      expect(bad).toHaveLength(1);
      expect(Number.isNaN(bad[0]?.value)).toBe(true);
    } finally {
      edge.end(true);
      await source.stop();
    }
  });
});
