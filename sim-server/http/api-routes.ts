/**
 * The HTTP API under /api/v1 plus the operational endpoints (/healthz, /readyz, /ws/status,
 * /metrics). Handlers are thin: validate the query, ask storage or the live view, shape JSON.
 */
import { playheadT } from '../../digital-twin/index.js';
import type {
  CommandAck,
  CompiledPlant,
  Mission,
  MissionControl,
  SpanRequest,
} from '../../digital-twin/index.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import type { MissionService } from '../missions/mission-service.js';
import { StorageQueryError } from '../storage/storage.js';
import type { Storage } from '../storage/storage.js';
import {
  CAPSULES_QUERY,
  COMMANDS_QUERY,
  REJECTS_QUERY,
  MAX_READINGS_RANGE_MS,
  MISSION_CREATE_BODY,
  MISSION_EMPTY_BODY,
  MISSION_SEEK_BODY,
  MISSION_SPEED_BODY,
  MISSIONS_QUERY,
  READINGS_QUERY,
} from './api-schemas.js';
import type { MissionCreateBody } from './api-schemas.js';
import type { AuthService } from '../auth/auth-service.js';
import type { AccountStore } from '../storage/storage.js';
import { authRoutes } from './auth-routes.js';
import { createGate } from './gate.js';
import type { Gate, GatedHandler } from './gate.js';
import { branchRoutes } from './branch-routes.js';
import type { ApiBranches } from './branch-routes.js';
import { HttpError, notFound } from './http-error.js';
import { openApiDocument } from './openapi.js';
import { parseBody, parseQuery } from './query.js';
import { Router } from './router.js';
import type { HttpResponse, RouteHandler } from './router.js';
import { staticFiles } from './static-files.js';

/** The live twin's clock and source, as /api/v1/plant and /readyz report them. */
export interface LiveStatus {
  t: number;
  seq: number;
  durableSeq: number;
  sourceRunning: boolean;
  scenario: string | null;
  timeScale: number;
}

/** One connected client, as /ws/status lists it. */
export interface ClientInfo {
  sessionId: string;
  name: string;
  role: string;
  joinedAt: number;
  connected: boolean;
}

/** A command the room answered recently (newest last). */
export interface RecentCommand {
  at: number;
  sessionId: string | null;
  type: string | null;
  /** The ack as sent; commandId is null when the message carried no usable one. */
  ack: Omit<CommandAck, 'commandId'> & { commandId: string | null };
}

export type ApiStorage = Pick<
  Storage,
  'listCapsules' | 'getCapsule' | 'readings' | 'listCommands' | 'listRejects' | 'ping'
>;

export type ApiMissions = Pick<
  MissionService,
  'create' | 'get' | 'list' | 'control' | 'annotations'
>;

export interface ApiDeps {
  plant: CompiledPlant;
  /** Who a token belongs to, sign-in, users, limits and the audit trail. */
  auth: AuthService;
  accounts: Pick<AccountStore, 'listAudit'>;
  storage: ApiStorage;
  missions: ApiMissions;
  branches: ApiBranches;
  live(): LiveStatus;
  clients(): ClientInfo[];
  recentCommands(): RecentCommand[];
  metrics: ServerMetrics;
  /** Folder of the built client; null serves nothing but the API. */
  clientDir: string | null;
  onError(error: unknown, path: string): void;
}

const API_VERSION = '1.0.0';
const ONE_HOUR_MS = 3_600_000;

function json(body: unknown, status = 200): HttpResponse {
  return { status, json: body };
}

/** Storage refusing a parameter (a cursor it did not issue) is the client's error: 400. */
async function storageCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof StorageQueryError) {
      throw new HttpError(400, 'bad_parameter', error.message, {
        field: error.field,
        cause: error,
      });
    }
    throw error;
  }
}

/** Every route of the server's HTTP side. */
export function apiRouter(deps: ApiDeps): Router {
  const router = new Router((error, req) => deps.onError(error, req.path));
  const document = openApiDocument(API_VERSION);
  const gate = createGate(deps.auth);
  /** Reads need a signed-in viewer or higher (P-2 `plant.read`). */
  const read = (handler: GatedHandler): RouteHandler => gate('plant.read', handler);

  router.get('/healthz', () => json({ status: 'ok' }));

  router.get('/readyz', async () => {
    let database: boolean;
    try {
      database = await deps.storage.ping();
    } catch {
      database = false;
    }
    const source = deps.live().sourceRunning;
    const ready = database && source;
    return json({ status: ready ? 'ready' : 'not_ready', database, source }, ready ? 200 : 503);
  });

  router.get(
    '/ws/status',
    read(() => {
      const clients = deps.clients();
      return json({
        clients: clients.length,
        presence: clients,
        recentCommands: deps.recentCommands(),
      });
    }),
  );

  router.get('/metrics', () => ({
    status: 200,
    text: deps.metrics.render(),
    contentType: 'text/plain; version=0.0.4; charset=utf-8',
  }));

  router.get('/api/v1/openapi.json', () => json(document));

  router.get(
    '/api/v1/plant',
    read(() => json({ plant: deps.plant.plant, live: deps.live() })),
  );

  router.get(
    '/api/v1/capsules',
    read(async (req) => {
      const query = parseQuery(CAPSULES_QUERY, req.query);
      return json(await storageCall(() => deps.storage.listCapsules(query)));
    }),
  );

  router.get(
    '/api/v1/capsules/:id',
    read(async (req) => {
      const id = req.params['id'] ?? '';
      const capsule = await deps.storage.getCapsule(id);
      if (capsule === null) throw notFound('capsule', id);
      return json({ capsule });
    }),
  );

  router.get(
    '/api/v1/sensors/:id/readings',
    read(async (req) => {
      const sensorId = req.params['id'] ?? '';
      if (!deps.plant.sensorIndex.has(sensorId)) throw notFound('sensor', sensorId);
      const query = parseQuery(READINGS_QUERY, req.query);
      // Plant time may run ahead of the wall clock (TIME_SCALE > 1), so "now" is the twin's time.
      const to = query.to ?? deps.live().t + 1;
      const from = query.from ?? to - ONE_HOUR_MS;
      if (from >= to)
        throw new HttpError(400, 'bad_parameter', 'from: must be before to', { field: 'from' });
      if (to - from > MAX_READINGS_RANGE_MS) {
        throw new HttpError(400, 'bad_parameter', 'from: the range may span at most 31 days', {
          field: 'from',
        });
      }
      const result = await storageCall(() =>
        deps.storage.readings({
          sensorId,
          from,
          to,
          limit: query.limit,
          ...(query.bucket === undefined ? {} : { bucketMs: query.bucket }),
        }),
      );
      return json({ sensorId, from, to, ...result });
    }),
  );

  router.get(
    '/api/v1/commands',
    read(async (req) => {
      const query = parseQuery(COMMANDS_QUERY, req.query);
      return json(await storageCall(() => deps.storage.listCommands(query)));
    }),
  );

  router.get(
    '/api/v1/rejects',
    read(async (req) => {
      const query = parseQuery(REJECTS_QUERY, req.query);
      return json(await storageCall(() => deps.storage.listRejects(query)));
    }),
  );

  missionRoutes(router, gate, deps.missions);
  branchRoutes(router, gate, deps.branches, async (id) => (await deps.missions.get(id)) !== null);
  authRoutes(router, gate, deps.auth, {
    listAudit: (query) => storageCall(() => deps.accounts.listAudit(query)),
  });

  if (deps.clientDir !== null) router.fallback(staticFiles(deps.clientDir));
  return router;
}

/** A mission as the API shows it: the stored mission plus where its playhead is now. */
function missionView(mission: Mission): Mission & { t: number } {
  return { ...mission, t: playheadT(mission, Date.now()) };
}

function spanOf(body: MissionCreateBody): SpanRequest {
  if (body.sourceCapsuleId !== undefined)
    return { kind: 'capsule', capsuleId: body.sourceCapsuleId };
  if (body.lastMinutes !== undefined) return { kind: 'last', minutes: body.lastMinutes };
  return { kind: 'explicit', from: body.from ?? 0, to: body.to ?? 0 };
}

/** The controls a route may name; seek and speed take a field, the others none. */
const CONTROL_ACTIONS = ['start', 'pause', 'resume', 'stop', 'seek', 'speed'] as const;

function controlOf(action: (typeof CONTROL_ACTIONS)[number], body: unknown): MissionControl {
  if (action === 'seek') return { type: 'seek', t: parseBody(MISSION_SEEK_BODY, body).t };
  if (action === 'speed')
    return { type: 'speed', speed: parseBody(MISSION_SPEED_BODY, body).speed };
  parseBody(MISSION_EMPTY_BODY, body);
  return { type: action };
}

/** Capture, list, read and control missions (SPEC M-1 … M-14); every control goes through the service. */
function missionRoutes(router: Router, gate: Gate, missions: ApiMissions): void {
  router.post(
    '/api/v1/missions',
    gate('mission.create', async (req, actor) => {
      const body = parseBody(MISSION_CREATE_BODY, req.body);
      const result = await missions.create({ title: body.title, span: spanOf(body) }, actor);
      if (!result.ok) {
        const status = result.field === 'sourceCapsuleId' ? 404 : 400;
        throw new HttpError(status, status === 404 ? 'not_found' : 'bad_body', result.reason, {
          field: result.field,
        });
      }
      return json({ mission: missionView(result.mission) }, 201);
    }),
  );

  router.get(
    '/api/v1/missions',
    gate('plant.read', async (req) => {
      const query = parseQuery(MISSIONS_QUERY, req.query);
      const page = await storageCall(() => missions.list(query));
      return json({ ...page, items: page.items.map(missionView) });
    }),
  );

  router.get(
    '/api/v1/missions/:id',
    gate('plant.read', async (req) => {
      const id = req.params['id'] ?? '';
      const mission = await missions.get(id);
      if (mission === null) throw notFound('mission', id);
      return json({ mission: missionView(mission), annotations: await missions.annotations(id) });
    }),
  );

  for (const action of CONTROL_ACTIONS) {
    router.post(
      `/api/v1/missions/:id/${action}`,
      gate('mission.control', async (req, actor) => {
        const id = req.params['id'] ?? '';
        const result = await missions.control(id, controlOf(action, req.body), actor);
        if (result.ok) return json({ mission: missionView(result.mission) });
        if (result.code === 'unknown_mission') throw notFound('mission', id);
        const status = result.code === 'illegal_transition' ? 409 : 400;
        throw new HttpError(status, result.code, result.reason, {
          field: result.field,
          allowed: result.allowed,
        });
      }),
    );
  }
}
