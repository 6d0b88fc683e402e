/**
 * Every door checked: a gated route verifies the bearer token, counts the request against the
 * user's limit, and asks the one permission table (digital-twin/permissions.ts) whether the
 * token's role may take the route's action. Failures are 401 (who are you?), 403 (not your
 * role, naming the role needed) or 429 (too many, with Retry-After).
 */
import { permits, refusal } from '../../digital-twin/index.js';
import type { Action } from '../../digital-twin/index.js';
import type { AuthService, SignedInActor } from '../auth/auth-service.js';
import { HttpError } from './http-error.js';
import type { HttpRequest, HttpResponse, RouteHandler } from './router.js';

export type GatedHandler = (
  req: HttpRequest,
  actor: SignedInActor,
) => HttpResponse | Promise<HttpResponse>;

/** The address a request came from, for limits and the audit trail. */
export function sourceOf(req: HttpRequest): string {
  return req.raw.socket.remoteAddress ?? 'unknown';
}

/** The token of `Authorization: Bearer <token>`, or undefined. */
export function bearerToken(req: HttpRequest): string | undefined {
  const header = req.raw.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

export interface Gate {
  /** A route that needs a signed-in person whose role may take `action`. */
  (action: Action, handler: GatedHandler): RouteHandler;
  /** A route anyone may call, limited per address (sign-in, refresh). */
  open(handler: RouteHandler): RouteHandler;
}

export function createGate(auth: AuthService): Gate {
  const gate = ((action: Action, handler: GatedHandler): RouteHandler =>
    async (req) => {
      const source = sourceOf(req);
      let actor: SignedInActor;
      try {
        actor = await auth.verifyAccess(bearerToken(req));
      } catch (error) {
        // Unauthenticated callers share their address's limit, so guessing tokens is limited too.
        await auth.limitRequest(`addr:${source}`);
        throw error;
      }
      await auth.limitRequest(`user:${actor.id}`);
      if (!permits(actor.role, action)) {
        const reason = refusal(actor.role, action);
        await auth.audit(
          auth.entry(actor, action, `${req.method} ${req.path}`, 'rejected', reason, source),
        );
        throw new HttpError(403, 'forbidden', reason);
      }
      return handler(req, actor);
    }) as Gate;
  gate.open = (handler) => async (req) => {
    await auth.limitRequest(`addr:${sourceOf(req)}`);
    return handler(req);
  };
  return gate;
}
