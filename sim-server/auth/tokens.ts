/**
 * Signed session tokens (JWT, HS256, via `jose`). An access token is short-lived and carries
 * who the person is; a refresh token lives longer and only buys new access tokens. Both carry
 * the user's token version, so sign-out, disable and role change revoke every earlier token.
 */
import { errors, jwtVerify, SignJWT } from 'jose';
import { isUserRole } from '../../digital-twin/index.js';
import type { UserRole } from '../../digital-twin/index.js';

export type TokenKind = 'access' | 'refresh';

export interface TokenClaims {
  userId: string;
  name: string;
  role: UserRole;
  version: number;
  kind: TokenKind;
  /** Expiry, ms since the epoch. */
  expiresAt: number;
}

const ISSUER = 'twinspace';

export class TokenSigner {
  readonly #key: Uint8Array;

  constructor(secret: Uint8Array) {
    this.#key = secret;
  }

  async sign(
    claims: Omit<TokenClaims, 'expiresAt'>,
    ttlS: number,
    nowMs: number,
  ): Promise<{ token: string; expiresAt: number }> {
    const iat = Math.floor(nowMs / 1000);
    const exp = iat + ttlS;
    const token = await new SignJWT({
      name: claims.name,
      role: claims.role,
      ver: claims.version,
      typ: claims.kind,
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setSubject(claims.userId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.#key);
    return { token, expiresAt: exp * 1000 };
  }

  /** The claims of a valid token of `kind`; otherwise why not, in words. */
  async verify(
    token: string,
    kind: TokenKind,
    nowMs: number,
  ): Promise<{ ok: true; claims: TokenClaims } | { ok: false; reason: string }> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        issuer: ISSUER,
        algorithms: ['HS256'],
        currentDate: new Date(nowMs),
      });
      const { sub, name, role, ver, typ, exp } = payload as Record<string, unknown>;
      if (typ !== kind) return { ok: false, reason: `not an ${kind} token` };
      if (
        typeof sub !== 'string' ||
        typeof name !== 'string' ||
        !isUserRole(role) ||
        typeof ver !== 'number' ||
        typeof exp !== 'number'
      )
        return { ok: false, reason: 'the token is malformed' };
      return {
        ok: true,
        claims: { userId: sub, name, role, version: ver, kind, expiresAt: exp * 1000 },
      };
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, reason: 'the token has expired' };
      if (error instanceof errors.JWSSignatureVerificationFailed)
        return { ok: false, reason: 'the token signature is invalid' };
      return { ok: false, reason: 'the token is not a valid Twinspace token' };
    }
  }
}
