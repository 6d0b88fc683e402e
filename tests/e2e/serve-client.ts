/**
 * Build the client with the project's vite.config.ts into a temporary folder and serve it with
 * `vite preview` on `localhost` (Babylon refuses WebXR on 127.0.0.1). Shared by the client
 * bench and the browser tests that need no server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';

export interface ServedClient {
  /** Base URL ending in `/`, e.g. `http://localhost:41234/`. */
  url: string;
  close(): Promise<void>;
}

const configFile = fileURLToPath(new URL('../../vite.config.ts', import.meta.url));

/** Build once into a temporary folder and serve it; `close()` stops and removes it. */
export async function serveBuiltClient(): Promise<ServedClient> {
  const outDir = mkdtempSync(join(tmpdir(), 'twinspace-client-'));
  await build({ configFile, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  const server = await preview({
    configFile,
    logLevel: 'error',
    build: { outDir },
    preview: {
      host: 'localhost',
      port: 0,
      strictPort: false,
      open: false,
      // Cross-origin isolation: Chromium then times performance.now() to 5 µs instead of
      // 100 µs, which the bench's per-frame figures (often under 1 ms) need.
      headers: {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      },
    },
  });
  const address = server.httpServer.address();
  if (address === null || typeof address === 'string')
    throw new Error('vite preview did not listen on a port');
  return {
    url: `http://localhost:${address.port}/`,
    async close() {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
