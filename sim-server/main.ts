/**
 * `npm start`: reads the configuration from the environment, starts the server, says where to
 * point a browser, and on SIGINT/SIGTERM stops the plant, flushes every buffered write, closes
 * the room and exits 0. A second signal exits at once.
 */
import { ConfigError, describeConfig, loadConfig } from './config.js';
import type { ServerConfig } from './config.js';
import { createLogger } from './logger.js';
import { createServer } from './server.js';

async function main(): Promise<void> {
  let config: ServerConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Twinspace cannot start: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  log.info('Twinspace starting');
  for (const line of describeConfig(config)) log.info(`  ${line}`);

  const server = await createServer(config, { log });
  log.info(`Twinspace is live on port ${server.port}: open ${server.url}`);
  if (server.firstSignInUrl !== null) {
    // Like Jupyter's token URL: the one way in on a fresh database. Printed even at LOG_LEVEL=silent.
    console.log(
      `First start: sign in as admin (once) at ${server.firstSignInUrl}\n` +
        '  then create users under Admin; set ADMIN_PASSWORD to choose the admin password instead.',
    );
  }

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      log.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    log.info(`${signal}: stopping the plant and flushing storage`);
    server.close().then(
      () => {
        log.info('stopped cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        log.error('shutdown failed', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(
    'Twinspace failed to start:',
    error instanceof Error ? (error.stack ?? error.message) : error,
  );
  process.exit(1);
});
