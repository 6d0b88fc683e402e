/** Exponential reconnect delays: first try soon, then back off so a dead broker is not hammered. */
export interface BackoffOptions {
  /** First delay, ms. */
  readonly initialMs: number;
  /** Ceiling, ms. */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ initialMs: 250, maxMs: 30_000 });

/**
 * The delay before reconnect attempt `attempt` (0-based): initial × 2^attempt, capped, with ±20 %
 * jitter (`random` in [0, 1)) so a fleet of clients does not reconnect in lockstep after a broker
 * restart.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: number): number {
  const base = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (0.8 + 0.4 * random));
}
