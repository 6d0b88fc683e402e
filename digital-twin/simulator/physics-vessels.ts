import { gatherInflow } from './flow-helpers.js';
import type { Inflow } from './flow-helpers.js';
import { EXCHANGER_P, PARAMS_PER_EQUIPMENT, REACTOR_P, TANK_P } from './params.js';
import type { Simulation } from './sim-state.js';
import {
  BAR_PER_METRE,
  KJ_PER_K_PER_M3,
  KW_PER_K_PER_M3H,
  SLOT,
  SLOTS_PER_EQUIPMENT,
} from './state-layout.js';

/**
 * Tanks, reactors and heat exchangers: levels integrate in − out flow, temperatures follow an
 * energy balance (mixing, reaction heat, jacket cooling, losses), pressure follows liquid head
 * and, in the reactor, temperature (vapour pressure).
 */

const NP = PARAMS_PER_EQUIPMENT;
const NS = SLOTS_PER_EQUIPMENT;
/** Below this share of its volume a vessel's contents are treated as this much (no division by ~0). */
const MIN_HOLDUP_SHARE = 0.05;
/** An idle jacket's water creeps towards the vessel temperature with this time constant, s. */
const IDLE_JACKET_TAU_S = 60;
/** Heat that boils off one m3 of water-like contents, kJ (2,260 kJ/kg × 1,000 kg). */
const LATENT_HEAT_KJ_PER_M3 = 2_260_000;

/** Reused result of processBalance: a step allocates nothing per vessel. */
const balance = { net: 0, inflowHeat: 0 };

/** Σ in − Σ out on a vessel's process stream, plus heat carried in (kW) relative to `temperature`. */
function processBalance(sim: Simulation, i: number, temperature: number): typeof balance {
  const m = sim.model;
  let net = 0;
  let inflowHeat = 0;
  for (let k = m.inStart[i] ?? 0, end = m.inStart[i + 1] ?? 0; k < end; k++) {
    const e = m.inList[k] ?? 0;
    if (m.edgeToStream[e] !== 0) continue;
    const q = sim.edgeFlow[e] ?? 0;
    net += q;
    inflowHeat += q * KW_PER_K_PER_M3H * ((sim.edgeTemp[e] ?? 0) - temperature);
  }
  for (let k = m.outStart[i] ?? 0, end = m.outStart[i + 1] ?? 0; k < end; k++) {
    const e = m.outList[k] ?? 0;
    if (m.edgeFromStream[e] === 0) net -= sim.edgeFlow[e] ?? 0;
  }
  balance.net = net;
  balance.inflowHeat = inflowHeat;
  return balance;
}

/**
 * Makeup flow from outside the plant (a level controller on the supply line): proportional to
 * how far the level is below its setpoint, never negative. NaN setpoint = no makeup line.
 */
function makeupFlow(sim: Simulation, i: number, level: number, paramSetpoint: number): number {
  const a = sim.model.levelSetpoint[i] ?? -1;
  const setpoint = a >= 0 ? (sim.act[a] ?? NaN) : paramSetpoint;
  if (!(setpoint === setpoint)) return 0;
  const p = i * NP;
  const q = (params(sim, p + TANK_P.makeupGain) ?? 0) * (setpoint - level);
  const max = params(sim, p + TANK_P.makeupMax);
  return q < 0 ? 0 : q > max ? max : q;
}

function params(sim: Simulation, index: number): number {
  return sim.model.params[index] ?? 0;
}

/** Tanks: level, mixing temperature (optionally held by a cooler/heater), hydrostatic pressure. */
export function updateTanks(sim: Simulation, dtS: number): void {
  const { tanks } = sim.model;
  const x = sim.x;
  for (let k = 0; k < tanks.length; k++) {
    const i = tanks[k] ?? 0;
    const row = i * NS;
    const p = i * NP;
    const volume = Math.max(params(sim, p + TANK_P.volume), 1e-6);
    const level = x[row + SLOT.LEVEL] ?? 0;
    const temperature = x[row + SLOT.TEMPERATURE] ?? 0;
    const { net, inflowHeat } = processBalance(sim, i, temperature);
    const makeup = makeupFlow(sim, i, level, params(sim, p + TANK_P.levelSetpoint));
    x[row + SLOT.BOUNDARY_FLOW] = makeup;
    const nextLevel = level + (((net + makeup) / 3600) * dtS * 100) / volume;
    x[row + SLOT.LEVEL] = nextLevel < 0 ? 0 : nextLevel > 100 ? 100 : nextLevel;

    const holdup = Math.max(level / 100, MIN_HOLDUP_SHARE) * volume * KJ_PER_K_PER_M3;
    let heat =
      inflowHeat +
      makeup * KW_PER_K_PER_M3H * (params(sim, p + TANK_P.makeupTemperature) - temperature);
    const supply = params(sim, p + TANK_P.supplyTemperature);
    if (supply === supply) {
      // A cooling tower or heater holding the tank at its supply temperature.
      heat += ((supply - temperature) * holdup) / Math.max(params(sim, p + TANK_P.supplyTau), 1);
    }
    const nextT = temperature + (heat / holdup) * dtS;
    x[row + SLOT.TEMPERATURE] = nextT;
    x[row + SLOT.OUT_T] = nextT;
    x[row + SLOT.PRESSURE] =
      params(sim, p + TANK_P.blanketPressure) +
      BAR_PER_METRE * params(sim, p + TANK_P.height) * ((x[row + SLOT.LEVEL] ?? 0) / 100);
  }
}

/** The temperature controller's jacket share and its integral term, for one reactor. */
function jacketShare(sim: Simulation, i: number, temperature: number, dtS: number): number {
  const row = i * NS;
  const p = i * NP;
  const a = sim.model.temperatureSetpoint[i] ?? -1;
  if (a < 0) return params(sim, p + REACTOR_P.jacketShare);
  const gain = params(sim, p + REACTOR_P.controlGain);
  const error = temperature - (sim.act[a] ?? 0);
  // PI with the integral clamped to the output range (anti-windup).
  let integral =
    (sim.x[row + SLOT.CONTROL] ?? 0) +
    (gain * error * dtS) / Math.max(params(sim, p + REACTOR_P.controlReset), 1e-3);
  integral = integral < 0 ? 0 : integral > 1 ? 1 : integral;
  sim.x[row + SLOT.CONTROL] = integral;
  const share = gain * error + integral;
  return share < 0 ? 0 : share > 1 ? 1 : share;
}

/**
 * Reactors: an exothermic reaction (heat grows exponentially with temperature, Arrhenius-like,
 * and with inventory), cooled by coolant through the jacket (share set by the temperature
 * controller), by cooler feed and by losses; pressure is vapour pressure plus liquid head.
 */
export function updateReactors(sim: Simulation, dtS: number): void {
  const { reactors } = sim.model;
  const x = sim.x;
  for (let k = 0; k < reactors.length; k++) {
    const i = reactors[k] ?? 0;
    const row = i * NS;
    const p = i * NP;
    const volume = Math.max(params(sim, p + REACTOR_P.volume), 1e-6);
    const level = x[row + SLOT.LEVEL] ?? 0;
    const temperature = x[row + SLOT.TEMPERATURE] ?? 0;
    const { net, inflowHeat } = processBalance(sim, i, temperature);
    const nextLevel = level + ((net / 3600) * dtS * 100) / volume;
    x[row + SLOT.LEVEL] = nextLevel < 0 ? 0 : nextLevel > 100 ? 100 : nextLevel;

    const reference = params(sim, p + REACTOR_P.referenceTemperature);
    const factor = Math.min(
      Math.exp(params(sim, p + REACTOR_P.activation) * (temperature - reference)),
      params(sim, p + REACTOR_P.maxHeatFactor),
    );
    const inventory = level / Math.max(params(sim, p + REACTOR_P.referenceLevel), 1e-6);
    const reactionHeat = params(sim, p + REACTOR_P.reactionHeat) * inventory * factor;

    // Jacket: effectiveness of a once-through jacket, ε = 1 − exp(−UA / C).
    const share = jacketShare(sim, i, temperature, dtS);
    const coolantFlow = x[row + SLOT.COOLANT_FLOW] ?? 0;
    const coolantIn = x[row + SLOT.COOLANT_IN_T] ?? 0;
    const capacity = coolantFlow * KW_PER_K_PER_M3H;
    let cooling = 0;
    if (capacity * share > 1e-9) {
      const through = capacity * share;
      const effectiveness = 1 - Math.exp(-params(sim, p + REACTOR_P.jacketUA) / through);
      cooling = effectiveness * through * (temperature - coolantIn);
      x[row + SLOT.COOLANT_OUT_T] = coolantIn + cooling / capacity;
    } else {
      const outT = x[row + SLOT.COOLANT_OUT_T] ?? temperature;
      x[row + SLOT.COOLANT_OUT_T] =
        outT + (temperature - outT) * (1 - Math.exp(-dtS / IDLE_JACKET_TAU_S));
    }
    const losses =
      params(sim, p + REACTOR_P.lossUA) *
      (temperature - params(sim, p + REACTOR_P.ambientTemperature));
    const holdup = Math.max(level / 100, MIN_HOLDUP_SHARE) * volume * KJ_PER_K_PER_M3;
    let nextT = temperature + ((reactionHeat + inflowHeat - cooling - losses) / holdup) * dtS;
    // Relief: at the relief valve's set pressure the contents boil off through it, which holds
    // the temperature where the vapour pressure equals the set pressure and costs inventory.
    const head =
      BAR_PER_METRE * params(sim, p + REACTOR_P.height) * ((x[row + SLOT.LEVEL] ?? 0) / 100);
    const reliefVapour = params(sim, p + REACTOR_P.reliefPressure) - head;
    const pressureReference = params(sim, p + REACTOR_P.pressureReference);
    const coefficient = params(sim, p + REACTOR_P.pressureCoefficient);
    if (reliefVapour > 0 && pressureReference > 0 && coefficient > 0) {
      const reliefT = reference + Math.log(reliefVapour / pressureReference) / coefficient;
      if (nextT > reliefT) {
        const boiledM3 = ((nextT - reliefT) * holdup) / LATENT_HEAT_KJ_PER_M3;
        const level = (x[row + SLOT.LEVEL] ?? 0) - (boiledM3 / volume) * 100;
        x[row + SLOT.LEVEL] = level < 0 ? 0 : level;
        nextT = reliefT;
      }
    }
    x[row + SLOT.TEMPERATURE] = nextT;
    x[row + SLOT.OUT_T] = nextT;
    x[row + SLOT.PRESSURE] =
      pressureReference * Math.exp(coefficient * (nextT - reference)) +
      BAR_PER_METRE * params(sim, p + REACTOR_P.height) * ((x[row + SLOT.LEVEL] ?? 0) / 100);
  }
}

/**
 * One heat exchanger, counter-current, by effectiveness–NTU. The "coolant" side may be hotter
 * (a heater): heat flows from the hotter stream either way.
 */
export function exchangeHeat(sim: Simulation, i: number, scratch: Inflow): void {
  const x = sim.x;
  const row = i * NS;
  const p = i * NP;
  gatherInflow(sim, i, 0, x[row + SLOT.INLET_T] ?? 0, scratch);
  const processFlow = scratch.flow;
  const processIn = scratch.temperature;
  const processP = scratch.pressure;
  gatherInflow(sim, i, 1, x[row + SLOT.COOLANT_IN_T] ?? 0, scratch);
  const coolantFlow = sim.coolingLost[i] === 1 ? 0 : scratch.flow;
  const coolantIn = scratch.temperature;
  const coolantP = scratch.pressure;

  const hot = processFlow * KW_PER_K_PER_M3H;
  const cold = coolantFlow * KW_PER_K_PER_M3H;
  let duty = 0;
  if (hot > 1e-9 && cold > 1e-9) {
    const cMin = Math.min(hot, cold);
    const cr = cMin / Math.max(hot, cold);
    const ntu = params(sim, p + EXCHANGER_P.ua) / cMin;
    const effectiveness =
      Math.abs(1 - cr) < 1e-6
        ? ntu / (1 + ntu)
        : (1 - Math.exp(-ntu * (1 - cr))) / (1 - cr * Math.exp(-ntu * (1 - cr)));
    duty = effectiveness * cMin * (processIn - coolantIn);
  }
  const dropShare = params(sim, p + EXCHANGER_P.pressureDrop);
  x[row + SLOT.FLOW] = processFlow;
  x[row + SLOT.COOLANT_FLOW] = coolantFlow;
  x[row + SLOT.INLET_T] = processIn;
  x[row + SLOT.COOLANT_IN_T] = coolantIn;
  x[row + SLOT.OUTLET_T] = hot > 1e-9 ? processIn - duty / hot : processIn;
  x[row + SLOT.COOLANT_OUT_T] = cold > 1e-9 ? coolantIn + duty / cold : coolantIn;
  x[row + SLOT.OUT_T] = x[row + SLOT.OUTLET_T] ?? processIn;
  x[row + SLOT.PRESSURE] = Math.max(processP - dropShare, 0);
  x[row + SLOT.COOLANT_P] = Math.max(coolantP - dropShare, 0);
}

/** Starting state of vessels and exchangers from their params (and setpoints, where present). */
export function initVessels(sim: Simulation): void {
  const { tanks, reactors, exchangers, temperatureSetpoint } = sim.model;
  const x = sim.x;
  for (let k = 0; k < tanks.length; k++) {
    const i = tanks[k] ?? 0;
    const p = i * NP;
    const supply = params(sim, p + TANK_P.supplyTemperature);
    const t = supply === supply ? supply : params(sim, p + TANK_P.initialTemperature);
    x[i * NS + SLOT.LEVEL] = params(sim, p + TANK_P.initialLevel);
    x[i * NS + SLOT.TEMPERATURE] = t;
    x[i * NS + SLOT.OUT_T] = t;
  }
  for (let k = 0; k < reactors.length; k++) {
    const i = reactors[k] ?? 0;
    const p = i * NP;
    const a = temperatureSetpoint[i] ?? -1;
    const t = a >= 0 ? (sim.act[a] ?? 0) : params(sim, p + REACTOR_P.initialTemperature);
    x[i * NS + SLOT.LEVEL] = params(sim, p + REACTOR_P.initialLevel);
    x[i * NS + SLOT.TEMPERATURE] = t;
    x[i * NS + SLOT.OUT_T] = t;
    x[i * NS + SLOT.CONTROL] = params(sim, p + REACTOR_P.jacketShare);
    x[i * NS + SLOT.COOLANT_IN_T] = params(sim, p + REACTOR_P.ambientTemperature);
    x[i * NS + SLOT.COOLANT_OUT_T] = params(sim, p + REACTOR_P.ambientTemperature);
  }
  for (let k = 0; k < exchangers.length; k++) {
    const i = exchangers[k] ?? 0;
    const t = params(sim, i * NP + EXCHANGER_P.initialTemperature);
    for (const slot of [SLOT.INLET_T, SLOT.OUTLET_T, SLOT.COOLANT_IN_T, SLOT.COOLANT_OUT_T]) {
      x[i * NS + slot] = t;
    }
    x[i * NS + SLOT.OUT_T] = t;
  }
}
