/**
 * What-if branches (SPEC B-1 … B-9): a mission forked at plant time `forkT`, changed by
 * modifications, and run forward by the same `Run` the live server steps. Everything here is
 * pure: validating a definition against the plant and the recorded log, computing the branch
 * from a snapshot and the recorded events, and comparing it with the baseline. The server runs
 * `computeBranch` in a worker and stores what it yields.
 */
import type { Actor } from './capsule.js';
import type { Command } from './commands.js';
import type { CompiledPlant } from './compiled-plant.js';
import type { Fault, TwinEvent } from './events.js';
import type { Plant } from './plant.js';
import { apply } from './reducer.js';
import { advance, commit, decodeRun, encodeRun, replayEvent, runCommand } from './run.js';
import type { Run } from './run.js';
import type { Scenario, ScenarioStep } from './scenario.js';
import { scenarioStepsDue, validateScenario } from './scenario.js';
import { stepSimulator } from './simulator/index.js';
import { hashState } from './state-hash.js';
import type { TwinState } from './twin-state.js';
import { describeValue, fieldPath, indexPath, isRecord } from './validation-errors.js';
import type { PlantProblem } from './validation-errors.js';

/** B-2: the longest future a branch computes (1 h of plant time). */
export const MAX_BRANCH_HORIZON_MS = 3_600_000;
/** B-2: the shortest (one second). */
export const MIN_BRANCH_HORIZON_MS = 1_000;
/** B-1: modifications per branch. */
export const MAX_BRANCH_MODIFICATIONS = 50;
/** A branch stores a snapshot every this much plant time, so seeking in it is cheap. */
export const BRANCH_CHUNK_MS = 60_000;

export const BRANCH_COMMAND_TYPES = [
  'valve.actuate',
  'pump.start',
  'pump.stop',
  'setpoint.change',
] as const;
export type BranchCommandType = (typeof BRANCH_COMMAND_TYPES)[number];
export type BranchCommand = Extract<Command, { type: BranchCommandType }>;

export const MODIFICATION_KINDS = ['command', 'fault', 'clearFault', 'remove'] as const;

/** One change a branch makes to what happened. Offsets count from the fork. */
export type BranchModification =
  | { kind: 'command'; atMs: number; command: BranchCommand }
  | { kind: 'fault'; atMs: number; fault: Fault }
  | { kind: 'clearFault'; atMs: number; fault: Fault }
  /** Leave out a recorded command (by its `command.accepted` event's seq). */
  | { kind: 'remove'; seq: number };

export interface BranchDefinition {
  parentMissionId: string;
  /** Plant time of the fork, ms epoch, within the parent's span. */
  forkT: number;
  horizonMs: number;
  modifications: BranchModification[];
}

export interface BranchValidationContext {
  plant: Plant;
  parent: { id: string; fromT: number; toT: number };
  /** The recorded event with this seq, when the log has it. */
  recorded: (seq: number) => TwinEvent | undefined;
}

export type BranchValidationResult =
  { ok: true; branch: BranchDefinition } | { ok: false; problems: PlantProblem[] };

const DEFINITION_KEYS = ['parentMissionId', 'forkT', 'horizonMs', 'modifications'];

/** B-1 … B-3: checks an untrusted definition; every problem names its field and index. */
export function validateBranch(
  input: unknown,
  ctx: BranchValidationContext,
): BranchValidationResult {
  const problems: PlantProblem[] = [];
  const add = (path: string, message: string): void => {
    problems.push({ path, message });
  };
  if (!isRecord(input))
    return {
      ok: false,
      problems: [{ path: '(root)', message: `expected an object, got ${describeValue(input)}` }],
    };
  for (const key of Object.keys(input)) {
    if (!DEFINITION_KEYS.includes(key))
      add(key, `unknown field; expected one of ${DEFINITION_KEYS.join(', ')}`);
  }
  if (input.parentMissionId !== ctx.parent.id)
    add(
      'parentMissionId',
      `expected "${ctx.parent.id}", got ${describeValue(input.parentMissionId)}`,
    );
  const forkT = input.forkT;
  if (
    typeof forkT !== 'number' ||
    !Number.isFinite(forkT) ||
    forkT < ctx.parent.fromT ||
    forkT > ctx.parent.toT
  ) {
    add(
      'forkT',
      `expected a plant time within the parent's span ${ctx.parent.fromT}..${ctx.parent.toT}, got ${describeValue(forkT)}`,
    );
  }
  const horizon = input.horizonMs;
  const horizonOk =
    typeof horizon === 'number' &&
    Number.isInteger(horizon) &&
    horizon >= MIN_BRANCH_HORIZON_MS &&
    horizon <= MAX_BRANCH_HORIZON_MS;
  if (!horizonOk)
    add(
      'horizonMs',
      `expected whole milliseconds within ${MIN_BRANCH_HORIZON_MS}..${MAX_BRANCH_HORIZON_MS} (1 hour at most), got ${describeValue(horizon)}`,
    );
  const mods = input.modifications;
  if (!Array.isArray(mods)) {
    add('modifications', `expected an array, got ${describeValue(mods)}`);
  } else if (mods.length > MAX_BRANCH_MODIFICATIONS) {
    add(
      'modifications',
      `expected at most ${MAX_BRANCH_MODIFICATIONS} modifications, got ${mods.length}`,
    );
  } else {
    const horizonMs = horizonOk ? horizon : MAX_BRANCH_HORIZON_MS;
    const fork = typeof forkT === 'number' ? forkT : Number.NaN;
    const removed = new Set<number>();
    mods.forEach((mod: unknown, i) => {
      const path = indexPath('modifications', i);
      checkModification(mod, path, i, { ...ctx, forkT: fork, horizonMs, removed }, add);
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, branch: input as unknown as BranchDefinition };
}

function checkModification(
  mod: unknown,
  path: string,
  index: number,
  ctx: BranchValidationContext & { forkT: number; horizonMs: number; removed: Set<number> },
  add: (path: string, message: string) => void,
): void {
  if (!isRecord(mod)) {
    add(path, `expected a modification object, got ${describeValue(mod)}`);
    return;
  }
  const kind = mod.kind;
  if (typeof kind !== 'string' || !(MODIFICATION_KINDS as readonly string[]).includes(kind)) {
    add(
      fieldPath(path, 'kind'),
      `expected one of ${MODIFICATION_KINDS.join(', ')}, got ${describeValue(kind)}`,
    );
    return;
  }
  const allowed =
    kind === 'remove'
      ? ['kind', 'seq']
      : ['kind', 'atMs', kind === 'command' ? 'command' : 'fault'];
  for (const key of Object.keys(mod)) {
    if (!allowed.includes(key))
      add(
        fieldPath(path, key),
        `unknown field for a ${kind} modification; expected ${allowed.join(', ')}`,
      );
  }
  if (kind === 'remove') {
    const seq = mod.seq;
    const event = typeof seq === 'number' ? ctx.recorded(seq) : undefined;
    if (typeof seq !== 'number' || !Number.isInteger(seq)) {
      add(
        fieldPath(path, 'seq'),
        `expected the seq of a recorded command, got ${describeValue(seq)}`,
      );
    } else if (event === undefined) {
      add(fieldPath(path, 'seq'), `no recorded event ${seq} in the log`);
    } else if (event.type !== 'command.accepted') {
      add(
        fieldPath(path, 'seq'),
        `event ${seq} is a ${event.type} event, not a command; only recorded commands can be removed`,
      );
    } else if (!(event.t > ctx.forkT && event.t <= ctx.forkT + ctx.horizonMs)) {
      add(
        fieldPath(path, 'seq'),
        `command ${seq} at ${event.t} is outside the branch's future ${ctx.forkT}..${ctx.forkT + ctx.horizonMs}`,
      );
    } else if (ctx.removed.has(seq)) {
      add(fieldPath(path, 'seq'), `command ${seq} is already removed by an earlier modification`);
    } else ctx.removed.add(seq);
    return;
  }
  const at = mod.atMs;
  if (typeof at !== 'number' || !Number.isFinite(at) || at < 0 || at > ctx.horizonMs) {
    add(
      fieldPath(path, 'atMs'),
      `expected an offset from the fork within 0..${ctx.horizonMs} ms (the horizon), got ${describeValue(at)}`,
    );
  }
  let step: Record<string, unknown>;
  if (kind === 'command') {
    const command = mod.command;
    if (
      isRecord(command) &&
      typeof command.type === 'string' &&
      !(BRANCH_COMMAND_TYPES as readonly string[]).includes(command.type)
    ) {
      add(
        fieldPath(fieldPath(path, 'command'), 'type'),
        `expected one of ${BRANCH_COMMAND_TYPES.join(', ')}, got ${describeValue(command.type)}`,
      );
      return;
    }
    step = {
      atMs: 0,
      command: isRecord(command) ? { commandId: `branch-${index}`, ...command } : command,
    };
  } else step = { atMs: 0, [kind]: mod.fault };
  // The plant checks (actuator exists and has that kind, value in range, fault target) are the
  // scenario validator's; its paths are rewritten to this modification's.
  const check = validateScenario(
    { id: 'branch', name: 'branch', plantId: ctx.plant.id, description: '', steps: [step] },
    ctx.plant,
  );
  if (!check.ok) {
    for (const problem of check.problems) {
      const rest = problem.path.replace(/^steps\[0\]\.?/, '').replace(/^clearFault/, 'fault');
      add(rest === '' ? path : `${path}.${rest}`, problem.message);
    }
  }
}

/** A recorded intervention re-applied in the branch: before the step at t (a scenario's), or after it (an operator's). */
interface Intervention {
  t: number;
  seq: number;
  preStep: boolean;
  step: { fault: Fault } | { clearFault: Fault } | { command: Command; actor: Actor };
}

/**
 * B-4: what the recorded log did to the plant after the fork, in the order the live run did it.
 * An intervention logged before the step at its own time came from inside that step (a scenario
 * step); one logged after it came from a user between steps.
 */
export function recordedInterventions(
  events: readonly TwinEvent[],
  afterT: number,
): Intervention[] {
  const out: Intervention[] = [];
  let stepTAfter = Number.NaN;
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i] as TwinEvent;
    // Every simulator step logs its expectations first (live-source readings come at any time).
    if (event.type === 'expectations') {
      stepTAfter = event.t;
      continue;
    }
    if (event.t <= afterT) continue;
    const preStep = stepTAfter === event.t;
    if (event.type === 'command.accepted')
      out.push({
        t: event.t,
        seq: event.seq,
        preStep,
        step: { command: event.command, actor: event.actor },
      });
    else if (event.type === 'fault.injected')
      out.push({ t: event.t, seq: event.seq, preStep, step: { fault: event.fault } });
    else if (event.type === 'fault.cleared')
      out.push({ t: event.t, seq: event.seq, preStep, step: { clearFault: event.fault } });
  }
  return out.reverse();
}

export const BRANCH_ACTOR: Actor = { id: 'branch', name: 'What-if branch', role: 'system' };

/**
 * What computing a chunk again takes (B-8): the scenario steps that fired inside it (before their
 * step) and the interventions applied after a step. With the chunk's snapshot they reproduce its
 * events exactly (B-5), so a branch stores these instead of a minute of readings.
 */
export interface BranchChunkInputs {
  pre: ScenarioStep[];
  post: { t: number; step: Intervention['step'] }[];
}

interface Chunk {
  index: number;
  /** Seq and plant time of the chunk's snapshot; it runs to `toT`. */
  seq: number;
  t: number;
  toT: number;
  snapshot: Uint8Array;
  events: TwinEvent[];
  inputs: BranchChunkInputs;
}

/** What a branch run yields as it goes. */
export type BranchOutput =
  ({ type: 'chunk' } & Chunk) | { type: 'progress'; percent: number; t: number };

export interface BranchInput {
  plant: CompiledPlant;
  definition: BranchDefinition;
  /** A snapshot of the live run at or before the fork (`encodeRun` bytes), with its seq. */
  snapshot: { seq: number; t: number; bytes: Uint8Array };
  /**
   * Every recorded event after the snapshot, up to the fork plus the horizon (or the log's end).
   * Up to the fork it must be complete; after it, readings may be thinned in time and
   * expectations may come without values (they only mark the steps) — the server reads it so.
   */
  recorded: readonly TwinEvent[];
  /** Where the baseline came from, for the predictions' wording. */
  baselineSource: BaselineSource;
}

/** What the branch is compared with: a recording (simulated or live), or a dry run's twin run. */
export type BaselineSource = 'simulated' | 'recorded from live sensors' | 'without the command';

export interface BranchResult {
  /** State hash of the branch at its horizon (B-5: same inputs, same hash). */
  hash: string;
  seq: number;
  events: number;
  endT: number;
  predictions: Predictions;
}

/**
 * B-4 … B-6: the branch, computed. Resumes the parent's run at the fork exactly as a restart would
 * (snapshot, then the recorded events folded with the simulator re-stepped), then applies the
 * modifications and every recorded intervention not removed, at the times and in the order the
 * live run applied them, stepping simulator, reducer and rules to the horizon. Yields a chunk per
 * BRANCH_CHUNK_MS of plant time (a snapshot and the events after it) and progress; returns the
 * hash and the comparison with the baseline.
 */
export function* computeBranch(input: BranchInput): Generator<BranchOutput, BranchResult> {
  const { plant, definition, recorded } = input;
  const run = decodeRun(input.snapshot.bytes, plant, { t0: 0 });
  const stepMs = run.sim.stepMs;
  const forkT =
    input.snapshot.t + Math.floor((definition.forkT - input.snapshot.t) / stepMs) * stepMs;
  const endT = forkT + Math.ceil(definition.horizonMs / stepMs) * stepMs;
  // The parent up to the fork, exactly.
  for (const event of recorded) {
    if (event.seq <= input.snapshot.seq) continue;
    if (event.t > forkT) break;
    replayEvent(run, event);
  }
  while (run.sim.t < forkT) stepSimulator(run.sim);

  const removed = new Set(
    definition.modifications.flatMap((m) => (m.kind === 'remove' ? [m.seq] : [])),
  );
  const kept = recordedInterventions(recorded, forkT).filter((i) => !removed.has(i.seq));
  const preSteps: ScenarioStep[] = kept
    .filter((i) => i.preStep)
    .map((i) => ({ atMs: i.t, ...i.step }));
  const post: Intervention[] = kept.filter((i) => !i.preStep);
  definition.modifications.forEach((m, i) => {
    if (m.kind === 'remove') return;
    // A modification acts like an operator: after the step at (or just after) its time.
    const t = forkT + Math.ceil(m.atMs / stepMs) * stepMs;
    const step =
      m.kind === 'command'
        ? {
            command: { ...m.command, commandId: m.command.commandId || `branch-${i}` },
            actor: BRANCH_ACTOR,
          }
        : m.kind === 'fault'
          ? { fault: m.fault }
          : { clearFault: m.fault };
    post.push({
      t,
      seq: Number.MAX_SAFE_INTEGER - definition.modifications.length + i,
      preStep: false,
      step,
    });
  });
  post.sort((a, b) => a.t - b.t || a.seq - b.seq);
  // Scenario offsets count from t0 = 0 here, so a pre-step intervention's atMs is its plant time.
  const scenario: Scenario = {
    id: 'branch',
    name: 'branch',
    plantId: plant.plant.id,
    description: '',
    steps: preSteps,
  };
  const branch: Run = { ...run, scenario, t0: 0, external: null };

  const baseline = new BaselineCursor(plant, recorded, input.snapshot, forkT);
  const compare = new Comparison(plant, forkT, branch.twin, baseline.twin);
  const startChunk = (index: number): Chunk => ({
    index,
    seq: branch.twin.seq,
    t: branch.sim.t,
    toT: branch.sim.t,
    snapshot: encodeRun(branch),
    events: [],
    inputs: { pre: [], post: [] },
  });
  let chunk = startChunk(0);
  let nextPost = 0;
  let total = 0;
  let lastPercent = -1;
  for (;;) {
    while (nextPost < post.length && (post[nextPost] as Intervention).t <= branch.sim.t) {
      const item = post[nextPost] as Intervention;
      nextPost += 1;
      const events = applyStep(branch, item.step, branch.sim.t);
      chunk.events.push(...events);
      chunk.inputs.post.push({ t: item.t, step: item.step });
      compare.branchEvents(events);
    }
    if (branch.sim.t >= endT) break;
    if (branch.sim.t - chunk.t >= BRANCH_CHUNK_MS) {
      total += chunk.events.length;
      yield { type: 'chunk', ...chunk, toT: branch.sim.t };
      chunk = startChunk(chunk.index + 1);
    }
    chunk.inputs.pre.push(...scenarioStepsDue(scenario, branch.sim.t, branch.sim.t + stepMs));
    const events = advance(branch);
    for (const event of events) chunk.events.push(event);
    compare.branchEvents(events);
    const recordedNow = baseline.advanceTo(branch.sim.t);
    compare.baselineEvents(recordedNow);
    // Compared where the recording has readings at this very step (it may be thinned in time).
    const t = branch.sim.t;
    compare.sample(
      t,
      recordedNow.some((e) => e.type === 'readings' && e.t === t && e.readings.length > 0),
    );
    const percent = Math.floor(((branch.sim.t - forkT) / (endT - forkT)) * 100);
    if (percent !== lastPercent && percent % 5 === 0) {
      lastPercent = percent;
      yield { type: 'progress', percent, t: branch.sim.t };
    }
  }
  total += chunk.events.length;
  yield { type: 'chunk', ...chunk, toT: branch.sim.t };
  return {
    hash: hashState(branch.twin),
    seq: branch.twin.seq,
    events: total,
    endT,
    predictions: compare.predictions(input.baselineSource, baseline.lastT),
  };
}

/**
 * B-8: a chunk's events, computed again from its snapshot and inputs — the same events
 * `computeBranch` yielded for it, because the run is deterministic.
 */
export function branchChunkEvents(
  plant: CompiledPlant,
  chunk: { snapshot: Uint8Array; toT: number; inputs: BranchChunkInputs },
): TwinEvent[] {
  const scenario: Scenario = {
    id: 'branch',
    name: 'branch',
    plantId: plant.plant.id,
    description: '',
    steps: chunk.inputs.pre,
  };
  const run = decodeRun(chunk.snapshot, plant, { t0: 0, scenario });
  const post = chunk.inputs.post;
  const out: TwinEvent[] = [];
  let next = 0;
  for (;;) {
    while (next < post.length && (post[next] as { t: number }).t <= run.sim.t) {
      out.push(...applyStep(run, (post[next] as { step: Intervention['step'] }).step, run.sim.t));
      next += 1;
    }
    if (run.sim.t >= chunk.toT) return out;
    for (const event of advance(run)) out.push(event);
  }
}

function applyStep(run: Run, step: Intervention['step'], t: number): TwinEvent[] {
  if ('fault' in step) return commit(run, [{ type: 'fault.injected', fault: step.fault }], t);
  if ('clearFault' in step)
    return commit(run, [{ type: 'fault.cleared', fault: step.clearFault }], t);
  return runCommand(run, step.command, step.actor, t).events;
}

/** The recorded timeline folded alongside the branch, one step at a time. */
class BaselineCursor {
  readonly twin: TwinState;
  readonly #events: readonly TwinEvent[];
  #next = 0;
  /** Plant time of the last recorded event. */
  readonly lastT: number;

  constructor(
    plant: CompiledPlant,
    events: readonly TwinEvent[],
    snapshot: { seq: number; bytes: Uint8Array },
    forkT: number,
  ) {
    this.#events = events;
    this.twin = decodeRun(snapshot.bytes, plant, { t0: 0 }).twin;
    this.lastT = events.length === 0 ? forkT : (events[events.length - 1] as TwinEvent).t;
    this.advanceTo(forkT, snapshot.seq);
  }

  /** Folds recorded events up to plant time t; returns those folded. */
  advanceTo(t: number, afterSeq = 0): TwinEvent[] {
    const folded: TwinEvent[] = [];
    while (this.#next < this.#events.length) {
      const event = this.#events[this.#next] as TwinEvent;
      if (event.t > t) break;
      this.#next += 1;
      if (event.seq <= afterSeq) continue;
      // A thinned recording skips the readings events it left out: step over the gap.
      if (event.seq > this.twin.seq + 1) this.twin.seq = event.seq - 1;
      apply(this.twin, event);
      folded.push(event);
    }
    return folded;
  }
}

/** A capsule's first raise in one timeline, keyed by its rule instance. */
interface Raise {
  capsuleId: string;
  rule: string;
  sensorId: string | null;
  title: string;
  severity: string;
  equipmentId: string;
  t: number;
}

export interface TimelineDelta {
  kind: 'only-baseline' | 'only-branch' | 'earlier' | 'later';
  rule: string;
  title: string;
  /** The worst severity it reached (in either timeline). */
  severity: string;
  equipmentId: string;
  sensorId: string | null;
  /** When it was raised in the baseline / the branch (null: never). */
  baselineT: number | null;
  branchT: number | null;
  /** branchT − baselineT, for earlier/later. */
  shiftMs: number | null;
}

export interface SensorDelta {
  sensorId: string;
  name: string;
  unit: string;
  equipmentId: string;
  maxAbsDiff: number;
  /** Plant time the difference peaked. */
  peakT: number;
  /** ∫|branch − baseline| dt, unit·s. */
  area: number;
  baselinePeak: number;
  branchPeak: number;
  baselinePeakT: number;
  branchPeakT: number;
  /** Both curves, sampled for the trend (plant time, baseline, branch). */
  trend: { t: number; baseline: number; branch: number }[];
}

export interface ActuatorDelta {
  actuatorId: string;
  equipmentId: string;
  baseline: number;
  branch: number;
}

export interface Predictions {
  expectedOutcome: string;
  baseline: string;
  forkT: number;
  /** The baseline is compared up to here (the recording may end before the horizon). */
  comparedUntilT: number;
  timelineDeltas: TimelineDelta[];
  sensorDeltas: SensorDelta[];
  actuatorDeltas: ActuatorDelta[];
  faults: { baseline: Fault[]; branch: Fault[] };
}

/** Sensors reported in the predictions (those that differ most). */
const MAX_SENSOR_DELTAS = 8;
/** Points per trend curve. */
const TREND_POINTS = 120;
/** Differences below this share of a sensor's range are noise, not divergence. */
const SIGNIFICANT_SHARE = 0.01;

class Comparison {
  readonly #plant: CompiledPlant;
  readonly #forkT: number;
  readonly #branch: TwinState;
  readonly #baseline: TwinState;
  readonly #raised = { baseline: new Map<string, Raise>(), branch: new Map<string, Raise>() };
  readonly #maxDiff: Float64Array;
  readonly #peakT: Float64Array;
  readonly #area: Float64Array;
  readonly #peak = { baseline: new Float64Array(0), branch: new Float64Array(0) };
  readonly #peakAt = { baseline: new Float64Array(0), branch: new Float64Array(0) };
  readonly #samples: { t: number; baseline: Float64Array; branch: Float64Array }[] = [];
  #lastT: number;
  #comparedUntil: number;

  constructor(plant: CompiledPlant, forkT: number, branch: TwinState, baseline: TwinState) {
    const n = plant.sensors.length;
    this.#plant = plant;
    this.#forkT = forkT;
    this.#branch = branch;
    this.#baseline = baseline;
    this.#maxDiff = new Float64Array(n);
    this.#peakT = new Float64Array(n).fill(forkT);
    this.#area = new Float64Array(n);
    this.#peak = {
      baseline: new Float64Array(n).fill(-Infinity),
      branch: new Float64Array(n).fill(-Infinity),
    };
    this.#peakAt = {
      baseline: new Float64Array(n).fill(forkT),
      branch: new Float64Array(n).fill(forkT),
    };
    this.#lastT = forkT;
    this.#comparedUntil = forkT;
  }

  branchEvents(events: readonly TwinEvent[]): void {
    this.#collect(events, this.#raised.branch);
  }

  baselineEvents(events: readonly TwinEvent[]): void {
    this.#collect(events, this.#raised.baseline);
  }

  #collect(events: readonly TwinEvent[], into: Map<string, Raise>): void {
    for (const event of events) {
      if (event.type === 'capsule.changed' && event.changes.severity !== undefined) {
        // An escalation counts: the raise is remembered at the worst severity it reached.
        const raise = [...into.values()].find((r) => r.capsuleId === event.capsuleId);
        if (
          raise !== undefined &&
          severityRank(event.changes.severity) < severityRank(raise.severity)
        )
          raise.severity = event.changes.severity;
        continue;
      }
      if (event.type !== 'capsule.raised' || into.has(event.capsule.rule)) continue;
      const c = event.capsule;
      into.set(c.rule, {
        capsuleId: c.id,
        sensorId: c.sensorId,
        rule: c.rule,
        title: c.title,
        severity: c.severity,
        equipmentId: c.equipmentId,
        t: event.t,
      });
    }
  }

  sample(t: number, covered: boolean): void {
    if (!covered) return;
    const dt = (t - this.#lastT) / 1000;
    this.#lastT = t;
    this.#comparedUntil = t;
    const a = this.#baseline.value;
    const b = this.#branch.value;
    for (let i = 0; i < a.length; i++) {
      const va = a[i] as number;
      const vb = b[i] as number;
      if (Number.isNaN(va) || Number.isNaN(vb)) continue;
      const d = Math.abs(vb - va);
      this.#area[i] = (this.#area[i] as number) + d * dt;
      if (d > (this.#maxDiff[i] as number)) {
        this.#maxDiff[i] = d;
        this.#peakT[i] = t;
      }
      if (va > (this.#peak.baseline[i] as number)) {
        this.#peak.baseline[i] = va;
        this.#peakAt.baseline[i] = t;
      }
      if (vb > (this.#peak.branch[i] as number)) {
        this.#peak.branch[i] = vb;
        this.#peakAt.branch[i] = t;
      }
    }
    // Keep enough samples for a trend of TREND_POINTS over an hour; thinned at the end.
    const last = this.#samples[this.#samples.length - 1];
    if (last === undefined || t - last.t >= 5_000)
      this.#samples.push({ t, baseline: Float64Array.from(a), branch: Float64Array.from(b) });
  }

  predictions(baselineSource: BaselineSource, recordedUntil: number): Predictions {
    const plant = this.#plant;
    const until = this.#comparedUntil;
    const timelineDeltas: TimelineDelta[] = [];
    const rules = new Set([...this.#raised.baseline.keys(), ...this.#raised.branch.keys()]);
    for (const rule of rules) {
      const a = this.#raised.baseline.get(rule);
      const b = this.#raised.branch.get(rule);
      const c = (b ?? a) as Raise;
      // The worse of the two timelines' severities: what the difference is worth.
      const severity =
        a !== undefined && b !== undefined && severityRank(a.severity) < severityRank(b.severity)
          ? a.severity
          : c.severity;
      const base = {
        rule,
        title: c.title,
        severity,
        equipmentId: c.equipmentId,
        sensorId: c.sensorId,
      };
      if (a === undefined && b !== undefined) {
        // A raise the recording does not reach yet is not a difference.
        if (b.t <= until)
          timelineDeltas.push({
            ...base,
            kind: 'only-branch',
            baselineT: null,
            branchT: b.t,
            shiftMs: null,
          });
      } else if (a !== undefined && b === undefined) {
        timelineDeltas.push({
          ...base,
          kind: 'only-baseline',
          baselineT: a.t,
          branchT: null,
          shiftMs: null,
        });
      } else if (a !== undefined && b !== undefined && a.t !== b.t) {
        timelineDeltas.push({
          ...base,
          kind: b.t < a.t ? 'earlier' : 'later',
          baselineT: a.t,
          branchT: b.t,
          shiftMs: b.t - a.t,
        });
      }
    }
    timelineDeltas.sort(
      (x, y) => (x.baselineT ?? x.branchT ?? 0) - (y.baselineT ?? y.branchT ?? 0),
    );

    const significant = plant.sensors
      .map((sensor, i) => ({
        sensor,
        i,
        share: (this.#maxDiff[i] as number) / Math.max(1e-9, sensor.range.max - sensor.range.min),
      }))
      .filter((s) => s.share >= SIGNIFICANT_SHARE)
      .sort((x, y) => y.share - x.share);
    // The sensors whose capsules differ come first: they are why the difference matters.
    const alarmed = new Set(importance(timelineDeltas).map((d) => d.sensorId));
    const ranked = [
      ...importance(timelineDeltas).flatMap((d) =>
        significant.filter((s) => s.sensor.id === d.sensorId),
      ),
      ...significant.filter((s) => !alarmed.has(s.sensor.id)),
    ]
      .filter((s, k, all) => all.findIndex((o) => o.i === s.i) === k)
      .slice(0, MAX_SENSOR_DELTAS);
    const every = Math.max(1, Math.ceil(this.#samples.length / TREND_POINTS));
    const sensorDeltas: SensorDelta[] = ranked.map(({ sensor, i }) => ({
      sensorId: sensor.id,
      name: sensor.name ?? sensor.id,
      unit: sensor.unit,
      equipmentId: (plant.sensorEquipment[i] as { id: string }).id,
      maxAbsDiff: round(this.#maxDiff[i] as number),
      peakT: this.#peakT[i] as number,
      area: round(this.#area[i] as number),
      baselinePeak: round(this.#peak.baseline[i] as number),
      branchPeak: round(this.#peak.branch[i] as number),
      baselinePeakT: this.#peakAt.baseline[i] as number,
      branchPeakT: this.#peakAt.branch[i] as number,
      trend: this.#samples
        .filter((_, k) => k % every === 0)
        .map((s) => ({
          t: s.t,
          baseline: round(s.baseline[i] as number),
          branch: round(s.branch[i] as number),
        })),
    }));

    const actuatorDeltas: ActuatorDelta[] = [];
    plant.actuators.forEach((actuator, i) => {
      const a = this.#baseline.actuators[i] as number;
      const b = this.#branch.actuators[i] as number;
      if (a !== b)
        actuatorDeltas.push({
          actuatorId: actuator.id,
          equipmentId: (plant.actuatorEquipment[i] as { id: string }).id,
          baseline: a,
          branch: b,
        });
    });
    const baseline = BASELINE_WORDING[baselineSource];
    return {
      expectedOutcome: outcomeLine(
        this.#forkT,
        sensorDeltas,
        timelineDeltas,
        actuatorDeltas,
        recordedUntil < until,
      ),
      baseline,
      forkT: this.#forkT,
      comparedUntilT: until,
      timelineDeltas,
      sensorDeltas,
      actuatorDeltas,
      faults: { baseline: [...this.#baseline.faults], branch: [...this.#branch.faults] },
    };
  }
}

const BASELINE_WORDING: Record<BaselineSource, string> = {
  simulated:
    'The baseline is the recorded run of the simulated plant; the branch re-simulates it from the fork.',
  'recorded from live sensors':
    'The baseline is what was recorded from live sensors; the branch is what the simulator predicts.',
  'without the command':
    'A dry run: the simulator runs the plant as it is now twice, with and without the command; nothing was sent to the plant.',
};

/** A dry run looks this far ahead by default (D-11). */
export const DRY_RUN_HORIZON_MS = 120_000;

/**
 * D-11: what a plant-writing command would do, before anyone confirms it. Two copies of the live
 * run from the same bytes step the simulator, reducer and rules `horizonMs` ahead, one with the
 * command applied now; the one with it is compared with the one without, as a branch with its
 * baseline. Scenario steps due in that time happen in both. Nothing here reaches the plant.
 */
export function dryRun(input: {
  plant: CompiledPlant;
  /** `encodeRun` of the live run now, with the run's t0 and scenario. */
  run: { bytes: Uint8Array; t0: number; scenario: Scenario | null };
  command: Command;
  actor: Actor;
  horizonMs?: number;
}): { status: 'accepted' | 'rejected'; reason: string | null; predictions: Predictions } {
  const { plant } = input;
  const options = { t0: input.run.t0, scenario: input.run.scenario };
  const without = decodeRun(input.run.bytes, plant, options);
  const withIt = decodeRun(input.run.bytes, plant, options);
  const startT = withIt.sim.t;
  const endT = startT + (input.horizonMs ?? DRY_RUN_HORIZON_MS);
  const compare = new Comparison(plant, startT, withIt.twin, without.twin);
  const decided = runCommand(withIt, input.command, input.actor, withIt.twin.t);
  compare.branchEvents(decided.events);
  while (withIt.sim.t < endT) {
    compare.branchEvents(advance(withIt));
    compare.baselineEvents(advance(without));
    compare.sample(withIt.sim.t, true);
  }
  return {
    status: decided.status,
    reason: decided.status === 'rejected' ? decided.reason : null,
    predictions: compare.predictions('without the command', endT),
  };
}

function severityRank(severity: string): number {
  return severity === 'critical' ? 0 : severity === 'warning' ? 1 : 2;
}

/** Capsule differences, most important first: severity, then limits before trends, then time. */
function importance(deltas: readonly TimelineDelta[]): TimelineDelta[] {
  const kindRank = (d: TimelineDelta): number => (d.rule.startsWith('limit/') ? 0 : 1);
  return [...deltas].sort(
    (a, b) =>
      severityRank(a.severity) - severityRank(b.severity) ||
      kindRank(a) - kindRank(b) ||
      (a.baselineT ?? a.branchT ?? 0) - (b.baselineT ?? b.branchT ?? 0),
  );
}

function round(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1000) / 1000 : x;
}

/** "T+12 min" (or seconds below two minutes) after the fork. */
export function offsetLabel(t: number, forkT: number): string {
  const s = Math.round((t - forkT) / 1000);
  return s < 120 ? `T+${s} s` : `T+${Math.round(s / 60)} min`;
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/** B-7: one plain sentence from the facts: the sensor that matters most, then the capsules. */
function outcomeLine(
  forkT: number,
  sensors: readonly SensorDelta[],
  timeline: readonly TimelineDelta[],
  actuators: readonly ActuatorDelta[],
  short: boolean,
): string {
  const parts: string[] = [];
  const top = sensors[0];
  if (top !== undefined) {
    const unit = top.unit === 'degC' ? ' °C' : ` ${top.unit}`;
    parts.push(
      `${top.equipmentId} ${top.name} peaks at ${fmt(top.branchPeak)}${unit} at ${offsetLabel(top.branchPeakT, forkT)} instead of ${fmt(top.baselinePeak)}${unit} at ${offsetLabel(top.baselinePeakT, forkT)}`,
    );
  }
  const said = new Set<string>();
  for (const d of importance(timeline)) {
    if (said.size === 2) break;
    if (said.has(d.title)) continue;
    said.add(d.title);
    if (d.kind === 'only-baseline') parts.push(`'${d.title}' is never raised`);
    else if (d.kind === 'only-branch')
      parts.push(`'${d.title}' is raised at ${offsetLabel(d.branchT as number, forkT)}`);
    else {
      const min = Math.abs(d.shiftMs as number) / 60_000;
      const amount =
        min >= 2
          ? `${Math.round(min)} min`
          : `${Math.round(Math.abs(d.shiftMs as number) / 1000)} s`;
      parts.push(`'${d.title}' is raised ${amount} ${d.kind}`);
    }
  }
  if (parts.length === 0) {
    parts.push(
      actuators.length === 0
        ? 'No difference from the baseline over the horizon'
        : `Only actuator positions differ (${actuators.map((a) => a.actuatorId).join(', ')}); no sensor or capsule diverges`,
    );
  }
  const line = parts.join('; ');
  return short ? `${line} (compared while the recording lasts)` : line;
}
