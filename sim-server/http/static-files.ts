/**
 * Serves the built browser client from one folder. Unknown paths without a file extension get
 * index.html (the client routes itself); when nothing is built, a plain page says how to build it.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { HttpError } from './http-error.js';
import type { HttpRequest, HttpResponse, RouteHandler } from './router.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.glb': 'model/gltf-binary',
  '.gltf': 'model/gltf+json',
  '.bin': 'application/octet-stream',
  '.task': 'application/octet-stream',
  '.tflite': 'application/octet-stream',
  '.data': 'application/octet-stream',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Twinspace</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>Twinspace server is running</h1>
<p>The browser client is not built. Build it (<code>npm start</code> does this first) and reload.</p>
<p>The server is live: see <a href="/api/v1/plant">/api/v1/plant</a>, <a href="/api/v1/capsules">/api/v1/capsules</a>,
<a href="/metrics">/metrics</a> and <a href="/api/v1/openapi.json">the API description</a>.</p>
</body></html>
`;

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** A fallback route handler that serves files under `root`. */
export function staticFiles(root: string): RouteHandler {
  const rootWithSep = root.endsWith(sep) ? root : root + sep;
  return async (req: HttpRequest): Promise<HttpResponse> => {
    let relative: string;
    try {
      relative = decodeURIComponent(req.path);
    } catch {
      throw new HttpError(400, 'bad_path', 'path is not valid percent-encoding', { field: 'path' });
    }
    const candidate = normalize(join(root, relative));
    // A path that climbs out of the client folder (`/../../etc/passwd`) is not served.
    if (candidate !== root && !candidate.startsWith(rootWithSep)) {
      throw new HttpError(404, 'not_found', `no file at ${req.path}`);
    }
    const file = (await isFile(candidate)) ? candidate : null;
    if (file !== null) {
      return {
        status: 200,
        text: await readFile(file),
        contentType: CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      };
    }
    if (extname(candidate) !== '') throw new HttpError(404, 'not_found', `no file at ${req.path}`);
    const index = join(root, 'index.html');
    if (await isFile(index)) {
      return {
        status: 200,
        text: await readFile(index),
        contentType: CONTENT_TYPES['.html'] ?? 'text/html',
      };
    }
    return { status: 200, text: NOT_BUILT_PAGE, contentType: 'text/html; charset=utf-8' };
  };
}
