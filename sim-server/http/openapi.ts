/**
 * /api/v1/openapi.json, generated from the zod schemas that validate each route's parameters
 * (z.toJSONSchema with the input side, since query strings arrive as text).
 */
import { z } from 'zod';
import { CAPSULES_QUERY, COMMANDS_QUERY, READINGS_QUERY, REJECTS_QUERY } from './api-schemas.js';

interface Operation {
  path: string;
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
              : 'Not ready',
        content: { 'application/json': { schema: ERROR_SCHEMA } },
      };
    }
    paths[op.path] = { get: { summary: op.summary, parameters: parameters(op), responses } };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Twinspace live server', version },
    paths,
  };
}
