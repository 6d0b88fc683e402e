import { describe, it, expect } from 'vitest';
import { validatePlant } from '../../../digital-twin/index.js';
import type { PlantProblem } from '../../../digital-twin/index.js';

interface FixtureEquipment extends Record<string, unknown> {
  sensors: Record<string, unknown>[];
  actuators: Record<string, unknown>[];
}
interface FixturePlant extends Record<string, unknown> {
  zones: Record<string, unknown>[];
  equipment: FixtureEquipment[];
}

/** A small plant that passes: feed tank → pump → valve → reactor, one pipe, one of each binding. */
function validPlant(): FixturePlant {
  return {
    schemaVersion: 1,
    id: 'test-plant',
    name: 'Test plant',
    zones: [
      { id: 'Z1', name: 'Feed', bounds: { minX: 0, minZ: 0, maxX: 20, maxZ: 20 } },
      { id: 'Z2', name: 'Reaction', bounds: { minX: 20, minZ: 0, maxX: 40, maxZ: 20 } },
    ],
    equipment: [
      {
        id: 'T-101',
        name: 'Feed tank',
        kind: 'tank',
        zone: 'Z1',
        position: { x: 2, y: 0, z: 5 },
        size: { x: 3, y: 4, z: 3 },
        params: { volume: 20 },
        criticality: 3,
        sensors: [
          {
            id: 'LT-101',
            kind: 'level',
            unit: '%',
            range: { min: 0, max: 100 },
            signal: 'level',
            limits: { lolo: 5, lo: 10, hi: 90, hihi: 95, deadband: 1, onDelayMs: 2000 },
            binding: { source: 'mqtt', topic: 'plant/test/T-101/LT-101', payload: 'json' },
          },
        ],
        actuators: [],
      },
      {
        id: 'P-101',
        name: 'Feed pump',
        kind: 'pump',
        zone: 'Z1',
        position: { x: 8, y: 0, z: 5 },
        sensors: [
          {
            id: 'FT-101',
            kind: 'flow',
            unit: 'm3/h',
            range: { min: 0, max: 50 },
            signal: 'flow',
            binding: {
              source: 'mqtt',
              topic: 'spBv1.0/test/DDATA/edge1/P-101',
              payload: 'sparkplug',
              metric: 'flow',
            },
          },
          {
            id: 'VT-101',
            kind: 'vibration',
            unit: 'mm/s',
            range: { min: 0, max: 20 },
            signal: 'vibration',
            rateOfChange: { maxPerMinute: 2, onDelayMs: 0 },
            binding: {
              source: 'mqtt',
              topic: 'spBv1.0/test/DDATA/edge1/P-101',
              payload: 'sparkplug',
              metric: 'vibration',
            },
          },
        ],
        actuators: [
          {
            id: 'P-101-RUN',
            kind: 'pump.run',
            range: { min: 0, max: 1 },
            initial: 1,
            binding: {
              source: 'mqtt',
              commandTopic: 'plant/test/P-101/run/set',
              confirmSensor: 'FT-101',
            },
          },
        ],
      },
      {
        id: 'V-101',
        name: 'Feed valve',
        kind: 'valve',
        zone: 'Z1',
        position: { x: 14, y: 0, z: 5 },
        sensors: [
          {
            id: 'ZT-101',
            kind: 'position',
            unit: '%',
            range: { min: 0, max: 100 },
            signal: 'position',
            binding: {
              source: 'opcua',
              endpoint: 'opc.tcp://localhost:4840',
              nodeId: 'ns=1;s=ZT-101',
            },
          },
        ],
        actuators: [
          {
            id: 'V-101-POS',
            kind: 'valve.position',
            range: { min: 0, max: 1 },
            initial: 0.5,
            binding: {
              source: 'opcua',
              endpoint: 'opc.tcp://localhost:4840',
              nodeId: 'ns=1;s=V-101.Set',
            },
          },
        ],
      },
      {
        id: 'R-101',
        name: 'Reactor',
        kind: 'reactor',
        zone: 'Z2',
        position: { x: 25, y: 0, z: 8 },
        rotationY: 0.5,
        criticality: 1,
        sensors: [
          {
            id: 'TT-101A',
            name: 'Reactor temperature A',
            kind: 'temperature',
            unit: 'degC',
            range: { min: 0, max: 150 },
            signal: 'temperature',
            limits: { hi: 80, hihi: 90, deadband: 2, onDelayMs: 5000 },
            deviation: { tolerance: 5, onDelayMs: 10000 },
            redundantWith: 'TT-101B',
            noise: 0.2,
            binding: { source: 'simulator' },
          },
          {
            id: 'TT-101B',
            kind: 'temperature',
            unit: 'degC',
            range: { min: 0, max: 150 },
            signal: 'temperature',
            redundantWith: 'TT-101A',
            binding: { source: 'simulator' },
          },
          {
            id: 'TT-102',
            kind: 'temperature',
            unit: 'degC',
            range: { min: 0, max: 150 },
            signal: 'coolantOutletTemperature',
            binding: {
              source: 'opcua',
              endpoint: 'opc.tcp://localhost:4840',
              nodeId: 'ns=2;i=1001',
              samplingIntervalMs: 500,
              deadband: 0.1,
            },
          },
        ],
        actuators: [
          {
            id: 'R-101-TSP',
            kind: 'setpoint',
            range: { min: 20, max: 120 },
            initial: 60,
            unit: 'degC',
            signal: 'temperature',
            binding: { source: 'simulator' },
          },
        ],
      },
      {
        id: 'L-101',
        name: 'Tank to pump',
        kind: 'pipe',
        zone: 'Z1',
        position: { x: 5, y: 0, z: 5 },
        connects: {
          from: 'T-101',
          to: 'P-101',
          path: [
            { x: 2, y: 0.5, z: 5 },
            { x: 8, y: 0.5, z: 5 },
          ],
        },
        sensors: [],
        actuators: [],
      },
    ],
  };
}

/** Problems as `path: message` lines, the way a user reads them. */
function problems(input: unknown): string[] {
  const result = validatePlant(input);
  return result.ok ? [] : result.errors.map((e: PlantProblem) => `${e.path}: ${e.message}`);
}

/** The problems of a valid plant after one edit. */
function problemsAfter(edit: (plant: FixturePlant) => void): string[] {
  const plant = validPlant();
  edit(plant);
  return problems(plant);
}

function sensor(plant: FixturePlant, equipment: number, index: number): Record<string, unknown> {
  const found = plant.equipment[equipment]?.sensors[index];
  if (found === undefined)
    throw new Error(`test fixture has no equipment[${equipment}].sensors[${index}]`);
  return found;
}

function actuator(plant: FixturePlant, equipment: number, index: number): Record<string, unknown> {
  const found = plant.equipment[equipment]?.actuators[index];
  if (found === undefined)
    throw new Error(`test fixture has no equipment[${equipment}].actuators[${index}]`);
  return found;
}

function equipment(plant: FixturePlant, index: number): Record<string, unknown> {
  const found = plant.equipment[index];
  if (found === undefined) throw new Error(`test fixture has no equipment[${index}]`);
  return found;
}

describe('validatePlant', () => {
  it('accepts a valid plant and returns the input itself, untouched', () => {
    const plant = validPlant();
    const before = JSON.stringify(plant);
    const result = validatePlant(plant);
    expect(result).toEqual({ ok: true, plant });
    expect(result.ok && result.plant).toBe(plant);
    expect(JSON.stringify(plant)).toBe(before);
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['"plant.json"', 'plant.json'],
    ['42', 42],
    ['nothing', undefined],
  ])('rejects %s as the whole input with one problem at (root)', (what, input) => {
    expect(problems(input)).toEqual([
      `(root): expected the plant to be a JSON object, got ${what}`,
    ]);
  });

  it('reports every missing top-level field of an empty object', () => {
    expect(problems({})).toEqual([
      'schemaVersion: expected 1 (the plant schema version this build reads), got nothing',
      'id: expected a non-empty string, got nothing',
      'name: expected a non-empty string, got nothing',
      'zones: expected an array, got nothing',
      'equipment: expected an array, got nothing',
    ]);
  });

  it('rejects another schema version', () => {
    expect(problemsAfter((p) => (p.schemaVersion = 2))).toEqual([
      'schemaVersion: expected 1 (the plant schema version this build reads), got 2',
    ]);
  });

  it('reports unknown fields at the top level and inside, suggesting the intended name', () => {
    expect(
      problemsAfter((p) => {
        Object.assign(p, { equipments: [] });
        Object.assign(equipment(p, 0), { critcality: 2 });
        Object.assign(sensor(p, 0, 0).limits as object, { hiHi: 99 });
        Object.assign(p, { colour: 'blue' });
      }),
    ).toEqual([
      'equipments: unknown field; did you mean "equipment"?',
      'colour: unknown field (known fields: schemaVersion, id, name, zones, equipment, interlocks)',
      'equipment[0].critcality: unknown field; did you mean "criticality"?',
      'equipment[0].sensors[0].limits.hiHi: unknown field; did you mean "hihi"?',
    ]);
  });

  it('reports empty, padded and duplicate ids with where the first one is', () => {
    expect(
      problemsAfter((p) => {
        p.id = '';
        equipment(p, 1).id = 'T-101';
        sensor(p, 1, 1).id = 'LT-101';
        actuator(p, 2, 0).id = 'P-101-RUN';
        p.zones[1]!.id = 'Z1';
        equipment(p, 4).id = ' L-101';
      }),
    ).toEqual(
      expect.arrayContaining([
        'id: expected a non-empty string, got ""',
        'zones[1].id: duplicate zone id "Z1" (first declared at zones[0])',
        'equipment[1].id: duplicate equipment id "T-101" (first declared at equipment[0])',
        'equipment[1].sensors[1].id: duplicate sensor id "LT-101" (first declared at equipment[0].sensors[0])',
        'equipment[2].actuators[0].id: duplicate actuator id "P-101-RUN" (first declared at equipment[1].actuators[0])',
        'equipment[4].id: expected an id without leading or trailing spaces, got " L-101"',
      ]),
    );
  });

  it('rejects a sensor id that is also an equipment id (faults name either)', () => {
    expect(problemsAfter((p) => (sensor(p, 0, 0).id = 'P-101'))).toEqual([
      'equipment[0].sensors[0].id: sensor id "P-101" is also an equipment id (equipment[1]); faults and capsules could not tell them apart',
    ]);
  });

  it('checks equipment kind, zone reference, positions, params and criticality', () => {
    expect(
      problemsAfter((p) => {
        const tank = equipment(p, 0);
        tank.kind = 'boiler';
        tank.zone = 'Z9';
        tank.position = { x: 1, y: Number.NaN, z: '3' };
        tank.size = { x: 3, y: 0, z: 3 };
        tank.params = { volume: 'big', area: Infinity };
        tank.criticality = 2.5;
        equipment(p, 3).criticality = 0;
        equipment(p, 3).rotationY = null;
      }),
    ).toEqual([
      'equipment[0].kind: expected one of tank, pump, valve, reactor, heat-exchanger, motor, compressor, pipe, got "boiler"',
      'equipment[0].zone: unknown zone "Z9" (zones: Z1, Z2)',
      'equipment[0].position.y: expected a finite number, got NaN',
      'equipment[0].position.z: expected a finite number, got "3"',
      'equipment[0].size.y: expected a number > 0, got 0',
      'equipment[0].params.volume: expected a finite number, got "big"',
      'equipment[0].params.area: expected a finite number, got Infinity',
      'equipment[0].criticality: expected an integer 1..5 (1 = most critical), got 2.5',
      'equipment[3].rotationY: expected a finite number, got null',
      'equipment[3].criticality: expected an integer 1..5 (1 = most critical), got 0',
    ]);
  });

  it('checks sensor kind, unit, range and signal against its equipment', () => {
    expect(
      problemsAfter((p) => {
        sensor(p, 3, 0).unit = 'F';
        sensor(p, 3, 1).kind = 'humidity';
        sensor(p, 3, 2).range = { min: 10, max: 10 };
        sensor(p, 1, 0).signal = 'level';
        sensor(p, 0, 0).signal = 'temperature';
      }),
    ).toEqual([
      'equipment[0].sensors[0].signal: signal "temperature" is not measured by a level sensor (it needs kind temperature)',
      'equipment[1].sensors[0].signal: expected one of flow, pressure, speed, current, vibration, temperature (the signals of a pump), got "level"',
      'equipment[3].sensors[0].unit: expected one of degC, got "F"',
      'equipment[3].sensors[1].kind: expected one of temperature, pressure, flow, level, vibration, speed, position, current, power, got "humidity"',
      'equipment[3].sensors[2].range.max: expected max > min (10), got 10',
    ]);
  });

  it('checks limits: order, within range, deadband and on-delay', () => {
    expect(
      problemsAfter((p) => {
        sensor(p, 0, 0).limits = { lolo: 5, lo: 3, hi: 90, hihi: 120, deadband: -1, onDelayMs: -5 };
        sensor(p, 3, 0).limits = { hi: 95, hihi: 90, deadband: 2 };
      }),
    ).toEqual([
      'equipment[0].sensors[0].limits.lo: expected lo > lolo (5), got 3',
      'equipment[0].sensors[0].limits.hihi: expected within range 0..100, got 120',
      'equipment[0].sensors[0].limits.deadband: expected a number ≥ 0, got -1',
      'equipment[0].sensors[0].limits.onDelayMs: expected a number ≥ 0, got -5',
      'equipment[3].sensors[0].limits.hihi: expected hihi > hi (95), got 90',
      'equipment[3].sensors[0].limits.onDelayMs: expected a finite number, got nothing',
    ]);
  });

  it('checks rate-of-change and deviation are positive', () => {
    expect(
      problemsAfter((p) => {
        sensor(p, 1, 1).rateOfChange = { maxPerMinute: 0, onDelayMs: 0 };
        sensor(p, 3, 0).deviation = { tolerance: -2, onDelayMs: 100 };
      }),
    ).toEqual([
      'equipment[1].sensors[1].rateOfChange.maxPerMinute: expected a number > 0, got 0',
      'equipment[3].sensors[0].deviation.tolerance: expected a number > 0, got -2',
    ]);
  });

  it('checks redundantWith names another existing sensor of the same kind', () => {
    expect(
      problemsAfter((p) => {
        sensor(p, 3, 0).redundantWith = 'TT-999';
        sensor(p, 3, 1).redundantWith = 'TT-101B';
        sensor(p, 3, 2).redundantWith = 'LT-101';
      }),
    ).toEqual([
      'equipment[3].sensors[0].redundantWith: unknown sensor "TT-999"',
      'equipment[3].sensors[1].redundantWith: a sensor cannot be redundant with itself',
      'equipment[3].sensors[2].redundantWith: "LT-101" is a level sensor; a redundant sensor must also be temperature',
    ]);
  });

  it('checks sensor bindings by source', () => {
    expect(
      problemsAfter((p) => {
        sensor(p, 0, 0).binding = { source: 'mqtt', topic: 'plant/+/level', payload: 'xml' };
        sensor(p, 1, 0).binding = { source: 'mqtt', topic: 'a/b', payload: 'sparkplug' };
        sensor(p, 1, 1).binding = { source: 'mqtt', topic: 'a/c', payload: 'number', metric: 'm' };
        sensor(p, 2, 0).binding = {
          source: 'opcua',
          endpoint: 'http://localhost:4840',
          nodeId: 'ZT-101',
        };
        sensor(p, 3, 0).binding = { source: 'modbus' };
        sensor(p, 3, 1).binding = { source: 'simulator', topic: 'x' };
        sensor(p, 3, 2).binding = {
          source: 'opcua',
          endpoint: 'opc.tcp://plc1:4840',
          nodeId: 'ns=2;i=x',
          samplingIntervalMs: -1,
        };
      }),
    ).toEqual([
      'equipment[0].sensors[0].binding.topic: expected a topic without wildcards (+, #), got "plant/+/level"',
      'equipment[0].sensors[0].binding.payload: expected one of json, number, sparkplug, got "xml"',
      'equipment[1].sensors[0].binding.metric: expected a non-empty string, got nothing',
      'equipment[1].sensors[1].binding.metric: metric is only used with payload "sparkplug", not "number"',
      'equipment[2].sensors[0].binding.endpoint: expected an OPC-UA endpoint like opc.tcp://host:4840, got "http://localhost:4840"',
      'equipment[2].sensors[0].binding.nodeId: expected an OPC-UA NodeId like ns=2;s=Reactor.Temperature or ns=3;i=1001, got "ZT-101"',
      'equipment[3].sensors[0].binding.source: expected one of simulator, mqtt, opcua, got "modbus"',
      'equipment[3].sensors[1].binding.topic: unknown field (known fields: source)',
      'equipment[3].sensors[2].binding.nodeId: expected an OPC-UA NodeId like ns=2;s=Reactor.Temperature or ns=3;i=1001, got "ns=2;i=x"',
      'equipment[3].sensors[2].binding.samplingIntervalMs: expected a number ≥ 0, got -1',
    ]);
  });

  it.each([
    'i=2253',
    'ns=1;s=Reactor.Temperature',
    'ns=3;g=09087e75-8e5e-499b-954f-f2a9603db28a',
    'ns=2;b=M/RbKBsRVkePCePcx24oRA==',
    'nsu=http://example.com/UA/;s=Tank 1 Level',
  ])('accepts the OPC-UA NodeId %s', (nodeId) => {
    expect(
      problemsAfter(
        (p) =>
          (sensor(p, 2, 0).binding = {
            source: 'opcua',
            endpoint: 'opc.tcp://[::1]:4840/UA/Server',
            nodeId,
          }),
      ),
    ).toEqual([]);
  });

  it('reports two sensors bound to the same MQTT topic+metric or OPC-UA node', () => {
    expect(
      problemsAfter((p) => {
        sensor(p, 1, 1).binding = {
          source: 'mqtt',
          topic: 'spBv1.0/test/DDATA/edge1/P-101',
          payload: 'sparkplug',
          metric: 'flow',
        };
        sensor(p, 3, 2).binding = {
          source: 'opcua',
          endpoint: 'opc.tcp://localhost:4840',
          nodeId: 'ns=1;s=ZT-101',
        };
        sensor(p, 3, 1).binding = {
          source: 'mqtt',
          topic: 'plant/test/T-101/LT-101',
          payload: 'number',
        };
      }),
    ).toEqual([
      'equipment[1].sensors[1].binding: duplicate binding: MQTT topic "spBv1.0/test/DDATA/edge1/P-101" metric "flow" is already bound at equipment[1].sensors[0].binding',
      'equipment[3].sensors[1].binding: duplicate binding: MQTT topic "plant/test/T-101/LT-101" is already bound at equipment[0].sensors[0].binding',
      'equipment[3].sensors[2].binding: duplicate binding: OPC-UA node ns=1;s=ZT-101 on opc.tcp://localhost:4840 is already bound at equipment[2].sensors[0].binding',
    ]);
  });

  it('checks actuator kind, range, initial value, setpoint signal and binding', () => {
    expect(
      problemsAfter((p) => {
        actuator(p, 1, 0).range = { min: 0, max: 2 };
        actuator(p, 2, 0).range = { min: 0, max: 100 };
        actuator(p, 3, 0).initial = 130;
        delete actuator(p, 3, 0).signal;
        equipment(p, 0).actuators = [
          {
            id: 'A1',
            kind: 'heater',
            range: { min: 0, max: 1 },
            initial: 0,
            binding: { source: 'simulator' },
          },
          {
            id: 'A2',
            kind: 'pump.run',
            range: { min: 0, max: 1 },
            initial: 0.5,
            binding: { source: 'mqtt', commandTopic: 'x/#', confirmSensor: 'nope' },
          },
          {
            id: 'A3',
            kind: 'valve.position',
            range: { min: 0, max: 1 },
            initial: 0,
            signal: 'level',
            binding: { source: 'simulator' },
          },
        ];
      }),
    ).toEqual([
      'equipment[0].actuators[0].kind: expected one of valve.position, pump.run, motor.run, setpoint, got "heater"',
      'equipment[0].actuators[1].initial: expected 0 (stopped) or 1 (running), got 0.5',
      'equipment[0].actuators[1].binding.commandTopic: expected a topic without wildcards (+, #), got "x/#"',
      'equipment[0].actuators[1].binding.confirmSensor: unknown sensor "nope"',
      'equipment[0].actuators[2].signal: only setpoint actuators name a controlled signal; this is valve.position',
      'equipment[1].actuators[0].range: expected exactly 0..1 for pump.run (0 = stopped, 1 = running), got 0..2',
      'equipment[2].actuators[0].range: expected a valve position range within 0..1, got 0..100',
      'equipment[3].actuators[0].initial: expected within range 20..120, got 130',
      'equipment[3].actuators[0].signal: expected the controlled signal, one of temperature, pressure, level, coolantOutletTemperature (the signals of a reactor), got nothing',
    ]);
  });

  it('reports two actuators writing to the same place', () => {
    expect(
      problemsAfter((p) => {
        actuator(p, 3, 0).binding = {
          source: 'opcua',
          endpoint: 'opc.tcp://localhost:4840',
          nodeId: 'ns=1;s=V-101.Set',
        };
      }),
    ).toEqual([
      'equipment[3].actuators[0].binding: duplicate binding: OPC-UA node ns=1;s=V-101.Set on opc.tcp://localhost:4840 is already bound at equipment[2].actuators[0].binding',
    ]);
  });

  it('checks pipes connect two different existing non-pipe equipment, and only pipes connect', () => {
    expect(
      problemsAfter((p) => {
        p.equipment.push(
          {
            ...structuredClone(p.equipment[4]!),
            id: 'L-102',
            connects: { from: 'T-101', to: 'T-101', path: [] },
          },
          {
            ...structuredClone(p.equipment[4]!),
            id: 'L-103',
            connects: { from: 'L-101', to: 'X-1', path: [{ x: 0, y: 0, z: Number.NaN }] },
          },
          { ...structuredClone(p.equipment[4]!), id: 'L-104', connects: undefined },
        );
        equipment(p, 0).connects = { from: 'T-101', to: 'P-101' };
      }),
    ).toEqual([
      'equipment[0].connects: only pipes have connects; this is a tank',
      'equipment[5].connects.to: expected a different equipment than from ("T-101")',
      'equipment[6].connects.from: "L-101" is a pipe; pipes connect non-pipe equipment',
      'equipment[6].connects.to: unknown equipment "X-1"',
      'equipment[6].connects.path[0].z: expected a finite number, got NaN',
      'equipment[7].connects: a pipe needs connects: { from, to } naming the equipment it joins',
    ]);
  });

  it('checks zones: bounds ordered and finite', () => {
    expect(
      problemsAfter((p) => {
        p.zones[0]!.bounds = { minX: 10, minZ: 0, maxX: 5, maxZ: Infinity };
      }),
    ).toEqual([
      'zones[0].bounds.maxZ: expected a finite number, got Infinity',
      'zones[0].bounds.maxX: expected maxX > minX (10), got 5',
    ]);
  });

  it('reports many problems at once, each at its own path, and keeps checking after a broken item', () => {
    const found = problemsAfter((p) => {
      (p.equipment as unknown[]).splice(1, 0, null, 'pump');
      sensor(p, 0, 0).unit = 'F';
      sensor(p, 5, 1).range = { min: 5 };
      equipment(p, 6).criticality = 9;
    });
    expect(found).toEqual([
      'equipment[0].sensors[0].unit: expected one of %, got "F"',
      'equipment[1]: expected an object, got null',
      'equipment[2]: expected an object, got "pump"',
      'equipment[5].sensors[1].range.max: expected a finite number, got nothing',
      'equipment[6].criticality: expected an integer 1..5 (1 = most critical), got 9',
    ]);
  });
});
