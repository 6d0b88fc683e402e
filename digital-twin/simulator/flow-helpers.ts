import { KIND } from './model.js';
import type { Simulation } from './sim-state.js';
import { SLOT, SLOTS_PER_EQUIPMENT } from './state-layout.js';

/** Small pieces of the pipe network shared by the flow solver and the vessels. */

const NS = SLOTS_PER_EQUIPMENT;

/** Outlet temperature of a node on a stream. */
export function outTemperature(x: Float64Array, node: number, stream: number): number {
  return x[node * NS + (stream === 1 ? SLOT.COOLANT_OUT_T : SLOT.OUT_T)] ?? 0;
}

/** Outlet pressure of a node on a stream. */
export function outPressure(x: Float64Array, node: number, stream: number): number {
  return x[node * NS + (stream === 1 ? SLOT.COOLANT_P : SLOT.PRESSURE)] ?? 0;
}

/** How far open the path into `to` is: a valve's actual opening, anything else fully open. */
export function openingOf(sim: Simulation, to: number): number {
  return sim.model.kind[to] === KIND.valve ? (sim.x[to * NS + SLOT.VALVE_FRACTION] ?? 0) : 1;
}

/**
 * What flows into a node on one stream: total flow, flow-weighted temperature (or `fallback`
 * when nothing flows) and mean upstream pressure. Written into the scratch fields.
 */
export class Inflow {
  flow = 0;
  temperature = 0;
  pressure = 0;
  count = 0;
}

export function gatherInflow(
  sim: Simulation,
  node: number,
  stream: number,
  fallback: number,
  out: Inflow,
): void {
  const m = sim.model;
  let flow = 0;
  let heat = 0;
  let pressure = 0;
  let count = 0;
  for (let k = m.inStart[node] ?? 0, end = m.inStart[node + 1] ?? 0; k < end; k++) {
    const e = m.inList[k] ?? 0;
    if (m.edgeToStream[e] !== stream) continue;
    const q = sim.edgeFlow[e] ?? 0;
    flow += q;
    heat += q * (sim.edgeTemp[e] ?? 0);
    pressure += outPressure(sim.x, m.edgeFrom[e] ?? 0, m.edgeFromStream[e] ?? 0);
    count++;
  }
  out.flow = flow;
  out.temperature = flow > 1e-9 ? heat / flow : fallback;
  out.pressure = count > 0 ? pressure / count : 0;
  out.count = count;
}

/** Split `flow` over a node's outgoing edges of one stream that it feeds, by downstream opening. */
export function distribute(
  sim: Simulation,
  node: number,
  stream: number,
  role: number,
  flow: number,
  temperature: number,
): void {
  const m = sim.model;
  const start = m.outStart[node] ?? 0;
  const end = m.outStart[node + 1] ?? 0;
  let total = 0;
  for (let k = start; k < end; k++) {
    const e = m.outList[k] ?? 0;
    if (m.edgeRole[e] === role && m.edgeFromStream[e] === stream) {
      total += openingOf(sim, m.edgeTo[e] ?? 0);
    }
  }
  for (let k = start; k < end; k++) {
    const e = m.outList[k] ?? 0;
    if (m.edgeRole[e] !== role || m.edgeFromStream[e] !== stream) continue;
    sim.edgeFlow[e] = total > 0 ? (flow * openingOf(sim, m.edgeTo[e] ?? 0)) / total : 0;
    sim.edgeTemp[e] = temperature;
  }
}

/**
 * Inflow temperature and pressure for a flow machine, from its suction sources (their outlet
 * state, since the machine sets the suction flows itself).
 */
export function gatherInflowFromSources(sim: Simulation, node: number, out: Inflow): void {
  const m = sim.model;
  let temperature = 0;
  let pressure = 0;
  let count = 0;
  for (let k = m.inStart[node] ?? 0, end = m.inStart[node + 1] ?? 0; k < end; k++) {
    const e = m.inList[k] ?? 0;
    const from = m.edgeFrom[e] ?? 0;
    const stream = m.edgeFromStream[e] ?? 0;
    temperature += outTemperature(sim.x, from, stream);
    pressure += outPressure(sim.x, from, stream);
    count++;
  }
  out.flow = 0;
  out.temperature = count > 0 ? temperature / count : 0;
  out.pressure = count > 0 ? pressure / count : 0;
  out.count = count;
}
