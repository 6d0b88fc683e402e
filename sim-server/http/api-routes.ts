/**
 * The HTTP API under /api/v1 plus the operational endpoints (/healthz, /readyz, /ws/status,
 * /metrics). Handlers are thin: validate the query, ask storage or the live view, shape JSON.
 */
import type { CommandAck, CompiledPlant } from '../../digital-twin/index.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import { StorageQueryError } from '../storage/storage.js';
import type { Storage } from '../storage/storage.js';
import {
  CAPSULES_QUERY,
  COMMANDS_QUERY,
  REJECTS_QUERY,
  MAX_READINGS_RANGE_MS,
  READINGS_QUERY,
} from './api-schemas.js';
import { HttpError, notFound } from './http-error.js';
import { openApiDocument } from './openapi.js';
import { parseQuery } from './query.js';
import { Router } from './router.js';
import type { HttpResponse } from './router.js';
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

export interface ApiDeps {
  plant: CompiledPlant;
  storage: ApiStorage;
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

  router.get('/ws/status', () => {
    const clients = deps.clients();
    return json({
      clients: clients.length,
      presence: clients,
      recentCommands: deps.recentCommands(),
    });
  });

  router.get('/metrics', () => ({
    status: 200,
    text: deps.metrics.render(),
    contentType: 'text/plain; version=0.0.4; charset=utf-8',
  }));

  router.get('/api/v1/openapi.json', () => json(document));

  router.get('/api/v1/plant', () => json({ plant: deps.plant.plant, live: deps.live() }));

  router.get('/api/v1/capsules', async (req) => {
    const query = parseQuery(CAPSULES_QUERY, req.query);
    return json(await storageCall(() => deps.storage.listCapsules(query)));
  });

  router.get('/api/v1/capsules/:id', async (req) => {
    const id = req.params['id'] ?? '';
    const capsule = await deps.storage.getCapsule(id);
    if (capsule === null) throw notFound('capsule', id);
    return json({ capsule });
  });

  router.get('/api/v1/sensors/:id/readings', async (req) => {
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
  });

  router.get('/api/v1/commands', async (req) => {
    const query = parseQuery(COMMANDS_QUERY, req.query);
    return json(await storageCall(() => deps.storage.listCommands(query)));
  });

  router.get('/api/v1/rejects', async (req) => {
    const query = parseQuery(REJECTS_QUERY, req.query);
    return json(await storageCall(() => deps.storage.listRejects(query)));
  });

  if (deps.clientDir !== null) router.fallback(staticFiles(deps.clientDir));
  return router;
}
