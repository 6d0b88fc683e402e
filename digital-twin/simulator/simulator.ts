import type { CompiledPlant } from '../compiled-plant.js';
import { createPrng } from '../prng.js';
import type { Reading } from '../reading.js';
import { simModel } from './model.js';
import { initValves, solveFlows, updatePipes, updateValves } from './physics-flow.js';
import { initRotating, updateMachineOutputs, updateSpeeds } from './physics-rotating.js';
import { initVessels, updateReactors, updateTanks } from './physics-vessels.js';
import { asSimulation, Simulation } from './sim-state.js';
import type { SimState } from './sim-state.js';

/** Default step: 100 ms, fine enough for valve strokes and pump coast-down, 10 steps a second. */
export const DEFAULT_STEP_MS = 100;
/**
 * Physics-only steps run at creation (no readings, no random numbers) so flows, pressures and
 * controllers have settled by t0 instead of starting from zero.
 */
export const SETTLE_STEPS = 30;

export interface SimulatorOptions {
  /** Seeds the measurement noise. Same plant + seed + inputs ⇒ the same readings. */
  seed: number | string;
  /** Plant time of the initial state, ms since the Unix epoch. */
  t0: number;
  stepMs?: number;
}

/** What one step produced: readings as sensors report them, and the noise-free expectations. */
export interface SimStep {
  t: number;
  readings: Reading[];
  /** True values with no noise and no sensor faults: the "shadow" model the deviation rule uses. */
  expectations: { sensorId: string; value: number }[];
}

/** A simulator for a plant, at its initial state (actuators at their `initial`). */
export function createSimulator(plant: CompiledPlant, options: SimulatorOptions): SimState {
  const stepMs = options.stepMs ?? DEFAULT_STEP_MS;
  if (!Number.isFinite(options.t0)) {
    throw new Error(`createSimulator: t0 must be a finite time in ms, got ${String(options.t0)}`);
  }
  if (!(Number.isFinite(stepMs) && stepMs > 0)) {
    throw new Error(`createSimulator: stepMs must be a number > 0, got ${String(stepMs)}`);
  }
  const sim = new Simulation(plant, simModel(plant), options.t0, stepMs, createPrng(options.seed));
  plant.actuators.forEach((actuator, a) => (sim.act[a] = actuator.initial));
  initValves(sim);
  initRotating(sim);
  initVessels(sim);
  for (let k = 0; k < SETTLE_STEPS; k++) physics(sim, stepMs);
  return sim;
}

/** Advance the plant physics by dtMs. */
function physics(sim: Simulation, dtMs: number): void {
  const dtS = dtMs / 1000;
  updateValves(sim, dtS);
  updateSpeeds(sim, dtS);
  solveFlows(sim);
  updateTanks(sim, dtS);
  updateReactors(sim, dtS);
  updateMachineOutputs(sim, dtS, dtMs);
  updatePipes(sim);
}

/** Advance exactly one step (t += stepMs) and sample every sensor. */
export function stepSimulator(state: SimState): SimStep {
  const sim = asSimulation(state);
  const dtMs = sim.stepMs;
  physics(sim, dtMs);
  sim.t += dtMs;
  const t = sim.t;
  const m = sim.model;
  const n = m.nSensors;
  const x = sim.x;
  const prng = sim.prng;
  const ids = m.sensorIds;
  const readings: Reading[] = new Array<Reading>(n);
  const expectations: { sensorId: string; value: number }[] = new Array<{
    sensorId: string;
    value: number;
  }>(n);
  const slots = m.sensorSlot;
  const noise = m.sensorNoise;
  const last = sim.lastReading;
  if (!hasSensorFaults(sim)) {
    // The common case, kept tight: no sensor is drifting, frozen or dropped out.
    for (let s = 0; s < n; s++) {
      const sensorId = ids[s] ?? '';
      const truth = x[slots[s] ?? 0] ?? NaN;
      const value = truth + prng.gaussian() * (noise[s] ?? 0);
      last[s] = value;
      expectations[s] = { sensorId, value: truth };
      readings[s] = { sensorId, t, value, quality: 'good' };
    }
    return { t, readings, expectations };
  }
  for (let s = 0; s < n; s++) {
    const sensorId = ids[s] ?? '';
    const truth = x[slots[s] ?? 0] ?? NaN;
    // Drawn for every sensor every step, faulty or not, so a fault never shifts the noise of
    // other sensors: a branch with one fault differs from its parent only where it should.
    const value = truth + prng.gaussian() * (noise[s] ?? 0);
    expectations[s] = { sensorId, value: truth };
    const drift = (sim.driftOffset[s] ?? 0) + (sim.driftRate[s] ?? 0) * dtMs;
    sim.driftOffset[s] = drift;
    if (sim.dropout[s] === 1) {
      // A dropped-out sensor reports nothing usable: bad quality and NaN, never a made-up value.
      last[s] = NaN;
      readings[s] = { sensorId, t, value: NaN, quality: 'bad' };
      continue;
    }
    const reported = sim.frozen[s] === 1 ? (sim.frozenValue[s] ?? NaN) : value + drift;
    last[s] = reported;
    readings[s] = { sensorId, t, value: reported, quality: 'good' };
  }
  return { t, readings, expectations };
}

/** Whether any active fault is a sensor fault; clearing one resets its offsets and flags. */
function hasSensorFaults(sim: Simulation): boolean {
  const faults = sim.faults;
  for (let k = 0; k < faults.length; k++) {
    const kind = faults[k]?.kind;
    if (kind === 'sensor.drift' || kind === 'sensor.freeze' || kind === 'sensor.dropout')
      return true;
  }
  return false;
}

/** The noise-free value of one sensor's quantity now (for tests and tools; not part of a step). */
export function trueValue(state: SimState, sensorId: string): number {
  const sim = asSimulation(state);
  const s = sim.plant.sensorIndex.get(sensorId);
  if (s === undefined) {
    throw new Error(`unknown sensor "${sensorId}" in plant ${sim.plant.plant.id}`);
  }
  return sim.x[sim.model.sensorSlot[s] ?? 0] ?? NaN;
}
