/** Reconnect delays: exponential from `baseMs`, capped at `maxMs`, with ±25 % jitter. */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/** Defaults: 0.5 s, 1 s, 2 s … up to 10 s between tries. */
export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  baseMs: 500,
  maxMs: 10_000,
});

/**
 * Delay (ms) before reconnect attempt `attempt` (0-based). Jitter spreads a room's clients
 * after a server restart so they do not all knock at the same instant. `random` is 0–1.
 */
export function backoffDelay(
  attempt: number,
  random: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
): number {
  const exponential = Math.min(options.baseMs * 2 ** Math.max(attempt, 0), options.maxMs);
  return Math.round(exponential * (0.75 + 0.5 * Math.min(Math.max(random, 0), 1)));
}
