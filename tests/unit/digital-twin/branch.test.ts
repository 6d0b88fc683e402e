/**
 * What-if branches (SPEC B): validation of every modification kind, determinism, a branch with no
 * modifications reproducing its recorded parent, and the cooling-pump-trip question — "what if
 * the standby pump had been started two minutes after the trip?".
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  advanceUntil,
  branchChunkEvents,
  computeBranch,
  createRun,
  dryRun,
  encodeRun,
  hashState,
  MAX_BRANCH_HORIZON_MS,
  validateBranch,
} from '../../../digital-twin/index.js';
import type {
  BranchDefinition,
  BranchInput,
  BranchResult,
  TwinEvent,
} from '../../../digital-twin/index.js';
import {
  CROSS_PROCESS_BRANCH,
  inputFor,
  record,
  runBranch,
  T0,
} from './fixtures/cooling-recording.js';
import { loadDemoPlant, loadScenario } from './fixtures/shipped.js';

const plant = loadDemoPlant();

function run(input: BranchInput): {
  result: BranchResult;
  events: TwinEvent[];
  chunks: number;
  recomputed: TwinEvent[];
} {
  const gen = computeBranch(input);
  const events: TwinEvent[] = [];
  const recomputed: TwinEvent[] = [];
  let chunks = 0;
  for (;;) {
    const next = gen.next();
    if (next.done === true) return { result: next.value, events, chunks, recomputed };
    if (next.value.type === 'chunk') {
      chunks += 1;
      events.push(...next.value.events);
      // What a replay of the stored branch folds: the chunk computed again from what is stored.
      const { snapshot, toT, inputs } = next.value;
      recomputed.push(...branchChunkEvents(plant, structuredClone({ snapshot, toT, inputs })));
    }
  }
}

const recording = record(12 * 60_000, 200_000);

function definition(fields: Partial<BranchDefinition> = {}): BranchDefinition {
  return {
    parentMissionId: 'M-1',
    forkT: T0 + 30_000,
    horizonMs: 9 * 60_000,
    modifications: [],
    ...fields,
  };
}

const parent = { id: 'M-1', fromT: T0, toT: T0 + 12 * 60_000 };
const bySeq = new Map(recording.events.map((e) => [e.seq, e]));
const ctx = { plant: plant.plant, parent, recorded: (seq: number) => bySeq.get(seq) };

describe('branch validation (B-1 … B-3)', () => {
  const check = (input: unknown): { path: string; message: string }[] => {
    const result = validateBranch(input, ctx);
    return result.ok ? [] : result.problems;
  };
  const one = (modification: unknown): { path: string; message: string }[] =>
    check({
      ...definition(),
      modifications: [
        { kind: 'fault', atMs: 1000, fault: { kind: 'pump.trip', target: 'P-101' } },
        modification,
      ],
    });

  it('accepts each kind of modification', () => {
    const accepted = bySeq.get(
      recording.events.find((e) => e.type === 'command.accepted' && e.t > T0 + 30_000)!.seq,
    )!;
    expect(
      check(
        definition({
          modifications: [
            {
              kind: 'command',
              atMs: 120_000,
              command: { type: 'pump.start', commandId: 'x', actuatorId: 'P-202.RUN' },
            },
            { kind: 'fault', atMs: 0, fault: { kind: 'pump.trip', target: 'P-101' } },
            { kind: 'clearFault', atMs: 60_000, fault: { kind: 'pump.trip', target: 'P-201' } },
            { kind: 'remove', seq: accepted.seq },
          ],
        }),
      ),
    ).toEqual([]);
  });

  it('B-1: an unknown actuator is refused with its index and field', () => {
    const problems = one({
      kind: 'command',
      atMs: 0,
      command: { type: 'pump.start', actuatorId: 'P-999.RUN' },
    });
    expect(problems).toEqual([
      {
        path: 'modifications[1].command.actuatorId',
        message: 'unknown actuator "P-999.RUN" in plant "demo-reactor"',
      },
    ]);
  });

  it('B-1: a value out of the actuator range names the field and the range', () => {
    const [problem] = one({
      kind: 'command',
      atMs: 0,
      command: { type: 'valve.actuate', actuatorId: 'V-101.POS', position: 1.5 },
    });
    expect(problem?.path).toBe('modifications[1].command.position');
    expect(problem?.message).toMatch(/0\.\.1/);
  });

  it('B-1: a command that does not move the plant is refused', () => {
    const [problem] = one({
      kind: 'command',
      atMs: 0,
      command: { type: 'capsule.ack', capsuleId: 'C-1' },
    });
    expect(problem?.path).toBe('modifications[1].command.type');
    expect(problem?.message).toMatch(/valve\.actuate, pump\.start, pump\.stop, setpoint\.change/);
  });

  it('B-1: an offset outside the horizon names the horizon', () => {
    const [problem] = one({
      kind: 'fault',
      atMs: 10 * 60_000,
      fault: { kind: 'pump.trip', target: 'P-101' },
    });
    expect(problem).toEqual({
      path: 'modifications[1].atMs',
      message: 'expected an offset from the fork within 0..540000 ms (the horizon), got 600000',
    });
  });

  it('B-1: a fault on a target that cannot have it is refused', () => {
    const [problem] = one({
      kind: 'clearFault',
      atMs: 0,
      fault: { kind: 'pump.trip', target: 'R-101' },
    });
    expect(problem?.path).toBe('modifications[1].fault.target');
  });

  it('B-1: removing an event that is not a command is refused, and so is an unknown seq', () => {
    const readings = recording.events.find((e) => e.type === 'readings' && e.t > T0 + 60_000)!;
    expect(one({ kind: 'remove', seq: readings.seq })[0]).toEqual({
      path: 'modifications[1].seq',
      message: `event ${readings.seq} is a readings event, not a command; only recorded commands can be removed`,
    });
    expect(one({ kind: 'remove', seq: 99_999_999 })[0]?.message).toBe(
      'no recorded event 99999999 in the log',
    );
  });

  it('B-1: an unknown kind lists the kinds', () => {
    expect(one({ kind: 'teleport', atMs: 0 })[0]).toEqual({
      path: 'modifications[1].kind',
      message: 'expected one of command, fault, clearFault, remove, got "teleport"',
    });
  });

  it('B-2: a horizon past the limit states the limit; a fork outside the span names the span', () => {
    const problems = check(definition({ horizonMs: MAX_BRANCH_HORIZON_MS + 1, forkT: T0 - 1 }));
    expect(problems.map((p) => p.path)).toEqual(['forkT', 'horizonMs']);
    expect(problems[1]?.message).toMatch(/1000\.\.3600000 \(1 hour at most\)/);
    expect(problems[0]?.message).toMatch(new RegExp(`${T0}\\.\\.${T0 + 12 * 60_000}`));
  });
});

describe('computing a branch (B-4 … B-7)', () => {
  it('B-5: with no modifications it reproduces the recorded run exactly: readings and state hash', () => {
    const def = definition({ forkT: T0 + 150_000, horizonMs: 5 * 60_000 });
    const { events, result } = run(inputFor(recording, def));
    const endT = def.forkT + def.horizonMs;
    const recorded = recording.events.filter((e) => e.t > def.forkT && e.t <= endT);
    const readings = (list: TwinEvent[]): unknown[] => list.filter((e) => e.type === 'readings');
    expect(readings(events)).toEqual(readings(recorded));
    // The operator's valve move at 200 s happened after its step, and happens after it again.
    expect(
      events.some((e) => e.type === 'command.accepted' && e.command.commandId === 'op-1'),
    ).toBe(true);
    expect(result.hash).toBe(recording.hashes.get(endT));
    expect(result.predictions.timelineDeltas).toEqual([]);
    expect(result.predictions.sensorDeltas).toEqual([]);
    expect(result.predictions.expectedOutcome).toBe(
      'No difference from the baseline over the horizon',
    );
  });

  it('B-5: the same inputs give the same events and the same hash, twice', () => {
    const def = definition({
      horizonMs: 3 * 60_000,
      modifications: [
        {
          kind: 'command',
          atMs: 60_000,
          command: {
            type: 'valve.actuate',
            commandId: 'w',
            actuatorId: 'V-101.POS',
            position: 0.2,
          },
        },
      ],
    });
    const a = run(inputFor(recording, def));
    const b = run(inputFor(recording, def));
    expect(a.result.hash).toBe(b.result.hash);
    expect(a.events).toEqual(b.events);
    expect(a.chunks).toBe(3);
    // B-8: each stored chunk (snapshot + inputs) computes its events again, exactly.
    expect(a.recomputed).toEqual(a.events); // a snapshot a minute from the fork: +0, +1 and +2 min
  });

  it('B-5: another process computes the same hash', () => {
    const script = fileURLToPath(new URL('./fixtures/branch-hash-main.ts', import.meta.url));
    const there = execFileSync(process.execPath, ['--import', 'tsx', script], {
      encoding: 'utf8',
    }).trim();
    const here = runBranch(inputFor(record(3 * 60_000), CROSS_PROCESS_BRANCH)).result.hash;
    expect(there).toMatch(/^[0-9a-f]{16,}$/);
    expect(there).toBe(here);
  });

  it('B-6: cooling pump trip, standby pump started at T+2 min: the over-temperature capsule is never raised', () => {
    const def = definition({
      modifications: [
        {
          kind: 'command',
          atMs: 120_000,
          command: { type: 'pump.start', commandId: 'what-if', actuatorId: 'P-202.RUN' },
        },
      ],
    });
    const untouched = record(12 * 60_000);
    const { result, events, recomputed } = run(inputFor(untouched, def));
    expect(recomputed).toEqual(events);
    // 'High temperature at R-101': raised about 2.3 min after the trip, critical 1.5 min later.
    const overTemperature = (list: TwinEvent[]): string[] =>
      list.flatMap((e) =>
        e.type === 'capsule.raised' && e.capsule.rule === 'limit/R-101.TT-01'
          ? [e.capsule.rule]
          : [],
      );
    const baselineCritical = overTemperature(untouched.events.filter((e) => e.t > def.forkT));
    expect(baselineCritical.length).toBeGreaterThan(0);
    expect(overTemperature(events)).toEqual([]);
    const delta = result.predictions.timelineDeltas.find((d) => d.rule === baselineCritical[0]);
    expect(delta?.kind).toBe('only-baseline');
    const temperature = result.predictions.sensorDeltas.find((s) => s.sensorId === 'R-101.TT-01');
    expect(temperature).toBeDefined();
    expect(temperature!.branchPeak).toBeLessThan(temperature!.baselinePeak);
    expect(result.predictions.expectedOutcome).toMatch(/is never raised/);
    expect(result.predictions.expectedOutcome).toMatch(/peaks at .* instead of/);
  });

  it('B-4: removing the recorded operator command leaves it out of the branch', () => {
    const op = recording.events.find(
      (e) => e.type === 'command.accepted' && e.command.commandId === 'op-1',
    )!;
    const def = definition({
      horizonMs: 4 * 60_000,
      modifications: [{ kind: 'remove', seq: op.seq }],
    });
    const { events, result } = run(inputFor(recording, def));
    expect(
      events.some((e) => e.type === 'command.accepted' && e.command.commandId === 'op-1'),
    ).toBe(false);
    expect(result.predictions.actuatorDeltas).toContainEqual(
      expect.objectContaining({ actuatorId: 'V-101.POS', baseline: 0.4 }),
    );
  });
});

describe('a dry run before confirmation (D-11)', () => {
  it('D-11: starting the standby pump a minute after the trip is predicted to avoid the alarm; nothing moves', () => {
    const scenario = loadScenario('cooling-pump-trip', plant);
    const live = createRun({ plant, seed: 7, t0: T0, stepMs: 100, scenario });
    advanceUntil(live, T0 + 60_000);
    const before = hashState(live.twin);
    const answer = dryRun({
      plant,
      run: { bytes: encodeRun(live), t0: live.t0, scenario },
      command: { type: 'pump.start', commandId: 'dry', actuatorId: 'P-202.RUN' },
      actor: { id: 'u-1', name: 'Ada', role: 'operator' },
    });
    expect(answer.status).toBe('accepted');
    expect(answer.predictions.timelineDeltas).toContainEqual(
      expect.objectContaining({ kind: 'only-baseline', rule: 'limit/R-101.TT-01' }),
    );
    expect(answer.predictions.expectedOutcome).toMatch(
      /'High temperature at R-101' is never raised/,
    );
    expect(answer.predictions.baseline).toMatch(/dry run/i);
    expect(answer.predictions.comparedUntilT).toBe(T0 + 60_000 + 120_000);
    // The live run is where it was: the dry run worked on copies.
    expect(hashState(live.twin)).toBe(before);
    expect(live.sim.t).toBe(T0 + 60_000);
  });
});
