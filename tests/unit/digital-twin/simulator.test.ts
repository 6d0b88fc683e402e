import { describe, expect, it } from 'vitest';
import {
  clearFault,
  compilePlant,
  createSimulator,
  decodeSimState,
  encodeSimState,
  formatProblems,
  injectFault,
  setActuator,
  stepSimulator,
  validatePlant,
} from '../../../digital-twin/index.js';
import type {
  CompiledPlant,
  Equipment,
  Plant,
  Sensor,
  SensorKind,
  SimState,
} from '../../../digital-twin/index.js';

const T0 = Date.UTC(2026, 0, 1);
const SIM = { source: 'simulator' } as const;

function sensor(id: string, kind: SensorKind, signal: string, max: number, noise = 0.1): Sensor {
  const units: Record<SensorKind, string> = {
    temperature: 'degC',
    pressure: 'bar',
    flow: 'm3/h',
    level: '%',
    vibration: 'mm/s',
    speed: 'rpm',
    position: '%',
    current: 'A',
    power: 'kW',
  };
  return { id, kind, unit: units[kind], range: { min: 0, max }, signal, noise, binding: SIM };
}

function item(
  id: string,
  kind: Equipment['kind'],
  x: number,
  sensors: Sensor[],
  extra: Partial<Equipment> = {},
): Equipment {
  return {
    id,
    name: id,
    kind,
    zone: 'Z',
    position: { x, y: 0, z: 0 },
    sensors,
    actuators: [],
    ...extra,
  };
}

function line(id: string, from: string, to: string, coolant = false): Equipment {
  return item(id, 'pipe', 0, [sensor(`${id}.FT`, 'flow', 'flow', 200)], {
    connects: { from, to },
    ...(coolant ? { params: { coolant: 1 } } : {}),
  });
}

/**
 * A small process: T-1 → P-1 → V-1 → T-2 → V-2 (gravity outlet to the plant boundary), and a
 * reactor R-1 cooled by T-3 → P-2 → V-3 → jacket → back to T-3, with a temperature controller.
 */
function smallPlant(): CompiledPlant {
  const run = (id: string, initial = 1) => ({
    id,
    kind: 'pump.run' as const,
    range: { min: 0, max: 1 },
    initial,
    binding: SIM,
  });
  const position = (id: string, initial: number) => ({
    id,
    kind: 'valve.position' as const,
    range: { min: 0, max: 1 },
    initial,
    binding: SIM,
  });
  const plant: Plant = {
    schemaVersion: 1,
    id: 'small',
    name: 'Small test plant',
    zones: [{ id: 'Z', name: 'Zone', bounds: { minX: -10, minZ: -10, maxX: 100, maxZ: 10 } }],
    equipment: [
      item('T-1', 'tank', 0, [sensor('T-1.LT', 'level', 'level', 100)], {
        params: { levelSetpoint: 50, initialLevel: 50 },
      }),
      item(
        'P-1',
        'pump',
        5,
        [
          sensor('P-1.FT', 'flow', 'flow', 50),
          sensor('P-1.VT', 'vibration', 'vibration', 20, 0.05),
          sensor('P-1.ST', 'speed', 'speed', 3600, 2),
          sensor('P-1.IT', 'current', 'current', 50),
        ],
        { params: { flowNominal: 20 }, actuators: [run('P-1.RUN')] },
      ),
      item(
        'V-1',
        'valve',
        10,
        [sensor('V-1.ZT', 'position', 'position', 100), sensor('V-1.FT', 'flow', 'flow', 50)],
        {
          actuators: [position('V-1.POS', 0.6)],
        },
      ),
      item(
        'T-2',
        'tank',
        15,
        [sensor('T-2.LT', 'level', 'level', 100), sensor('T-2.PT', 'pressure', 'pressure', 2, 0)],
        { params: { volume: 5, initialLevel: 40 } },
      ),
      item('V-2', 'valve', 20, [sensor('V-2.FT', 'flow', 'flow', 50)], {
        params: { flowNominal: 34 },
        actuators: [position('V-2.POS', 0.8)],
      }),
      item(
        'R-1',
        'reactor',
        30,
        [
          sensor('R-1.TT', 'temperature', 'temperature', 150, 0.15),
          sensor('R-1.TT2', 'temperature', 'temperature', 150, 0.15),
          sensor('R-1.PT', 'pressure', 'pressure', 10, 0.01),
        ],
        {
          actuators: [
            {
              id: 'R-1.TSP',
              kind: 'setpoint',
              signal: 'temperature',
              range: { min: 40, max: 90 },
              initial: 70,
              binding: SIM,
            },
          ],
        },
      ),
      item('T-3', 'tank', 40, [sensor('T-3.TT', 'temperature', 'temperature', 100)], {
        params: { volume: 100, supplyTemperature: 25, levelSetpoint: 70, initialLevel: 70 },
      }),
      item('P-2', 'pump', 45, [sensor('P-2.FT', 'flow', 'flow', 150)], {
        params: { flowNominal: 80 },
        actuators: [run('P-2.RUN')],
      }),
      item('V-3', 'valve', 50, [sensor('V-3.FT', 'flow', 'flow', 150)], {
        actuators: [position('V-3.POS', 0.7)],
      }),
      line('L-1', 'T-1', 'P-1'),
      line('L-2', 'P-1', 'V-1'),
      line('L-3', 'V-1', 'T-2'),
      line('L-4', 'T-2', 'V-2'),
      line('L-5', 'T-3', 'P-2'),
      line('L-6', 'P-2', 'V-3'),
      line('L-7', 'V-3', 'R-1', true),
      line('L-8', 'R-1', 'T-3', true),
    ],
  };
  const result = validatePlant(plant);
  if (!result.ok) throw new Error(formatProblems(result.errors));
  return compilePlant(result.plant);
}

const PLANT = smallPlant();

/** Run n steps; return the readings' values of the named sensor (or all, flattened). */
function run(sim: SimState, steps: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < steps; k++) {
    for (const r of stepSimulator(sim).readings) out.push(r.value);
  }
  return out;
}

function expectation(sim: SimState, sensorId: string): number {
  const step = stepSimulator(sim);
  const found = step.expectations.find((e) => e.sensorId === sensorId);
  if (found === undefined) throw new Error(`no expectation for ${sensorId}`);
  return found.value;
}

function reading(sim: SimState, sensorId: string) {
  const found = stepSimulator(sim).readings.find((r) => r.sensorId === sensorId);
  if (found === undefined) throw new Error(`no reading for ${sensorId}`);
  return found;
}

function steps(sim: SimState, n: number): void {
  for (let k = 0; k < n; k++) stepSimulator(sim);
}

describe('simulator determinism', () => {
  it('the same seed gives identical readings for 1,000 steps', () => {
    const a = run(createSimulator(PLANT, { seed: 42, t0: T0 }), 1000);
    const b = run(createSimulator(PLANT, { seed: 42, t0: T0 }), 1000);
    expect(a.length).toBe(1000 * PLANT.sensors.length);
    expect(b).toEqual(a);
  });

  it('a different seed gives different noise on the same physics', () => {
    const a = createSimulator(PLANT, { seed: 1, t0: T0 });
    const b = createSimulator(PLANT, { seed: 2, t0: T0 });
    const stepA = stepSimulator(a);
    const stepB = stepSimulator(b);
    expect(stepB.expectations).toEqual(stepA.expectations);
    const differing = stepA.readings.filter((r, k) => r.value !== stepB.readings[k]?.value);
    expect(differing.length).toBeGreaterThan(PLANT.sensors.length / 2);
  });

  it('encoding mid-run, decoding and continuing matches the uninterrupted run bit for bit', () => {
    const original = createSimulator(PLANT, { seed: 7, t0: T0 });
    steps(original, 250);
    setActuator(original, 'V-2.POS', 0.3);
    injectFault(original, { kind: 'bearing.wear', target: 'P-1', magnitude: 40 });
    injectFault(original, { kind: 'sensor.drift', target: 'T-1.LT', magnitude: 2 });
    injectFault(original, { kind: 'sensor.freeze', target: 'R-1.TT2' });
    steps(original, 51); // an odd count, so a cached gaussian is pending
    const bytes = encodeSimState(original);
    const resumed = decodeSimState(bytes, PLANT);
    expect(resumed.t).toBe(original.t);
    expect(resumed.stepMs).toBe(original.stepMs);
    const continued = run(original, 300);
    const fromBytes = run(resumed, 300);
    expect(fromBytes).toEqual(continued);
    expect(encodeSimState(resumed)).toEqual(encodeSimState(original));
  });

  it('advances exactly one step at a time and stamps readings with the new time', () => {
    const sim = createSimulator(PLANT, { seed: 1, t0: T0, stepMs: 250 });
    const step = stepSimulator(sim);
    expect(step.t).toBe(T0 + 250);
    expect(sim.t).toBe(T0 + 250);
    expect(step.readings.every((r) => r.t === T0 + 250 && r.quality === 'good')).toBe(true);
    expect(step.readings.map((r) => r.sensorId)).toEqual(PLANT.sensors.map((s) => s.id));
  });
});

describe('simulator physics', () => {
  it('closing an outlet valve makes the tank level rise (level integrates in − out)', () => {
    const open = createSimulator(PLANT, { seed: 1, t0: T0 });
    const closed = createSimulator(PLANT, { seed: 1, t0: T0 });
    steps(open, 100);
    steps(closed, 100);
    const before = expectation(closed, 'T-2.LT');
    setActuator(closed, 'V-2.POS', 0);
    steps(open, 1200);
    steps(closed, 1200);
    const outletFlow = expectation(closed, 'V-2.FT');
    const closedLevel = expectation(closed, 'T-2.LT');
    const openLevel = expectation(open, 'T-2.LT');
    expect(outletFlow).toBe(0);
    // Inflow (~17 m3/h) for 2 minutes into 5 m3 is about +0.57 m3 = +11 %.
    expect(closedLevel - before).toBeGreaterThan(9);
    expect(closedLevel - before).toBeLessThan(13);
    expect(Math.abs(openLevel - before)).toBeLessThan(2);
    // Pressure at the bottom follows the level.
    expect(expectation(closed, 'T-2.PT')).toBeGreaterThan(expectation(open, 'T-2.PT'));
  });

  it('flow follows valve position: throttling the discharge valve lowers the pump flow', () => {
    const sim = createSimulator(PLANT, { seed: 1, t0: T0 });
    steps(sim, 50);
    const full = expectation(sim, 'P-1.FT');
    setActuator(sim, 'V-1.POS', 0.2);
    steps(sim, 200);
    const throttled = expectation(sim, 'P-1.FT');
    expect(throttled).toBeLessThan(full * 0.6);
    expect(throttled).toBeGreaterThan(0);
    expect(expectation(sim, 'V-1.ZT')).toBeCloseTo(20, 5);
  });

  it('pump.trip stops the pump: speed, flow and current fall to zero; clearing restarts it', () => {
    const sim = createSimulator(PLANT, { seed: 1, t0: T0 });
    steps(sim, 20);
    expect(expectation(sim, 'P-1.FT')).toBeGreaterThan(10);
    injectFault(sim, { kind: 'pump.trip', target: 'P-1' });
    steps(sim, 200);
    expect(expectation(sim, 'P-1.FT')).toBe(0);
    expect(expectation(sim, 'P-1.ST')).toBe(0);
    expect(expectation(sim, 'P-1.IT')).toBe(0);
    expect(expectation(sim, 'L-3.FT')).toBe(0);
    clearFault(sim, { kind: 'pump.trip', target: 'P-1' });
    steps(sim, 100);
    expect(expectation(sim, 'P-1.FT')).toBeGreaterThan(10);
  });

  it('stopping the pump by command also stops the flow', () => {
    const sim = createSimulator(PLANT, { seed: 1, t0: T0 });
    setActuator(sim, 'P-1.RUN', 0);
    steps(sim, 200);
    expect(expectation(sim, 'P-1.FT')).toBe(0);
  });

  it('bearing.wear makes vibration grow at the given rate (mm/s per hour)', () => {
    const sim = createSimulator(PLANT, { seed: 1, t0: T0 });
    const before = expectation(sim, 'P-1.VT');
    injectFault(sim, { kind: 'bearing.wear', target: 'P-1', magnitude: 60 });
    steps(sim, 3000); // 5 minutes: +5 mm/s
    const after = expectation(sim, 'P-1.VT');
    expect(after - before).toBeGreaterThan(4.8);
    expect(after - before).toBeLessThan(5.2);
    clearFault(sim, { kind: 'bearing.wear', target: 'P-1' });
    expect(expectation(sim, 'P-1.VT')).toBeCloseTo(before, 1);
  });

  it('cooling.loss on the reactor makes its temperature climb; with cooling it holds setpoint', () => {
    const cooled = createSimulator(PLANT, { seed: 1, t0: T0 });
    const lost = createSimulator(PLANT, { seed: 1, t0: T0 });
    injectFault(lost, { kind: 'cooling.loss', target: 'R-1' });
    steps(cooled, 1800);
    steps(lost, 1800);
    expect(Math.abs(expectation(cooled, 'R-1.TT') - 70)).toBeLessThan(1.5);
    expect(expectation(lost, 'R-1.TT')).toBeGreaterThan(80);
    expect(expectation(lost, 'R-1.PT')).toBeGreaterThan(expectation(cooled, 'R-1.PT'));
  });

  it('a setpoint change moves the controlled reactor temperature', () => {
    const sim = createSimulator(PLANT, { seed: 1, t0: T0 });
    setActuator(sim, 'R-1.TSP', 60);
    steps(sim, 6000);
    expect(Math.abs(expectation(sim, 'R-1.TT') - 60)).toBeLessThan(1.5);
  });

  it('valve.stuck freezes the valve where the fault says, whatever it is commanded', () => {
    const sim = createSimulator(PLANT, { seed: 1, t0: T0 });
    injectFault(sim, { kind: 'valve.stuck', target: 'V-1', magnitude: 0.25 });
    setActuator(sim, 'V-1.POS', 1);
    steps(sim, 300);
    expect(expectation(sim, 'V-1.ZT')).toBeCloseTo(25, 9);
    clearFault(sim, { kind: 'valve.stuck', target: 'V-1' });
    steps(sim, 300);
    expect(expectation(sim, 'V-1.ZT')).toBeCloseTo(100, 9);
  });
});

describe('sensor faults', () => {
  it('sensor.dropout reports quality bad with NaN, never a made-up value', () => {
    const sim = createSimulator(PLANT, { seed: 1, t0: T0 });
    injectFault(sim, { kind: 'sensor.dropout', target: 'R-1.TT' });
    const step = stepSimulator(sim);
    const dropped = step.readings.find((r) => r.sensorId === 'R-1.TT');
    expect(dropped?.quality).toBe('bad');
    expect(Number.isNaN(dropped?.value)).toBe(true);
    // The shadow model still expects a value, and other sensors are unaffected.
    expect(step.expectations.find((e) => e.sensorId === 'R-1.TT')?.value).toBeCloseTo(70, 0);
    expect(step.readings.find((r) => r.sensorId === 'R-1.TT2')?.quality).toBe('good');
    clearFault(sim, { kind: 'sensor.dropout', target: 'R-1.TT' });
    const back = reading(sim, 'R-1.TT');
    expect(back.quality).toBe('good');
    expect(back.value).toBeCloseTo(70, 0);
  });

  it('sensor.drift offsets the reading from the expectation by magnitude per minute', () => {
    const sim = createSimulator(PLANT, { seed: 1, t0: T0 });
    injectFault(sim, { kind: 'sensor.drift', target: 'R-1.TT', magnitude: 3 });
    steps(sim, 1199);
    const step = stepSimulator(sim); // 2 minutes in: +6 °C
    const value = step.readings.find((r) => r.sensorId === 'R-1.TT')?.value ?? NaN;
    const expected = step.expectations.find((e) => e.sensorId === 'R-1.TT')?.value ?? NaN;
    expect(value - expected).toBeGreaterThan(5.4);
    expect(value - expected).toBeLessThan(6.6);
  });

  it('sensor.freeze holds the last reported value while the process moves', () => {
    const sim = createSimulator(PLANT, { seed: 1, t0: T0 });
    const last = reading(sim, 'T-2.LT').value;
    injectFault(sim, { kind: 'sensor.freeze', target: 'T-2.LT' });
    setActuator(sim, 'V-2.POS', 0);
    steps(sim, 600);
    const step = stepSimulator(sim);
    expect(step.readings.find((r) => r.sensorId === 'T-2.LT')?.value).toBe(last);
    expect(step.expectations.find((e) => e.sensorId === 'T-2.LT')?.value).toBeGreaterThan(last + 3);
  });
});

describe('simulator input checks', () => {
  const sim = createSimulator(PLANT, { seed: 1, t0: T0 });

  it('setActuator rejects an unknown actuator, naming it', () => {
    expect(() => setActuator(sim, 'V-9.POS', 0.5)).toThrow(/unknown actuator "V-9\.POS"/);
  });

  it('setActuator rejects values out of range or not 0/1 for a pump, naming the actuator', () => {
    expect(() => setActuator(sim, 'V-1.POS', 1.5)).toThrow(/"V-1\.POS".*out of range 0\.\.1/);
    expect(() => setActuator(sim, 'R-1.TSP', 120)).toThrow(/"R-1\.TSP".*out of range 40\.\.90/);
    expect(() => setActuator(sim, 'P-1.RUN', 0.5)).toThrow(/"P-1\.RUN".*0 \(stop\) or 1/);
    expect(() => setActuator(sim, 'V-1.POS', NaN)).toThrow(/"V-1\.POS".*finite/);
  });

  it('injectFault rejects unknown targets and targets of the wrong kind', () => {
    expect(() => injectFault(sim, { kind: 'pump.trip', target: 'P-9' })).toThrow(
      /unknown equipment "P-9"/,
    );
    expect(() => injectFault(sim, { kind: 'pump.trip', target: 'V-1' })).toThrow(
      /"V-1" is a valve/,
    );
    expect(() => injectFault(sim, { kind: 'sensor.drift', target: 'P-1' })).toThrow(
      /unknown sensor "P-1"/,
    );
    expect(() => injectFault(sim, { kind: 'valve.stuck', target: 'V-1', magnitude: 2 })).toThrow(
      /magnitude.*0\.\.1/,
    );
  });

  it('decodeSimState refuses bytes of another plant, truncated bytes and foreign bytes', () => {
    const bytes = encodeSimState(sim);
    const other = compilePlant({ ...PLANT.plant, id: 'other' });
    expect(() => decodeSimState(bytes, other)).toThrow(/plant "small", not of plant "other"/);
    expect(() => decodeSimState(bytes.subarray(0, bytes.length - 3), PLANT)).toThrow(
      /truncated|end early/,
    );
    expect(() => decodeSimState(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), PLANT)).toThrow(
      /not simulator state/,
    );
  });
});
