import { Client, getStateCallbacks } from 'colyseus.js';
import type { Room } from 'colyseus.js';
import type { Command, CommandAck } from '../../digital-twin/index.js';
import { backoffDelay } from './backoff.js';
import type { RoomCapsule } from './room-capsule.js';

/** The room the live plant is served in. */
export const PLANT_ROOM = 'plant';
/** The room a mission is replayed in (one per mission, found by `missionId`). */
export const REPLAY_ROOM = 'replay';

/** Colyseus closes with this code when the client itself left on purpose. */
const CONSENTED_LEAVE = 4000;

/** An ack that does not arrive in this long is reported as lost, never waited on forever. */
const ACK_TIMEOUT_MS = 10_000;

export type ConnectionStatus = 'connecting' | 'online' | 'reconnecting' | 'offline';

/** Fields of the room's sensor and presence entries the client reads. */
export interface RoomSensor {
  value: number;
  quality: string;
  t: number;
}
export interface RoomPresence {
  sessionId: string;
  name: string;
  color: string;
  selection: string;
  hasCursor: boolean;
  cursorX: number;
  cursorY: number;
  cursorZ: number;
  device: string;
  hasHead: boolean;
  headX: number;
  headY: number;
  headZ: number;
  headYaw: number;
  headPitch: number;
  hasLeftHand: boolean;
  leftX: number;
  leftY: number;
  leftZ: number;
  hasRightHand: boolean;
  rightX: number;
  rightY: number;
  rightZ: number;
}

/** The mission a replay room plays (rooms/plant-state.ts MissionPlayState); id '' when live. */
export interface RoomMission {
  id: string;
  title: string;
  kind: string;
  state: string;
  fromT: number;
  toT: number;
  t: number;
  anchorT: number;
  anchorWall: number;
  speed: number;
  playing: boolean;
}

/**
 * A capsule raise, resolve (or dismissal: `action` says which) or other change on a replay's
 * timeline (sent by the replay room on join).
 */
export interface TimelineMarker {
  t: number;
  kind: 'raised' | 'resolved' | 'changed';
  capsuleId: string;
  severity: string | null;
  action: string | null;
  title: string | null;
}

export interface RoomAnnotation {
  id: string;
  t: number;
  text: string;
  equipmentId: string;
  capsuleId: string;
  author: string;
  color: string;
}

/** A plant-writing command waiting for this user's confirmation (the plant room's question). */
export interface ConfirmRequest {
  commandId: string;
  summary: string;
  interlocks: { ok: boolean; checked: string[]; reason?: string };
  expiresAt: number;
  timeoutS: number;
}

/** What a replay control is answered with. */
export interface ControlAnswer {
  requestId: string | null;
  ok: boolean;
  state?: string;
  code?: string;
  field?: string;
  reason?: string;
}

export type ReplayControl =
  | { type: 'start' | 'pause' | 'resume' | 'stop' }
  | { type: 'seek'; t: number }
  | { type: 'speed'; speed: number };

/** What the scene needs to hear from the room; every room (first or after a reconnect) calls these. */
export interface RoomListener {
  /** A new room arrived: forget everything shown, the room's full state follows. */
  reset(): void;
  /** The server asks to confirm a plant-writing command before anything moves. */
  confirmRequest?(request: ConfirmRequest): void;
  /** What the simulator predicts the command would do, after its confirmation request. */
  confirmDryRun?(dryRun: { commandId: string; expectedOutcome: string; horizonMs: number }): void;
  /** The server ended this connection's session (expired, revoked, flood); no reconnect. */
  sessionEnded?(reason: string): void;
  sensor(id: string, sensor: RoomSensor): void;
  capsule(capsule: RoomCapsule): void;
  capsuleRemoved(id: string): void;
  presence(sessionId: string, presence: RoomPresence | null): void;
  status(status: ConnectionStatus, detail: string): void;
  /** The room's mode and mission changed (replay rooms; live sends mode 'live' once). */
  mission?(mode: 'live' | 'replay', mission: RoomMission): void;
  /** A branch's timeline also gets its baseline's markers, for a second row. */
  markers?(markers: TimelineMarker[], baselineMarkers: TimelineMarker[] | null): void;
  annotation?(annotation: RoomAnnotation): void;
  /** A what-if branch forked from this replay was queued, progressed, finished or failed. */
  branch?(job: { missionId: string; status: string; progress: number; error: string | null }): void;
}

/**
 * The client's one connection to the plant room: joins, mirrors state into a listener,
 * reconnects with back-off (`reconnect(token)` first, a fresh join if the token has expired),
 * and sends commands. A command sent while not online is refused at once with code `offline`:
 * it is never queued and never silently lost.
 */
export class PlantConnection {
  readonly #client: Client;
  readonly #listener: RoomListener;
  #joinOptions: Record<string, unknown>;
  /** The room joined (and rejoined after a drop): the plant, or a mission's replay. */
  #roomName = PLANT_ROOM;
  #roomOptions: Record<string, unknown> = {};
  #room: Room | null = null;
  #controlCounter = 0;
  readonly #controls = new Map<string, (answer: ControlAnswer) => void>();
  #status: ConnectionStatus = 'connecting';
  #closed = false;
  #attempt = 0;
  readonly #pending = new Map<
    string,
    { resolve: (ack: CommandAck) => void; timer: ReturnType<typeof setTimeout> }
  >();
  #commandCounter = 0;

  /** Why the server ended this session, once it said so. */
  #ended: string | null = null;

  constructor(endpoint: string, listener: RoomListener, joinOptions: Record<string, unknown> = {}) {
    this.#client = new Client(endpoint);
    this.#listener = listener;
    this.#joinOptions = joinOptions;
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  get sessionId(): string | null {
    return this.#room?.sessionId ?? null;
  }

  /** Join the room; resolves once joined, rejects if the first join fails. */
  async connect(): Promise<void> {
    this.#setStatus('connecting', `joining the ${this.#roomName} room`);
    const room = await this.#client.joinOrCreate(this.#roomName, this.#options());
    this.#adopt(room);
  }

  /** Which room this connection is in: the live plant or a replay. */
  get roomName(): string {
    return this.#roomName;
  }

  /**
   * Moves to another room — a mission's replay, or back to the live plant. The new room is
   * joined before the old one is left, so a failed join leaves the client where it was.
   */
  async switchRoom(roomName: string, options: Record<string, unknown> = {}): Promise<void> {
    const room = await this.#client.joinOrCreate(roomName, { ...this.#joinOptions, ...options });
    const old = this.#room;
    this.#roomName = roomName;
    this.#roomOptions = options;
    this.#failPending('the client moved to another room');
    this.#adopt(room);
    if (old !== null) await old.leave(true).catch(() => undefined);
  }

  /** Sends a playback control to the replay room; resolves with its answer. */
  sendControl(control: ReplayControl): Promise<ControlAnswer> {
    const room = this.#room;
    if (room === null || this.#status !== 'online' || this.#roomName !== REPLAY_ROOM) {
      return Promise.resolve({
        requestId: null,
        ok: false,
        code: 'offline',
        reason: 'not in a replay room',
      });
    }
    this.#controlCounter += 1;
    const requestId = `c${this.#controlCounter}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#controls.delete(requestId);
        resolve({ requestId, ok: false, code: 'no_ack', reason: 'no answer from the server' });
      }, ACK_TIMEOUT_MS);
      this.#controls.set(requestId, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      room.send('control', { ...control, requestId });
    });
  }

  #options(): Record<string, unknown> {
    return { ...this.#joinOptions, ...this.#roomOptions };
  }

  /** A command id unique to this page. */
  nextCommandId(): string {
    this.#commandCounter += 1;
    return `${this.sessionId ?? 'offline'}-${Date.now().toString(36)}-${this.#commandCounter}`;
  }

  /** Send a command; resolves with its ack (a local rejection when offline or when none comes). */
  sendCommand(command: Command): Promise<CommandAck> {
    const room = this.#room;
    if (room === null || this.#status !== 'online') {
      return Promise.resolve({
        commandId: command.commandId,
        status: 'rejected',
        code: 'offline',
        reason: `not connected (${this.#status}): the command was not sent`,
      });
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(command.commandId);
        resolve({
          commandId: command.commandId,
          status: 'rejected',
          code: 'no_ack',
          reason: `no answer from the server within ${ACK_TIMEOUT_MS / 1000} s`,
        });
      }, ACK_TIMEOUT_MS);
      this.#pending.set(command.commandId, { resolve, timer });
      room.send('command', command);
    });
  }

  /** Confirms (or cancels) a pending plant-writing command; its ack resolves sendCommand. */
  sendConfirm(commandId: string, confirmed: boolean): void {
    if (this.#status === 'online')
      this.#room?.send(confirmed ? 'confirm' : 'cancel', { commandId });
  }

  /** A fresh access token: used for later joins and passed to the room to extend the session. */
  setToken(token: string): void {
    this.#joinOptions = { ...this.#joinOptions, token };
    if (this.#status === 'online') this.#room?.send('token', { token });
  }

  /** Tell others what this client points at. */
  sendPresence(presence: {
    selection?: string | null;
    cursor?: { x: number; y: number; z: number } | null;
    device?: 'xr' | 'desktop';
    head?: { x: number; y: number; z: number; yaw: number; pitch: number } | null;
    leftHand?: { x: number; y: number; z: number } | null;
    rightHand?: { x: number; y: number; z: number } | null;
  }): void {
    if (this.#status === 'online') this.#room?.send('presence', presence);
  }

  /** Drop the socket as a network failure would (tests use it): the client then reconnects. */
  simulateDrop(): void {
    this.#room?.connection.close(4999, 'simulated network drop');
  }

  /** Leave for good. */
  async close(): Promise<void> {
    this.#closed = true;
    const room = this.#room;
    this.#room = null;
    if (room !== null) await room.leave(true);
    this.#setStatus('offline', 'closed');
  }

  #adopt(room: Room): void {
    this.#room = room;
    this.#attempt = 0;
    this.#listener.reset();
    const $ = getStateCallbacks(room);
    // The server's schema is decoded by reflection; these are its field names (rooms/plant-state.ts).
    /* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unnecessary-type-assertion */
    const state = $(room.state as any) as any;
    state.sensors.onAdd((sensor: RoomSensor, id: string) => {
      this.#listener.sensor(id, sensor);
      $(sensor as any).onChange(() => this.#listener.sensor(id, sensor));
    });
    state.capsules.onAdd((capsule: RoomCapsule) => {
      this.#listener.capsule(capsule);
      $(capsule as any).onChange(() => this.#listener.capsule(capsule));
    });
    state.capsules.onRemove((_capsule: RoomCapsule, id: string) =>
      this.#listener.capsuleRemoved(id),
    );
    state.presence.onAdd((presence: RoomPresence, id: string) => {
      this.#listener.presence(id, presence);
      $(presence as any).onChange(() => this.#listener.presence(id, presence));
    });
    state.presence.onRemove((_presence: RoomPresence, id: string) =>
      this.#listener.presence(id, null),
    );
    // The mission bar follows the room's mode and playhead: checked after each patch and told
    // only when something it shows changed.
    let told = '';
    room.onStateChange((roomState: any) => {
      const m = roomState.mission as RoomMission | undefined;
      if (m === undefined) return;
      const mode = roomState.mode === 'replay' ? 'replay' : 'live';
      const key = `${mode}|${m.id}|${m.state}|${m.fromT}|${m.toT}|${m.t}|${m.anchorT}|${m.anchorWall}|${m.speed}|${m.playing}`;
      if (key === told) return;
      told = key;
      this.#listener.mission?.(mode, {
        id: m.id,
        title: m.title,
        kind: m.kind,
        state: m.state,
        fromT: m.fromT,
        toT: m.toT,
        t: m.t,
        anchorT: m.anchorT,
        anchorWall: m.anchorWall,
        speed: m.speed,
        playing: m.playing,
      });
    });
    state.annotations.onAdd((annotation: RoomAnnotation) =>
      this.#listener.annotation?.(annotation),
    );
    /* eslint-enable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unnecessary-type-assertion */
    room.onMessage('ack', (ack: CommandAck) => {
      const pending = this.#pending.get(ack.commandId);
      if (pending === undefined) return;
      clearTimeout(pending.timer);
      this.#pending.delete(ack.commandId);
      pending.resolve(ack);
    });
    // Discrete happenings the state already reflects; registered so they are not "unhandled".
    room.onMessage('control', (answer: ControlAnswer) => {
      const resolve = answer.requestId === null ? undefined : this.#controls.get(answer.requestId);
      if (resolve === undefined) return;
      this.#controls.delete(answer.requestId as string);
      resolve(answer);
    });
    room.onMessage(
      'markers',
      (body: { markers: TimelineMarker[]; baselineMarkers?: TimelineMarker[] }) =>
        this.#listener.markers?.(body.markers, body.baselineMarkers ?? null),
    );
    room.onMessage(
      'branch',
      (body: {
        job: { missionId: string; status: string; progress: number; error: string | null };
      }) => this.#listener.branch?.(body.job),
    );
    // Asked for once the handler is in place: a message sent while joining may come too early.
    if (this.#roomName === REPLAY_ROOM) room.send('markers', {});
    room.onMessage(
      'confirm.dryRun',
      (body: { commandId: string; expectedOutcome: string; horizonMs: number }) =>
        this.#listener.confirmDryRun?.(body),
    );
    room.onMessage('confirm.request', (request: ConfirmRequest) => {
      // The ack now waits for a person: give it the confirmation window and some slack.
      const pending = this.#pending.get(request.commandId);
      if (pending !== undefined) {
        clearTimeout(pending.timer);
        pending.timer = setTimeout(
          () => {
            this.#pending.delete(request.commandId);
            pending.resolve({
              commandId: request.commandId,
              status: 'rejected',
              code: 'no_ack',
              reason: 'no answer from the server after the confirmation window',
            });
          },
          request.timeoutS * 1000 + ACK_TIMEOUT_MS,
        );
      }
      this.#listener.confirmRequest?.(request);
    });
    room.onMessage('session', (body: { ok: boolean; reason?: string; code?: number }) => {
      if (!body.ok && body.code !== undefined) {
        this.#ended = body.reason ?? 'your session ended';
      }
    });
    room.onMessage('capsule', () => {});
    room.onMessage('command', () => {});
    room.onMessage('*', () => {});
    room.onLeave((code) => {
      if (this.#room !== room) return;
      this.#room = null;
      if (this.#closed || code === CONSENTED_LEAVE) {
        this.#setStatus('offline', 'left the room');
        return;
      }
      // 4401: the session expired or was revoked; 4429: flooding. Reconnecting cannot help.
      if (code === 4401 || code === 4429 || this.#ended !== null) {
        this.#closed = true;
        const reason = this.#ended ?? `the server closed the connection (${code})`;
        this.#failPending(reason);
        this.#setStatus('offline', reason);
        this.#listener.sessionEnded?.(reason);
        return;
      }
      this.#failPending('the connection dropped before the server answered');
      void this.#reconnect(room.reconnectionToken);
    });
    this.#setStatus('online', `joined as ${room.sessionId}`);
  }

  async #reconnect(token: string): Promise<void> {
    let useToken = true;
    while (!this.#closed) {
      const delay = backoffDelay(this.#attempt, Math.random());
      this.#attempt += 1;
      this.#setStatus('reconnecting', `try ${this.#attempt} in ${(delay / 1000).toFixed(1)} s`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.#closed) return;
      try {
        const room = useToken
          ? await this.#client.reconnect(token)
          : await this.#client.joinOrCreate(this.#roomName, this.#options());
        this.#adopt(room);
        return;
      } catch (error) {
        // A token the server no longer holds (it waited its reconnection window) cannot work
        // again: join afresh from then on.
        const message = error instanceof Error ? error.message : String(error);
        if (/expired|not found|invalid|reconnection/i.test(message)) useToken = false;
        this.#setStatus('reconnecting', `try ${this.#attempt} failed: ${message}`);
      }
    }
  }

  #failPending(reason: string): void {
    for (const [commandId, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.resolve({ commandId, status: 'rejected', code: 'connection_lost', reason });
    }
    this.#pending.clear();
  }

  #setStatus(status: ConnectionStatus, detail: string): void {
    this.#status = status;
    this.#listener.status(status, detail);
  }
}
