/**
 * The live plant room: one per server, shared by every client. Holds the twin as schema state
 * (patched every PATCH_RATE_MS), sends discrete happenings as messages, and turns `command`
 * messages into decisions of the live engine. Every command message gets exactly one `ack`;
 * nothing a client sends can throw out of a handler or stop the room.
 */
import { Room, ServerError } from '@colyseus/core';
import type { Client } from '@colyseus/core';
import type { Encoder } from '@colyseus/schema';
import type { Actor, CommandAck, TwinEvent, TwinState } from '../../digital-twin/index.js';
import { firstProblem } from '../http/zod-issues.js';
import type { LiveEngine } from '../live/live-engine.js';
import type { Logger } from '../logger.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import { parseCommand } from './command-schemas.js';
import { guardMessage } from './message-guard.js';
import { createPlantRoomState } from './plant-state.js';
import { applyPresence, createPresence, presenceColor } from './presence.js';
import type { PlantRoomState } from './plant-state.js';
import { PlantStateSync } from './plant-state-sync.js';
import type { RoomHub } from './room-hub.js';
import { JOIN_OPTIONS, PRESENCE_MESSAGE } from './room-messages.js';

export const PLANT_ROOM = 'plant';
/** Seconds a dropped client's seat is held so it can resume where it was. */
export const RECONNECT_SECONDS = 20;

export interface PlantRoomDeps {
  engine: LiveEngine;
  metrics: ServerMetrics;
  log: Logger;
  hub: RoomHub;
  patchRateMs: number;
  durableSeq(): number;
}

/** What a rejected non-command message is answered with. */
type RejectionAck = { commandId: string | null; status: 'rejected'; code: string; reason: string };

interface ClientData {
  actor: Actor;
}

/** A plant room class bound to this server's engine (Colyseus constructs rooms without arguments). */
export function plantRoomClass(deps: PlantRoomDeps): typeof PlantRoom {
  return class BoundPlantRoom extends PlantRoom {
    constructor() {
      super(deps);
    }
  };
}

export class PlantRoom extends Room<PlantRoomState, unknown, ClientData> {
  readonly #deps: PlantRoomDeps;
  #sync: PlantStateSync | undefined;
  #unsubscribe: (() => void) | undefined;
  #joined = 0;
  /** True only while broadcastPatch encodes, so the size hook counts patches, not full states. */
  #inPatch = false;

  constructor(deps: PlantRoomDeps) {
    super();
    this.#deps = deps;
  }

  override onCreate(): void {
    const { engine, metrics, patchRateMs } = this.#deps;
    this.autoDispose = false;
    this.maxClients = 1000;
    this.patchRate = patchRateMs;
    const state = createPlantRoomState(engine.plant.plant.id, engine.plant.plant.name);
    this.state = state;
    this.#sync = new PlantStateSync(state, engine.plant);
    this.#sync.full(engine.twin);
    this.#sync.setSourceRunning(engine.running);
    this.#measurePatches(metrics);
    this.#unsubscribe = engine.subscribe((events, twin) => this.#onEvents(events, twin));

    this.onMessage('command', (client, body) =>
      this.#guard(client, 'command', () => this.#onCommand(client, body)),
    );
    this.onMessage('presence', (client, body) =>
      this.#guard(client, 'presence', () => this.#onPresence(client, body)),
    );
    this.onMessage('*', (client, type, body) =>
      this.#guard(client, String(type), () => {
        this.#refuse(
          client,
          'unknown_message',
          `message type ${JSON.stringify(type)} is not one of command, presence`,
          body,
        );
      }),
    );
  }

  override onJoin(client: Client<ClientData>, options: unknown): void {
    const parsed = JOIN_OPTIONS.safeParse(options ?? {});
    if (!parsed.success) {
      this.#deps.metrics.reject('invalid_join');
      throw new ServerError(400, `join options: ${firstProblem(parsed.error).text}`);
    }
    const name = parsed.data.name ?? `Guest ${client.sessionId.slice(0, 4)}`;
    // Everyone is an operator until authentication exists; the field is where roles will go.
    const role = 'operator';
    client.userData = { actor: { id: client.sessionId, name, role } };
    const presence = createPresence({
      sessionId: client.sessionId,
      name,
      role,
      color: presenceColor(this.#joined),
      device: parsed.data.device ?? 'desktop',
      joinedAt: Date.now(),
    });
    this.state.presence.set(client.sessionId, presence);
    this.#joined += 1;
    this.#deps.hub.setClient({
      sessionId: client.sessionId,
      name,
      role,
      joinedAt: presence.joinedAt,
      connected: true,
    });
    this.#deps.log.debug(`room: ${name} joined (${client.sessionId})`);
  }

  override async onLeave(client: Client<ClientData>, consented: boolean): Promise<void> {
    const presence = this.state.presence.get(client.sessionId);
    const info = this.#deps.hub.clients().find((c) => c.sessionId === client.sessionId);
    if (!consented && presence !== undefined) {
      presence.connected = false;
      if (info !== undefined) this.#deps.hub.setClient({ ...info, connected: false });
      try {
        await this.allowReconnection(client, RECONNECT_SECONDS);
        presence.connected = true;
        if (info !== undefined) this.#deps.hub.setClient({ ...info, connected: true });
        return;
      } catch {
        // The seat expired: fall through and remove the client.
      }
    }
    this.state.presence.delete(client.sessionId);
    this.#deps.hub.removeClient(client.sessionId);
  }

  override onDispose(): void {
    this.#unsubscribe?.();
    this.#deps.hub.clearClients();
  }

  override broadcastPatch(): boolean {
    this.#sync?.setDurableSeq(this.#deps.durableSeq());
    this.#sync?.setSourceRunning(this.#deps.engine.running);
    this.#inPatch = true;
    try {
      return super.broadcastPatch();
    } finally {
      this.#inPatch = false;
    }
  }

  #onEvents(events: readonly TwinEvent[], twin: TwinState): void {
    this.#sync?.apply(twin, events);
    for (const event of events) {
      if (event.type === 'capsule.raised') {
        this.broadcast(
          'capsule',
          { kind: 'raised', seq: event.seq, t: event.t, capsule: event.capsule },
          { afterNextPatch: true },
        );
      } else if (event.type === 'capsule.changed') {
        this.broadcast(
          'capsule',
          {
            kind: 'changed',
            seq: event.seq,
            t: event.t,
            capsuleId: event.capsuleId,
            action: event.action,
            actor: event.actor,
            changes: event.changes,
            // Null once the capsule closed (resolved, dismissed): the twin keeps open ones only.
            capsule: twin.capsules.get(event.capsuleId) ?? null,
          },
          { afterNextPatch: true },
        );
      } else if (event.type === 'command.accepted') {
        this.broadcast(
          'command',
          { seq: event.seq, t: event.t, command: event.command, actor: event.actor },
          { afterNextPatch: true },
        );
      }
    }
  }

  #onCommand(client: Client<ClientData>, body: unknown): void {
    const parsed = parseCommand(body);
    if (!parsed.ok) {
      this.#deps.metrics.reject(parsed.code);
      this.#answer(client, parsed.ok ? null : bodyType(body), {
        commandId: parsed.commandId,
        status: 'rejected',
        code: parsed.code,
        reason: parsed.reason,
      });
      return;
    }
    const actor = client.userData?.actor ?? {
      id: client.sessionId,
      name: 'unknown',
      role: 'viewer',
    };
    // Twin-only commands answer at once; one that moves a real actuator waits for the plant.
    const type = parsed.command.type;
    this.#deps.engine.execute(parsed.command, actor).then(
      ({ ack }) => {
        if (ack.status === 'rejected') this.#deps.metrics.reject(ack.code ?? 'rejected');
        this.#guard(client, type, () => this.#answer(client, type, ack));
      },
      (error: unknown) =>
        this.#guard(client, type, () => {
          throw error;
        }),
    );
  }

  #onPresence(client: Client<ClientData>, body: unknown): void {
    const parsed = PRESENCE_MESSAGE.safeParse(body);
    const presence = this.state.presence.get(client.sessionId);
    if (!parsed.success) {
      this.#refuse(client, 'invalid_presence', `presence ${firstProblem(parsed.error).text}`, body);
      return;
    }
    if (presence !== undefined) applyPresence(presence, parsed.data);
  }

  /** Answers a message the room cannot use: a rejection ack (commandId null) and a count. */
  #refuse(client: Client<ClientData>, code: string, reason: string, body: unknown): void {
    this.#deps.metrics.reject(code);
    const commandId = commandIdOf(body);
    this.#answer(client, null, { commandId, status: 'rejected', code, reason });
  }

  #answer(client: Client<ClientData>, type: string | null, ack: CommandAck | RejectionAck): void {
    this.#deps.hub.recordCommand({ at: Date.now(), sessionId: client.sessionId, type, ack });
    // After the patch, so when the ack arrives the client's state already shows its effect.
    client.send('ack', ack, { afterNextPatch: true });
  }

  /** Runs a handler; a bug inside it is logged and answered, never thrown into Colyseus. */
  #guard(client: Client<ClientData>, type: string, handler: () => void): void {
    guardMessage(this.#deps, 'room', client, type, handler);
  }

  /** Counts the size of every state patch (the encoder is per state, made when state is set). */
  #measurePatches(metrics: ServerMetrics): void {
    const encoder = (this as unknown as { _serializer?: { encoder?: Encoder } })._serializer
      ?.encoder;
    if (encoder === undefined) return;
    const encode = encoder.encode.bind(encoder);
    encoder.encode = (...args: Parameters<Encoder['encode']>) => {
      const bytes = encode(...args);
      if (this.#inPatch) metrics.patchBytes.observe(bytes.length);
      return bytes;
    };
  }
}

function commandIdOf(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const id = (body as Record<string, unknown>)['commandId'];
  return typeof id === 'string' && id.length > 0 && id.length <= 128 ? id : null;
}

function bodyType(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const type = (body as Record<string, unknown>)['type'];
  return typeof type === 'string' ? type.slice(0, 64) : null;
}
