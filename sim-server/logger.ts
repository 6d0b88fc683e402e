/**
 * A tiny levelled logger writing one line per message to stderr/stdout. The server takes it as a
 * parameter (tests pass a silent one) rather than reaching for a global.
 */
import type { LogLevel } from './config.js';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/** A logger that prints messages at `level` and above, prefixed with the wall-clock time. */
export function createLogger(level: LogLevel): Logger {
  const on = (at: LogLevel): boolean => RANK[at] >= RANK[level];
  const stamp = (): string => new Date().toISOString().slice(11, 23);
  return {
    debug: (message) => {
      if (on('debug')) console.log(`${stamp()} debug ${message}`);
    },
    info: (message) => {
      if (on('info')) console.log(`${stamp()} ${message}`);
    },
    warn: (message) => {
      if (on('warn')) console.warn(`${stamp()} warn  ${message}`);
    },
    error: (message, error) => {
      if (!on('error')) return;
      const detail =
        error instanceof Error
          ? `\n${error.stack ?? error.message}`
          : error === undefined
            ? ''
            : ` ${JSON.stringify(error) ?? typeof error}`;
      console.error(`${stamp()} error ${message}${detail}`);
    },
  };
}

/** A logger that drops everything (tests). */
export const SILENT_LOGGER: Logger = createLogger('silent');
