import { describe, expect, it } from 'vitest';
import { compilePlant } from '../../../../digital-twin/index.js';
import type { Actuator, Plant, Reading, Sensor } from '../../../../digital-twin/index.js';
import {
  AckWindow,
  backoffDelay,
  buildTopicMap,
  confirmsCommand,
  coveringFilters,
  topicMatches,
} from '../../../../sim-server/ingest/mqtt/index.js';

describe('coveringFilters', () => {
  it('covers topics sharing a first level with one wildcard at their common prefix', () => {
    expect(coveringFilters(['site/a/R-1/TT', 'site/a/R-2/TT', 'site/a/R-2/PT', 'lone/x'])).toEqual([
      'lone/x',
      'site/a/#',
    ]);
  });

  it('every topic is matched by some filter', () => {
    const topics = ['a/b', 'a/b/c', 'a/d', 'x', 'y/z/w', 'y/z/v'];
    const filters = coveringFilters(topics);
    for (const topic of topics) expect(filters.some((f) => topicMatches(f, topic))).toBe(true);
  });
});

describe('topicMatches', () => {
  it.each([
    ['a/+/c', 'a/b/c', true],
    ['a/+/c', 'a/b/d', false],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['#', '$SYS/x', false],
    ['+/x', '$SYS/x', false],
    ['a/b', 'a/b/c', false],
  ])('%s vs %s → %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});

describe('AckWindow', () => {
  it('sends acks in arrival order, holding a stored later message behind an unstored earlier one', () => {
    const sent: number[] = [];
    const w = new AckWindow();
    const a = w.open(1, 10);
    const b = w.open(1, 11);
    w.park(1, 10, () => sent.push(10));
    w.park(1, 11, () => sent.push(11));
    w.stored(b, 1);
    expect(sent).toEqual([]);
    expect(w.depth).toBe(2);
    w.stored(a, 1);
    expect(sent).toEqual([10, 11]);
    expect(w.depth).toBe(0);
  });

  it('never sends an ack of an earlier connection', () => {
    const sent: number[] = [];
    const w = new AckWindow();
    const old = w.open(1, 5);
    w.park(1, 5, () => sent.push(5));
    const fresh = w.open(2, 5);
    w.park(2, 5, () => sent.push(-5));
    w.dropOtherGenerations(2);
    w.stored(old, 2);
    expect(sent).toEqual([]);
    w.stored(fresh, 2);
    expect(sent).toEqual([-5]);
  });

  it('does not park an ack for a message it never saw', () => {
    expect(new AckWindow().park(1, 3, () => undefined)).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the ceiling, with bounded jitter', () => {
    const options = { initialMs: 100, maxMs: 1000 };
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, options, 0.5))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(backoffDelay(0, options, 0)).toBe(80);
    expect(backoffDelay(0, options, 0.999)).toBeLessThanOrEqual(120);
  });
});

const valve: Actuator = {
  id: 'V-1.POS',
  kind: 'valve.position',
  range: { min: 0, max: 1 },
  initial: 0.5,
  binding: { source: 'mqtt', commandTopic: 'p/V-1/cmd', confirmSensor: 'ZT-1' },
};
const positionSensor: Sensor = {
  id: 'ZT-1',
  kind: 'position',
  unit: '%',
  range: { min: 0, max: 100 },
  signal: 'position',
  binding: { source: 'mqtt', topic: 'p/V-1/ZT-1', payload: 'json' },
};
const reading = (value: number, quality: Reading['quality'] = 'good'): Reading => ({
  sensorId: 'ZT-1',
  t: 1,
  value,
  quality,
});

describe('confirmsCommand', () => {
  it('compares actuator and sensor as fractions of their ranges', () => {
    expect(confirmsCommand(valve, 0.25, positionSensor, reading(25.5), 0.02)).toBe(true);
    expect(confirmsCommand(valve, 0.25, positionSensor, reading(30), 0.02)).toBe(false);
    expect(confirmsCommand(valve, 0.25, positionSensor, reading(25, 'bad'), 0.02)).toBe(false);
  });

  it('confirms a pump start by the sensor leaving the bottom of its range', () => {
    const pump: Actuator = { ...valve, id: 'P-1.RUN', kind: 'pump.run' };
    const speed: Sensor = {
      ...positionSensor,
      kind: 'speed',
      unit: 'rpm',
      range: { min: 0, max: 3000 },
    };
    expect(confirmsCommand(pump, 1, speed, reading(1450), 0.02)).toBe(true);
    expect(confirmsCommand(pump, 0, speed, reading(1450), 0.02)).toBe(false);
    expect(confirmsCommand(pump, 0, speed, reading(3), 0.02)).toBe(true);
  });
});

describe('buildTopicMap', () => {
  it('indexes plain topics and command topics, leaving Sparkplug bindings out', () => {
    const plant: Plant = {
      schemaVersion: 1,
      id: 'p',
      name: 'p',
      zones: [{ id: 'Z', name: 'Z', bounds: { minX: 0, minZ: 0, maxX: 1, maxZ: 1 } }],
      equipment: [
        {
          id: 'V-1',
          name: 'V',
          kind: 'valve',
          zone: 'Z',
          position: { x: 0, y: 0, z: 0 },
          sensors: [
            positionSensor,
            {
              ...positionSensor,
              id: 'ZT-9',
              binding: {
                source: 'mqtt',
                topic: 'spBv1.0/g/e',
                payload: 'sparkplug',
                metric: 'pos',
              },
            },
          ],
          actuators: [valve],
        },
      ],
    };
    const map = buildTopicMap(compilePlant(plant));
    expect([...map.sensorsByTopic.keys()]).toEqual(['p/V-1/ZT-1']);
    expect(map.commands.get('V-1.POS')?.confirmSensor?.id).toBe('ZT-1');
    expect([...map.commandTopics]).toEqual(['p/V-1/cmd']);
    expect(map.subscriptions).toEqual(['p/V-1/ZT-1']);
  });
});
