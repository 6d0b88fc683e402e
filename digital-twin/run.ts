/**
 * A run: one plant, one simulator, one scenario, one twin state, advanced in fixed steps. It is
 * the whole dataflow of DESIGN.md in one pure object — simulator → readings → reducer → rules →
 * capsules, commands decided and mirrored back into the simulator — so tests, benchmarks and
 * branches get exactly what the live server gets, without sockets or a clock.
 */
import type { Actor } from './capsule.js';
import { SYSTEM_ACTOR } from './capsule.js';
import type { Command } from './commands.js';
import type { CompiledPlant } from './compiled-plant.js';
import { decide } from './decide.js';
import type { EventBody, TwinEvent } from './events.js';
import { assertNever } from './assert-never.js';
import { apply, sequenceEvents } from './reducer.js';
import { evaluateRules } from './rules/evaluate-rules.js';
import type { Scenario } from './scenario.js';
import { scenarioStepsDue } from './scenario.js';
import {
  clearFault,
  createSimulator,
  decodeSimState,
  encodeSimState,
  injectFault,
  setActuator,
  stepSimulator,
} from './simulator/index.js';
import type { SimState } from './simulator/index.js';
import type { Reading } from './reading.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot-codec.js';
import { createTwinState } from './twin-state.js';
import type { TwinState } from './twin-state.js';

export interface Run {
  readonly plant: CompiledPlant;
  readonly sim: SimState;
  readonly twin: TwinState;
  readonly scenario: Scenario | null;
  /** Plant time the run (and its scenario's `atMs` offsets) started at. */
  readonly t0: number;
  /**
   * Per sensor index, 1 where readings come from a live source (MQTT, OPC-UA) rather than the
   * simulator: the simulator still steps that sensor's physics, and its expectation feeds the
   * deviation rule, but its simulated reading is dropped. Null: every reading is simulated.
   */
  readonly external: Uint8Array | null;
}

export interface RunOptions {
  plant: CompiledPlant;
  seed: number;
  t0: number;
  scenario?: Scenario | null;
  stepMs?: number;
  /** Sensor ids whose readings come from a live source (see `Run.external`). */
  externalSensors?: Iterable<string>;
}

/** The `Run.external` mask for these sensor ids; null when there are none. Throws on an unknown id. */
export function externalSensorMask(
  plant: CompiledPlant,
  sensorIds: Iterable<string> | undefined,
): Uint8Array | null {
  if (sensorIds === undefined) return null;
  const mask = new Uint8Array(plant.sensors.length);
  let any = false;
  for (const id of sensorIds) {
    const i = plant.sensorIndex.get(id);
    if (i === undefined)
      throw new Error(`externalSensors: no sensor ${id} in plant ${plant.plant.id}`);
    mask[i] = 1;
    any = true;
  }
  return any ? mask : null;
}

export type RunCommandResult =
  | { status: 'accepted'; events: TwinEvent[] }
  | { status: 'rejected'; code: string; reason: string; events: TwinEvent[] };

export function createRun(options: RunOptions): Run {
  const sim = createSimulator(options.plant, {
    seed: options.seed,
    t0: options.t0,
    ...(options.stepMs === undefined ? {} : { stepMs: options.stepMs }),
  });
  return {
    plant: options.plant,
    sim,
    twin: createTwinState(options.plant, options.t0),
    scenario: options.scenario ?? null,
    t0: options.t0,
    external: externalSensorMask(options.plant, options.externalSensors),
  };
}

/**
 * Sequence event bodies at time t, fold them into the twin and mirror what changes the physical
 * plant (actuator moves, faults) into the simulator. Returns the sequenced events.
 */
export function commit(run: Run, bodies: readonly EventBody[], t: number): TwinEvent[] {
  if (bodies.length === 0) return [];
  const events = sequenceEvents(run.twin, [...bodies], t);
  for (const event of events) {
    apply(run.twin, event);
    mirrorToSimulator(run.sim, event);
  }
  return events;
}

/** What an event means for the simulated plant; everything else concerns only the twin. */
export function mirrorToSimulator(sim: SimState, event: TwinEvent): void {
  switch (event.type) {
    case 'actuator.changed':
      setActuator(sim, event.actuatorId, event.value);
      return;
    case 'fault.injected':
      injectFault(sim, event.fault);
      return;
    case 'fault.cleared':
      clearFault(sim, event.fault);
      return;
    case 'readings':
    case 'expectations':
    case 'capsule.raised':
    case 'capsule.changed':
    case 'command.accepted':
    case 'command.rejected':
    case 'annotation':
      return;
    default:
      assertNever(event);
  }
}

/** Decide a command at the run's current time and commit the outcome (a rejection is an event too). */
export function runCommand(
  run: Run,
  command: Command,
  actor: Actor,
  t: number = run.twin.t,
): RunCommandResult {
  const decision = decide(run.twin, command, actor, t);
  if (decision.status === 'accepted') {
    return { status: 'accepted', events: commit(run, decision.events, t) };
  }
  const events = commit(
    run,
    [{ type: 'command.rejected', command, actor, code: decision.code, reason: decision.reason }],
    t,
  );
  return { status: 'rejected', code: decision.code, reason: decision.reason, events };
}

/**
 * One fixed step: scenario steps due in (t, t + stepMs], then the simulator's step (expectations
 * and readings), then the rules. Returns every event committed, in order.
 */
export function advance(run: Run): TwinEvent[] {
  const from = run.sim.t;
  const t = from + run.sim.stepMs;
  const out: TwinEvent[] = [];
  if (run.scenario !== null) {
    for (const step of scenarioStepsDue(run.scenario, from - run.t0, t - run.t0)) {
      if ('fault' in step)
        out.push(...commit(run, [{ type: 'fault.injected', fault: step.fault }], t));
      else if ('clearFault' in step) {
        out.push(...commit(run, [{ type: 'fault.cleared', fault: step.clearFault }], t));
      } else out.push(...runCommand(run, step.command, step.actor ?? SYSTEM_ACTOR, t).events);
    }
  }
  const step = stepSimulator(run.sim);
  const external = run.external;
  const readings =
    external === null ? step.readings : step.readings.filter((_, i) => external[i] === 0);
  out.push(
    ...commit(
      run,
      [
        { type: 'expectations', values: step.expectations },
        { type: 'readings', readings },
      ],
      step.t,
    ),
  );
  out.push(...commit(run, evaluateRules(run.twin, step.t), step.t));
  return out;
}

/** Advance until plant time reaches `until` (ms epoch); returns how many steps were taken. */
export function advanceUntil(run: Run, until: number): number {
  let steps = 0;
  while (run.sim.t + run.sim.stepMs <= until) {
    advance(run);
    steps += 1;
  }
  return steps;
}

/** The run's state as snapshot bytes: twin and simulator together. */
export function encodeRun(run: Run): Uint8Array {
  return encodeSnapshot({ twin: run.twin, sim: encodeSimState(run.sim) });
}

/** A run continued from `encodeRun` bytes; continuing it gives what the original would have. */
export function decodeRun(
  bytes: Uint8Array,
  plant: CompiledPlant,
  options: { t0: number; scenario?: Scenario | null; externalSensors?: Iterable<string> },
): Run {
  const { twin, sim } = decodeSnapshot(bytes, plant);
  if (sim === null) throw new Error('snapshot holds no simulator state; a run needs one');
  return {
    plant,
    sim: decodeSimState(sim, plant),
    twin,
    scenario: options.scenario ?? null,
    t0: options.t0,
    external: externalSensorMask(plant, options.externalSensors),
  };
}

/**
 * Folds one logged event back into a run resumed from a snapshot (a restart, a branch's fork).
 * The twin gets the event as it was; the simulator is stepped to the event's time (it is
 * deterministic, so re-stepping reproduces the exact state the live run had) and gets the
 * event's physical effect (actuator moves, faults), in the same order the live run applied them.
 */
export function replayEvent(run: Run, event: TwinEvent): void {
  if (event.type === 'readings' || event.type === 'expectations') {
    // A step's events carry its time; the first of them is where the live run stepped.
    while (run.sim.t < event.t) stepSimulator(run.sim);
  }
  apply(run.twin, event);
  mirrorToSimulator(run.sim, event);
}

/** Readings from a live source, committed as one readings event at plant time t. */
export function ingestReadings(run: Run, readings: readonly Reading[], t: number): TwinEvent[] {
  return commit(run, [{ type: 'readings', readings: [...readings] }], t);
}
