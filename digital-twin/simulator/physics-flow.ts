import { KIND, ROLE } from './model.js';
import { COMPRESSOR_P, PARAMS_PER_EQUIPMENT, PUMP_P, TANK_P, VALVE_P } from './params.js';
import {
  Inflow,
  distribute,
  gatherInflow,
  gatherInflowFromSources,
  openingOf,
  outPressure,
  outTemperature,
} from './flow-helpers.js';
import { exchangeHeat } from './physics-vessels.js';
import type { Simulation } from './sim-state.js';
import { SLOT, SLOTS_PER_EQUIPMENT } from './state-layout.js';

/**
 * The hydraulic network: valves stroke towards their command, pumps and compressors set the flow
 * on their pipes from speed, downstream valve opening and suction level (a pump curve against a
 * system curve), vessels drain by gravity through their outlet valves, and valves, exchangers and
 * jackets pass on what flows into them. Flows are m3/h, pressures bar (gauge).
 */

const NP = PARAMS_PER_EQUIPMENT;
const NS = SLOTS_PER_EQUIPMENT;
/** Atmospheric pressure, bar: compressors work on absolute pressure. */
const ATMOSPHERE_BAR = 1.013;
/**
 * Share of a pump's head lost in the line when its valve is fully open. Sets the installed
 * characteristic: flow = opening / sqrt(LINE + (1 − LINE)·opening²), 1 at full opening.
 */
const LINE_LOSS_SHARE = 0.2;
/** Pump head at shut-off relative to the head at nominal flow (a typical centrifugal curve). */
const SHUTOFF_HEAD = 1.25;

/** Valves start where their actuator (or `initialPosition`) puts them. */
export function initValves(sim: Simulation): void {
  const { valves, params, positionActuator } = sim.model;
  for (let k = 0; k < valves.length; k++) {
    const i = valves[k] ?? 0;
    const a = positionActuator[i] ?? -1;
    const fraction = a >= 0 ? (sim.act[a] ?? 0) : (params[i * NP + VALVE_P.initialPosition] ?? 1);
    sim.x[i * NS + SLOT.VALVE_FRACTION] = fraction;
    sim.x[i * NS + SLOT.POSITION] = fraction * 100;
  }
}

/** Stroke valves towards their commanded position at their stroke rate; stuck valves stay put. */
export function updateValves(sim: Simulation, dtS: number): void {
  const { valves, params, positionActuator } = sim.model;
  const x = sim.x;
  for (let k = 0; k < valves.length; k++) {
    const i = valves[k] ?? 0;
    const row = i * NS;
    let fraction = x[row + SLOT.VALVE_FRACTION] ?? 0;
    if (sim.stuck[i] === 0) {
      const a = positionActuator[i] ?? -1;
      const command = a >= 0 ? (sim.act[a] ?? 0) : (params[i * NP + VALVE_P.initialPosition] ?? 1);
      const maxMove = dtS / Math.max(params[i * NP + VALVE_P.strokeTime] ?? 1, 1e-3);
      const delta = command - fraction;
      fraction += delta > maxMove ? maxMove : delta < -maxMove ? -maxMove : delta;
    }
    x[row + SLOT.VALVE_FRACTION] = fraction;
    x[row + SLOT.POSITION] = fraction * 100;
  }
}

const scratch = new Inflow();

/** Set every pipe's flow and the flow, temperature and pressure of every flow-carrying node. */
export function solveFlows(sim: Simulation): void {
  const m = sim.model;
  const x = sim.x;
  const params = m.params;

  // 1. Pumps and compressors: the pump curve against the installed valve characteristic.
  for (let k = 0; k < m.flowMachines.length; k++) {
    const i = m.flowMachines[k] ?? 0;
    const row = i * NS;
    const p = i * NP;
    const speedNominal = params[p + PUMP_P.speedNominal] ?? 1;
    const sf = Math.max(0, (x[row + SLOT.SPEED] ?? 0) / (speedNominal > 0 ? speedNominal : 1));
    let opening = 0;
    let outlets = 0;
    for (let j = m.outStart[i] ?? 0, end = m.outStart[i + 1] ?? 0; j < end; j++) {
      opening += openingOf(sim, m.edgeTo[m.outList[j] ?? 0] ?? 0);
      outlets++;
    }
    // No outlet pipe: the machine discharges across the plant boundary, unrestricted.
    if (outlets === 0 || opening > 1) opening = 1;
    const installed =
      opening / Math.sqrt(LINE_LOSS_SHARE + (1 - LINE_LOSS_SHARE) * opening * opening);
    // Suction: a pump draining a vessel loses prime as the level reaches its suction nozzle.
    let suction = 1;
    let inlets = 0;
    const suctionLevel = Math.max(params[p + PUMP_P.suctionLevel] ?? 0, 1e-6);
    for (let j = m.inStart[i] ?? 0, end = m.inStart[i + 1] ?? 0; j < end; j++) {
      const e = m.inList[j] ?? 0;
      inlets++;
      const from = m.edgeFrom[e] ?? 0;
      const fromKind = m.kind[from];
      if (fromKind === KIND.tank || (fromKind === KIND.reactor && m.edgeFromStream[e] === 0)) {
        const share = (x[from * NS + SLOT.LEVEL] ?? 0) / suctionLevel;
        if (share < suction) suction = share < 0 ? 0 : share;
      }
    }
    const flowNominal = params[p + PUMP_P.flowNominal] ?? 0;
    const q = flowNominal * sf * installed * suction;
    x[row + SLOT.FLOW] = q;

    gatherInflowFromSources(sim, i, scratch);
    const fluidT = inlets > 0 ? scratch.temperature : (params[p + PUMP_P.inletTemperature] ?? 20);
    const suctionP = scratch.pressure;
    x[row + SLOT.OUT_T] = fluidT;
    for (let j = m.inStart[i] ?? 0, end = m.inStart[i + 1] ?? 0; j < end; j++) {
      const e = m.inList[j] ?? 0;
      sim.edgeFlow[e] = q / inlets;
      sim.edgeTemp[e] = outTemperature(x, m.edgeFrom[e] ?? 0, m.edgeFromStream[e] ?? 0);
    }
    if (m.kind[i] === KIND.compressor) {
      const ratio = params[p + COMPRESSOR_P.pressureRatio] ?? 1;
      x[row + SLOT.PRESSURE] =
        (suctionP + ATMOSPHERE_BAR) * (1 + (ratio - 1) * sf * sf) - ATMOSPHERE_BAR;
    } else {
      const r = flowNominal > 0 && sf > 0.05 ? q / (flowNominal * sf) : 0;
      const head = params[p + PUMP_P.headPressure] ?? 0;
      x[row + SLOT.PRESSURE] =
        suctionP + sf * sf * head * (SHUTOFF_HEAD - (SHUTOFF_HEAD - 1) * r * r);
    }
    distribute(sim, i, 0, ROLE.PUMP_OUT, q, fluidT);
  }

  // 2. Vessels draining by gravity: flow grows with the square root of the liquid head.
  for (let e = 0; e < m.nEdges; e++) {
    if (m.edgeRole[e] !== ROLE.GRAVITY) continue;
    const from = m.edgeFrom[e] ?? 0;
    const to = m.edgeTo[e] ?? 0;
    const level = (x[from * NS + SLOT.LEVEL] ?? 0) / 100;
    const coefficient =
      m.kind[to] === KIND.valve
        ? (params[to * NP + VALVE_P.flowNominal] ?? 0) * (x[to * NS + SLOT.VALVE_FRACTION] ?? 0)
        : (params[from * NP + TANK_P.outletFlow] ?? 0);
    sim.edgeFlow[e] = level > 0 ? coefficient * Math.sqrt(level) : 0;
    sim.edgeTemp[e] = x[from * NS + SLOT.OUT_T] ?? 0;
  }

  // 3. Pass-through nodes, upstream first.
  for (let k = 0; k < m.passOrder.length; k++) {
    const i = m.passOrder[k] ?? 0;
    const row = i * NS;
    const kind = m.kind[i];
    if (kind === KIND.valve) {
      gatherInflow(sim, i, 0, x[row + SLOT.OUT_T] ?? 0, scratch);
      const fraction = x[row + SLOT.VALVE_FRACTION] ?? 0;
      let q = scratch.flow;
      let temperature = scratch.temperature;
      let inletP = scratch.pressure;
      if (scratch.count === 0) {
        // A valve with no pipe in takes from a header at the plant boundary.
        q = (params[i * NP + VALVE_P.flowNominal] ?? 0) * fraction;
        temperature = params[i * NP + VALVE_P.supplyTemperature] ?? 20;
        inletP = params[i * NP + VALVE_P.supplyPressure] ?? 0;
      }
      x[row + SLOT.FLOW] = q;
      x[row + SLOT.OUT_T] = temperature;
      // Throttling: a nearly closed valve drops most of the line pressure.
      x[row + SLOT.PRESSURE] = inletP * (0.6 + 0.4 * fraction);
      distribute(sim, i, 0, ROLE.PASS, q, temperature);
    } else if (kind === KIND['heat-exchanger']) {
      exchangeHeat(sim, i, scratch);
      distribute(sim, i, 0, ROLE.PASS, x[row + SLOT.FLOW] ?? 0, x[row + SLOT.OUT_T] ?? 0);
      distribute(
        sim,
        i,
        1,
        ROLE.PASS,
        x[row + SLOT.COOLANT_FLOW] ?? 0,
        x[row + SLOT.COOLANT_OUT_T] ?? 0,
      );
    } else {
      // Reactor jacket: coolant passes through; its heat pickup is worked out with the reactor.
      gatherInflow(sim, i, 1, x[row + SLOT.COOLANT_IN_T] ?? 0, scratch);
      const q = sim.coolingLost[i] === 1 ? 0 : scratch.flow;
      x[row + SLOT.COOLANT_FLOW] = q;
      x[row + SLOT.COOLANT_IN_T] = scratch.temperature;
      x[row + SLOT.COOLANT_P] = scratch.pressure * 0.8;
      distribute(sim, i, 1, ROLE.PASS, q, x[row + SLOT.COOLANT_OUT_T] ?? 0);
    }
  }
}

/** Pipes report what flows through them: the edge's flow and temperature, upstream pressure. */
export function updatePipes(sim: Simulation): void {
  const m = sim.model;
  const x = sim.x;
  for (let k = 0; k < m.pipes.length; k++) {
    const i = m.pipes[k] ?? 0;
    const e = m.pipeEdge[i] ?? 0;
    const row = i * NS;
    x[row + SLOT.FLOW] = sim.edgeFlow[e] ?? 0;
    x[row + SLOT.TEMPERATURE] = sim.edgeTemp[e] ?? 0;
    x[row + SLOT.PRESSURE] = outPressure(x, m.edgeFrom[e] ?? 0, m.edgeFromStream[e] ?? 0);
  }
}
