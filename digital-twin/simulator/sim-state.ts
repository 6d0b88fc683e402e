import type { CompiledPlant } from '../compiled-plant.js';
import type { Fault } from '../events.js';
import type { Prng } from '../prng.js';
import type { SimModel } from './model.js';
import { SLOTS_PER_EQUIPMENT } from './state-layout.js';

/**
 * One simulated plant at one instant. Opaque apart from the clock: change it only through
 * stepSimulator, setActuator, injectFault and clearFault, so its bytes (encodeSimState) always
 * describe everything that decides its future.
 */
export interface SimState {
  readonly plant: CompiledPlant;
  /** Plant time of the last step (ms since the Unix epoch). */
  readonly t: number;
  /** Fixed step length, ms. */
  readonly stepMs: number;
}

/** The implementation behind SimState. Every field here except `model` is encoded. */
export class Simulation implements SimState {
  readonly plant: CompiledPlant;
  readonly model: SimModel;
  t: number;
  readonly stepMs: number;
  readonly prng: Prng;
  /** SLOTS_PER_EQUIPMENT quantities per equipment (state-layout.ts). */
  readonly x: Float64Array;
  /** Commanded value per actuator, in compiled-plant order. */
  readonly act: Float64Array;
  // Equipment faults, per equipment index.
  readonly tripped: Uint8Array;
  readonly stuck: Uint8Array;
  readonly coolingLost: Uint8Array;
  /** Bearing wear growth, mm/s of vibration per ms of running. */
  readonly wearRate: Float64Array;
  // Sensor faults, per sensor index.
  /** Drift in sensor units per ms, and the offset accumulated so far. */
  readonly driftRate: Float64Array;
  readonly driftOffset: Float64Array;
  readonly frozen: Uint8Array;
  readonly frozenValue: Float64Array;
  readonly dropout: Uint8Array;
  /** The last value each sensor reported (NaN before the first step or while dropped out). */
  readonly lastReading: Float64Array;
  /** Flow (m3/h) and temperature (degC) on each pipe of the network. */
  readonly edgeFlow: Float64Array;
  readonly edgeTemp: Float64Array;
  /** Active faults in injection order (one per kind and target). */
  faults: Fault[];

  constructor(plant: CompiledPlant, model: SimModel, t: number, stepMs: number, prng: Prng) {
    this.plant = plant;
    this.model = model;
    this.t = t;
    this.stepMs = stepMs;
    this.prng = prng;
    const nE = model.nEquipment;
    const nS = model.nSensors;
    this.x = new Float64Array(nE * SLOTS_PER_EQUIPMENT);
    this.act = new Float64Array(model.nActuators);
    this.tripped = new Uint8Array(nE);
    this.stuck = new Uint8Array(nE);
    this.coolingLost = new Uint8Array(nE);
    this.wearRate = new Float64Array(nE);
    this.driftRate = new Float64Array(nS);
    this.driftOffset = new Float64Array(nS);
    this.frozen = new Uint8Array(nS);
    this.frozenValue = new Float64Array(nS);
    this.dropout = new Uint8Array(nS);
    this.lastReading = new Float64Array(nS).fill(NaN);
    this.edgeFlow = new Float64Array(model.nEdges);
    this.edgeTemp = new Float64Array(model.nEdges);
    this.faults = [];
  }
}

/** The implementation of a SimState, or an Invariant error for something that is not one. */
export function asSimulation(sim: SimState): Simulation {
  if (sim instanceof Simulation) return sim;
  throw new Error(
    'Invariant: expected a SimState made by createSimulator or decodeSimState, got another object',
  );
}
