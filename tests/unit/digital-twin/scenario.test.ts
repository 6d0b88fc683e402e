import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  clearFault,
  compilePlant,
  createSimulator,
  formatProblems,
  injectFault,
  scenarioStepsDue,
  setActuator,
  stepSimulator,
  validatePlant,
  validateScenario,
} from '../../../digital-twin/index.js';
import type { CompiledPlant, Scenario, SimState, SimStep } from '../../../digital-twin/index.js';

const ASSETS = fileURLToPath(new URL('../../../assets/', import.meta.url));
const readJson = (path: string): unknown => JSON.parse(readFileSync(ASSETS + path, 'utf8'));

function demoPlant(): CompiledPlant {
  const result = validatePlant(readJson('plants/demo-reactor.json'));
  if (!result.ok) throw new Error(formatProblems(result.errors));
  return compilePlant(result.plant);
}

const PLANT = demoPlant();

function shipped(id: string): Scenario {
  const result = validateScenario(readJson(`scenarios/${id}.json`), PLANT.plant);
  if (!result.ok) throw new Error(`${id}:\n${formatProblems(result.problems)}`);
  return result.scenario;
}

/**
 * Play a scenario straight into the simulator (commands become actuator moves, as the run's
 * decide → actuator.changed path would make them) and report each step to `watch`.
 */
function play(
  scenario: Scenario,
  minutes: number,
  watch: (step: SimStep, sim: SimState) => void,
): void {
  const sim = createSimulator(PLANT, { seed: 11, t0: 0 });
  const steps = (minutes * 60_000) / sim.stepMs;
  for (let k = 0; k < steps; k++) {
    for (const due of scenarioStepsDue(scenario, sim.t, sim.t + sim.stepMs)) {
      if ('fault' in due) injectFault(sim, due.fault);
      else if ('clearFault' in due) clearFault(sim, due.clearFault);
      else {
        const c = due.command;
        if (c.type === 'valve.actuate') setActuator(sim, c.actuatorId, c.position);
        else if (c.type === 'pump.start') setActuator(sim, c.actuatorId, 1);
        else if (c.type === 'pump.stop') setActuator(sim, c.actuatorId, 0);
        else if (c.type === 'setpoint.change') setActuator(sim, c.actuatorId, c.value);
      }
    }
    watch(stepSimulator(sim), sim);
  }
}

function index(sensorId: string): number {
  const s = PLANT.sensorIndex.get(sensorId);
  if (s === undefined) throw new Error(`no sensor ${sensorId}`);
  return s;
}

/** Plant time (ms after start) when a sensor's expectation first exceeds a value, or Infinity. */
function firstAbove(scenario: Scenario, sensorId: string, value: number, minutes: number): number {
  const s = index(sensorId);
  let when = Infinity;
  play(scenario, minutes, (step) => {
    if (when === Infinity && (step.expectations[s]?.value ?? -Infinity) > value) when = step.t;
  });
  return when;
}

describe('shipped scenarios', () => {
  it('every file in assets/scenarios validates against the demo plant, with matching ids', () => {
    const files = readdirSync(`${ASSETS}scenarios`).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(
      [
        'bearing-wear.json',
        'cooling-pump-trip.json',
        'normal-operation.json',
        'sensor-drift.json',
        'valve-stuck.json',
      ].sort(),
    );
    for (const file of files) {
      const id = file.replace(/\.json$/, '');
      const scenario = shipped(id);
      expect(scenario.id).toBe(id);
      expect(scenario.plantId).toBe('demo-reactor');
      expect(scenario.description.length).toBeGreaterThan(40);
    }
  });

  it('cooling-pump-trip: R-101 passes 80 °C within 4 minutes and 90 °C within 5½', () => {
    const scenario = shipped('cooling-pump-trip');
    expect(scenario.steps[0]).toMatchObject({
      atMs: 30_000,
      fault: { kind: 'pump.trip', target: 'P-201' },
    });
    const above80 = firstAbove(scenario, 'R-101.TT-01', 80, 6);
    const above90 = firstAbove(scenario, 'R-101.TT-01', 90, 6);
    expect(above80).toBeGreaterThan(60_000); // it takes a while: the reactor has thermal mass
    expect(above80).toBeLessThan(4 * 60_000);
    expect(above90).toBeLessThan(5.5 * 60_000);
  });

  it('normal-operation: R-101 stays between 65 and 75 °C over the same period', () => {
    const s = index('R-101.TT-01');
    let min = Infinity;
    let max = -Infinity;
    play(shipped('normal-operation'), 6, (step) => {
      const value = step.expectations[s]?.value ?? NaN;
      min = Math.min(min, value);
      max = Math.max(max, value);
    });
    expect(min).toBeGreaterThan(65);
    expect(max).toBeLessThan(75);
  });

  it('bearing-wear: P-101 vibration crosses its 4.5 mm/s high limit within 6 minutes, flow unchanged', () => {
    const vt = index('P-101.VT-01');
    const ft = index('P-101.FT-01');
    let first: SimStep | undefined;
    let last: SimStep | undefined;
    play(shipped('bearing-wear'), 6, (step) => {
      first ??= step;
      last = step;
    });
    expect(first?.expectations[vt]?.value).toBeLessThan(2.5);
    expect(last?.expectations[vt]?.value).toBeGreaterThan(4.5);
    expect(last?.expectations[ft]?.value).toBeCloseTo(first?.expectations[ft]?.value ?? NaN, 3);
  });

  it('sensor-drift: TT-02 reads away from the expectation and from TT-01; the reactor does not move', () => {
    const tt1 = index('R-101.TT-01');
    const tt2 = index('R-101.TT-02');
    let last: SimStep | undefined;
    play(shipped('sensor-drift'), 4, (step) => (last = step));
    const expected = last?.expectations[tt2]?.value ?? NaN;
    expect(Math.abs(expected - 70)).toBeLessThan(1);
    expect((last?.readings[tt2]?.value ?? NaN) - expected).toBeGreaterThan(4);
    expect(Math.abs((last?.readings[tt1]?.value ?? NaN) - expected)).toBeLessThan(1);
  });

  it('valve-stuck: the commanded opening never reaches the stem and R-101 overheats', () => {
    const zt = index('V-201.ZT-01');
    const tt = index('R-101.TT-01');
    let atFiveMinutes: SimStep | undefined;
    play(shipped('valve-stuck'), 5, (step) => (atFiveMinutes = step));
    expect(atFiveMinutes?.expectations[zt]?.value).toBeCloseTo(5, 6);
    expect(atFiveMinutes?.expectations[tt]?.value).toBeGreaterThan(80);
  });
});

/** A valid scenario to break one field at a time. */
function valid(): Record<string, unknown> & { steps: Record<string, unknown>[] } {
  return {
    id: 'test',
    name: 'Test',
    plantId: 'demo-reactor',
    description: 'A scenario for the validator tests.',
    steps: [
      { atMs: 1000, fault: { kind: 'pump.trip', target: 'P-201' } },
      {
        atMs: 2000,
        command: { type: 'valve.actuate', commandId: 'c1', actuatorId: 'V-201.POS', position: 0.5 },
        actor: { id: 'op', name: 'Operator', role: 'operator' },
      },
      { atMs: 3000, clearFault: { kind: 'pump.trip', target: 'P-201' } },
    ],
  };
}

function problems(json: unknown): string[] {
  const result = validateScenario(json, PLANT.plant);
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
}

describe('validateScenario', () => {
  it('accepts a valid scenario and returns it typed', () => {
    const result = validateScenario(valid(), PLANT.plant);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.scenario.steps).toHaveLength(3);
  });

  it('names the path of an unknown fault target', () => {
    const json = valid();
    json.steps[2] = { atMs: 3000, fault: { kind: 'pump.trip', target: 'P-9' } };
    expect(problems(json)).toEqual(['steps[2].fault.target: unknown equipment "P-9"']);
  });

  it('names a fault target of the wrong kind and a sensor fault on equipment', () => {
    const json = valid();
    json.steps[0] = { atMs: 1000, fault: { kind: 'cooling.loss', target: 'P-201' } };
    json.steps[2] = { atMs: 3000, clearFault: { kind: 'sensor.freeze', target: 'R-101' } };
    expect(problems(json)).toEqual([
      'steps[0].fault.target: "P-201" is a pump; cooling.loss targets a reactor or heat-exchanger',
      'steps[2].clearFault.target: unknown sensor "R-101" (sensor.freeze targets a sensor)',
    ]);
  });

  it('checks command actuators exist, are of the right kind and get values in range', () => {
    const json = valid();
    json.steps[1] = {
      atMs: 2000,
      command: { type: 'valve.actuate', commandId: 'c1', actuatorId: 'V-999.POS', position: 0.5 },
    };
    json.steps.push(
      { atMs: 4000, command: { type: 'pump.start', commandId: 'c2', actuatorId: 'V-201.POS' } },
      {
        atMs: 5000,
        command: {
          type: 'setpoint.change',
          commandId: 'c3',
          actuatorId: 'R-101.TIC-SP',
          value: 150,
        },
      },
    );
    expect(problems(json)).toEqual([
      'steps[1].command.actuatorId: unknown actuator "V-999.POS" in plant "demo-reactor"',
      'steps[3].command.actuatorId: "V-201.POS" is a valve.position actuator; pump.start drives pump.run or motor.run',
      "steps[4].command.value: expected within R-101.TIC-SP's range 40..90, got 150",
    ]);
  });

  it('reports structural problems with their paths', () => {
    const json = valid();
    json.plantId = 'other-plant';
    json.steps[0] = { atMs: 1500, fault: { kind: 'pump.explode', target: 'P-201' } };
    json.steps[1] = { atMs: 500 };
    json.steps[2] = {
      atMs: 3000,
      command: { type: 'capsule.ack', commandId: 'c1', capsuleId: 'x', colour: 'red' },
      actor: { id: 'op', name: 'Operator', role: 'boss' },
    };
    json.steps.push({
      atMs: 4000,
      command: { type: 'capsule.ack', commandId: 'c1', capsuleId: 'y' },
    });
    expect(problems(json)).toEqual([
      'plantId: the scenario is for plant "other-plant", not "demo-reactor"',
      expect.stringMatching(
        /^steps\[0\]\.fault\.kind: expected one of pump\.trip, .*got "pump\.explode"$/,
      ),
      "steps[1].atMs: expected steps in time order: 500 is before the previous step's 1500",
      'steps[1]: expected one of fault, clearFault or command',
      expect.stringMatching(/^steps\[2\]\.command\.colour: unknown field/),
      expect.stringMatching(
        /^steps\[2\]\.actor\.role: expected one of operator, engineer, viewer, system, got "boss"$/,
      ),
      'steps[3].command.commandId: duplicate commandId "c1" (first used at steps[2]); every command gets its own ack',
    ]);
  });

  it('without a plant checks structure only', () => {
    const json = valid();
    json.steps[0] = { atMs: 1000, fault: { kind: 'pump.trip', target: 'P-9' } };
    expect(validateScenario(json).ok).toBe(true);
    expect(validateScenario('nope')).toEqual({
      ok: false,
      problems: [{ path: '(root)', message: 'expected an object, got "nope"' }],
    });
  });
});

describe('scenarioStepsDue', () => {
  const scenario: Scenario = {
    id: 's',
    name: 's',
    plantId: 'demo-reactor',
    description: '',
    steps: [
      { atMs: 100, fault: { kind: 'pump.trip', target: 'P-201' } },
      { atMs: 200, fault: { kind: 'pump.trip', target: 'P-101' } },
      { atMs: 200, clearFault: { kind: 'pump.trip', target: 'P-201' } },
      { atMs: 300, clearFault: { kind: 'pump.trip', target: 'P-101' } },
    ],
  };

  it('returns the steps with from < atMs ≤ to, in file order', () => {
    expect(scenarioStepsDue(scenario, 0, 100)).toEqual([scenario.steps[0]]);
    expect(scenarioStepsDue(scenario, 100, 200)).toEqual([scenario.steps[1], scenario.steps[2]]);
    expect(scenarioStepsDue(scenario, 200, 250)).toEqual([]);
    expect(scenarioStepsDue(scenario, 0, 1000)).toEqual(scenario.steps);
  });
});
