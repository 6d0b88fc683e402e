/**
 * The ingest bench's plant: `jsonSensors` flow sensors on plain MQTT JSON topics
 * (`<prefix>/L-1/FT-<n>`) and `devices` Sparkplug B devices of `metricsPerDevice` temperature
 * metrics each (`spBv1.0/<group>/DDATA/edge-1/D-<d>`, metric `m<i>`). Every sensor is bound to
 * MQTT, so with `MQTT_URL` set the simulator delivers none of them: every stored reading came
 * over the wire.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatProblems, validatePlant } from '../../digital-twin/index.js';
import type { Plant, Sensor } from '../../digital-twin/index.js';

export interface BenchPlantOptions {
  prefix: string;
  group: string;
  jsonSensors: number;
  devices: number;
  metricsPerDevice: number;
}

export const EDGE_NODE = 'edge-1';

/** Sensor id of JSON sensor `n`. */
export const jsonSensorId = (n: number): string => `FT-${n}`;
/** Sensor id of Sparkplug device `d`'s metric `i`. */
export const sparkplugSensorId = (d: number, i: number): string => `D${d}-TT-${i}`;

export function benchPlantFile(o: BenchPlantOptions): Plant {
  const json: Sensor[] = [];
  for (let n = 0; n < o.jsonSensors; n += 1) {
    json.push({
      id: jsonSensorId(n),
      kind: 'flow',
      unit: 'm3/h',
      range: { min: 0, max: 100 },
      signal: 'flow',
      binding: { source: 'mqtt', topic: `${o.prefix}/L-1/FT-${n}`, payload: 'json' },
    });
  }
  const sparkplug: Sensor[] = [];
  for (let d = 0; d < o.devices; d += 1) {
    for (let i = 0; i < o.metricsPerDevice; i += 1) {
      sparkplug.push({
        id: sparkplugSensorId(d, i),
        kind: 'temperature',
        unit: 'degC',
        range: { min: 0, max: 150 },
        signal: 'temperature',
        binding: {
          source: 'mqtt',
          topic: `spBv1.0/${o.group}/${EDGE_NODE}/D-${d}`,
          payload: 'sparkplug',
          metric: `m${i}`,
        },
      });
    }
  }
  const plant: Plant = {
    schemaVersion: 1,
    id: `ingest-bench-${o.prefix}`,
    name: 'Ingest bench plant',
    zones: [{ id: 'Z1', name: 'Unit', bounds: { minX: 0, minZ: 0, maxX: 30, maxZ: 30 } }],
    equipment: [
      {
        id: 'R-1',
        name: 'Reactor',
        kind: 'reactor',
        zone: 'Z1',
        position: { x: 5, y: 0, z: 5 },
        sensors: sparkplug,
        actuators: [],
      },
      {
        id: 'V-1',
        name: 'Valve',
        kind: 'valve',
        zone: 'Z1',
        position: { x: 10, y: 0, z: 5 },
        sensors: [],
        actuators: [],
      },
      {
        id: 'L-1',
        name: 'Line',
        kind: 'pipe',
        zone: 'Z1',
        position: { x: 20, y: 0, z: 5 },
        connects: { from: 'R-1', to: 'V-1' },
        sensors: json,
        actuators: [],
      },
    ],
  };
  const result = validatePlant(plant);
  if (!result.ok) throw new Error(`bench plant is invalid:\n${formatProblems(result.errors)}`);
  return result.plant;
}

/** Writes the plant into `dir` and returns its path (the server's PLANT). */
export function writeBenchPlant(dir: string, options: BenchPlantOptions): string {
  const path = join(dir, 'ingest-bench-plant.json');
  writeFileSync(path, JSON.stringify(benchPlantFile(options)));
  return path;
}
