import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  compilePlant,
  createSimulator,
  formatProblems,
  setActuator,
  stepSimulator,
  trueValue,
  validatePlant,
} from '../../../digital-twin/index.js';
import type { Plant } from '../../../digital-twin/index.js';

const FILE = fileURLToPath(new URL('../../../assets/plants/demo-reactor.json', import.meta.url));

function loadPlant(): Plant {
  const result = validatePlant(JSON.parse(readFileSync(FILE, 'utf8')));
  if (!result.ok) throw new Error(`demo plant is invalid:\n${formatProblems(result.errors)}`);
  return result.plant;
}

describe('assets/plants/demo-reactor.json', () => {
  it('passes validatePlant and is the size of a real unit', () => {
    const result = validatePlant(JSON.parse(readFileSync(FILE, 'utf8')));
    expect(result.ok ? [] : result.errors).toEqual([]);
    const plant = loadPlant();
    expect(plant.id).toBe('demo-reactor');
    expect(plant.zones.length).toBeGreaterThanOrEqual(3);
    expect(plant.equipment.length).toBeGreaterThanOrEqual(40);
    const compiled = compilePlant(plant);
    expect(compiled.sensors.length).toBeGreaterThanOrEqual(300);
    const kinds = new Set(plant.equipment.map((e) => e.kind));
    for (const kind of ['tank', 'pump', 'valve', 'reactor', 'heat-exchanger', 'motor', 'pipe']) {
      expect(kinds).toContain(kind);
    }
  });

  it('has reactor R-101 with TT-01 alarmed at hi 80 / hihi 90 °C and a redundant TT-02', () => {
    const compiled = compilePlant(loadPlant());
    const tt01 = compiled.sensors[compiled.sensorIndex.get('R-101.TT-01') ?? -1];
    const tt02 = compiled.sensors[compiled.sensorIndex.get('R-101.TT-02') ?? -1];
    expect(compiled.equipmentById.get('R-101')?.kind).toBe('reactor');
    expect(tt01).toMatchObject({
      kind: 'temperature',
      unit: 'degC',
      limits: { hi: 80, hihi: 90, deadband: 1 },
      redundantWith: 'R-101.TT-02',
    });
    expect(tt01?.limits?.onDelayMs).toBeGreaterThan(0);
    expect(tt01?.rateOfChange?.maxPerMinute).toBeGreaterThan(0);
    expect(tt01?.deviation?.tolerance).toBeGreaterThan(0);
    expect(tt02?.redundantWith).toBe('R-101.TT-01');
    const setpoint = compiled.actuators[compiled.actuatorIndex.get('R-101.TIC-SP') ?? -1];
    expect(setpoint).toMatchObject({ kind: 'setpoint', signal: 'temperature', initial: 70 });
  });

  it('feeds the reactor jacket from the cooling-water pump P-201 through pipes', () => {
    const plant = loadPlant();
    const pipes = plant.equipment.filter((e) => e.kind === 'pipe');
    const edge = (from: string, to: string) =>
      pipes.find((p) => p.connects?.from === from && p.connects.to === to);
    expect(edge('T-201', 'P-201')).toBeDefined();
    expect(edge('P-201', 'V-201')).toBeDefined();
    expect(edge('V-201', 'R-101')?.params?.coolant).toBe(1);
    expect(edge('R-101', 'T-201')?.params?.coolant).toBe(1);
    const p201 = plant.equipment.find((e) => e.id === 'P-201');
    expect(p201?.actuators.map((a) => a.kind)).toEqual(['pump.run']);
    const vibration = p201?.sensors.filter((s) => s.kind === 'vibration') ?? [];
    expect(vibration.length).toBeGreaterThan(0);
    expect(vibration.every((s) => s.limits?.hi !== undefined)).toBe(true);
  });

  it('lays equipment out in metres inside its zone, spaced apart', () => {
    const plant = loadPlant();
    const zones = new Map(plant.zones.map((z) => [z.id, z.bounds]));
    const placed = plant.equipment.filter((e) => e.kind !== 'pipe');
    for (const e of placed) {
      const b = zones.get(e.zone);
      expect(b, e.id).toBeDefined();
      if (b === undefined) continue;
      expect(e.position.x, e.id).toBeGreaterThanOrEqual(b.minX);
      expect(e.position.x, e.id).toBeLessThanOrEqual(b.maxX);
      expect(e.position.z, e.id).toBeGreaterThanOrEqual(b.minZ);
      expect(e.position.z, e.id).toBeLessThanOrEqual(b.maxZ);
    }
    for (let i = 0; i < placed.length; i++) {
      for (let j = i + 1; j < placed.length; j++) {
        const a = placed[i];
        const b = placed[j];
        if (a === undefined || b === undefined) continue;
        const d = Math.hypot(a.position.x - b.position.x, a.position.z - b.position.z);
        expect(d, `${a.id} and ${b.id}`).toBeGreaterThan(2);
      }
    }
  });

  it('runs in a steady normal state: ten minutes without any limit crossed', () => {
    const compiled = compilePlant(loadPlant());
    const sim = createSimulator(compiled, { seed: 1, t0: 0 });
    const crossed = new Set<string>();
    for (let k = 0; k < 6000; k++) {
      const step = stepSimulator(sim);
      if (k % 50 !== 0) continue;
      step.expectations.forEach(({ sensorId, value }, s) => {
        const limits = compiled.sensors[s]?.limits;
        if (limits === undefined) return;
        if (value > (limits.hi ?? Infinity) || value < (limits.lo ?? -Infinity)) {
          crossed.add(`${sensorId}=${value.toFixed(2)}`);
        }
      });
    }
    expect([...crossed]).toEqual([]);
  });

  it('heats the feed in E-102 and cools the product in E-101, by the utility flows', () => {
    const sim = createSimulator(compilePlant(loadPlant()), { seed: 1, t0: 0 });
    for (let k = 0; k < 600; k++) stepSimulator(sim);
    expect(trueValue(sim, 'E-102.TT-02')).toBeGreaterThan(trueValue(sim, 'E-102.TT-01') + 10);
    expect(trueValue(sim, 'E-102.TT-04')).toBeLessThan(trueValue(sim, 'E-102.TT-03'));
    expect(trueValue(sim, 'E-101.TT-02')).toBeLessThan(trueValue(sim, 'E-101.TT-01') - 10);
    expect(trueValue(sim, 'E-101.TT-04')).toBeGreaterThan(trueValue(sim, 'E-101.TT-03'));
    // Closing the cooling water to E-101 leaves the product as hot as it arrives.
    setActuator(sim, 'V-202.POS', 0);
    for (let k = 0; k < 600; k++) stepSimulator(sim);
    expect(trueValue(sim, 'E-101.TT-02')).toBeCloseTo(trueValue(sim, 'E-101.TT-01'), 1);
  });

  it('starts the standby pump P-202 on command: speed, current, power and flow follow', () => {
    const sim = createSimulator(compilePlant(loadPlant()), { seed: 1, t0: 0 });
    expect(trueValue(sim, 'P-202.ST-01')).toBe(0);
    expect(trueValue(sim, 'P-202.IT-01')).toBe(0);
    setActuator(sim, 'P-202.RUN', 1);
    for (let k = 0; k < 100; k++) stepSimulator(sim);
    expect(trueValue(sim, 'P-202.ST-01')).toBeGreaterThan(2900);
    expect(trueValue(sim, 'P-202.IT-01')).toBeGreaterThan(20);
    expect(trueValue(sim, 'P-202.FT-01')).toBeGreaterThan(100);
    expect(trueValue(sim, 'P-202.PT-01')).toBeGreaterThan(3);
  });
});
