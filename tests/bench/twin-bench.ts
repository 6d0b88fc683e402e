/**
 * The twin core's figures: simulator speed as a multiple of real time, reducer throughput in
 * readings/s against a bare typed-array store fed the same readings (the floor any fold must pay),
 * and snapshot size and codec time against JSON of the same state.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import {
  apply,
  compilePlant,
  createSimulator,
  createTwinState,
  decodeSnapshot,
  encodeSimState,
  encodeSnapshot,
  formatProblems,
  SENSOR_FLOAT_FIELDS,
  generateSyntheticPlant,
  sequenceEvents,
  stepSimulator,
  validatePlant,
} from '../../digital-twin/index.js';
import type { CompiledPlant, Reading } from '../../digital-twin/index.js';

type Figures = Record<string, number | string>;

const T0 = Date.UTC(2026, 0, 1);

function demoPlant(): CompiledPlant {
  const path = fileURLToPath(new URL('../../assets/plants/demo-reactor.json', import.meta.url));
  const result = validatePlant(JSON.parse(readFileSync(path, 'utf8')));
  if (!result.ok) throw new Error(formatProblems(result.errors));
  return compilePlant(result.plant);
}

/** Steps for about `budgetMs` of wall time; returns steps/s and × real time. */
function simulatorSpeed(
  plant: CompiledPlant,
  budgetMs: number,
): { stepsPerS: number; xReal: number } {
  const sim = createSimulator(plant, { seed: 1, t0: T0 });
  for (let i = 0; i < 5; i += 1) stepSimulator(sim); // warm-up
  let steps = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < budgetMs) {
    for (let i = 0; i < 10; i += 1) stepSimulator(sim);
    steps += 10;
    elapsed = performance.now() - start;
  }
  const stepsPerS = (steps / elapsed) * 1000;
  return { stepsPerS, xReal: (stepsPerS * sim.stepMs) / 1000 };
}

/** Readings batches from the simulator, so the fold sees realistic values and times. */
function readingBatches(plant: CompiledPlant, target: number): Reading[][] {
  const sim = createSimulator(plant, { seed: 2, t0: T0 });
  const batches: Reading[][] = [];
  let total = 0;
  while (total < target) {
    const step = stepSimulator(sim);
    batches.push(step.readings);
    total += step.readings.length;
  }
  return batches;
}

function reducerThroughput(plant: CompiledPlant, batches: Reading[][]): number {
  const state = createTwinState(plant, T0);
  let readings = 0;
  const start = performance.now();
  for (const batch of batches) {
    const t = batch[0]?.t ?? state.t;
    for (const event of sequenceEvents(state, [{ type: 'readings', readings: batch }], t)) {
      apply(state, event);
    }
    readings += batch.length;
  }
  return (readings / (performance.now() - start)) * 1000;
}

/** The floor: look each sensor up and store value, time and quality — no rules, no checks. */
function bareStoreThroughput(plant: CompiledPlant, batches: Reading[][]): number {
  const n = plant.sensors.length;
  const value = new Float64Array(n);
  const time = new Float64Array(n);
  const quality = new Uint8Array(n);
  let readings = 0;
  const start = performance.now();
  for (const batch of batches) {
    for (const r of batch) {
      const i = plant.sensorIndex.get(r.sensorId);
      if (i === undefined) continue;
      value[i] = r.value;
      time[i] = r.t;
      quality[i] = r.quality === 'good' ? 1 : r.quality === 'uncertain' ? 2 : 3;
    }
    readings += batch.length;
  }
  return (readings / (performance.now() - start)) * 1000;
}

function snapshotFigures(plant: CompiledPlant, batches: Reading[][]): Figures {
  const twin = createTwinState(plant, T0);
  for (const batch of batches.slice(0, 20)) {
    for (const event of sequenceEvents(
      twin,
      [{ type: 'readings', readings: batch }],
      batch[0]?.t ?? T0,
    )) {
      apply(twin, event);
    }
  }
  const sim = encodeSimState(createSimulator(plant, { seed: 3, t0: T0 }));
  const reps = plant.sensors.length >= 100_000 ? 3 : plant.sensors.length >= 10_000 ? 10 : 50;
  let bytes: Uint8Array = new Uint8Array();
  let start = performance.now();
  for (let i = 0; i < reps; i += 1) bytes = encodeSnapshot({ twin, sim });
  const encodeMs = (performance.now() - start) / reps;
  start = performance.now();
  for (let i = 0; i < reps; i += 1) decodeSnapshot(bytes, plant);
  const decodeMs = (performance.now() - start) / reps;
  // The same state as JSON (every per-sensor array, capsules, simulator bytes): what a naive
  // snapshot would store, and the baseline for the codec's size and speed.
  const toJson = (): string =>
    JSON.stringify({
      ...Object.fromEntries(SENSOR_FLOAT_FIELDS.map((field) => [field, Array.from(twin[field])])),
      quality: Array.from(twin.quality),
      zone: Array.from(twin.zone),
      latch: Array.from(twin.latch),
      actuators: Array.from(twin.actuators),
      capsules: [...twin.capsules.values()],
      sim: Array.from(sim),
    });
  let json = '';
  start = performance.now();
  for (let i = 0; i < reps; i += 1) json = toJson();
  const jsonMs = (performance.now() - start) / reps;
  return {
    'snapshot bytes': bytes.length,
    'snapshot bytes per sensor': bytes.length / plant.sensors.length,
    'snapshot / JSON size': bytes.length / Buffer.byteLength(json),
    'snapshot encode ms': encodeMs,
    'JSON.stringify ms (baseline)': jsonMs,
    'snapshot decode ms': decodeMs,
  };
}

function benchPlant(label: string, plant: CompiledPlant): Figures {
  const n = plant.sensors.length;
  const speed = simulatorSpeed(plant, n >= 100_000 ? 3000 : 1500);
  const batches = readingBatches(plant, Math.max(1_000_000, n * 5));
  reducerThroughput(plant, batches.slice(0, 5)); // warm-up
  bareStoreThroughput(plant, batches.slice(0, 5));
  const reducer = reducerThroughput(plant, batches);
  const bare = bareStoreThroughput(plant, batches);
  return {
    [`${label}: sensors`]: n,
    [`${label}: simulator steps/s`]: speed.stepsPerS,
    [`${label}: simulator × real time`]: speed.xReal,
    [`${label}: reducer readings/s`]: reducer,
    [`${label}: bare store readings/s (baseline)`]: bare,
    [`${label}: reducer / bare store`]: reducer / bare,
    ...Object.fromEntries(
      Object.entries(snapshotFigures(plant, batches)).map(([k, v]) => [`${label}: ${k}`, v]),
    ),
  };
}

export function benchTwin(): Promise<Figures> {
  const figures: Figures = { ...benchPlant('demo', demoPlant()) };
  for (const sensors of [1_000, 10_000, 100_000]) {
    const plant = compilePlant(generateSyntheticPlant({ sensors, seed: 7 }));
    Object.assign(figures, benchPlant(`synthetic ${sensors / 1000}k`, plant));
  }
  figures['goal: demo × real time'] = '≥ 1,000';
  figures['goal: reducer readings/s'] = '≥ 1,000,000';
  return Promise.resolve(figures);
}
