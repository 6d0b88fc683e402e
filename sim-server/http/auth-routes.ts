/**
 * Sign-in, sessions, users and the audit trail under /api/v1. Sign-in and refresh are open (and
 * limited per address); the rest go through the gate and the permission table.
 */
import { PERMISSIONS, permits } from '../../digital-twin/index.js';
import type { Action } from '../../digital-twin/index.js';
import type { AuthService, Session } from '../auth/auth-service.js';
import type { AccountStore } from '../storage/storage.js';
import {
  AUDIT_QUERY,
  CODE_BODY,
  REFRESH_BODY,
  SIGN_IN_BODY,
  USER_CREATE_BODY,
  USER_PATCH_BODY,
} from './auth-schemas.js';
import type { Gate } from './gate.js';
import { sourceOf } from './gate.js';
import { parseBody, parseQuery } from './query.js';
import type { HttpResponse, Router } from './router.js';

function json(body: unknown, status = 200): HttpResponse {
  return { status, json: body };
}

function sessionBody(session: Session): HttpResponse {
  return json({
    accessToken: session.accessToken,
    accessExpiresAt: session.accessExpiresAt,
    refreshToken: session.refreshToken,
    refreshExpiresAt: session.refreshExpiresAt,
    user: session.user,
    permissions: allowedActions(session.user.role),
  });
}

/** The actions a role may take, for the client to enable or disable controls. */
function allowedActions(role: Parameters<typeof permits>[0]): Action[] {
  return (Object.keys(PERMISSIONS) as Action[]).filter((action) => permits(role, action));
}

export function authRoutes(
  router: Router,
  gate: Gate,
  auth: AuthService,
  accounts: Pick<AccountStore, 'listAudit'>,
): void {
  router.post(
    '/api/v1/auth/sign-in',
    gate.open(async (req) => {
      const body = parseBody(SIGN_IN_BODY, req.body);
      return sessionBody(await auth.signIn(body.name, body.password, sourceOf(req)));
    }),
  );
  router.post(
    '/api/v1/auth/code',
    gate.open(async (req) => {
      const body = parseBody(CODE_BODY, req.body);
      return sessionBody(await auth.signInWithCode(body.code, sourceOf(req)));
    }),
  );
  router.post(
    '/api/v1/auth/refresh',
    gate.open(async (req) => {
      const body = parseBody(REFRESH_BODY, req.body);
      return sessionBody(await auth.refresh(body.refreshToken, sourceOf(req)));
    }),
  );
  router.post(
    '/api/v1/auth/sign-out',
    gate('plant.read', async (req, actor) => {
      await auth.signOut(actor, sourceOf(req));
      return json({ signedOut: true });
    }),
  );
  router.get(
    '/api/v1/auth/me',
    gate('plant.read', (_req, actor) =>
      json({
        user: { id: actor.id, name: actor.name, role: actor.role },
        expiresAt: actor.expiresAt,
        permissions: allowedActions(actor.role),
      }),
    ),
  );
  router.get(
    '/api/v1/permissions',
    gate('plant.read', () => json({ permissions: PERMISSIONS })),
  );

  router.get(
    '/api/v1/users',
    gate('users.manage', async () => json({ items: await auth.listUsers() })),
  );
  router.post(
    '/api/v1/users',
    gate('users.manage', async (req, actor) => {
      const body = parseBody(USER_CREATE_BODY, req.body);
      return json({ user: await auth.createUser(actor, body, sourceOf(req)) }, 201);
    }),
  );
  router.patch(
    '/api/v1/users/:id',
    gate('users.manage', async (req, actor) => {
      const body = parseBody(USER_PATCH_BODY, req.body);
      const patch = {
        ...(body.role === undefined ? {} : { role: body.role }),
        ...(body.disabled === undefined ? {} : { disabled: body.disabled }),
      };
      return json({
        user: await auth.updateUser(actor, req.params['id'] ?? '', patch, sourceOf(req)),
      });
    }),
  );

  router.get(
    '/api/v1/audit',
    gate('audit.read', async (req) => {
      const query = parseQuery(AUDIT_QUERY, req.query);
      return json(
        await accounts.listAudit({
          limit: query.limit,
          ...(query.actor === undefined ? {} : { actorId: query.actor }),
          ...(query.action === undefined ? {} : { action: query.action }),
          ...(query.result === undefined ? {} : { result: query.result }),
          ...(query.from === undefined ? {} : { from: query.from }),
          ...(query.to === undefined ? {} : { to: query.to }),
          ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
        }),
      );
    }),
  );
}
