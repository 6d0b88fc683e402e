/**
 * A mission's replay room: one per mission (Colyseus filters joins by `missionId`), shared by
 * everyone who joins it. The twin inside is the plant's log folded by the same reducer the live
 * room runs — nearest snapshot, then forward — to the mission's playhead, copied into the same
 * schema state the live room uses, so the client draws a replay exactly as it draws live.
 *
 * The room has no source and no writer: nothing here can move the plant. Plant commands are
 * refused as read-only; capsule commands and annotations become mission annotations.
 */
import { Room, ServerError } from '@colyseus/core';
import type { AuthContext, Client } from '@colyseus/core';
import type { AuthService, SignedInActor } from '../auth/auth-service.js';
import { RoomSessions } from '../auth/room-sessions.js';
import { z } from 'zod';
import {
  MAX_SPEED,
  MIN_SPEED,
  permits,
  playheadAtEnd,
  playheadT,
  refusal,
} from '../../digital-twin/index.js';
import type {
  Actor,
  CompiledPlant,
  Mission,
  MissionControl,
  TwinEvent,
} from '../../digital-twin/index.js';
import { firstProblem } from '../http/zod-issues.js';
import type { Logger } from '../logger.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import type { MissionAnnotation, MissionService } from '../missions/mission-service.js';
import { ReplayCursor } from '../missions/replay-cursor.js';
import { branchReplayLog, storeReplayLog } from '../missions/store-replay-log.js';
import type { BranchService } from '../branches/branch-service.js';
import { jobView } from '../branches/job-view.js';
import type { Storage } from '../storage/index.js';
import { parseCommand } from './command-schemas.js';
import { guardMessage } from './message-guard.js';
import { AnnotationState, createPlantRoomState } from './plant-state.js';
import type { PlantRoomState } from './plant-state.js';
import { PlantStateSync } from './plant-state-sync.js';
import { applyPresence, createPresence, presenceColor } from './presence.js';
import { JOIN_OPTIONS, PRESENCE_MESSAGE } from './room-messages.js';

export const REPLAY_ROOM = 'replay';
/** How often the playback clock moves the room's twin to the playhead. */
export const REPLAY_TICK_MS = 50;
/** Capsule raises and changes a joining client is told of, for the timeline's markers. */
const MAX_MARKERS = 2000;
/** Commands that move the plant: never from a replay. */
const PLANT_COMMANDS = new Set(['valve.actuate', 'pump.start', 'pump.stop', 'setpoint.change']);

export interface ReplayRoomDeps {
  plant: CompiledPlant;
  missions: MissionService;
  /** Branch jobs: a branch joins only once computed; progress is told to the parent's room. */
  branches: Pick<BranchService, 'get' | 'watch'>;
  storage: Storage;
  metrics: ServerMetrics;
  log: Logger;
  auth: AuthService;
  roomMessagesPerS: number;
  patchRateMs: number;
  /** Wall clock, ms epoch (the mission service's clock). */
  now?: () => number;
}

const CREATE_OPTIONS = z.object({ missionId: z.string().min(1).max(128) });

/** What participants may ask of the playback; complete and fail are the server's own. */
export const CONTROL_MESSAGE = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('start'), requestId: z.string().max(128).optional() }),
  z.strictObject({ type: z.literal('pause'), requestId: z.string().max(128).optional() }),
  z.strictObject({ type: z.literal('resume'), requestId: z.string().max(128).optional() }),
  z.strictObject({ type: z.literal('stop'), requestId: z.string().max(128).optional() }),
  z.strictObject({
    type: z.literal('seek'),
    t: z.number().refine(Number.isFinite, 'expected a plant time, ms epoch'),
    requestId: z.string().max(128).optional(),
  }),
  z.strictObject({
    type: z.literal('speed'),
    speed: z.number().min(MIN_SPEED).max(MAX_SPEED),
    requestId: z.string().max(128).optional(),
  }),
]);

/** The answer to every `control` message. */
export type ControlAck =
  | { requestId: string | null; ok: true; state: string; t: number; speed: number }
  | {
      requestId: string | null;
      ok: false;
      code: string;
      field: string;
      reason: string;
      allowed: readonly string[];
    };

/**
 * A point on the replay timeline: a capsule raised, resolved (or dismissed: `action` says
 * which) or otherwise changed inside the span.
 */
export interface ReplayMarker {
  t: number;
  kind: 'raised' | 'resolved' | 'changed';
  capsuleId: string;
  severity: string | null;
  action: string | null;
  title: string | null;
}

interface ClientData {
  actor: SignedInActor;
}

const PLAYBACK_ACTOR: Actor = { id: 'system', name: 'Twinspace playback', role: 'system' };

/** A replay room class bound to this server (Colyseus constructs rooms without arguments). */
export function replayRoomClass(deps: ReplayRoomDeps): typeof ReplayRoom {
  return class BoundReplayRoom extends ReplayRoom {
    constructor() {
      super(deps);
    }
  };
}

export class ReplayRoom extends Room<PlantRoomState, unknown, ClientData> {
  readonly #deps: ReplayRoomDeps;
  readonly #now: () => number;
  #mission!: Mission;
  #cursor!: ReplayCursor;
  #sync!: PlantStateSync;
  #markers: ReplayMarker[] = [];
  /** For a branch: the parent recording's markers over the same span (the second row). */
  #baselineMarkers: ReplayMarker[] | null = null;
  #unwatch: (() => void) | undefined;
  #joined = 0;
  #sessions: RoomSessions | undefined;
  /** True while the cursor folds: ticks that land meanwhile are skipped, never stacked. */
  #busy = false;
  #completing = false;

  constructor(deps: ReplayRoomDeps) {
    super();
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  override async onCreate(options: unknown): Promise<void> {
    const parsed = CREATE_OPTIONS.safeParse(options ?? {});
    if (!parsed.success)
      throw new ServerError(400, `join options: ${firstProblem(parsed.error).text}`);
    const { missions, plant, patchRateMs } = this.#deps;
    this.#sessions = new RoomSessions(this.#deps);
    const mission = await missions.get(parsed.data.missionId);
    if (mission === null)
      throw new ServerError(404, `missionId: mission "${parsed.data.missionId}" does not exist`);
    if (mission.kind === 'branch') {
      const job = await this.#deps.branches.get(mission.id);
      if (job === null || job.status !== 'done') {
        throw new ServerError(
          409,
          `missionId: branch "${mission.id}" is ${job?.status ?? 'missing'}${job === null ? '' : ` (${job.progress}% computed)`}; join it once it is done`,
        );
      }
    }
    this.#mission = mission;
    this.maxClients = 200;
    this.patchRate = patchRateMs;
    const state = createPlantRoomState(plant.plant.id, plant.plant.name);
    state.mode = 'replay';
    state.sourceRunning = false;
    this.state = state;
    this.#sync = new PlantStateSync(state, plant);
    await this.#openCursor(mission);
    this.#writeMission(mission);
    for (const annotation of await missions.annotations(mission.id))
      this.#addAnnotation(annotation);
    // A branch's markers are its own events'; the recorded log's become the baseline row.
    const recordedMarkers = markersOf(
      await this.#deps.storage.capsuleEvents(mission.fromT, mission.toT, MAX_MARKERS),
    );
    if (mission.kind === 'branch') {
      const own = await this.#deps.storage.branches.capsuleEvents(mission.id);
      this.#markers = markersOf(own.slice(0, MAX_MARKERS));
      this.#baselineMarkers = recordedMarkers;
    } else this.#markers = recordedMarkers;
    const unwatchMission = missions.watch(
      mission.id,
      (changed) => this.#onMissionChanged(changed),
      (annotation) => this.#addAnnotation(annotation),
    );
    // Everyone in a replay sees the progress of branches forked from it.
    const unwatchBranches = this.#deps.branches.watch((job) => {
      if (job.parentMissionId === mission.id) this.broadcast('branch', { job: jobView(job) });
    });
    this.#unwatch = () => {
      unwatchMission();
      unwatchBranches();
    };
    await this.#moveTo(playheadT(mission, this.#now()));

    const sessions = this.#sessions;
    const on = (type: string, handler: (client: Client<ClientData>, body: unknown) => void): void =>
      sessions.handle<Client<ClientData>>(
        this,
        type,
        (c, t, run) => this.#guard(c, t, run),
        handler,
      );
    on('control', (client, body) => this.#onControl(client, body));
    on('command', (client, body) => this.#onCommand(client, body));
    on('presence', (client, body) => this.#onPresence(client, body));
    on('markers', (client) => this.#sendMarkers(client));
    on('token', (client, body) => void this.#sessions?.renew(client, body));
    this.onMessage('*', (client: Client<ClientData>, type) =>
      this.#sessions?.receive(client, () =>
        this.#guard(client, String(type), () =>
          client.send('ack', {
            commandId: null,
            status: 'rejected',
            code: 'unknown_message',
            reason: `message type ${JSON.stringify(type)} is not one of control, command, presence, markers, token`,
          }),
        ),
      ),
    );
    this.setSimulationInterval(() => this.#tick(), REPLAY_TICK_MS);
  }

  /** Every join needs a valid access token; the actor comes from it (never from join options). */
  override async onAuth(
    _client: Client<ClientData>,
    options: unknown,
    context: AuthContext,
  ): Promise<SignedInActor> {
    const sessions = this.#sessions;
    if (sessions === undefined) throw new ServerError(503, 'the room is not ready');
    return sessions.authenticate(options, context.token);
  }

  override onJoin(client: Client<ClientData>, options: unknown, auth?: SignedInActor): void {
    // JOIN_OPTIONS ignores keys it does not name, such as the missionId filter.
    const parsed = JOIN_OPTIONS.safeParse(options ?? {});
    if (!parsed.success)
      throw new ServerError(400, `join options: ${firstProblem(parsed.error).text}`);
    if (auth === undefined) throw new ServerError(401, 'sign in first: no token was given');
    const { name, role } = auth;
    client.userData = { actor: auth };
    this.#sessions?.admit(client, auth);
    this.state.presence.set(
      client.sessionId,
      createPresence({
        sessionId: client.sessionId,
        name,
        role,
        color: presenceColor(this.#joined),
        device: parsed.data.device ?? 'desktop',
        joinedAt: Date.now(),
      }),
    );
    this.#joined += 1;
    this.#sendMarkers(client);
  }

  #sendMarkers(client: Client<ClientData>): void {
    client.send('markers', {
      missionId: this.#mission.id,
      markers: this.#markers,
      ...(this.#baselineMarkers === null ? {} : { baselineMarkers: this.#baselineMarkers }),
    });
  }

  override onLeave(client: Client<ClientData>): void {
    this.state.presence.delete(client.sessionId);
    this.#sessions?.release(client);
  }

  override onDispose(): void {
    this.#unwatch?.();
    this.#sessions?.dispose();
  }

  /** The playback clock: fold the twin to where the playhead is now; complete at the end. */
  #tick(): void {
    if (this.#busy) return;
    const mission = this.#mission;
    const t = playheadT(mission, this.#now());
    if (mission.state === 'active' && playheadAtEnd(mission, this.#now()) && !this.#completing) {
      this.#completing = true;
      void this.#deps.missions
        .control(mission.id, { type: 'complete' }, PLAYBACK_ACTOR)
        .finally(() => (this.#completing = false));
    }
    if (t === this.#cursor.t) return;
    void this.#moveTo(t);
  }

  async #moveTo(t: number): Promise<void> {
    this.#busy = true;
    try {
      const { rebuilt, events } = await this.#cursor.seek(t);
      if (rebuilt) this.#sync.full(this.#cursor.twin);
      else if (events.length > 0) this.#sync.apply(this.#cursor.twin, events);
      this.state.mission.t = t;
    } catch (error) {
      this.#deps.log.error(`replay ${this.#mission.id}: moving to ${t} failed`, error);
      await this.#deps.missions.control(
        this.#mission.id,
        { type: 'fail', reason: `the log could not be read at ${new Date(t).toISOString()}` },
        PLAYBACK_ACTOR,
      );
    } finally {
      this.#busy = false;
    }
  }

  async #openCursor(mission: Mission): Promise<void> {
    const log =
      mission.kind === 'branch'
        ? await branchReplayLog(this.#deps.storage, mission.id, this.#deps.plant)
        : await storeReplayLog(this.#deps.storage, mission.fromT, mission.toT);
    this.#cursor = new ReplayCursor(this.#deps.plant, log, mission.toT);
  }

  #onMissionChanged(mission: Mission): void {
    const grown = mission.toT !== this.#mission.toT;
    this.#mission = mission;
    this.#writeMission(mission);
    if (grown) {
      // A capture around a capsule grew to the capsule's end when it started: read the new span.
      void this.#deps.storage
        .capsuleEvents(mission.fromT, mission.toT, MAX_MARKERS)
        .then((events) => {
          this.#markers = markersOf(events);
          this.broadcast('markers', { missionId: mission.id, markers: this.#markers });
        });
      this.#busy = true;
      void this.#openCursor(mission).finally(() => (this.#busy = false));
      return;
    }
    // A seek, pause or speed change moves the twin now rather than at the next clock tick.
    this.#tick();
  }

  #writeMission(mission: Mission): void {
    const m = this.state.mission;
    m.id = mission.id;
    m.title = mission.title;
    m.kind = mission.kind;
    m.state = mission.state;
    m.fromT = mission.fromT;
    m.toT = mission.toT;
    m.anchorT = mission.playhead.anchorT;
    m.anchorWall = mission.playhead.anchorWall;
    m.speed = mission.playhead.speed;
    m.playing = mission.playhead.playing;
    if (m.t === undefined) m.t = mission.playhead.anchorT;
  }

  #addAnnotation(annotation: MissionAnnotation): void {
    const entry = new AnnotationState();
    entry.id = annotation.id;
    entry.t = annotation.t;
    entry.text = annotation.text;
    entry.equipmentId = annotation.equipmentId ?? '';
    entry.capsuleId = annotation.capsuleId ?? '';
    entry.author = annotation.actor.name;
    const author = [...this.state.presence.values()].find((p) => p.name === annotation.actor.name);
    entry.color = author?.color ?? '#ffffff';
    this.state.annotations.set(annotation.id, entry);
  }

  #onControl(client: Client<ClientData>, body: unknown): void {
    const requestId = requestIdOf(body);
    const parsed = CONTROL_MESSAGE.safeParse(body);
    if (!parsed.success) {
      this.#deps.metrics.reject('invalid_control');
      const problem = firstProblem(parsed.error);
      client.send('control', {
        requestId,
        ok: false,
        code: 'invalid_control',
        field: problem.field,
        reason: `control ${problem.text}`,
        allowed: ['start', 'pause', 'resume', 'stop', 'seek', 'speed'],
      } satisfies ControlAck);
      return;
    }
    const control = { ...parsed.data };
    delete control.requestId;
    const actor = this.#actor(client);
    if (!permits(actor.role, 'mission.control')) {
      this.#deps.metrics.reject('not_permitted');
      client.send('control', {
        requestId,
        ok: false,
        code: 'not_permitted',
        field: 'type',
        reason: refusal(actor.role, 'mission.control'),
        allowed: [],
      } satisfies ControlAck);
      return;
    }
    void this.#deps.missions.control(this.#mission.id, control as MissionControl, actor).then(
      (result) =>
        this.#guard(client, 'control', () => {
          if (!result.ok) {
            this.#deps.metrics.reject(result.code);
            client.send('control', {
              requestId,
              ok: false,
              code: result.code,
              field: result.field,
              reason: result.reason,
              allowed: result.allowed,
            } satisfies ControlAck);
            return;
          }
          const m = result.mission;
          client.send(
            'control',
            {
              requestId,
              ok: true,
              state: m.state,
              t: m.playhead.anchorT,
              speed: m.playhead.speed,
            } satisfies ControlAck,
            { afterNextPatch: true },
          );
        }),
      (error: unknown) =>
        this.#guard(client, 'control', () => {
          throw error;
        }),
    );
  }

  #onCommand(client: Client<ClientData>, body: unknown): void {
    const parsed = parseCommand(body);
    if (!parsed.ok) {
      this.#deps.metrics.reject(parsed.code);
      client.send('ack', {
        commandId: parsed.commandId,
        status: 'rejected',
        code: parsed.code,
        reason: parsed.reason,
      });
      return;
    }
    const command = parsed.command;
    if (PLANT_COMMANDS.has(command.type)) {
      this.#deps.metrics.reject('read_only');
      client.send('ack', {
        commandId: command.commandId,
        status: 'rejected',
        code: 'read_only',
        reason: `a replay is read-only: ${command.type} would move the live plant; go back to LIVE to operate it`,
      });
      return;
    }
    const actor = this.#actor(client);
    if (!permits(actor.role, command.type)) {
      this.#deps.metrics.reject('not_permitted');
      client.send('ack', {
        commandId: command.commandId,
        status: 'rejected',
        code: 'not_permitted',
        reason: `${actor.name}: ${refusal(actor.role, command.type)}`,
      });
      return;
    }
    // Capsule commands and notes in a replay are the team's annotations at the playhead.
    const capsuleId = 'capsuleId' in command ? (command.capsuleId ?? null) : null;
    const capsule = capsuleId === null ? undefined : this.state.capsules.get(capsuleId);
    const note = 'note' in command ? command.note : undefined;
    const text =
      command.type === 'annotation.add'
        ? command.text
        : `${command.type.replace('capsule.', '')}${note === undefined ? '' : `: ${note}`}`;
    const equipmentId =
      command.type === 'annotation.add'
        ? (command.equipmentId ?? capsule?.equipmentId ?? null)
        : (capsule?.equipmentId ?? null);
    void this.#deps.missions
      .annotate(
        this.#mission.id,
        {
          t: this.state.mission.t,
          text,
          equipmentId,
          capsuleId,
          command: command.type === 'annotation.add' ? null : command.type,
        },
        actor,
      )
      .then(
        () =>
          this.#guard(client, 'command', () =>
            client.send(
              'ack',
              { commandId: command.commandId, status: 'accepted' },
              { afterNextPatch: true },
            ),
          ),
        (error: unknown) =>
          this.#guard(client, 'command', () => {
            throw error;
          }),
      );
  }

  #onPresence(client: Client<ClientData>, body: unknown): void {
    const parsed = PRESENCE_MESSAGE.safeParse(body);
    if (!parsed.success) {
      this.#deps.metrics.reject('invalid_presence');
      client.send('ack', {
        commandId: null,
        status: 'rejected',
        code: 'invalid_presence',
        reason: `presence ${firstProblem(parsed.error).text}`,
      });
      return;
    }
    const presence = this.state.presence.get(client.sessionId);
    if (presence !== undefined) applyPresence(presence, parsed.data);
  }

  #actor(client: Client<ClientData>): Actor {
    return (
      client.userData?.actor ?? { id: client.sessionId, name: 'unknown', role: 'viewer' as const }
    );
  }

  /** Runs a handler; a bug inside it is logged and answered, never thrown into Colyseus. */
  #guard(client: Client<ClientData>, type: string, handler: () => void): void {
    guardMessage(this.#deps, 'replay', client, type, handler);
  }
}

function markersOf(events: readonly TwinEvent[]): ReplayMarker[] {
  const markers: ReplayMarker[] = [];
  for (const event of events) {
    if (event.type === 'capsule.raised') {
      markers.push({
        t: event.t,
        kind: 'raised',
        capsuleId: event.capsule.id,
        severity: event.capsule.severity,
        action: null,
        title: event.capsule.title,
      });
    } else if (event.type === 'capsule.changed') {
      // A capsule leaves the twin by reaching a closed state: that is its resolve marker.
      const closed = event.changes.state === 'resolved' || event.changes.state === 'dismissed';
      markers.push({
        t: event.t,
        kind: closed ? 'resolved' : 'changed',
        capsuleId: event.capsuleId,
        severity: null,
        action: event.action,
        title: null,
      });
    }
  }
  return markers;
}

function requestIdOf(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const id = (body as Record<string, unknown>)['requestId'];
  return typeof id === 'string' && id.length <= 128 ? id : null;
}
