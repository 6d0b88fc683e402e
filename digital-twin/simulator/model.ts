import type { CompiledPlant } from '../compiled-plant.js';
import type { EquipmentKind } from '../plant.js';
import { PARAM_SPECS, PARAMS_PER_EQUIPMENT, PIPE_P } from './params.js';
import { SIGNAL_SLOTS, SLOTS_PER_EQUIPMENT } from './state-layout.js';

/**
 * Everything the simulator derives from a plant once (indexes, the pipe network, parameters with
 * defaults filled in, which actuator drives what), so a step is loops over typed arrays. Never
 * mutated, never serialised: `decodeSimState` rebuilds it from the plant.
 */
export interface SimModel {
  readonly compiled: CompiledPlant;
  readonly nEquipment: number;
  readonly nSensors: number;
  readonly nActuators: number;
  readonly nEdges: number;
  readonly kind: Uint8Array;
  readonly equipmentIds: readonly string[];
  readonly equipmentIndex: ReadonlyMap<string, number>;
  /** PARAMS_PER_EQUIPMENT float64s per equipment, in PARAM_SPECS order for its kind. */
  readonly params: Float64Array;

  readonly tanks: Int32Array;
  readonly reactors: Int32Array;
  readonly exchangers: Int32Array;
  readonly valves: Int32Array;
  /** Pumps and compressors: the machines that set flows in the network. */
  readonly flowMachines: Int32Array;
  /** Pumps, compressors and motors. */
  readonly rotating: Int32Array;
  readonly pipes: Int32Array;

  /** The pipe network: one edge per pipe, from → to, on the process (0) or coolant (1) stream. */
  readonly edgeFrom: Int32Array;
  readonly edgeTo: Int32Array;
  readonly edgeFromStream: Uint8Array;
  readonly edgeToStream: Uint8Array;
  readonly edgeRole: Uint8Array;
  /** For each equipment index, its edge (pipes only) or -1. */
  readonly pipeEdge: Int32Array;
  /** Incoming / outgoing edges per equipment, compressed: edges of i are list[start[i]…start[i+1]). */
  readonly inStart: Int32Array;
  readonly inList: Int32Array;
  readonly outStart: Int32Array;
  readonly outList: Int32Array;
  /** Valves, exchangers and reactors in an order where pass-through flow is known before use. */
  readonly passOrder: Int32Array;

  /** Per equipment: index of the actuator that drives it, or -1. */
  readonly runActuator: Int32Array;
  readonly positionActuator: Int32Array;
  readonly temperatureSetpoint: Int32Array;
  readonly levelSetpoint: Int32Array;
  readonly speedSetpoint: Int32Array;

  readonly sensorIds: readonly string[];
  /** Offset of each sensor's quantity in the state table. */
  readonly sensorSlot: Int32Array;
  readonly sensorNoise: Float64Array;
  readonly sensorSpan: Float64Array;
}

export const KIND = {
  tank: 0,
  pump: 1,
  valve: 2,
  reactor: 3,
  'heat-exchanger': 4,
  motor: 5,
  compressor: 6,
  pipe: 7,
} as const satisfies Record<EquipmentKind, number>;

/** Who sets an edge's flow each step. */
export const ROLE = {
  /** Into a pump or compressor: the machine's suction draws it. */
  PUMP_IN: 0,
  /** Out of a vessel's process stream: gravity through the valve (or opening) downstream. */
  GRAVITY: 1,
  /** Out of a pump or compressor: its discharge, split by downstream valve openings. */
  PUMP_OUT: 2,
  /** Out of a valve, exchanger or jacket: what flowed in, split by downstream openings. */
  PASS: 3,
  /** Out of something that moves no fluid (a motor): no flow. */
  NONE: 4,
} as const;

/**
 * Measurement noise when a sensor does not say: 0.1 % of its span, about the accuracy class of a
 * common process transmitter.
 */
export const DEFAULT_NOISE_SHARE = 0.001;

const cache = new WeakMap<CompiledPlant, SimModel>();

/** The model of a plant, built once per compiled plant and shared by every simulator on it. */
export function simModel(compiled: CompiledPlant): SimModel {
  const cached = cache.get(compiled);
  if (cached !== undefined) return cached;
  const model = buildModel(compiled);
  cache.set(compiled, model);
  return model;
}

function isStorage(kind: number, stream: number): boolean {
  return kind === KIND.tank || (kind === KIND.reactor && stream === 0);
}

function isFlowMachine(kind: number): boolean {
  return kind === KIND.pump || kind === KIND.compressor;
}

function isPassNode(kind: number): boolean {
  return kind === KIND.valve || kind === KIND['heat-exchanger'] || kind === KIND.reactor;
}

/** Reactors and exchangers have a second (coolant) stream; for others a coolant pipe is just a pipe. */
function hasCoolantStream(kind: number): boolean {
  return kind === KIND.reactor || kind === KIND['heat-exchanger'];
}

function buildModel(compiled: CompiledPlant): SimModel {
  const equipment = compiled.plant.equipment;
  const nEquipment = equipment.length;
  const kind = new Uint8Array(nEquipment);
  const equipmentIds: string[] = [];
  const equipmentIndex = new Map<string, number>();
  const params = new Float64Array(nEquipment * PARAMS_PER_EQUIPMENT);
  const lists: Record<EquipmentKind, number[]> = {
    tank: [],
    pump: [],
    valve: [],
    reactor: [],
    'heat-exchanger': [],
    motor: [],
    compressor: [],
    pipe: [],
  };
  equipment.forEach((item, i) => {
    kind[i] = KIND[item.kind];
    equipmentIds.push(item.id);
    equipmentIndex.set(item.id, i);
    lists[item.kind].push(i);
    const specs = PARAM_SPECS[item.kind];
    specs.forEach((spec, j) => {
      const given = item.params?.[spec.key];
      params[i * PARAMS_PER_EQUIPMENT + j] = given ?? spec.default;
    });
  });

  // The pipe network.
  const pipes = lists.pipe;
  const nEdges = pipes.length;
  const edgeFrom = new Int32Array(nEdges);
  const edgeTo = new Int32Array(nEdges);
  const edgeFromStream = new Uint8Array(nEdges);
  const edgeToStream = new Uint8Array(nEdges);
  const edgeRole = new Uint8Array(nEdges);
  const pipeEdge = new Int32Array(nEquipment).fill(-1);
  pipes.forEach((pipeIndex, e) => {
    const connects = equipment[pipeIndex]?.connects;
    const from = connects === undefined ? undefined : equipmentIndex.get(connects.from);
    const to = connects === undefined ? undefined : equipmentIndex.get(connects.to);
    if (from === undefined || to === undefined) {
      throw new Error(
        `Invariant: pipe ${equipmentIds[pipeIndex]} connects unknown equipment; validate the plant first`,
      );
    }
    const coolant = params[pipeIndex * PARAMS_PER_EQUIPMENT + PIPE_P.coolant] === 1;
    const fromKind = kind[from] ?? 0;
    const toKind = kind[to] ?? 0;
    edgeFrom[e] = from;
    edgeTo[e] = to;
    edgeFromStream[e] = coolant && hasCoolantStream(fromKind) ? 1 : 0;
    edgeToStream[e] = coolant && hasCoolantStream(toKind) ? 1 : 0;
    pipeEdge[pipeIndex] = e;
    const fromStream = edgeFromStream[e] ?? 0;
    if (isFlowMachine(toKind)) edgeRole[e] = ROLE.PUMP_IN;
    else if (isStorage(fromKind, fromStream)) edgeRole[e] = ROLE.GRAVITY;
    else if (isFlowMachine(fromKind)) edgeRole[e] = ROLE.PUMP_OUT;
    else if (isPassNode(fromKind)) edgeRole[e] = ROLE.PASS;
    else edgeRole[e] = ROLE.NONE;
  });
  const [inStart, inList] = adjacency(nEquipment, edgeTo);
  const [outStart, outList] = adjacency(nEquipment, edgeFrom);

  // Kahn's order over pass-through dependencies; members of a cycle follow in plant order and
  // read their upstream's previous-step flow.
  const passNodes = [...lists.valve, ...lists['heat-exchanger'], ...lists.reactor].sort(
    (a, b) => a - b,
  );
  const waiting = new Int32Array(nEquipment);
  for (let e = 0; e < nEdges; e++) {
    if (edgeRole[e] !== ROLE.PASS) continue;
    const to = edgeTo[e] ?? 0;
    waiting[to] = (waiting[to] ?? 0) + 1;
  }
  const order: number[] = [];
  const placed = new Uint8Array(nEquipment);
  for (const n of passNodes) if (waiting[n] === 0) order.push(n);
  for (let head = 0; head < order.length; head++) {
    const n = order[head] ?? 0;
    placed[n] = 1;
    for (let k = outStart[n] ?? 0; k < (outStart[n + 1] ?? 0); k++) {
      const e = outList[k] ?? 0;
      if (edgeRole[e] !== ROLE.PASS) continue;
      const to = edgeTo[e] ?? 0;
      if (!isPassNode(kind[to] ?? 0)) continue;
      waiting[to] = (waiting[to] ?? 0) - 1;
      if (waiting[to] === 0 && placed[to] === 0) order.push(to);
    }
  }
  for (const n of passNodes) if (placed[n] === 0) order.push(n);

  // Actuators: the first of each kind on an equipment drives it.
  const runActuator = new Int32Array(nEquipment).fill(-1);
  const positionActuator = new Int32Array(nEquipment).fill(-1);
  const temperatureSetpoint = new Int32Array(nEquipment).fill(-1);
  const levelSetpoint = new Int32Array(nEquipment).fill(-1);
  const speedSetpoint = new Int32Array(nEquipment).fill(-1);
  compiled.actuators.forEach((actuator, a) => {
    const owner = compiled.actuatorEquipment[a];
    const i = owner === undefined ? undefined : equipmentIndex.get(owner.id);
    if (i === undefined) return;
    const k = kind[i];
    const rotatingKind = k === KIND.pump || k === KIND.compressor || k === KIND.motor;
    const claim = (table: Int32Array): void => {
      if (table[i] === -1) table[i] = a;
    };
    switch (actuator.kind) {
      case 'pump.run':
      case 'motor.run':
        if (rotatingKind) claim(runActuator);
        return;
      case 'valve.position':
        if (k === KIND.valve) claim(positionActuator);
        return;
      case 'setpoint':
        if (actuator.signal === 'temperature' && k === KIND.reactor) claim(temperatureSetpoint);
        else if (actuator.signal === 'level' && (k === KIND.tank || k === KIND.reactor)) {
          claim(levelSetpoint);
        } else if (actuator.signal === 'speed' && rotatingKind) claim(speedSetpoint);
        return;
    }
  });

  const nSensors = compiled.sensors.length;
  const sensorSlot = new Int32Array(nSensors);
  const sensorNoise = new Float64Array(nSensors);
  const sensorSpan = new Float64Array(nSensors);
  const sensorIds: string[] = [];
  compiled.sensors.forEach((sensor, s) => {
    const owner = compiled.sensorEquipment[s];
    const i = owner === undefined ? undefined : equipmentIndex.get(owner.id);
    const slot = SIGNAL_SLOTS[sensor.signal];
    if (i === undefined || slot === undefined) {
      throw new Error(
        `Invariant: sensor ${sensor.id} has signal "${sensor.signal}" the simulator does not compute; validate the plant first`,
      );
    }
    sensorIds.push(sensor.id);
    sensorSlot[s] = i * SLOTS_PER_EQUIPMENT + slot;
    const span = sensor.range.max - sensor.range.min;
    sensorSpan[s] = span;
    sensorNoise[s] = sensor.noise ?? span * DEFAULT_NOISE_SHARE;
  });

  const int = (xs: number[]): Int32Array => Int32Array.from(xs);
  return Object.freeze({
    compiled,
    nEquipment,
    nSensors,
    nActuators: compiled.actuators.length,
    nEdges,
    kind,
    equipmentIds,
    equipmentIndex,
    params,
    tanks: int(lists.tank),
    reactors: int(lists.reactor),
    exchangers: int(lists['heat-exchanger']),
    valves: int(lists.valve),
    flowMachines: int([...lists.pump, ...lists.compressor].sort((a, b) => a - b)),
    rotating: int([...lists.pump, ...lists.compressor, ...lists.motor].sort((a, b) => a - b)),
    pipes: int(pipes),
    edgeFrom,
    edgeTo,
    edgeFromStream,
    edgeToStream,
    edgeRole,
    pipeEdge,
    inStart,
    inList,
    outStart,
    outList,
    passOrder: int(order),
    runActuator,
    positionActuator,
    temperatureSetpoint,
    levelSetpoint,
    speedSetpoint,
    sensorIds,
    sensorSlot,
    sensorNoise,
    sensorSpan,
  });
}

/** Compressed adjacency: edges grouped by the node at `end`, in edge order. */
function adjacency(n: number, end: Int32Array): [Int32Array, Int32Array] {
  const start = new Int32Array(n + 1);
  for (let e = 0; e < end.length; e++) {
    const slot = (end[e] ?? 0) + 1;
    start[slot] = (start[slot] ?? 0) + 1;
  }
  for (let i = 0; i < n; i++) start[i + 1] = (start[i + 1] ?? 0) + (start[i] ?? 0);
  const fill = start.slice(0, n);
  const list = new Int32Array(end.length);
  for (let e = 0; e < end.length; e++) {
    const node = end[e] ?? 0;
    list[fill[node] ?? 0] = e;
    fill[node] = (fill[node] ?? 0) + 1;
  }
  return [start, list];
}
