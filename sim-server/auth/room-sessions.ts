/**
 * Signed-in room connections, shared by the plant and replay rooms: `onAuth` verifies the token
 * (the actor comes from it, never from join options); each connection is closed with 4401 when
 * its token expires or its user is revoked (sign-out, disable, role change), and with 4429 when
 * it floods messages beyond ROOM_MESSAGES_PER_S (counted in /metrics). A client extends its
 * connection by sending a fresh access token as a `token` message.
 */
import { ServerError } from '@colyseus/core';
import type { Client } from '@colyseus/core';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { HttpError } from '../http/http-error.js';
import type { Logger } from '../logger.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import type { AuthService, SignedInActor } from './auth-service.js';

/** WebSocket close codes: the session ended (sign in again) / too many messages. */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FLOOD = 4429;

export interface RoomSessionsDeps {
  auth: AuthService;
  metrics: ServerMetrics;
  log: Logger;
  roomMessagesPerS: number;
}

interface Seat {
  client: Client;
  actor: SignedInActor;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** The longest a timer can wait (setTimeout's 32-bit limit). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class RoomSessions {
  readonly #deps: RoomSessionsDeps;
  readonly #seats = new Map<string, Seat>();
  /** Sessions closed by the server: their seats must not be held for a reconnection. */
  readonly #ended = new Set<string>();
  readonly #limiter: RateLimiterMemory;
  readonly #unsubscribe: () => void;

  constructor(deps: RoomSessionsDeps) {
    this.#deps = deps;
    this.#limiter = new RateLimiterMemory({ points: deps.roomMessagesPerS, duration: 1 });
    this.#unsubscribe = deps.auth.onRevoke((userId) => this.#revoke(userId));
  }

  /** For `onAuth`: the actor a join's token proves, or a 401 ServerError naming why not. */
  async authenticate(options: unknown, contextToken: string | undefined): Promise<SignedInActor> {
    const fromOptions =
      typeof options === 'object' && options !== null
        ? (options as Record<string, unknown>)['token']
        : undefined;
    const token = typeof fromOptions === 'string' ? fromOptions : contextToken;
    try {
      return await this.#deps.auth.verifyAccess(token);
    } catch (error) {
      this.#deps.metrics.reject('unauthenticated');
      if (error instanceof HttpError) throw new ServerError(401, error.message);
      throw error;
    }
  }

  /** Seats a joined client: its actor, and the timer that ends it when the token expires. */
  admit(client: Client, actor: SignedInActor): void {
    const seat: Seat = { client, actor, timer: undefined };
    this.#seats.set(client.sessionId, seat);
    this.#ended.delete(client.sessionId);
    this.#arm(seat);
  }

  actorOf(client: Client): SignedInActor | undefined {
    return this.#seats.get(client.sessionId)?.actor;
  }

  /** Whether a dropped client's seat may be held for a reconnection (not if the server ended it). */
  mayReconnect(client: Client): boolean {
    return !this.#ended.has(client.sessionId);
  }

  /** Forgets a client that left for good. */
  release(client: Client): void {
    const seat = this.#seats.get(client.sessionId);
    if (seat?.timer !== undefined) clearTimeout(seat.timer);
    this.#seats.delete(client.sessionId);
    this.#ended.delete(client.sessionId);
  }

  /**
   * Counts one message against the client's rate and runs `handler`; a flood closes the
   * connection with 4429. Messages run in the order they arrived.
   */
  receive(client: Client, handler: () => void): void {
    if (this.#ended.has(client.sessionId)) return;
    this.#limiter.consume(client.sessionId).then(
      () => {
        if (!this.#ended.has(client.sessionId)) handler();
      },
      () => this.#end(client, CLOSE_FLOOD, 'flood', 'too many messages; the connection was closed'),
    );
  }

  /**
   * Registers `handler` for one message type on `room`: each message counts against the
   * sender's rate (`receive`) and runs inside the room's `guard`.
   */
  handle<C extends Client>(
    room: { onMessage(type: string, callback: (client: C, body: unknown) => void): unknown },
    type: string,
    guard: (client: C, type: string, run: () => void) => void,
    handler: (client: C, body: unknown) => void,
  ): void {
    room.onMessage(type, (client, body) =>
      this.receive(client, () => guard(client, type, () => handler(client, body))),
    );
  }

  /** A `token` message: a fresh access token of the same user extends the connection. */
  async renew(client: Client, body: unknown): Promise<void> {
    const seat = this.#seats.get(client.sessionId);
    if (seat === undefined) return;
    const token =
      typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['token'] : '';
    try {
      const actor = await this.#deps.auth.verifyAccess(typeof token === 'string' ? token : '');
      if (actor.id !== seat.actor.id) throw new HttpError(401, 'invalid_token', 'another user');
      seat.actor = actor;
      this.#arm(seat);
      client.send('session', { ok: true, expiresAt: actor.expiresAt, role: actor.role });
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'invalid token';
      client.send('session', { ok: false, reason });
    }
  }

  dispose(): void {
    this.#unsubscribe();
    for (const seat of this.#seats.values()) if (seat.timer !== undefined) clearTimeout(seat.timer);
    this.#seats.clear();
  }

  #arm(seat: Seat): void {
    if (seat.timer !== undefined) clearTimeout(seat.timer);
    const ms = Math.min(MAX_TIMER_MS, Math.max(0, seat.actor.expiresAt - Date.now()));
    seat.timer = setTimeout(
      () =>
        this.#end(
          seat.client,
          CLOSE_UNAUTHORIZED,
          'expired',
          'your session expired; sign in again',
        ),
      ms,
    );
  }

  #revoke(userId: string): void {
    for (const seat of [...this.#seats.values()]) {
      if (seat.actor.id === userId)
        this.#end(
          seat.client,
          CLOSE_UNAUTHORIZED,
          'revoked',
          'your session was revoked; sign in again',
        );
    }
  }

  #end(client: Client, code: number, why: string, message: string): void {
    if (this.#ended.has(client.sessionId)) return;
    this.#ended.add(client.sessionId);
    this.#deps.metrics.roomDisconnects.inc({ reason: why });
    this.#deps.log.info(`room: closing ${client.sessionId} (${why})`);
    try {
      client.send('session', { ok: false, reason: message, code });
      client.leave(code, message);
    } catch {
      // Already gone.
    }
  }
}
