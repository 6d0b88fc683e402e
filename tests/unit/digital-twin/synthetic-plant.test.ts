import { describe, expect, it } from 'vitest';
import {
  compilePlant,
  createSimulator,
  formatProblems,
  generateSyntheticPlant,
  stepSimulator,
  validatePlant,
} from '../../../digital-twin/index.js';
import type { Plant } from '../../../digital-twin/index.js';

function sensorCount(plant: Plant): number {
  return plant.equipment.reduce((n, e) => n + e.sensors.length, 0);
}

function expectValid(plant: Plant): void {
  const result = validatePlant(plant);
  if (!result.ok) throw new Error(formatProblems(result.errors.slice(0, 10)));
  expect(result.ok).toBe(true);
}

describe('generateSyntheticPlant', () => {
  it.each([10, 11, 17, 18, 19, 1_000])('makes a valid plant of exactly %i sensors', (sensors) => {
    const plant = generateSyntheticPlant({ sensors, seed: 3 });
    expect(sensorCount(plant)).toBe(sensors);
    expectValid(plant);
  });

  it('makes a valid, steppable plant of 100,000 sensors', () => {
    const plant = generateSyntheticPlant({ sensors: 100_000 });
    expect(sensorCount(plant)).toBe(100_000);
    expectValid(plant);
    expect(plant.zones.length).toBeGreaterThan(100);
    const sim = createSimulator(compilePlant(plant), { seed: 1, t0: 0 });
    const step = stepSimulator(sim);
    expect(step.readings).toHaveLength(100_000);
    expect(step.readings.every((r) => Number.isFinite(r.value))).toBe(true);
    // Generating, validating and simulating 100,000 sensors takes ~10 s on a loaded 2-core
    // machine; the default 30 s test timeout leaves too little margin.
  }, 120_000);

  it('is deterministic for a seed and varies with it', () => {
    const a = generateSyntheticPlant({ sensors: 500, seed: 9 });
    const b = generateSyntheticPlant({ sensors: 500, seed: 9 });
    const c = generateSyntheticPlant({ sensors: 500, seed: 10 });
    expect(b).toEqual(a);
    expect(JSON.stringify(c.equipment)).not.toBe(JSON.stringify(a.equipment));
    expect(c.equipment.map((e) => e.id)).toEqual(a.equipment.map((e) => e.id));
  });

  it('lays equipment out inside its zone, on a grid of zones', () => {
    const plant = generateSyntheticPlant({ sensors: 5_000, seed: 2 });
    const zones = new Map(plant.zones.map((z) => [z.id, z.bounds]));
    for (const e of plant.equipment) {
      const b = zones.get(e.zone);
      if (b === undefined) throw new Error(`${e.id}: no zone ${e.zone}`);
      expect(e.position.x >= b.minX && e.position.x <= b.maxX, e.id).toBe(true);
      expect(e.position.z >= b.minZ && e.position.z <= b.maxZ, e.id).toBe(true);
    }
    const columns = new Set(plant.zones.map((z) => z.bounds.minX));
    const rows = new Set(plant.zones.map((z) => z.bounds.minZ));
    expect(columns.size).toBeGreaterThan(1);
    expect(rows.size).toBeGreaterThan(1);
  });

  it('runs in a steady state: receiver levels stay near 50 % for five minutes', () => {
    const plant = compilePlant(generateSyntheticPlant({ sensors: 180, seed: 4 }));
    const sim = createSimulator(plant, { seed: 1, t0: 0 });
    const levels = plant.sensors.flatMap((s, k) => (s.id.endsWith('-TB.LT') ? [k] : []));
    let last = stepSimulator(sim);
    for (let k = 0; k < 3000; k++) last = stepSimulator(sim);
    for (const k of levels)
      expect(Math.abs((last.expectations[k]?.value ?? NaN) - 50)).toBeLessThan(5);
  });

  it('rejects sizes outside 10…100,000 and non-integers, naming the option', () => {
    expect(() => generateSyntheticPlant({ sensors: 9 })).toThrow(
      /sensors must be an integer 10\.\.100000, got 9/,
    );
    expect(() => generateSyntheticPlant({ sensors: 100_001 })).toThrow(/sensors/);
    expect(() => generateSyntheticPlant({ sensors: 12.5 })).toThrow(/sensors/);
    expect(() => generateSyntheticPlant({ sensors: 100, seed: NaN })).toThrow(/seed/);
  });
});
