/**
 * Accounts and sessions: sign-in with argon2id-checked passwords, short-lived access tokens and
 * refresh tokens (jose), revocation by token version, the first admin on an empty database, the
 * sign-in lock, per-user/per-address request limits (rate-limiter-flexible) and the audit trail.
 * Rooms and the HTTP API both ask this one service who a token belongs to.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

import type { Actor, UserRole } from '../../digital-twin/index.js';
import type { AuthConfig } from '../config.js';
import { HttpError } from '../http/http-error.js';
import type { Logger } from '../logger.js';
import type { AccountStore, AuditEntry, PublicUser, UserRecord } from '../storage/storage.js';
import { publicUser } from '../storage/account-store.js';
import {
  hashPassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  verifyPassword,
} from './passwords.js';
import { TokenSigner } from './tokens.js';

/** A person acting, as the token proves: the actor plus when the token expires. */
export interface SignedInActor extends Actor {
  role: UserRole;
  expiresAt: number;
}

export interface Session {
  accessToken: string;
  accessExpiresAt: number;
  refreshToken: string;
  refreshExpiresAt: number;
  user: PublicUser;
}

/** How the first start went: whether it created the admin, and the one-time sign-in code. */
export interface Bootstrap {
  createdAdmin: boolean;
  oneTimeCode: string | null;
}

export const ADMIN_NAME = 'admin';
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$/;
const ONE_TIME_CODE_TTL_MS = 24 * 3_600_000;

interface Cached {
  version: number;
  disabled: boolean;
}

export interface AuthServiceOptions {
  accounts: AccountStore;
  config: AuthConfig;
  log: Logger;
  now?: () => number;
}

export class AuthService {
  readonly #accounts: AccountStore;
  readonly #config: AuthConfig;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #signer: TokenSigner;
  /** Token version and disabled flag per user id, so verifying a token needs no query. */
  readonly #cache = new Map<string, Cached>();
  readonly #revokeListeners = new Set<(userId: string) => void>();
  readonly #signInByName: RateLimiterMemory;
  readonly #signInByAddress: RateLimiterMemory;
  readonly #requests: RateLimiterMemory;
  #oneTimeCode: { code: string; userId: string; expiresAt: number } | null = null;

  constructor(options: AuthServiceOptions) {
    this.#accounts = options.accounts;
    this.#config = options.config;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    const secret = options.config.secret;
    this.#signer = new TokenSigner(
      secret === null ? randomBytes(32) : new TextEncoder().encode(secret),
    );
    const { signInFailures, signInLockS } = options.config;
    this.#signInByName = new RateLimiterMemory({
      points: signInFailures,
      duration: signInLockS,
      blockDuration: signInLockS,
    });
    // One address may try several names, but not an unbounded number of guesses.
    this.#signInByAddress = new RateLimiterMemory({
      points: signInFailures * 4,
      duration: signInLockS,
      blockDuration: signInLockS,
    });
    this.#requests = new RateLimiterMemory({
      points: options.config.httpRequestsPerMin,
      duration: 60,
    });
  }

  /**
   * On a database with no users: creates `admin` with ADMIN_PASSWORD (or a random one nobody
   * sees) and a one-time sign-in code for the URL the server prints. With ADMIN_PASSWORD on a
   * database that has an admin, sets that password (scripted installs, a lost first code).
   */
  async bootstrap(): Promise<Bootstrap> {
    const now = this.#now();
    const given = this.#config.adminPassword;
    if ((await this.#accounts.countUsers()) === 0) {
      const password = given ?? randomBytes(24).toString('base64url');
      const user: UserRecord = {
        id: randomUUID(),
        name: ADMIN_NAME,
        role: 'admin',
        passwordHash: await hashPassword(password),
        disabled: false,
        tokenVersion: 0,
        createdAt: now,
        updatedAt: now,
      };
      await this.#accounts.insertUser(user);
      await this.audit({
        at: now,
        actorId: 'system',
        actorName: 'Twinspace',
        role: 'system',
        action: 'user.create',
        target: user.name,
        result: 'ok',
        reason: given === null ? 'first start: random password' : 'first start: ADMIN_PASSWORD',
        source: null,
      });
      const code = randomBytes(18).toString('base64url');
      this.#oneTimeCode = { code, userId: user.id, expiresAt: now + ONE_TIME_CODE_TTL_MS };
      return { createdAdmin: true, oneTimeCode: code };
    }
    if (given !== null) {
      const admin = await this.#accounts.userByName(ADMIN_NAME);
      if (admin !== null && !(await verifyPassword(admin.passwordHash, given))) {
        await this.#accounts.updateUser(
          admin.id,
          { passwordHash: await hashPassword(given), tokenVersion: admin.tokenVersion + 1 },
          now,
        );
        this.#cache.delete(admin.id);
        await this.audit({
          at: now,
          actorId: 'system',
          actorName: 'Twinspace',
          role: 'system',
          action: 'user.password',
          target: ADMIN_NAME,
          result: 'ok',
          reason: 'ADMIN_PASSWORD given at start',
          source: null,
        });
      }
    }
    return { createdAdmin: false, oneTimeCode: null };
  }

  /** Signs in with name and password; locks the name (and address) after repeated failures. */
  async signIn(name: string, password: string, source: string): Promise<Session> {
    const key = `${name.toLowerCase()}|${source}`;
    await this.#refuseWhileLocked(key, source);
    const user = await this.#accounts.userByName(name);
    const good =
      user !== null && !user.disabled && (await verifyPassword(user.passwordHash, password));
    if (!good) {
      const why =
        user === null ? 'unknown user' : user.disabled ? 'user is disabled' : 'wrong password';
      await this.audit({
        at: this.#now(),
        actorId: user?.id ?? null,
        actorName: name.slice(0, 64),
        role: user?.role ?? null,
        action: 'sign-in',
        target: name.slice(0, 64),
        result: 'failed',
        reason: why,
        source,
      });
      await this.#countFailure(key, source);
      throw new HttpError(
        401,
        'sign_in_failed',
        'name or password is wrong, or the user is disabled',
      );
    }
    await this.#signInByName.delete(key);
    await this.audit(this.entry(user, 'sign-in', user.name, 'ok', null, source));
    return this.#session(user);
  }

  /** Trades the one-time code printed at first start for a session as `admin` (once). */
  async signInWithCode(code: string, source: string): Promise<Session> {
    await this.#refuseWhileLocked(`code|${source}`, source);
    const held = this.#oneTimeCode;
    if (held === null || held.code !== code || held.expiresAt < this.#now()) {
      await this.audit({
        at: this.#now(),
        actorId: null,
        actorName: null,
        role: null,
        action: 'sign-in.code',
        target: ADMIN_NAME,
        result: 'failed',
        reason: held === null ? 'no one-time code is open' : 'wrong or expired code',
        source,
      });
      await this.#countFailure(`code|${source}`, source);
      throw new HttpError(401, 'sign_in_failed', 'the one-time code is wrong, used or expired');
    }
    this.#oneTimeCode = null;
    const user = await this.#accounts.userById(held.userId);
    if (user === null || user.disabled)
      throw new HttpError(401, 'sign_in_failed', 'the admin account is gone or disabled');
    await this.audit(this.entry(user, 'sign-in.code', user.name, 'ok', null, source));
    return this.#session(user);
  }

  async refresh(refreshToken: string, source: string): Promise<Session> {
    const verified = await this.#signer.verify(refreshToken, 'refresh', this.#now());
    if (!verified.ok)
      throw new HttpError(401, 'invalid_token', `refresh token: ${verified.reason}`);
    const user = await this.#accounts.userById(verified.claims.userId);
    if (user === null || user.disabled || user.tokenVersion !== verified.claims.version)
      throw new HttpError(401, 'invalid_token', 'refresh token: the session was revoked');
    void source;
    return this.#session(user);
  }

  /** Revokes every token of the actor (all their sessions) and closes their connections. */
  async signOut(actor: SignedInActor, source: string): Promise<void> {
    const user = await this.#accounts.userById(actor.id);
    if (user === null) return;
    await this.#bump(user, {});
    await this.audit(this.entry(user, 'sign-out', user.name, 'ok', null, source));
  }

  /** Who a token belongs to; throws 401 naming why for a missing, bad, expired or revoked one. */
  async verifyAccess(token: string | undefined | null): Promise<SignedInActor> {
    if (token === undefined || token === null || token === '')
      throw new HttpError(401, 'unauthenticated', 'sign in first: no token was given');
    const verified = await this.#signer.verify(token, 'access', this.#now());
    if (!verified.ok) throw new HttpError(401, 'invalid_token', verified.reason);
    const { claims } = verified;
    let cached = this.#cache.get(claims.userId);
    if (cached === undefined) {
      const user = await this.#accounts.userById(claims.userId);
      if (user === null) throw new HttpError(401, 'invalid_token', 'the user no longer exists');
      cached = { version: user.tokenVersion, disabled: user.disabled };
      this.#cache.set(claims.userId, cached);
    }
    if (cached.disabled) throw new HttpError(401, 'invalid_token', 'the user is disabled');
    if (cached.version !== claims.version)
      throw new HttpError(401, 'invalid_token', 'the session was revoked; sign in again');
    return { id: claims.userId, name: claims.name, role: claims.role, expiresAt: claims.expiresAt };
  }

  /** Counts one HTTP request against its user (or address); 429 with Retry-After beyond the limit. */
  async limitRequest(key: string): Promise<void> {
    try {
      await this.#requests.consume(key);
    } catch (error) {
      throw tooMany(error, 'too many requests');
    }
  }

  async createUser(
    by: SignedInActor,
    input: { name: string; password: string; role: UserRole },
    source: string,
  ): Promise<PublicUser> {
    const now = this.#now();
    if (!NAME_PATTERN.test(input.name))
      throw new HttpError(
        400,
        'bad_body',
        'name: 1–64 letters, digits or ._@- , starting with a letter or digit',
        { field: 'name' },
      );
    checkPassword(input.password);
    if ((await this.#accounts.userByName(input.name)) !== null) {
      await this.audit(this.entry(by, 'user.create', input.name, 'rejected', 'name taken', source));
      throw new HttpError(409, 'name_taken', `a user named ${input.name} exists`, {
        field: 'name',
      });
    }
    const user: UserRecord = {
      id: randomUUID(),
      name: input.name,
      role: input.role,
      passwordHash: await hashPassword(input.password),
      disabled: false,
      tokenVersion: 0,
      createdAt: now,
      updatedAt: now,
    };
    await this.#accounts.insertUser(user);
    await this.audit(this.entry(by, 'user.create', user.name, 'ok', `role ${user.role}`, source));
    return publicUser(user);
  }

  async listUsers(): Promise<PublicUser[]> {
    return (await this.#accounts.listUsers()).map(publicUser);
  }

  /** Changes a user's role or disables/enables them; either revokes their sessions. */
  async updateUser(
    by: SignedInActor,
    id: string,
    patch: { role?: UserRole; disabled?: boolean },
    source: string,
  ): Promise<PublicUser> {
    const user = await this.#accounts.userById(id);
    if (user === null) throw new HttpError(404, 'not_found', `user "${id}" does not exist`);
    if (
      user.id === by.id &&
      (patch.disabled === true || (patch.role !== undefined && patch.role !== 'admin'))
    )
      throw new HttpError(409, 'self_lockout', 'an admin cannot disable or demote themselves', {
        field: patch.disabled === true ? 'disabled' : 'role',
      });
    const updated = await this.#bump(user, patch);
    if (patch.role !== undefined && patch.role !== user.role)
      await this.audit(
        this.entry(by, 'user.role', user.name, 'ok', `${user.role} → ${patch.role}`, source),
      );
    if (patch.disabled !== undefined && patch.disabled !== user.disabled)
      await this.audit(
        this.entry(
          by,
          patch.disabled ? 'user.disable' : 'user.enable',
          user.name,
          'ok',
          null,
          source,
        ),
      );
    return publicUser(updated);
  }

  /** Called with a user id whenever that user's tokens stop being valid. */
  onRevoke(listener: (userId: string) => void): () => void {
    this.#revokeListeners.add(listener);
    return () => this.#revokeListeners.delete(listener);
  }

  /** Appends an audit record; a failure to store one is logged, never thrown at the caller. */
  async audit(entry: AuditEntry): Promise<void> {
    try {
      await this.#accounts.appendAudit(entry);
    } catch (error) {
      this.#log.error(`audit record for ${entry.action} could not be stored`, error);
    }
  }

  /** An audit entry for `actor` (a user record or a signed-in actor). */
  entry(
    actor: Pick<Actor, 'id' | 'name' | 'role'>,
    action: string,
    target: string | null,
    result: AuditEntry['result'],
    reason: string | null,
    source: string | null,
    detail?: Record<string, unknown>,
  ): AuditEntry {
    return {
      at: this.#now(),
      actorId: actor.id,
      actorName: actor.name,
      role: actor.role,
      action,
      target,
      result,
      reason,
      source,
      ...(detail === undefined ? {} : { detail }),
    };
  }

  async #bump(
    user: UserRecord,
    patch: { role?: UserRole; disabled?: boolean },
  ): Promise<UserRecord> {
    const updated = await this.#accounts.updateUser(
      user.id,
      { ...patch, tokenVersion: user.tokenVersion + 1 },
      this.#now(),
    );
    if (updated === null) throw new HttpError(404, 'not_found', `user "${user.id}" does not exist`);
    this.#cache.set(user.id, { version: updated.tokenVersion, disabled: updated.disabled });
    for (const listener of this.#revokeListeners) listener(user.id);
    return updated;
  }

  async #session(user: UserRecord): Promise<Session> {
    const now = this.#now();
    const claims = {
      userId: user.id,
      name: user.name,
      role: user.role,
      version: user.tokenVersion,
    };
    const access = await this.#signer.sign(
      { ...claims, kind: 'access' },
      this.#config.accessTtlS,
      now,
    );
    const refresh = await this.#signer.sign(
      { ...claims, kind: 'refresh' },
      this.#config.refreshTtlS,
      now,
    );
    this.#cache.set(user.id, { version: user.tokenVersion, disabled: user.disabled });
    return {
      accessToken: access.token,
      accessExpiresAt: access.expiresAt,
      refreshToken: refresh.token,
      refreshExpiresAt: refresh.expiresAt,
      user: publicUser(user),
    };
  }

  async #refuseWhileLocked(key: string, source: string): Promise<void> {
    const [byName, byAddress] = await Promise.all([
      this.#signInByName.get(key),
      this.#signInByAddress.get(source),
    ]);
    for (const [res, points] of [
      [byName, this.#config.signInFailures],
      [byAddress, this.#config.signInFailures * 4],
    ] as const) {
      if (res !== null && res.consumedPoints >= points)
        throw tooMany(res, 'too many failed sign-ins; locked');
    }
  }

  async #countFailure(key: string, source: string): Promise<void> {
    const results = await Promise.allSettled([
      this.#signInByName.consume(key),
      this.#signInByAddress.consume(source),
    ]);
    for (const result of results)
      if (result.status === 'rejected')
        throw tooMany(result.reason, 'too many failed sign-ins; locked');
  }
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH)
    throw new HttpError(
      400,
      'bad_body',
      `password: expected ${MIN_PASSWORD_LENGTH}–${MAX_PASSWORD_LENGTH} characters`,
      { field: 'password' },
    );
}

/** 429 with Retry-After from a limiter's answer. */
function tooMany(error: unknown, message: string): HttpError {
  const ms = error instanceof RateLimiterRes ? error.msBeforeNext : 1000;
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return new HttpError(429, 'rate_limited', `${message}; retry after ${seconds} s`, {
    headers: { 'retry-after': String(seconds) },
  });
}
