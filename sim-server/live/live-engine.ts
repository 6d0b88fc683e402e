/**
 * The live engine: one Run (simulator + twin + scenario, from digital-twin/run.ts) advanced on a
 * wall-clock timer at TIME_SCALE, every event handed to storage without waiting and then to the
 * room. Commands are decided against the same Run between ticks, so the twin, the simulator and
 * the log never disagree about order. Snapshots are taken every SNAPSHOT_EVERY_S of plant time.
 */
import {
  advance,
  commit,
  createRun,
  decide,
  decodeRun,
  encodeRun,
  ingestReadings,
  replayEvent,
  runCommand,
} from '../../digital-twin/index.js';
import type {
  Actor,
  Command,
  CommandAck,
  CompiledPlant,
  Reading,
  Run,
  Scenario,
  TwinEvent,
  TwinState,
} from '../../digital-twin/index.js';
import type { SourceWriteResult } from '../ingest/source.js';
import type { Logger } from '../logger.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import type { Storage } from '../storage/storage.js';

/** The simulator's fixed step: 10 Hz is fine enough for process dynamics and cheap to store. */
export const LIVE_STEP_MS = 100;
/**
 * Most steps one tick may take when plant time falls behind (a slow tick, a GC pause, a stall on
 * the event loop), and the most wall time it may spend stepping: one step of the 301-sensor demo
 * plant costs 1–2 ms on an idle 2-core machine, so an unbounded catch-up would freeze the room.
 */
export const MAX_STEPS_PER_TICK = 200;
export const MAX_TICK_MS = 25;
/**
 * Lag (plant ms) past which the engine stops catching up and rebases its clock: a process that
 * was suspended should resume the plant, not replay the missed minutes at full speed.
 */
export const MAX_CATCH_UP_MS = 60_000;
/** At most one warning of each kind per minute of wall time. */
const LAG_WARNING_EVERY_MS = 60_000;
/** Longest the timer sleeps, so stop() and back-pressure are noticed promptly. */
const MAX_SLEEP_MS = 50;

/** What the engine needs from the event store. */
export type EngineStore = Pick<
  Storage,
  'append' | 'appendSnapshot' | 'stats' | 'durableSeq' | 'loadRecovery'
>;

/** Told about every batch of events the twin applied, in order. */
export type EventListener = (events: readonly TwinEvent[], twin: TwinState) => void;

export interface LiveEngineOptions {
  plant: CompiledPlant;
  scenario: Scenario | null;
  seed: number;
  /** Plant ms per wall-clock ms. */
  timeScale: number;
  snapshotEveryS: number;
  store: EngineStore;
  metrics: ServerMetrics;
  log: Logger;
  /** Wall clock (ms); injected so tests can drive time. */
  now?: () => number;
  stepMs?: number;
  /** Sensors whose readings arrive through `ingest` (MQTT, OPC-UA) instead of the simulator. */
  externalSensors?: readonly string[];
  /** Carries actuator writes to the plant for actuators a live source owns. */
  writer?: ActuatorWriter;
}

/** Where accepted actuator commands go when a live source, not the simulator, owns the actuator. */
export interface ActuatorWriter {
  handles(actuatorId: string): boolean;
  write(actuatorId: string, value: number): Promise<SourceWriteResult>;
}

/** How the engine started: fresh, or from the log (and how much it replayed). */
export interface StartInfo {
  kind: 'fresh' | 'recovered';
  /** Sequence number of the snapshot it resumed from (null when none). */
  snapshotSeq: number | null;
  /** Events folded after the snapshot. */
  replayed: number;
  seq: number;
  t: number;
}

export interface CommandOutcome {
  ack: CommandAck;
  events: TwinEvent[];
}

/** Plant time aligned to the step, so steps land on round times. */
function alignedNow(nowMs: number, stepMs: number): number {
  return Math.floor(nowMs / stepMs) * stepMs;
}

export class LiveEngine {
  readonly plant: CompiledPlant;
  readonly scenario: Scenario | null;
  readonly timeScale: number;
  readonly startInfo: StartInfo;
  readonly #run: Run;
  readonly #store: EngineStore;
  readonly #metrics: ServerMetrics;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #snapshotEveryMs: number;
  readonly #listeners = new Set<EventListener>();
  readonly #writer: ActuatorWriter | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #backPressured = false;
  #lastSnapshotT: number;
  /** Wall and plant time at which the current pacing began (reset after a stall). */
  #wallAnchor = 0;
  #plantAnchor = 0;
  /** Wall time each warning was last logged, so a sustained condition logs once a minute. */
  readonly #lastWarning = new Map<string, number>();

  private constructor(
    options: LiveEngineOptions,
    run: Run,
    startInfo: StartInfo,
    lastSnapshotT: number,
  ) {
    this.plant = options.plant;
    this.scenario = options.scenario;
    this.timeScale = options.timeScale;
    this.#run = run;
    this.#store = options.store;
    this.#metrics = options.metrics;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#snapshotEveryMs = options.snapshotEveryS * 1000;
    this.#lastSnapshotT = lastSnapshotT;
    this.#writer = options.writer;
    this.startInfo = startInfo;
  }

  /**
   * Opens the engine: resumes from the latest snapshot plus every later event when the log has
   * any (capsules, acknowledgements, actuator states and faults survive a restart), else starts a
   * fresh run at the current wall-clock time and stores its first snapshot.
   */
  static async open(options: LiveEngineOptions): Promise<LiveEngine> {
    const stepMs = options.stepMs ?? LIVE_STEP_MS;
    const now = options.now ?? Date.now;
    const recovery = await options.store.loadRecovery();
    const external =
      options.externalSensors === undefined ? {} : { externalSensors: options.externalSensors };
    if (recovery.snapshot === null && recovery.events.length === 0) {
      const t0 = alignedNow(now(), stepMs);
      const run = createRun({
        plant: options.plant,
        seed: options.seed,
        t0,
        scenario: options.scenario,
        stepMs,
        ...external,
      });
      const engine = new LiveEngine(
        options,
        run,
        { kind: 'fresh', snapshotSeq: null, replayed: 0, seq: 0, t: t0 },
        t0,
      );
      engine.#store.appendSnapshot({ seq: 0, t: t0, bytes: encodeRun(run) });
      return engine;
    }
    // The first event of a run is from its first step, one step after t0 (scenario offsets count from t0).
    const t0 =
      recovery.firstEventT !== null
        ? recovery.firstEventT - stepMs
        : (recovery.snapshot?.t ?? alignedNow(now(), stepMs));
    const run =
      recovery.snapshot === null
        ? createRun({
            plant: options.plant,
            seed: options.seed,
            t0,
            scenario: options.scenario,
            stepMs,
            ...external,
          })
        : decodeRun(recovery.snapshot.bytes, options.plant, {
            t0,
            scenario: options.scenario,
            ...external,
          });
    let replayed = 0;
    for (const event of recovery.events) {
      if (event.seq <= run.twin.seq) continue;
      replayEvent(run, event);
      replayed += 1;
    }
    const info: StartInfo = {
      kind: 'recovered',
      snapshotSeq: recovery.snapshot?.seq ?? null,
      replayed,
      seq: run.twin.seq,
      t: run.twin.t,
    };
    return new LiveEngine(options, run, info, recovery.snapshot?.t ?? t0);
  }

  /** The live twin; read it, never change it (only the engine applies events). */
  get twin(): TwinState {
    return this.#run.twin;
  }

  get running(): boolean {
    return this.#running;
  }

  /** 1 while plant time is held back because the write queue is over its limit. */
  get backPressured(): boolean {
    return this.#backPressured;
  }

  /** Plant time of the simulator's latest step. */
  get t(): number {
    return this.#run.sim.t;
  }

  /** Subscribe to applied events; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts stepping plant time from now. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#rebase();
    this.#schedule(0);
  }

  /** Stops stepping; already-emitted events stay queued in storage. */
  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Decides a command at the current plant time and commits the outcome (a rejection is logged
   * too, for the audit trail). Never throws: an internal failure becomes a rejection.
   */
  command(command: Command, actor: Actor): CommandOutcome {
    let events: TwinEvent[];
    let ack: CommandAck;
    try {
      const result = runCommand(this.#run, command, actor);
      events = result.events;
      ack =
        result.status === 'accepted'
          ? { commandId: command.commandId, status: 'accepted' }
          : {
              commandId: command.commandId,
              status: 'rejected',
              code: result.code,
              reason: result.reason,
            };
    } catch (error) {
      this.#log.error(`command ${command.type} ${command.commandId} failed inside the twin`, error);
      return {
        ack: {
          commandId: command.commandId,
          status: 'rejected',
          code: 'internal',
          reason: 'the server could not decide this command',
        },
        events: [],
      };
    }
    this.#metrics.commands.inc({ type: command.type, status: ack.status });
    this.#emit(events);
    return { ack, events };
  }

  /**
   * Like `command`, but an accepted command that moves an actuator a live source owns is first
   * written to the plant (an OPC-UA write, an MQTT command confirmed by a reading); the plant's
   * answer decides the ack. Twin-only commands (capsules, simulator actuators) answer at once.
   */
  async execute(command: Command, actor: Actor): Promise<CommandOutcome> {
    const writer = this.#writer;
    if (writer === undefined) return this.command(command, actor);
    let writes: { actuatorId: string; value: number }[];
    try {
      const preview = decide(this.#run.twin, command, actor, this.#run.twin.t);
      if (preview.status !== 'accepted') return this.command(command, actor);
      writes = [];
      for (const event of preview.events) {
        if (event.type === 'actuator.changed' && writer.handles(event.actuatorId))
          writes.push({ actuatorId: event.actuatorId, value: event.value });
      }
    } catch {
      return this.command(command, actor); // reports the failure as a rejection
    }
    for (const { actuatorId, value } of writes) {
      let result: SourceWriteResult;
      try {
        result = await writer.write(actuatorId, value);
      } catch (error) {
        result = { ok: false, reason: error instanceof Error ? error.message : String(error) };
      }
      if (!result.ok) return this.#refusedByPlant(command, actor, actuatorId, value, result.reason);
    }
    // Decided again now: the twin may have moved on while the plant answered.
    return this.command(command, actor);
  }

  #refusedByPlant(
    command: Command,
    actor: Actor,
    actuatorId: string,
    value: number,
    why: string,
  ): CommandOutcome {
    const reason = `the plant did not take ${actuatorId} = ${value}: ${why}`;
    const t = this.#run.twin.t;
    const body = {
      type: 'command.rejected' as const,
      command,
      actor,
      code: 'plant_refused' as const,
      reason,
    };
    const events = commit(this.#run, [body], t);
    this.#metrics.commands.inc({ type: command.type, status: 'rejected' });
    this.#emit(events);
    return {
      ack: { commandId: command.commandId, status: 'rejected', code: 'plant_refused', reason },
      events,
    };
  }

  /**
   * Folds readings from a live source into the twin as one readings event at the current plant
   * time and hands it to storage; returns its seq (the caller waits for `whenDurable(seq)` before
   * acknowledging its broker). Rules see them at the next step.
   */
  ingest(readings: readonly Reading[]): number {
    if (readings.length === 0) return this.#run.twin.seq;
    const events = ingestReadings(this.#run, readings, this.#run.twin.t);
    this.#emit(events);
    return this.#run.twin.seq;
  }

  /**
   * Advances up to `maxSteps` steps towards the wall clock's target plant time; returns the steps
   * taken. The timer calls it; tests may call it directly with the engine stopped.
   */
  tick(maxSteps = MAX_STEPS_PER_TICK, maxMs = MAX_TICK_MS): number {
    if (this.#store.stats().overLimit) {
      // Back-pressure: hold plant time until the writer drains, then resume from there.
      if (!this.#backPressured)
        this.#warnAtMostEveryMinute(
          'write queue over its limit: plant time paused until it drains',
        );
      this.#backPressured = true;
      this.#rebase();
      return 0;
    }
    if (this.#backPressured) {
      this.#backPressured = false;
      this.#log.debug('write queue drained: plant time resumes');
    }
    const stepMs = this.#run.sim.stepMs;
    const target = this.#plantAnchor + (this.#now() - this.#wallAnchor) * this.timeScale;
    let lag = target - this.#run.sim.t;
    if (lag > MAX_CATCH_UP_MS) {
      // The CPU cannot keep TIME_SCALE (or the process was suspended): drop the excess backlog
      // and run as fast as the tick budget allows, instead of falling further behind for ever.
      this.#warnAtMostEveryMinute(
        `plant time fell ${Math.round(lag)} ms behind TIME_SCALE ${this.timeScale}: skipping ahead`,
      );
      this.#metrics.plantSkippedMs.inc({}, lag - MAX_CATCH_UP_MS);
      this.#plantAnchor -= lag - MAX_CATCH_UP_MS;
      lag = MAX_CATCH_UP_MS;
    }
    this.#metrics.plantLagMs.set(Math.max(0, lag - stepMs));
    const steps = Math.min(maxSteps, Math.floor(lag / stepMs));
    if (steps <= 0) return 0;
    const started = performance.now();
    let batch: TwinEvent[] = [];
    let taken = 0;
    for (let i = 0; i < steps; i++) {
      // Out of time: the rest waits for the next tick, so patches and I/O get their turn.
      if (i > 0 && performance.now() - started > maxMs) break;
      taken += 1;
      const events = advance(this.#run);
      for (const event of events) batch.push(event);
      if (this.#run.sim.t - this.#lastSnapshotT >= this.#snapshotEveryMs) {
        // Events first, so the snapshot never refers to events the log has not been given.
        this.#emit(batch);
        batch = [];
        this.#snapshot();
      }
    }
    this.#emit(batch);
    this.#metrics.tickMs.observe(performance.now() - started);
    return taken;
  }

  /** The run as it is now, for a dry run to copy (bytes, with its t0 and scenario). */
  copyOfRun(): { bytes: Uint8Array; t0: number; scenario: Scenario | null } {
    return { bytes: encodeRun(this.#run), t0: this.#run.t0, scenario: this.#run.scenario };
  }

  /** Writes a snapshot of the twin and the simulator now. */
  snapshotNow(): void {
    this.#snapshot();
  }

  #snapshot(): void {
    const twin = this.#run.twin;
    this.#store.appendSnapshot({ seq: twin.seq, t: twin.t, bytes: encodeRun(this.#run) });
    this.#lastSnapshotT = this.#run.sim.t;
    this.#metrics.snapshots.inc();
  }

  #emit(events: readonly TwinEvent[]): void {
    if (events.length === 0) return;
    this.#store.append(events);
    const wall = this.#now();
    for (const event of events) {
      this.#metrics.events.inc({ type: event.type });
      if (event.type === 'readings') {
        this.#metrics.readings.inc({}, event.readings.length);
        this.#metrics.readingRate.add(event.readings.length, wall);
      }
    }
    for (const listener of this.#listeners) {
      try {
        listener(events, this.#run.twin);
      } catch (error) {
        // A listener (the room) failing must not stop the plant or lose the log.
        this.#log.error('event listener failed', error);
      }
    }
  }

  #warnAtMostEveryMinute(message: string): void {
    const key = message.replace(/\d+/g, '#');
    const wall = this.#now();
    if (wall - (this.#lastWarning.get(key) ?? -Infinity) < LAG_WARNING_EVERY_MS) return;
    this.#lastWarning.set(key, wall);
    this.#log.warn(message);
  }

  #rebase(): void {
    this.#wallAnchor = this.#now();
    this.#plantAnchor = this.#run.sim.t;
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => this.#onTimer(), delayMs);
  }

  #onTimer(): void {
    if (!this.#running) return;
    try {
      this.tick();
    } catch (error) {
      // An exception inside the twin is a bug; keep serving what we have rather than dying.
      this.#log.error('live tick failed; plant time paused for a second', error);
      this.#schedule(1000);
      this.#rebase();
      return;
    }
    // Sleep until the next step is due in wall time.
    const stepMs = this.#run.sim.stepMs;
    const target = this.#plantAnchor + (this.#now() - this.#wallAnchor) * this.timeScale;
    const untilNext = (this.#run.sim.t + stepMs - target) / this.timeScale;
    this.#schedule(Math.max(1, Math.min(MAX_SLEEP_MS, Math.ceil(untilNext))));
  }
}
