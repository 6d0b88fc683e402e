/**
 * The signed-in person on this page: sign-in (name and password, or the one-time code from the
 * first-start URL), the tokens kept in sessionStorage (this tab only), refresh before the access
 * token expires, and fetch with the bearer token. Roles come from the server; the page only uses
 * them to disable what the permission table would refuse anyway.
 */
import { permits } from '../../digital-twin/index.js';
import type { Action, UserRole } from '../../digital-twin/index.js';

export interface SessionUser {
  id: string;
  name: string;
  role: UserRole;
}

interface Stored {
  accessToken: string;
  accessExpiresAt: number;
  refreshToken: string;
  refreshExpiresAt: number;
  user: SessionUser;
}

const STORAGE_KEY = 'twinspace.session';
/** Refresh this long before the access token expires. */
const REFRESH_MARGIN_MS = 60_000;

/** A failed sign-in or session call, with the server's message. */
export class SessionError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function post(path: string, body: unknown): Promise<Stored> {
  const response = await fetch(new URL(path, location.href), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json().catch(() => ({}))) as Partial<Stored> & {
    error?: { message?: string };
  };
  if (!response.ok || answer.accessToken === undefined) {
    const retry = response.headers.get('retry-after');
    throw new SessionError(
      response.status,
      (answer.error?.message ?? `HTTP ${response.status}`) +
        (response.status === 429 && retry !== null ? ` (try again in ${retry} s)` : ''),
    );
  }
  return answer as Stored;
}

export class ClientSession {
  #stored: Stored;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #tokenListeners = new Set<(token: string) => void>();
  readonly #endListeners = new Set<(reason: string) => void>();

  private constructor(stored: Stored) {
    this.#stored = stored;
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(stored));
    this.#schedule();
  }

  static async signIn(name: string, password: string): Promise<ClientSession> {
    return new ClientSession(await post('./api/v1/auth/sign-in', { name, password }));
  }

  static async signInWithCode(code: string): Promise<ClientSession> {
    return new ClientSession(await post('./api/v1/auth/code', { code }));
  }

  /** The session this tab already holds, refreshed if its access token is old; null if none. */
  static async resume(): Promise<ClientSession | null> {
    const text = sessionStorage.getItem(STORAGE_KEY);
    if (text === null) return null;
    try {
      const stored = JSON.parse(text) as Stored;
      if (stored.refreshExpiresAt < Date.now()) return null;
      return new ClientSession(
        await post('./api/v1/auth/refresh', { refreshToken: stored.refreshToken }),
      );
    } catch {
      sessionStorage.removeItem(STORAGE_KEY);
      return null;
    }
  }

  get user(): SessionUser {
    return this.#stored.user;
  }

  get token(): string {
    return this.#stored.accessToken;
  }

  /** Whether the role may take `action` (P-3); the server checks again regardless. */
  may(action: Action): boolean {
    return permits(this.#stored.user.role, action);
  }

  /** fetch with the bearer token. */
  fetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${this.#stored.accessToken}`);
    return fetch(input, { ...init, headers });
  }

  /** Called with every new access token (the room connection passes it on). */
  onToken(listener: (token: string) => void): void {
    this.#tokenListeners.add(listener);
  }

  /** Called once when the session ends (expired, revoked, signed out). */
  onEnd(listener: (reason: string) => void): void {
    this.#endListeners.add(listener);
  }

  async signOut(): Promise<void> {
    await this.fetch(new URL('./api/v1/auth/sign-out', location.href), { method: 'POST' }).catch(
      () => undefined,
    );
    this.end('you signed out');
  }

  /** Forgets the session and tells whoever listens why. */
  end(reason: string): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    sessionStorage.removeItem(STORAGE_KEY);
    for (const listener of this.#endListeners) listener(reason);
    this.#endListeners.clear();
  }

  #schedule(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const wait = Math.max(5_000, this.#stored.accessExpiresAt - Date.now() - REFRESH_MARGIN_MS);
    this.#timer = setTimeout(() => void this.#refresh(), wait);
  }

  async #refresh(): Promise<void> {
    try {
      this.#stored = await post('./api/v1/auth/refresh', {
        refreshToken: this.#stored.refreshToken,
      });
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(this.#stored));
      for (const listener of this.#tokenListeners) listener(this.#stored.accessToken);
      this.#schedule();
    } catch (error) {
      this.end(
        `your session expired (${error instanceof Error ? error.message : String(error)}); sign in again`,
      );
    }
  }
}
