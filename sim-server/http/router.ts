/**
 * A small router over node:http: exact and `:param` path segments, per-method handlers, JSON
 * and text responses, JSON request bodies with a size limit, and one error shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http-error.js';

export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The parsed JSON body of a POST or PATCH (`undefined` when the request has none). */
  readonly body: unknown;
  readonly raw: IncomingMessage;
}

/** The largest request body accepted; larger ones get 413. */
export const MAX_BODY_BYTES = 64 * 1024;

export type HttpResponse =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | {
      status: number;
      text: string | Uint8Array;
      contentType: string;
      headers?: Record<string, string>;
    };

export type RouteHandler = (req: HttpRequest) => HttpResponse | Promise<HttpResponse>;

interface Route {
  method: string;
  segments: string[];
  handler: RouteHandler;
}

/** Routes by method and path; unmatched requests go to the fallback (static files) or 404. */
export class Router {
  readonly #routes: Route[] = [];
  #fallback: RouteHandler | undefined;
  readonly #onError: (error: unknown, req: HttpRequest) => void;

  constructor(onError: (error: unknown, req: HttpRequest) => void = () => {}) {
    this.#onError = onError;
  }

  get(pattern: string, handler: RouteHandler): this {
    this.#routes.push({ method: 'GET', segments: split(pattern), handler });
    return this;
  }

  /** A POST route; its handler sees the JSON body, already parsed, as `req.body`. */
  post(pattern: string, handler: RouteHandler): this {
    this.#routes.push({ method: 'POST', segments: split(pattern), handler });
    return this;
  }

  /** A PATCH route; like POST, its handler sees the parsed JSON body. */
  patch(pattern: string, handler: RouteHandler): this {
    this.#routes.push({ method: 'PATCH', segments: split(pattern), handler });
    return this;
  }

  /** Handles GET/HEAD requests no route matched. */
  fallback(handler: RouteHandler): this {
    this.#fallback = handler;
    return this;
  }

  /** The node:http request listener. */
  readonly listener = (raw: IncomingMessage, res: ServerResponse): void => {
    void this.#handle(raw, res);
  };

  async #handle(raw: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(raw.url ?? '/', 'http://localhost');
    const method = raw.method ?? 'GET';
    const lookupMethod = method === 'HEAD' ? 'GET' : method;
    const segments = split(url.pathname);
    let req: HttpRequest = {
      method,
      path: url.pathname,
      params: {},
      query: url.searchParams,
      body: undefined,
      raw,
    };
    try {
      let handler: RouteHandler | undefined;
      let pathMatched = false;
      for (const route of this.#routes) {
        const params = match(route.segments, segments);
        if (params === null) continue;
        pathMatched = true;
        if (route.method !== lookupMethod) continue;
        handler = route.handler;
        req = { ...req, params };
        break;
      }
      if (handler === undefined && pathMatched) {
        throw new HttpError(
          405,
          'method_not_allowed',
          `${method} is not allowed on ${url.pathname}`,
        );
      }
      if (
        handler === undefined &&
        this.#fallback !== undefined &&
        lookupMethod === 'GET' &&
        !isApiPath(url.pathname)
      ) {
        handler = this.#fallback;
      }
      if (handler === undefined)
        throw new HttpError(404, 'not_found', `no route for ${method} ${url.pathname}`);
      if (method === 'POST' || method === 'PATCH') req = { ...req, body: await readJsonBody(raw) };
      send(res, await handler(req), method === 'HEAD');
    } catch (error) {
      if (error instanceof HttpError) {
        const response: HttpResponse = { status: error.status, json: error.toBody() };
        if (error.headers !== undefined) response.headers = error.headers;
        send(res, response, method === 'HEAD');
        return;
      }
      this.#onError(error, req);
      const body = new HttpError(500, 'internal', 'internal server error').toBody();
      if (!res.headersSent) send(res, { status: 500, json: body }, method === 'HEAD');
      else res.destroy();
    }
  }
}

/** Reads and parses a JSON body; an empty body is `{}` so that bodiless actions need no braces. */
async function readJsonBody(raw: IncomingMessage): Promise<unknown> {
  const type = raw.headers['content-type'] ?? '';
  const declared = Number(raw.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    raw.resume();
    throw new HttpError(413, 'body_too_large', `request body exceeds ${MAX_BODY_BYTES} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of raw as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES)
      throw new HttpError(413, 'body_too_large', `request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `request body must be application/json (got '${type || 'none'}')`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'invalid_json', 'request body is not valid JSON', { field: 'body' });
  }
}

function isApiPath(path: string): boolean {
  return path.startsWith('/api/') || path === '/api';
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function match(pattern: string[], path: string[]): Record<string, string> | null {
  if (pattern.length !== path.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] ?? '';
    const s = path[i] ?? '';
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(s);
      } catch {
        return null;
      }
    } else if (p !== s) return null;
  }
  return params;
}

function send(res: ServerResponse, response: HttpResponse, headOnly: boolean): void {
  let body: string | Uint8Array;
  let contentType: string;
  if ('json' in response) {
    body = JSON.stringify(response.json);
    contentType = 'application/json; charset=utf-8';
  } else {
    body = response.text;
    contentType = response.contentType;
  }
  res.writeHead(response.status, {
    'content-type': contentType,
    'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
    'cache-control': 'no-store',
    ...response.headers,
  });
  res.end(headOnly ? undefined : body);
}
