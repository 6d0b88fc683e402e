import { describe, expect, it } from 'vitest';
import { compilePlant } from '../../../../digital-twin/index.js';
import type { Plant, Sensor } from '../../../../digital-twin/index.js';
import {
  DEFAULT_READING_LIMITS,
  PAYLOAD_REASONS,
} from '../../../../sim-server/ingest/payload/index.js';
import {
  decodeSparkplugPayload,
  encodeSparkplugPayload,
  metricNumber,
  parseSparkplugTopic,
  ProtobufError,
  REBIRTH_METRIC,
  SPARKPLUG_DATATYPES as D,
  SparkplugDecoder,
  sparkplugAddress,
} from '../../../../sim-server/ingest/sparkplug/index.js';
import type { SparkplugPayload } from '../../../../sim-server/ingest/sparkplug/index.js';
import { seededRandom } from './fixtures.js';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

describe('Sparkplug B payload codec', () => {
  it('round-trips every numeric datatype, names, aliases, timestamps and flags', () => {
    const payload: SparkplugPayload = {
      timestamp: NOW,
      seq: 255,
      uuid: 'u-1',
      metrics: [
        { name: 'bdSeq', datatype: D.UInt64, longValue: 7n },
        { name: 'i8', alias: 1, datatype: D.Int8, intValue: -5, timestamp: NOW - 1 },
        { name: 'i32', alias: 2, datatype: D.Int32, intValue: -2_000_000_000 },
        { name: 'i64', alias: 3, datatype: D.Int64, longValue: BigInt.asUintN(64, -42n) },
        { name: 'u32', datatype: D.UInt32, intValue: 4_000_000_000 },
        { name: 'f', datatype: D.Float, floatValue: 1.5 },
        { name: 'd', datatype: D.Double, doubleValue: -71.123456789 },
        { name: 'b', datatype: D.Boolean, booleanValue: true },
        { name: 's', datatype: D.String, stringValue: 'ünïcode' },
        { name: 'n', datatype: D.Double, isNull: true, isHistorical: true, isTransient: false },
      ],
    };
    const decoded = decodeSparkplugPayload(encodeSparkplugPayload(payload));
    expect(decoded.timestamp).toBe(NOW);
    expect(decoded.seq).toBe(255);
    expect(decoded.uuid).toBe('u-1');
    expect(decoded.metrics.map((m) => metricNumber(m, m.datatype))).toEqual([
      7,
      -5,
      -2_000_000_000,
      -42,
      4_000_000_000,
      1.5,
      -71.123456789,
      1,
      undefined,
      undefined,
    ]);
    expect(decoded.metrics[8]?.stringValue).toBe('ünïcode');
    expect(decoded.metrics[9]).toMatchObject({
      isNull: true,
      isHistorical: true,
      isTransient: false,
    });
  });

  it('reads bytes written by another Sparkplug implementation (hand-assembled reference)', () => {
    // Payload{timestamp:1, metrics:[{name:"a", datatype:10, double_value:2.5}], seq:3}
    const bytes = new Uint8Array([
      0x08, 0x01, 0x12, 0x0e, 0x0a, 0x01, 0x61, 0x20, 0x0a, 0x69, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x04, 0x40, 0x18, 0x03,
    ]);
    expect(decodeSparkplugPayload(bytes)).toEqual({
      timestamp: 1,
      seq: 3,
      metrics: [{ name: 'a', datatype: 10, doubleValue: 2.5 }],
    });
  });

  it('throws ProtobufError, and only that, on thousands of random and truncated inputs', () => {
    const random = seededRandom(99);
    const valid = encodeSparkplugPayload({
      timestamp: NOW,
      seq: 1,
      metrics: [{ name: 'temperature', datatype: D.Double, doubleValue: 20 }],
    });
    let failures = 0;
    for (let i = 0; i < 5000; i += 1) {
      let bytes: Uint8Array;
      if (i % 2 === 0) {
        bytes = new Uint8Array(Math.floor(random() * 48));
        for (let j = 0; j < bytes.length; j += 1) bytes[j] = Math.floor(random() * 256);
      } else {
        bytes = valid.slice(0, Math.floor(random() * valid.length));
        if (bytes.length > 0)
          bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      }
      try {
        decodeSparkplugPayload(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(ProtobufError);
        failures += 1;
      }
    }
    expect(failures).toBeGreaterThan(1000);
  });
});

describe('Sparkplug topics', () => {
  it('parses node and device topics and refuses the rest', () => {
    expect(parseSparkplugTopic('spBv1.0/G/DDATA/E/D')).toEqual({
      group: 'G',
      type: 'DDATA',
      node: 'E',
      device: 'D',
    });
    expect(parseSparkplugTopic('spBv1.0/G/NBIRTH/E')).toEqual({
      group: 'G',
      type: 'NBIRTH',
      node: 'E',
      device: undefined,
    });
    expect(parseSparkplugTopic('spBv1.0/G/NDATA/E/D')).toBeUndefined();
    expect(parseSparkplugTopic('spBv1.0/G/DDATA/E')).toBeUndefined();
    expect(parseSparkplugTopic('spBv1.0/G/XDATA/E')).toBeUndefined();
    expect(sparkplugAddress('spBv1.0/G/E/D')).toBe('G/E/D');
    expect(sparkplugAddress('spBv1.0/G/DDATA/E/D')).toBe('G/E/D');
  });
});

function sensor(id: string, metric: string, topic: string): Sensor {
  return {
    id,
    kind: 'temperature',
    unit: 'degC',
    range: { min: 0, max: 150 },
    signal: 'temperature',
    binding: { source: 'mqtt', topic, payload: 'sparkplug', metric },
  };
}

function decoder(): SparkplugDecoder {
  const plant: Plant = {
    schemaVersion: 1,
    id: 'sp',
    name: 'sp',
    zones: [{ id: 'Z', name: 'Z', bounds: { minX: 0, minZ: 0, maxX: 1, maxZ: 1 } }],
    equipment: [
      {
        id: 'R-1',
        name: 'R',
        kind: 'reactor',
        zone: 'Z',
        position: { x: 0, y: 0, z: 0 },
        sensors: [
          sensor('NODE-T', 'node temp', 'spBv1.0/G/E'),
          sensor('DEV-T', 'temperature', 'spBv1.0/G/E/D'),
        ],
        actuators: [],
      },
    ],
  };
  return new SparkplugDecoder(compilePlant(plant), DEFAULT_READING_LIMITS);
}

const enc = encodeSparkplugPayload;
const nbirth = (bdSeq: number) =>
  enc({
    timestamp: NOW,
    seq: 0,
    metrics: [
      { name: 'bdSeq', datatype: D.UInt64, longValue: BigInt(bdSeq) },
      { name: 'node temp', alias: 1, datatype: D.Double, doubleValue: 20 },
    ],
  });
const dbirth = (seq: number) =>
  enc({
    timestamp: NOW,
    seq,
    metrics: [{ name: 'temperature', alias: 2, datatype: D.Float, floatValue: 30 }],
  });
const ddata = (seq: number, value: number) =>
  enc({ timestamp: NOW, seq, metrics: [{ alias: 2, timestamp: NOW + seq, floatValue: value }] });

describe('SparkplugDecoder', () => {
  it('follows births and data through aliases, with metric timestamps', () => {
    const d = decoder();
    expect(d.subscriptions).toEqual(['spBv1.0/G/#']);
    expect(d.decode('spBv1.0/G/NBIRTH/E', nbirth(1), NOW).readings).toEqual([
      { sensorId: 'NODE-T', t: NOW, value: 20, quality: 'good' },
    ]);
    expect(d.decode('spBv1.0/G/DBIRTH/E/D', dbirth(1), NOW).readings).toMatchObject([
      { sensorId: 'DEV-T', value: 30 },
    ]);
    const data = d.decode('spBv1.0/G/DDATA/E/D', ddata(2, 31.5), NOW);
    expect(data).toEqual({
      readings: [{ sensorId: 'DEV-T', t: NOW + 2, value: 31.5, quality: 'good' }],
      rejections: [],
      replies: [],
    });
    expect(d.isOnline('G', 'E', 'D')).toBe(true);
  });

  it('asks for a rebirth once on a seq gap, and again only after the next birth', () => {
    const d = decoder();
    d.decode('spBv1.0/G/NBIRTH/E', nbirth(1), NOW);
    d.decode('spBv1.0/G/DBIRTH/E/D', dbirth(1), NOW);
    const gap = d.decode('spBv1.0/G/DDATA/E/D', ddata(5, 40), NOW);
    expect(gap.readings).toHaveLength(1);
    expect(gap.replies).toHaveLength(1);
    expect(gap.replies[0]?.topic).toBe('spBv1.0/G/NCMD/E');
    const request = decodeSparkplugPayload(gap.replies[0]?.payload ?? new Uint8Array());
    expect(request.metrics).toMatchObject([{ name: REBIRTH_METRIC, booleanValue: true }]);
    expect(d.decode('spBv1.0/G/DDATA/E/D', ddata(9, 41), NOW).replies).toEqual([]);
    d.decode('spBv1.0/G/NBIRTH/E', nbirth(2), NOW);
    d.decode('spBv1.0/G/DBIRTH/E/D', dbirth(1), NOW);
    expect(d.decode('spBv1.0/G/DDATA/E/D', ddata(3, 41), NOW).replies).toHaveLength(1);
  });

  it('wraps seq from 255 to 0 without asking for a rebirth', () => {
    const d = decoder();
    d.decode('spBv1.0/G/NBIRTH/E', nbirth(1), NOW);
    d.decode('spBv1.0/G/DBIRTH/E/D', dbirth(255), NOW);
    expect(d.decode('spBv1.0/G/DDATA/E/D', ddata(0, 40), NOW).replies).toEqual([]);
  });

  it('turns a node death into bad readings for the node and its devices, ignoring a stale death', () => {
    const d = decoder();
    d.decode('spBv1.0/G/NBIRTH/E', nbirth(4), NOW);
    d.decode('spBv1.0/G/DBIRTH/E/D', dbirth(1), NOW);
    const death = (bdSeq: number) =>
      enc({ metrics: [{ name: 'bdSeq', datatype: D.UInt64, longValue: BigInt(bdSeq) }] });
    expect(d.decode('spBv1.0/G/NDEATH/E', death(3), NOW).readings).toEqual([]);
    const dead = d.decode('spBv1.0/G/NDEATH/E', death(4), NOW + 5);
    expect(dead.readings.map((r) => [r.sensorId, r.quality, r.t])).toEqual([
      ['NODE-T', 'bad', NOW + 5],
      ['DEV-T', 'bad', NOW + 5],
    ]);
    expect(dead.readings.every((r) => Number.isNaN(r.value))).toBe(true);
    expect(d.isOnline('G', 'E')).toBe(false);
  });

  it('turns a device death into bad readings for that device only', () => {
    const d = decoder();
    d.decode('spBv1.0/G/NBIRTH/E', nbirth(1), NOW);
    d.decode('spBv1.0/G/DBIRTH/E/D', dbirth(1), NOW);
    const out = d.decode('spBv1.0/G/DDEATH/E/D', enc({ timestamp: NOW, seq: 2, metrics: [] }), NOW);
    expect(out.readings.map((r) => [r.sensorId, r.quality])).toEqual([['DEV-T', 'bad']]);
    expect(d.isOnline('G', 'E')).toBe(true);
    expect(d.isOnline('G', 'E', 'D')).toBe(false);
  });

  it('refuses data before a birth (asking for one), unknown aliases, strings and garbage, each with a reason', () => {
    const d = decoder();
    const early = d.decode('spBv1.0/G/DDATA/E/D', ddata(1, 1), NOW);
    expect(early.rejections.map((r) => r.reason)).toEqual(['sparkplug_no_birth']);
    expect(early.replies).toHaveLength(1);
    d.decode('spBv1.0/G/NBIRTH/E', nbirth(1), NOW);
    d.decode('spBv1.0/G/DBIRTH/E/D', dbirth(1), NOW);
    const alias = d.decode(
      'spBv1.0/G/DDATA/E/D',
      enc({ seq: 2, metrics: [{ alias: 77, doubleValue: 1 }] }),
      NOW,
    );
    expect(alias.rejections.map((r) => r.reason)).toEqual(['sparkplug_unknown_alias']);
    const text = d.decode(
      'spBv1.0/G/DDATA/E/D',
      enc({ seq: 3, metrics: [{ name: 'temperature', datatype: D.String, stringValue: 'hot' }] }),
      NOW,
    );
    expect(text.rejections.map((r) => r.reason)).toEqual(['sparkplug_value']);
    const far = d.decode(
      'spBv1.0/G/DDATA/E/D',
      enc({ seq: 4, metrics: [{ alias: 2, floatValue: 9999 }] }),
      NOW,
    );
    expect(far.rejections.map((r) => r.reason)).toEqual(['out_of_range']);
    expect(
      d.decode('spBv1.0/G/DDATA/E/D', new Uint8Array([0x12, 0x7f]), NOW).rejections[0]?.reason,
    ).toBe('sparkplug_decode');
    expect(d.decode('spBv1.0/G/BOGUS/E', new Uint8Array(), NOW).rejections[0]?.reason).toBe(
      'sparkplug_topic',
    );
  });

  it('classifies 5,000 random packets on random Sparkplug topics without throwing', () => {
    const d = decoder();
    const random = seededRandom(5);
    const reasons = new Set<string>(PAYLOAD_REASONS);
    const types = ['NBIRTH', 'NDATA', 'NDEATH', 'DBIRTH', 'DDATA', 'DDEATH', 'NCMD', 'STATE'];
    for (let i = 0; i < 5000; i += 1) {
      const type = types[Math.floor(random() * types.length)] ?? 'NDATA';
      const topic = type.startsWith('D') ? `spBv1.0/G/${type}/E/D` : `spBv1.0/G/${type}/E`;
      let bytes: Uint8Array;
      if (random() < 0.5) {
        bytes = new Uint8Array(Math.floor(random() * 40));
        for (let j = 0; j < bytes.length; j += 1) bytes[j] = Math.floor(random() * 256);
      } else {
        bytes = enc({
          seq: Math.floor(random() * 256),
          metrics: [
            {
              alias: Math.floor(random() * 4),
              name: random() < 0.5 ? 'temperature' : undefined,
              datatype: Math.floor(random() * 15),
              doubleValue: random() * 300 - 75,
              intValue: Math.floor(random() * 1000),
            },
          ],
        });
      }
      const out = d.decode(topic, bytes, NOW);
      for (const r of out.rejections) expect(reasons.has(r.reason)).toBe(true);
      for (const r of out.readings)
        expect(r.quality === 'bad' ? Number.isNaN(r.value) : Number.isFinite(r.value)).toBe(true);
    }
  });
});
