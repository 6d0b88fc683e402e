/**
 * /api/v1/openapi.json, generated from the zod schemas that validate each route's parameters
 * (z.toJSONSchema with the input side, since query strings arrive as text).
 */
import { z } from 'zod';
import {
  BRANCH_CREATE_BODY,
  CAPSULES_QUERY,
  COMMANDS_QUERY,
  MISSION_CREATE_BODY,
  MISSION_SEEK_BODY,
  MISSION_SPEED_BODY,
  MISSIONS_QUERY,
  READINGS_QUERY,
  REJECTS_QUERY,
} from './api-schemas.js';

interface Operation {
  path: string;
  /** GET unless named. */
  method?: 'post';
  /** The JSON body a POST takes. */
  body?: z.ZodType;
  summary: string;
  query?: z.ZodObject;
  pathParams?: string[];
  /** Status codes besides 200 this route answers. */
  errors?: number[];
}

const OPERATIONS: Operation[] = [
  { path: '/api/v1/plant', summary: 'The plant topology and the live twin’s clock' },
  {
    path: '/api/v1/capsules',
    summary: 'Capsules, newest first, filtered and paged',
    query: CAPSULES_QUERY,
    errors: [400],
  },
  {
    path: '/api/v1/capsules/{id}',
    summary: 'One capsule with its full history',
    pathParams: ['id'],
    errors: [404],
  },
  {
    path: '/api/v1/sensors/{id}/readings',
    summary: 'Readings of one sensor over a time range, raw or as avg/min/max buckets',
    query: READINGS_QUERY,
    pathParams: ['id'],
    errors: [400, 404],
  },
  {
    path: '/api/v1/commands',
    summary: 'The command audit trail, newest first',
    query: COMMANDS_QUERY,
    errors: [400],
  },
  {
    path: '/api/v1/rejects',
    summary:
      'Inputs refused by ingest, newest first, with the reason and the raw input (truncated)',
    query: REJECTS_QUERY,
    errors: [400],
  },
  {
    path: '/api/v1/missions',
    method: 'post',
    summary:
      'Capture a replay mission: from and to, sourceCapsuleId, or lastMinutes (201 with the draft)',
    body: MISSION_CREATE_BODY,
    errors: [400, 404],
  },
  {
    path: '/api/v1/missions',
    summary: 'Missions, newest first, filtered by state and paged',
    query: MISSIONS_QUERY,
    errors: [400],
  },
  {
    path: '/api/v1/missions/{id}',
    summary: 'One mission with its playhead and annotations',
    pathParams: ['id'],
    errors: [404],
  },
  ...(['start', 'pause', 'resume', 'stop'] as const).map((action): Operation => ({
    path: `/api/v1/missions/{id}/${action}`,
    method: 'post',
    summary: `${action[0]?.toUpperCase()}${action.slice(1)} a mission's playback (409 names the states it is allowed from)`,
    pathParams: ['id'],
    errors: [404, 409],
  })),
  {
    path: '/api/v1/missions/{id}/seek',
    method: 'post',
    summary: "Move the playhead to plant time t inside the mission's span",
    body: MISSION_SEEK_BODY,
    pathParams: ['id'],
    errors: [400, 404, 409],
  },
  {
    path: '/api/v1/missions/{id}/speed',
    method: 'post',
    summary: 'Set the playback speed, 0.1–100×',
    body: MISSION_SPEED_BODY,
    pathParams: ['id'],
    errors: [400, 404, 409],
  },
  {
    path: '/api/v1/missions/{id}/branches',
    method: 'post',
    summary:
      'Fork a what-if branch of a replay mission at forkT with modifications; 202 with the branch mission and its queued job (429 with Retry-After when the queue is full)',
    body: BRANCH_CREATE_BODY,
    pathParams: ['id'],
    errors: [400, 404, 409, 429],
  },
  {
    path: '/api/v1/missions/{id}/branches',
    summary: 'The branches forked from a mission, with their progress',
    pathParams: ['id'],
    errors: [404],
  },
  {
    path: '/api/v1/missions/{id}/branch',
    summary: "A branch mission's job: status, percent of the horizon computed, error",
    pathParams: ['id'],
    errors: [404],
  },
  {
    path: '/api/v1/missions/{id}/predictions',
    summary:
      'A computed branch against its baseline: expectedOutcome, timelineDeltas, sensorDeltas, actuatorDeltas (409 while computing)',
    pathParams: ['id'],
    errors: [404, 409],
  },
  { path: '/healthz', summary: 'The process is up' },
  { path: '/readyz', summary: 'Database reachable and live source running', errors: [503] },
  { path: '/ws/status', summary: 'Connected clients and recent commands' },
  { path: '/metrics', summary: 'Prometheus text exposition' },
];

const ERROR_SCHEMA = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        field: { type: 'string' },
        allowed: { type: 'array', items: { type: 'string' } },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
};

function parameters(op: Operation): unknown[] {
  const out: unknown[] = (op.pathParams ?? []).map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  if (op.query !== undefined) {
    const json = z.toJSONSchema(op.query, { io: 'input', unrepresentable: 'any' }) as {
      properties?: Record<string, { description?: string }>;
      required?: string[];
    };
    for (const [name, schema] of Object.entries(json.properties ?? {})) {
      const { description, ...rest } = schema;
      out.push({
        name,
        in: 'query',
        required: json.required?.includes(name) ?? false,
        ...(description === undefined ? {} : { description }),
        schema: rest,
      });
    }
  }
  return out;
}

/** The OpenAPI 3.1 document for this server. */
export function openApiDocument(version: string): unknown {
  const paths: Record<string, unknown> = {};
  for (const op of OPERATIONS) {
    const responses: Record<string, unknown> = { '200': { description: 'OK' } };
    for (const status of op.errors ?? []) {
      responses[String(status)] = {
        description:
          status === 400
            ? 'A parameter is invalid; `field` names it'
            : status === 404
              ? 'Not found'
              : status === 409
                ? 'Not allowed in the current state; `allowed` lists the states it is'
                : 'Not ready',
        content: { 'application/json': { schema: ERROR_SCHEMA } },
      };
    }
    const operation: Record<string, unknown> = {
      summary: op.summary,
      parameters: parameters(op),
      responses,
    };
    if (op.body !== undefined) {
      operation['requestBody'] = {
        required: true,
        content: {
          'application/json': {
            schema: z.toJSONSchema(op.body, { io: 'input', unrepresentable: 'any' }),
          },
        },
      };
    }
    const entry = (paths[op.path] ??= {}) as Record<string, unknown>;
    entry[op.method ?? 'get'] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Twinspace live server', version },
    paths,
  };
}
