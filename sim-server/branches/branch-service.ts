/**
 * What-if branches at the server: validate a request against the plant and the recorded log,
 * create the branch mission, and compute it as a background job in a worker thread, so the live
 * plant's event loop never waits for a branch. Jobs run one at a time from a bounded queue;
 * progress is kept on the job row and told to listeners (the replay rooms). The worker is given
 * a snapshot and recorded events — never a source, a writer or the engine.
 */
import { Worker } from 'node:worker_threads';
import {
  DRY_RUN_HORIZON_MS,
  MAX_BRANCH_HORIZON_MS,
  validateBranch,
} from '../../digital-twin/index.js';
import type {
  Actor,
  BranchDefinition,
  Command,
  dryRun,
  CompiledPlant,
  Mission,
  PlantProblem,
  TwinEvent,
} from '../../digital-twin/index.js';
import type { Logger } from '../logger.js';
import type { MissionService } from '../missions/mission-service.js';
import type { BranchJob, Storage } from '../storage/index.js';
import type { BranchWorkMessage, BranchWorkRequest, DryRunRequest } from './branch-worker.js';

export type DryRunResult = ReturnType<typeof dryRun>;

/** Jobs waiting behind the one computing; one more is refused with 429. */
export const BRANCH_QUEUE_LIMIT = 4;
/** The baseline is compared once a plant second: a tenth of the live log's readings to read. */
const BASELINE_READINGS_EVERY_MS = 1000;
/** What a client is told to wait when the queue is full. */
const RETRY_AFTER_S = 10;

export type CreateBranchResult =
  | { ok: true; mission: Mission; job: BranchJob }
  | { ok: false; status: 400 | 404 | 409; field: string; reason: string; problems?: PlantProblem[] }
  | { ok: false; status: 429; field: 'queue'; reason: string; retryAfterS: number };

export interface BranchServiceOptions {
  storage: Storage;
  missions: MissionService;
  plant: CompiledPlant;
  log: Logger;
  /** Whether some sensors of the live plant are real (MQTT, OPC-UA): the baseline is then recorded. */
  liveSensors: boolean;
  now?: () => number;
}

type Listener = (job: BranchJob) => void;

const WORKER_URL = new URL('./branch-worker-boot.mjs', import.meta.url);

export class BranchService {
  readonly #storage: Storage;
  readonly #missions: MissionService;
  readonly #plant: CompiledPlant;
  readonly #log: Logger;
  readonly #liveSensors: boolean;
  readonly #now: () => number;
  readonly #queue: { job: BranchJob; request: BranchWorkRequest; readMs: number }[] = [];
  /** Jobs as this service last wrote them, by branch mission id. */
  readonly #jobs = new Map<string, BranchJob>();
  readonly #listeners = new Set<Listener>();
  #running: Promise<void> | null = null;
  /** Dry runs get a worker of their own, so they never wait behind an hour-long branch. */
  #dryWorker: Worker | null = null;
  readonly #dryRuns = new Map<
    number,
    { resolve: (r: DryRunResult) => void; reject: (e: Error) => void }
  >();
  #dryRunIds = 0;
  /** Requests past the queue check and not yet queued (a slot is held for each). */
  #reserved = 0;
  #worker: Worker | null = null;
  #closed = false;

  constructor(options: BranchServiceOptions) {
    this.#storage = options.storage;
    this.#missions = options.missions;
    this.#plant = options.plant;
    this.#log = options.log;
    this.#liveSensors = options.liveSensors;
    this.#now = options.now ?? Date.now;
  }

  /** Jobs queued or computing now. */
  get pending(): number {
    return this.#queue.length + this.#reserved + (this.#running === null ? 0 : 1);
  }

  /** Validates and queues a branch of `parentId`; the answer comes before it computes. */
  async create(
    parentId: string,
    body: { title?: string | undefined } & Record<string, unknown>,
    actor: Actor,
  ): Promise<CreateBranchResult> {
    const parent = await this.#missions.get(parentId);
    if (parent === null)
      return {
        ok: false,
        status: 404,
        field: 'id',
        reason: `mission "${parentId}" does not exist`,
      };
    if (parent.kind !== 'replay') {
      return {
        ok: false,
        status: 409,
        field: 'id',
        reason: `mission "${parentId}" is a ${parent.kind}; branch the recorded mission it came from`,
      };
    }
    if (this.#queue.length + this.#reserved >= BRANCH_QUEUE_LIMIT) {
      return {
        ok: false,
        status: 429,
        field: 'queue',
        reason: `${this.pending} branches are computing or queued (at most ${BRANCH_QUEUE_LIMIT + 1}); try again shortly`,
        retryAfterS: RETRY_AFTER_S,
      };
    }
    this.#reserved += 1;
    try {
      return await this.#create(parent, body, actor);
    } finally {
      this.#reserved -= 1;
    }
  }

  async #create(
    parent: Mission,
    body: { title?: string | undefined } & Record<string, unknown>,
    actor: Actor,
  ): Promise<CreateBranchResult> {
    const parentId = parent.id;
    const { title, ...fields } = body;
    const definition = { parentMissionId: parentId, ...fields };
    // The recorded log the branch needs: from the snapshot before the fork to the horizon.
    const forkT =
      typeof fields.forkT === 'number' && Number.isFinite(fields.forkT) ? fields.forkT : null;
    const horizon =
      typeof fields.horizonMs === 'number' && fields.horizonMs <= MAX_BRANCH_HORIZON_MS
        ? fields.horizonMs
        : MAX_BRANCH_HORIZON_MS;
    let snapshot: { seq: number; t: number } | undefined;
    let recorded: TwinEvent[] = [];
    const readStarted = performance.now();
    if (forkT !== null && forkT >= parent.fromT && forkT <= parent.toT) {
      await this.#storage.flush();
      snapshot = (await this.#storage.snapshotsForSpan(forkT, forkT))[0];
      if (snapshot !== undefined) {
        // To the fork exactly (the branch starts from it); after it, what the comparison and
        // the recorded interventions need: readings once a second, expectations as step marks.
        const head = await this.#storage.readEvents(snapshot.seq, forkT);
        const tail = await this.#storage.readEvents(
          head[head.length - 1]?.seq ?? snapshot.seq,
          forkT + horizon,
          { readingsEveryMs: BASELINE_READINGS_EVERY_MS, expectationValues: false },
        );
        recorded = [...head, ...tail];
      }
    }
    const readMs = Math.round(performance.now() - readStarted);
    const bySeq = new Map(recorded.map((e) => [e.seq, e]));
    const checked = validateBranch(definition, {
      plant: this.#plant.plant,
      parent,
      recorded: (seq) => bySeq.get(seq),
    });
    if (!checked.ok) {
      const first = checked.problems[0] as PlantProblem;
      return {
        ok: false,
        status: 400,
        field: first.path,
        reason: checked.problems.map((p) => `${p.path}: ${p.message}`).join('; '),
        problems: checked.problems,
      };
    }
    const bytes = snapshot === undefined ? null : await this.#storage.snapshotBytes(snapshot.seq);
    if (snapshot === undefined || bytes === null) {
      return {
        ok: false,
        status: 409,
        field: 'forkT',
        reason: `the log holds no snapshot at or before ${forkT}; the branch cannot start there`,
      };
    }
    const branch = checked.branch;
    const stepMs = stepOf(recorded);
    const fromT = snapshot.t + Math.floor((branch.forkT - snapshot.t) / stepMs) * stepMs;
    const mission = await this.#missions.createBranch(
      {
        title: title ?? `What if: ${describe(branch)}`,
        parentMissionId: parentId,
        fromT,
        toT: fromT + Math.ceil(branch.horizonMs / stepMs) * stepMs,
      },
      actor,
    );
    const now = this.#now();
    const job: BranchJob = {
      missionId: mission.id,
      parentMissionId: parentId,
      definition: branch,
      status: 'queued',
      progress: 0,
      result: null,
      error: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.#storage.branches.create(job);
    this.#jobs.set(job.missionId, job);
    this.#queue.push({
      job,
      request: {
        type: 'branch',
        plant: this.#plant.plant,
        definition: branch,
        snapshot: { ...snapshot, bytes },
        recorded,
        baselineSource: this.#liveSensors ? 'recorded from live sensors' : 'simulated',
      },
      readMs,
    });
    this.#tell(job);
    this.#pump();
    return { ok: true, mission, job };
  }

  async get(missionId: string): Promise<BranchJob | null> {
    return this.#jobs.get(missionId) ?? (await this.#storage.branches.get(missionId));
  }

  ofParent(parentMissionId: string): Promise<BranchJob[]> {
    return this.#storage.branches.ofParent(parentMissionId);
  }

  /** Told of every job change (queued, progress, done, failed); returns the unsubscribe function. */
  watch(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * D-11: what `command` would do over the next `horizonMs`, from the live run's state now
   * (`encodeRun` bytes with its t0 and scenario), computed in the dry-run worker.
   */
  dryRun(
    run: DryRunRequest['run'],
    command: Command,
    actor: Actor,
    horizonMs: number = DRY_RUN_HORIZON_MS,
  ): Promise<DryRunResult> {
    if (this.#closed) return Promise.reject(new Error('the server is stopping'));
    const worker = this.#dryRunWorker();
    const id = (this.#dryRunIds += 1);
    return new Promise((resolve, reject) => {
      this.#dryRuns.set(id, { resolve, reject });
      worker.postMessage({
        type: 'dryRun',
        id,
        plant: this.#plant.plant,
        run,
        command,
        actor,
        horizonMs,
      } satisfies DryRunRequest);
    });
  }

  #dryRunWorker(): Worker {
    if (this.#dryWorker !== null) return this.#dryWorker;
    const worker = new Worker(WORKER_URL);
    worker.unref();
    worker.on('message', (message: BranchWorkMessage) => {
      if (message.type === 'dryRun.done') {
        this.#dryRuns.get(message.id)?.resolve(message.result);
        this.#dryRuns.delete(message.id);
      } else if (message.type === 'error' && message.id !== undefined) {
        this.#dryRuns.get(message.id)?.reject(new Error(message.message));
        this.#dryRuns.delete(message.id);
      }
    });
    worker.on('error', (error) => {
      for (const pending of this.#dryRuns.values()) pending.reject(error);
      this.#dryRuns.clear();
      this.#dryWorker = null;
    });
    this.#dryWorker = worker;
    return worker;
  }

  /** Resolves when every queued job has finished (tests and benchmarks). */
  async idle(): Promise<void> {
    while (this.#running !== null) await this.#running;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const { job } of this.#queue.splice(0)) await this.#fail(job, 'the server stopped');
    await this.#running?.catch(() => undefined);
    await this.#worker?.terminate();
    this.#worker = null;
    for (const pending of this.#dryRuns.values()) pending.reject(new Error('the server stopped'));
    this.#dryRuns.clear();
    await this.#dryWorker?.terminate();
    this.#dryWorker = null;
  }

  #pump(): void {
    if (this.#running !== null || this.#closed) return;
    const next = this.#queue.shift();
    if (next === undefined) return;
    this.#running = this.#compute(next.job, next.request, next.readMs)
      .catch((error: unknown) => {
        this.#log.error(`branch ${next.job.missionId} failed`, error);
        return this.#fail(next.job, error instanceof Error ? error.message : String(error));
      })
      .finally(() => {
        this.#running = null;
        this.#pump();
      });
  }

  async #compute(queued: BranchJob, request: BranchWorkRequest, readMs: number): Promise<void> {
    const started = performance.now();
    let job = await this.#update(queued, { status: 'computing' });
    const worker = this.#workerThread();
    let writes = Promise.resolve();
    const result = await new Promise<Extract<BranchWorkMessage, { type: 'done' }>['result']>(
      (resolve, reject) => {
        const onMessage = (message: BranchWorkMessage): void => {
          switch (message.type) {
            case 'progress':
              job = { ...job, progress: message.percent, updatedAt: this.#now() };
              this.#jobs.set(job.missionId, job);
              this.#tell(job);
              return;
            case 'chunk': {
              const { idx, seq, t, toT, lastSeq, snapshot, inputs, capsuleEvents } = message;
              const chunk = { idx, seq, t, toT, lastSeq, snapshot, inputs, capsuleEvents };
              writes = writes.then(() => this.#storage.branches.appendChunk(job.missionId, chunk));
              return;
            }
            case 'done':
              cleanup();
              resolve(message.result);
              return;
            case 'error':
              cleanup();
              reject(new Error(message.message));
              return;
            case 'dryRun.done':
              // Dry runs have a worker of their own; none is answered on this one.
              return;
          }
        };
        const onError = (error: Error): void => {
          cleanup();
          this.#worker = null;
          reject(error);
        };
        const cleanup = (): void => {
          worker.off('message', onMessage);
          worker.off('error', onError);
        };
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.postMessage(request);
      },
    );
    await writes;
    const computeMs = Math.round(performance.now() - started);
    await this.#update(job, {
      status: 'done',
      progress: 100,
      result: {
        ...result,
        predictions: result.predictions as never,
        computeMs,
        readMs,
        recordedEvents: request.recorded.length,
      },
    });
    this.#log.info(
      `branches: ${job.missionId} computed in ${computeMs} ms (${result.events} events): ${(result.predictions as { expectedOutcome: string }).expectedOutcome}`,
    );
  }

  #workerThread(): Worker {
    if (this.#worker === null) {
      this.#worker = new Worker(WORKER_URL);
      this.#worker.unref();
    }
    return this.#worker;
  }

  async #fail(job: BranchJob, reason: string): Promise<void> {
    await this.#update(job, { status: 'failed', error: reason });
    await this.#missions.control(job.missionId, { type: 'fail', reason }, BRANCH_SERVICE_ACTOR);
  }

  async #update(job: BranchJob, changes: Partial<BranchJob>): Promise<BranchJob> {
    const next = { ...job, ...changes, updatedAt: this.#now() };
    this.#jobs.set(next.missionId, next);
    this.#tell(next);
    await this.#storage.branches.save(next);
    return next;
  }

  #tell(job: BranchJob): void {
    for (const listener of this.#listeners) {
      try {
        listener(job);
      } catch (error) {
        this.#log.error('a branch listener failed', error);
      }
    }
  }
}

const BRANCH_SERVICE_ACTOR: Actor = { id: 'system', name: 'Twinspace branches', role: 'system' };

/** The live run's step: the gap between two steps' expectations in the recorded log. */
function stepOf(events: readonly TwinEvent[]): number {
  let previous: number | null = null;
  for (const event of events) {
    if (event.type !== 'expectations') continue;
    if (previous !== null && event.t > previous) return event.t - previous;
    previous = event.t;
  }
  return 100;
}

function describe(branch: BranchDefinition): string {
  if (branch.modifications.length === 0) return 'nothing changed';
  return branch.modifications
    .map((m) => {
      const at = m.kind === 'remove' ? '' : ` at T+${Math.round(m.atMs / 1000)} s`;
      if (m.kind === 'command') return `${m.command.type} ${m.command.actuatorId}${at}`;
      if (m.kind === 'remove') return `without command ${m.seq}`;
      return `${m.kind === 'fault' ? '' : 'clear '}${m.fault.kind} ${m.fault.target}${at}`;
    })
    .join(', ');
}
