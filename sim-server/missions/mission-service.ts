/**
 * Missions at the server: capture from the live log, the one `control` every HTTP route and room
 * message goes through, annotations of a replay, and auto-capture of critical capsules. Decisions
 * are the pure functions of digital-twin/mission.ts; this class reads, stores and tells the replay
 * rooms. Controls of one mission run one after another, so two users' clicks never interleave.
 */
import {
  applyMissionControl,
  CLOSED_CAPSULE_STATES,
  createMission,
  resolveSpan,
} from '../../digital-twin/index.js';
import type {
  Actor,
  Capsule,
  Mission,
  MissionControl,
  MissionControlResult,
  SpanRequest,
  TwinEvent,
} from '../../digital-twin/index.js';
import type { LiveEngine } from '../live/live-engine.js';
import type { Logger } from '../logger.js';
import type { MissionEventRecord, Page, Storage } from '../storage/index.js';
import type { MissionQuery } from '../storage/index.js';

export type CreateMissionResult =
  { ok: true; mission: Mission } | { ok: false; field: string; reason: string };

export type MissionControlOutcome =
  | MissionControlResult
  | { ok: false; code: 'unknown_mission'; field: 'id'; reason: string; allowed: readonly string[] };

/** An annotation a participant pinned in a replay: a mission event, never a plant event. */
export interface MissionAnnotation {
  id: string;
  t: number;
  text: string;
  equipmentId: string | null;
  capsuleId: string | null;
  actor: Actor;
  /** Set when the annotation records a capsule command made in the replay (ack, shelve, …). */
  command: string | null;
}

export interface MissionServiceOptions {
  storage: Storage;
  engine: LiveEngine;
  log: Logger;
  /** Wall clock, ms epoch. */
  now?: () => number;
  /** `critical`: a critical capsule opens a draft mission around itself. */
  autoCapture?: 'off' | 'critical';
}

type Listener = (mission: Mission) => void;

export const AUTO_CAPTURE_ACTOR: Actor = {
  id: 'system',
  name: 'Twinspace auto-capture',
  role: 'system',
};

export class MissionService {
  readonly #storage: Storage;
  readonly #engine: LiveEngine;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #listeners = new Map<string, Set<Listener>>();
  /** Missions as this service last wrote or read them; it is their only writer. */
  readonly #known = new Map<string, Mission>();
  readonly #annotationListeners = new Map<string, Set<(a: MissionAnnotation) => void>>();
  /** Per mission, the tail of its control chain. */
  readonly #chains = new Map<string, Promise<unknown>>();
  readonly #unsubscribe: (() => void) | null;
  #pending = new Set<Promise<unknown>>();
  /** Capsules auto-capture already opened a mission for (one each). */
  readonly #captured = new Set<string>();

  constructor(options: MissionServiceOptions) {
    this.#storage = options.storage;
    this.#engine = options.engine;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#unsubscribe =
      options.autoCapture === 'critical'
        ? options.engine.subscribe((events) => this.#autoCapture(events))
        : null;
  }

  get plant(): LiveEngine['plant'] {
    return this.#engine.plant;
  }

  /** Captures a span of the live log as a draft mission (M-11 … M-14). */
  async create(
    fields: { title: string; span: SpanRequest },
    actor: Actor,
  ): Promise<CreateMissionResult> {
    const sourceCapsuleId = fields.span.kind === 'capsule' ? fields.span.capsuleId : null;
    const resolved = await this.#resolve(fields.span);
    if (!resolved.ok) return resolved;
    // The replay reads the stored log: make sure the span's events are in it.
    await this.#storage.flush();
    const mission = await this.#insert(
      {
        title: fields.title,
        kind: 'replay',
        fromT: resolved.fromT,
        toT: resolved.toT,
        sourceCapsuleId,
      },
      actor,
    );
    this.#log.info(`missions: ${actor.name} captured ${mission.id} "${mission.title}"`);
    return { ok: true, mission };
  }

  /** A branch mission over the span a branch will compute (its job lives with BranchService). */
  async createBranch(
    fields: { title: string; parentMissionId: string; fromT: number; toT: number },
    actor: Actor,
  ): Promise<Mission> {
    const mission = await this.#insert({ ...fields, kind: 'branch' }, actor);
    this.#log.info(`missions: ${actor.name} branched ${fields.parentMissionId} as ${mission.id}`);
    return mission;
  }

  /** Inserts a new mission of this plant, created now by `actor` (its id, name and role). */
  async #insert(
    fields: Omit<Parameters<typeof createMission>[0], 'id' | 'plantId' | 'createdBy' | 'createdAt'>,
    actor: Actor,
  ): Promise<Mission> {
    const mission = await this.#storage.createMission((id) =>
      createMission({
        ...fields,
        id,
        plantId: this.#engine.plant.plant.id,
        createdBy: { id: actor.id, name: actor.name, role: actor.role },
        createdAt: this.#now(),
      }),
    );
    this.#known.set(mission.id, mission);
    return mission;
  }

  get(id: string): Promise<Mission | null> {
    const known = this.#known.get(id);
    return known !== undefined ? Promise.resolve(known) : this.#storage.getMission(id);
  }

  list(query: MissionQuery): Promise<Page<Mission>> {
    return this.#storage.listMissions(query);
  }

  /**
   * The one way a mission changes: HTTP routes and replay-room messages both call this. Illegal
   * controls come back as values naming the field; nothing changes then.
   */
  control(id: string, control: MissionControl, actor: Actor): Promise<MissionControlOutcome> {
    return this.#serial(id, async () => {
      const mission = this.#known.get(id) ?? (await this.#storage.getMission(id));
      if (mission === null) return unknownMission(id);
      let current = mission;
      // A capture around a capsule follows the capsule until it starts (to its resolution, or now).
      if (
        control.type === 'start' &&
        mission.state === 'draft' &&
        mission.sourceCapsuleId !== null
      ) {
        const span = await this.#resolve({ kind: 'capsule', capsuleId: mission.sourceCapsuleId });
        if (span.ok && span.toT > mission.toT) {
          await this.#storage.flush();
          current = { ...mission, toT: span.toT };
        }
      }
      const result = applyMissionControl(current, control, this.#now());
      if (!result.ok) return result;
      // Everyone in the replay follows at once; the row is written after, still inside this
      // mission's chain, so writes keep their order and the next control sees this one.
      this.#known.set(id, result.mission);
      for (const listener of this.#listeners.get(id) ?? []) listener(result.mission);
      await this.#storage.saveMission(result.mission);
      if (control.type !== 'seek' && control.type !== 'speed')
        this.#log.info(`missions: ${actor.name} → ${control.type} ${id} (${result.mission.state})`);
      return result;
    });
  }

  /** Pins an annotation at plant time t of a mission; everyone in its replay is told at once. */
  async annotate(
    id: string,
    fields: Omit<MissionAnnotation, 'id' | 'actor'>,
    actor: Actor,
  ): Promise<MissionAnnotation> {
    const record = await this.#storage.appendMissionEvent(id, {
      t: fields.t,
      type: 'annotation',
      payload: { ...fields, actor },
    });
    const annotation = annotationOf(id, record);
    for (const listener of this.#annotationListeners.get(id) ?? []) listener(annotation);
    return annotation;
  }

  async annotations(id: string): Promise<MissionAnnotation[]> {
    const records = await this.#storage.missionEvents(id);
    return records.filter((r) => r.type === 'annotation').map((r) => annotationOf(id, r));
  }

  /** Told of every change to one mission; returns the unsubscribe function. */
  watch(
    id: string,
    onChange: Listener,
    onAnnotation: (annotation: MissionAnnotation) => void = () => {},
  ): () => void {
    const listeners = getOrCreate(this.#listeners, id);
    const annotationListeners = getOrCreate(this.#annotationListeners, id);
    listeners.add(onChange);
    annotationListeners.add(onAnnotation);
    return () => {
      listeners.delete(onChange);
      annotationListeners.delete(onAnnotation);
    };
  }

  /** Waits for auto-captures in flight, then stops listening to the live plant. */
  async close(): Promise<void> {
    this.#unsubscribe?.();
    await Promise.allSettled([...this.#pending]);
  }

  async #resolve(span: SpanRequest): Promise<ReturnType<typeof resolveSpan>> {
    const logFromT = await this.#storage.firstEventT();
    let capsule: { raisedAt: number; closedAt: number | null } | null = null;
    if (span.kind === 'capsule') capsule = await this.#capsuleTimes(span.capsuleId);
    return resolveSpan(span, {
      logFromT,
      nowT: this.#engine.twin.t,
      capsule: () => capsule,
    });
  }

  async #capsuleTimes(id: string): Promise<{ raisedAt: number; closedAt: number | null } | null> {
    const open = this.#engine.twin.capsules.get(id);
    if (open !== undefined) return { raisedAt: open.raisedAt, closedAt: null };
    const stored = await this.#storage.getCapsule(id);
    if (stored === null) return null;
    return { raisedAt: stored.raisedAt, closedAt: closedAt(stored) };
  }

  /** A capsule that is raised critical, or escalates to critical, opens one draft around itself. */
  #autoCapture(events: readonly TwinEvent[]): void {
    for (const event of events) {
      let capsuleId: string | null = null;
      if (event.type === 'capsule.raised' && event.capsule.severity === 'critical')
        capsuleId = event.capsule.id;
      else if (event.type === 'capsule.changed' && event.changes.severity === 'critical')
        capsuleId = event.capsuleId;
      if (capsuleId === null || this.#captured.has(capsuleId)) continue;
      this.#captured.add(capsuleId);
      const id = capsuleId;
      const title = this.#engine.twin.capsules.get(id)?.title ?? id;
      const job = this.create(
        { title: `Auto: ${title}`, span: { kind: 'capsule', capsuleId: id } },
        AUTO_CAPTURE_ACTOR,
      ).then(
        (result) => {
          if (!result.ok) this.#log.warn(`missions: auto-capture of ${id}: ${result.reason}`);
        },
        (error: unknown) => this.#log.error(`missions: auto-capture of ${id} failed`, error),
      );
      this.#pending.add(job);
      void job.finally(() => this.#pending.delete(job));
    }
  }

  #serial<T>(id: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#chains.get(id) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.#chains.set(id, tail);
    void tail.then(() => {
      if (this.#chains.get(id) === tail) this.#chains.delete(id);
    });
    return next;
  }
}

function unknownMission(id: string): MissionControlOutcome {
  return {
    ok: false,
    code: 'unknown_mission',
    field: 'id',
    reason: `mission "${id}" does not exist`,
    allowed: [],
  };
}

function closedAt(capsule: Capsule): number | null {
  return CLOSED_CAPSULE_STATES.includes(capsule.state) ? capsule.updatedAt : null;
}

function annotationOf(missionId: string, record: MissionEventRecord): MissionAnnotation {
  const p = record.payload as Partial<MissionAnnotation>;
  return {
    id: `${missionId}/A-${record.idx}`,
    t: record.t,
    text: String(p.text ?? ''),
    equipmentId: p.equipmentId ?? null,
    capsuleId: p.capsuleId ?? null,
    actor: p.actor ?? { id: 'unknown', name: 'unknown', role: 'viewer' },
    command: p.command ?? null,
  };
}

function getOrCreate<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}
