import { Client, getStateCallbacks } from 'colyseus.js';
import type { Room } from 'colyseus.js';
import type { Command, CommandAck } from '../../digital-twin/index.js';
import { backoffDelay } from './backoff.js';
import type { RoomCapsule } from './room-capsule.js';

/** The room the live plant is served in. */
export const PLANT_ROOM = 'plant';

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
}

/** What the scene needs to hear from the room; every room (first or after a reconnect) calls these. */
export interface RoomListener {
  /** A new room arrived: forget everything shown, the room's full state follows. */
  reset(): void;
  sensor(id: string, sensor: RoomSensor): void;
  capsule(capsule: RoomCapsule): void;
  capsuleRemoved(id: string): void;
  presence(sessionId: string, presence: RoomPresence | null): void;
  status(status: ConnectionStatus, detail: string): void;
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
  readonly #joinOptions: Record<string, unknown>;
  #room: Room | null = null;
  #status: ConnectionStatus = 'connecting';
  #closed = false;
  #attempt = 0;
  readonly #pending = new Map<
    string,
    { resolve: (ack: CommandAck) => void; timer: ReturnType<typeof setTimeout> }
  >();
  #commandCounter = 0;

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
    this.#setStatus('connecting', 'joining the plant room');
    const room = await this.#client.joinOrCreate(PLANT_ROOM, this.#joinOptions);
    this.#adopt(room);
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

  /** Tell others what this client points at. */
  sendPresence(presence: {
    selection?: string | null;
    cursor?: { x: number; y: number; z: number } | null;
    device?: 'xr' | 'desktop';
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
    /* eslint-enable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unnecessary-type-assertion */
    room.onMessage('ack', (ack: CommandAck) => {
      const pending = this.#pending.get(ack.commandId);
      if (pending === undefined) return;
      clearTimeout(pending.timer);
      this.#pending.delete(ack.commandId);
      pending.resolve(ack);
    });
    // Discrete happenings the state already reflects; registered so they are not "unhandled".
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
          : await this.#client.joinOrCreate(PLANT_ROOM, this.#joinOptions);
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
