/**
 * The live plant room: one per server, shared by every client. Holds the twin as schema state
 * (patched every PATCH_RATE_MS), sends discrete happenings as messages, and turns `command`
 * messages into decisions of the live engine. Every command message gets exactly one `ack`;
 * nothing a client sends can throw out of a handler or stop the room.
 */
import { Room, ServerError } from '@colyseus/core';
import type { AuthContext, Client } from '@colyseus/core';
import type { Encoder } from '@colyseus/schema';
import {
  checkInterlocks,
  describeCommand,
  isPlantWriting,
  permits,
  refusal,
} from '../../digital-twin/index.js';
import type { Command, CommandAck, TwinEvent, TwinState } from '../../digital-twin/index.js';
import type { AuthService, SignedInActor } from '../auth/auth-service.js';
import { RoomSessions } from '../auth/room-sessions.js';
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
  auth: AuthService;
  /** Seconds a plant-writing command waits for its confirmation. */
  confirmTimeoutS: number;
  roomMessagesPerS: number;
  patchRateMs: number;
  durableSeq(): number;
  /**
   * D-11: what a plant-writing command would do over the next minutes (a dry run on a copy of
   * the live run, off the event loop); its outcome follows the confirmation request.
   */
  dryRun?(command: Command, actor: SignedInActor): Promise<DryRunAnswer>;
}

/** What the confirmation dialog is told of a dry run (`confirm.dryRun`). */
export interface DryRunAnswer {
  status: 'accepted' | 'rejected';
  reason: string | null;
  horizonMs: number;
  expectedOutcome: string;
  baseline: string;
  timelineDeltas: unknown[];
  /** The few sensors that differ most, without their trends. */
  sensorDeltas: unknown[];
}

/** A plant-writing command waiting for its sender's confirmation (SPEC P-4). */
interface PendingCommand {
  command: Command;
  actor: SignedInActor;
  sessionId: string;
  source: string;
  expiresAt: number;
  timer: ReturnType<typeof setTimeout>;
}

/** The body of `confirm` and `cancel`: which pending command. */
function pendingIdOf(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const id = (body as Record<string, unknown>)['commandId'];
  return typeof id === 'string' && id.length > 0 && id.length <= 128 ? id : null;
}

/** What a rejected non-command message is answered with. */
type RejectionAck = { commandId: string | null; status: 'rejected'; code: string; reason: string };

interface ClientData {
  actor: SignedInActor;
  /** The address the connection came from, for the audit trail. */
  source: string;
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
  #sessions: RoomSessions | undefined;
  /** Pending plant-writing commands by `<userId> <commandId>`. */
  readonly #pending = new Map<string, PendingCommand>();
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
    this.#sessions = new RoomSessions(this.#deps);

    const sessions = this.#sessions;
    const on = (type: string, handler: (client: Client<ClientData>, body: unknown) => void): void =>
      sessions.handle<Client<ClientData>>(
        this,
        type,
        (c, t, run) => this.#guard(c, t, run),
        handler,
      );
    on('command', (client, body) => this.#onCommand(client, body));
    on('confirm', (client, body) => this.#onConfirm(client, body, true));
    on('cancel', (client, body) => this.#onConfirm(client, body, false));
    on('presence', (client, body) => this.#onPresence(client, body));
    on('token', (client, body) => void this.#sessions?.renew(client, body));
    this.onMessage('*', (client: Client<ClientData>, type, body) =>
      this.#sessions?.receive(client, () =>
        this.#guard(client, String(type), () => {
          this.#refuse(
            client,
            'unknown_message',
            `message type ${JSON.stringify(type)} is not one of command, confirm, cancel, presence, token`,
            body,
          );
        }),
      ),
    );
  }

  /** Every join needs a valid access token; the actor comes from it (never from join options). */
  override async onAuth(
    _client: Client<ClientData>,
    options: unknown,
    context: AuthContext,
  ): Promise<SignedInActor> {
    const sessions = this.#sessions;
    if (sessions === undefined) throw new ServerError(503, 'the room is not ready');
    const actor = await sessions.authenticate(options, context.token);
    const ip = Array.isArray(context.ip) ? context.ip[0] : context.ip;
    return { ...actor, source: ip ?? 'unknown' } as SignedInActor;
  }

  override onJoin(client: Client<ClientData>, options: unknown, auth?: SignedInActor): void {
    const parsed = JOIN_OPTIONS.safeParse(options ?? {});
    if (!parsed.success) {
      this.#deps.metrics.reject('invalid_join');
      throw new ServerError(400, `join options: ${firstProblem(parsed.error).text}`);
    }
    if (auth === undefined) throw new ServerError(401, 'sign in first: no token was given');
    const { source, ...actorFields } = auth as SignedInActor & { source?: string };
    const actor: SignedInActor = actorFields;
    const { name, role } = actor;
    client.userData = { actor, source: source ?? 'unknown' };
    this.#sessions?.admit(client, actor);
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
    client.send('session', {
      ok: true,
      user: { id: actor.id, name, role },
      expiresAt: actor.expiresAt,
    });
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
    if (!consented && presence !== undefined && this.#sessions?.mayReconnect(client) !== false) {
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
    this.#sessions?.release(client);
  }

  override onDispose(): void {
    this.#unsubscribe?.();
    this.#sessions?.dispose();
    for (const pending of this.#pending.values()) clearTimeout(pending.timer);
    this.#pending.clear();
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
    const actor = client.userData?.actor;
    if (actor === undefined) return;
    const command = parsed.command;
    // P-3: the one permission table decides, before anything else happens.
    if (!permits(actor.role, command.type)) {
      this.#finish(client, command, {
        commandId: command.commandId,
        status: 'rejected',
        code: 'not_permitted',
        reason: `${actor.name}: ${refusal(actor.role, command.type)}`,
      });
      return;
    }
    if (!isPlantWriting(command.type)) {
      this.#execute(client, command, actor, {});
      return;
    }
    // P-4: a plant-writing command waits for its sender's confirmation; a blocked interlock
    // refuses it at once, naming itself.
    const twin = this.#deps.engine.twin;
    const verdict = checkInterlocks(twin, command);
    if (!verdict.ok) {
      this.#finish(client, command, {
        commandId: command.commandId,
        status: 'rejected',
        code: 'interlock',
        reason: verdict.reason,
      });
      return;
    }
    const key = `${actor.id} ${command.commandId}`;
    if (this.#pending.has(key)) {
      this.#finish(client, command, {
        commandId: command.commandId,
        status: 'rejected',
        code: 'invalid_command',
        reason: `commandId: ${command.commandId} is already waiting for its confirmation`,
      });
      return;
    }
    const timeoutMs = this.#deps.confirmTimeoutS * 1000;
    const expiresAt = Date.now() + timeoutMs;
    const pending: PendingCommand = {
      command,
      actor,
      sessionId: client.sessionId,
      source: client.userData?.source ?? 'unknown',
      expiresAt,
      timer: setTimeout(() => {
        if (this.#pending.get(key) !== pending) return;
        this.#pending.delete(key);
        const target = this.clients.getById(pending.sessionId);
        this.#finishFor(target, pending, {
          commandId: command.commandId,
          status: 'rejected',
          code: 'confirmation_expired',
          reason: `not confirmed within ${this.#deps.confirmTimeoutS} s; nothing was sent to the plant`,
        });
      }, timeoutMs),
    };
    this.#pending.set(key, pending);
    client.send('confirm.request', {
      commandId: command.commandId,
      command,
      summary: describeCommand(twin, command),
      interlocks: verdict,
      expiresAt,
      timeoutS: this.#deps.confirmTimeoutS,
    });
    // The dry run follows while the user reads the request; a late one for a command already
    // confirmed, cancelled or expired is dropped.
    void this.#deps.dryRun?.(command, actor).then(
      (answer) => {
        if (this.#pending.get(key) !== pending) return;
        const target = this.clients.getById(pending.sessionId);
        target?.send('confirm.dryRun', { commandId: command.commandId, ...answer });
      },
      (error: unknown) =>
        this.#deps.log.warn(
          `dry run of ${command.commandId} failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
    );
  }

  /** `confirm` runs a pending command of the same user; `cancel` drops it. */
  #onConfirm(client: Client<ClientData>, body: unknown, confirmed: boolean): void {
    const actor = client.userData?.actor;
    if (actor === undefined) return;
    const commandId = pendingIdOf(body);
    const key = `${actor.id} ${commandId ?? ''}`;
    const pending = this.#pending.get(key);
    if (commandId === null || pending === undefined) {
      this.#refuse(
        client,
        'unknown_confirmation',
        commandId === null
          ? 'commandId: expected the id of the command to confirm'
          : `no command ${commandId} of yours is waiting for a confirmation (it expired, ran, or was never sent)`,
        body,
      );
      return;
    }
    this.#pending.delete(key);
    clearTimeout(pending.timer);
    if (!confirmed) {
      this.#finish(client, pending.command, {
        commandId: pending.command.commandId,
        status: 'rejected',
        code: 'cancelled',
        reason: 'cancelled by you; nothing was sent to the plant',
      });
      return;
    }
    // decide() checks the interlocks again against the state at confirmation (D-10).
    this.#execute(client, pending.command, actor, { confirmed: true });
  }

  #execute(
    client: Client<ClientData>,
    command: Command,
    actor: SignedInActor,
    detail: Record<string, unknown>,
  ): void {
    const type = command.type;
    // Twin-only commands answer at once; one that moves a real actuator waits for the plant.
    this.#deps.engine.execute(command, actor).then(
      ({ ack }) => {
        if (ack.status === 'rejected') this.#deps.metrics.reject(ack.code ?? 'rejected');
        this.#guard(client, type, () => this.#finish(client, command, ack, detail));
      },
      (error: unknown) =>
        this.#guard(client, type, () => {
          throw error;
        }),
    );
  }

  /** Answers a command's sender and leaves exactly one audit record of its outcome. */
  #finish(
    client: Client<ClientData>,
    command: Command,
    ack: CommandAck,
    detail: Record<string, unknown> = {},
  ): void {
    const actor = client.userData?.actor;
    if (ack.status === 'rejected' && ack.code !== undefined) this.#deps.metrics.reject(ack.code);
    this.#answer(client, command.type, ack);
    if (actor !== undefined)
      this.#audit(actor, client.userData?.source ?? 'unknown', command, ack, detail);
  }

  /** Like #finish for a pending command whose sender may have left. */
  #finishFor(
    client: Client<ClientData> | undefined,
    pending: PendingCommand,
    ack: CommandAck,
  ): void {
    this.#deps.metrics.reject(ack.code ?? 'rejected');
    if (client !== undefined) this.#answer(client, pending.command.type, ack);
    this.#audit(pending.actor, pending.source, pending.command, ack, {});
  }

  #audit(
    actor: SignedInActor,
    source: string,
    command: Command,
    ack: CommandAck,
    detail: Record<string, unknown>,
  ): void {
    const target =
      'actuatorId' in command
        ? command.actuatorId
        : 'capsuleId' in command
          ? (command.capsuleId ?? null)
          : null;
    const { auth } = this.#deps;
    void auth.audit(
      auth.entry(actor, command.type, target, ack.status, ack.reason ?? null, source, {
        commandId: command.commandId,
        ...(ack.code === undefined ? {} : { code: ack.code }),
        ...detail,
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
