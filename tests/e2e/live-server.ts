/**
 * A real Twinspace server for browser tests, started in-process with `createServer` and serving
 * a fresh client build. The server modules are loaded by path at run time, so this file
 * typechecks and the tests skip cleanly while the server is not in the tree.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'vite';
import { TEST_ADMIN_PASSWORD } from '../integration/server/helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const serverModule = join(root, 'sim-server/server.ts');
const configModule = join(root, 'sim-server/config.ts');

/** Why the live-server tests cannot run here, or null when they can. */
export function liveServerUnavailable(): string | null {
  if (!existsSync(serverModule)) return 'sim-server/server.ts is not in the tree yet';
  return null;
}

export interface LiveServer {
  url: string;
  close(): Promise<void>;
}

/** Build the client, start the server on a free port serving it, resolve once it listens. */
export async function startLiveServer(env: Record<string, string> = {}): Promise<LiveServer> {
  const clientDir = mkdtempSync(join(tmpdir(), 'twinspace-e2e-client-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'twinspace-e2e-data-'));
  await build({
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir: clientDir, emptyOutDir: true },
  });
  type Config = unknown;
  const { loadConfig } = (await import(pathToFileURL(configModule).href)) as {
    loadConfig: (env: Record<string, string | undefined>, cwd: string) => Config;
  };
  const { createServer } = (await import(pathToFileURL(serverModule).href)) as {
    createServer: (config: Config) => Promise<{ url: string; close(): Promise<void> }>;
  };
  const config = loadConfig(
    {
      PORT: '0',
      HOST: 'localhost',
      DATA_DIR: dataDir,
      CLIENT_DIR: clientDir,
      LOG_LEVEL: 'error',
      ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      ...env,
    },
    root,
  );
  const server = await createServer(config);
  return {
    url: server.url,
    async close() {
      await server.close();
      rmSync(clientDir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
