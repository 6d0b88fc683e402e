import type { Sensor } from '../../../../digital-twin/index.js';

/** A temperature sensor with range 0…150 °C, as the decoders see it. */
export function temperatureSensor(id = 'TT-1'): Sensor {
  return {
    id,
    kind: 'temperature',
    unit: 'degC',
    range: { min: 0, max: 150 },
    signal: 'temperature',
    binding: { source: 'mqtt', topic: `plant/${id}`, payload: 'json' },
  };
}

/** mulberry32: a tiny seeded PRNG so fuzz failures reproduce from the seed in the test name. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
