import type { Capsule } from '../capsule.js';
import type { TwinState } from '../twin-state.js';
import { isUsable } from '../twin-state.js';
import type { ConditionView } from './conditions.js';
import { BASELINE_FACTOR, CLEAR_RATIO } from './indicators.js';
import type { RuleInstance } from './rule-config.js';

/** Consensus changes smaller than this are not worth an event: no spam from noise. */
export const CONSENSUS_MIN_CHANGE = 0.05;
/** Without a rate rule, "not clearly moving back" tolerates this share of the range per minute. */
const RATE_TOLERANCE_SHARE_OF_RANGE = 0.01;
/** With a rate rule, it tolerates this share of the rate limit. */
const RATE_TOLERANCE_SHARE_OF_MAX = 0.25;

export type Check = Capsule['checks'][number];

/**
 * The "shadow twin" validation: independent checks of the claim a capsule makes, each
 * available only where its data exists, in a fixed order (limit, rate, expectation, redundant).
 * The score is the share of available checks that agree.
 *
 * - limit and vibration claim "sensor i is beyond θ in direction d": the reading, the
 *   simulator's expectation and the redundant sensor are each checked against θ (less the
 *   deadband), and the trend must not be clearly heading back;
 * - rate claims "sensor i changes fast in direction d": its own rate, the redundant sensor's
 *   rate, and whether the value is already beyond a limit that way;
 * - deviation claims "sensor i is off the model in direction d": its own deviation, whether the
 *   redundant sensor is off the model the same way (the process, not the sensor), and the limit.
 */
export function consensusChecks(
  state: TwinState,
  instance: RuleInstance,
  condition: ConditionView,
  previous: readonly Check[] = [],
): { checks: Check[]; consensus: number } {
  const config = state.config;
  const i = condition.sensor;
  const d = condition.direction;
  const r = config.redundant[i]!;
  const redundantUsable = r >= 0 && isUsable(state, r);
  const value = state.value[i]!;
  const rate = state.rate[i]!;
  const expected = state.expected[i]!;
  const zone = state.zone[i]!;
  const checks: Check[] = [];

  // Each threshold check has a band: it starts agreeing at `enter` and stops below `leave`, so
  // a value hovering at a threshold (with noise) does not flip the score on every sample.
  const was = (check: Check['check']): boolean =>
    previous.find((p) => p.check === check)?.agrees ?? true;
  const push = (check: Check['check'], x: number, enter: number, leave: number): void => {
    const agrees = Number.isFinite(x) && x >= (was(check) ? leave : enter);
    checks.push({ check, agrees });
  };

  switch (instance.kind) {
    case 'limit':
    case 'vibration': {
      const limit =
        d > 0
          ? firstFinite(config.hi[i]!, config.hihi[i]!)
          : firstFinite(config.lo[i]!, config.lolo[i]!);
      const base = state.baseline[i]!;
      const theta = Number.isFinite(limit) ? limit : base * BASELINE_FACTOR;
      const db = config.deadband[i]!;
      // "Beyond θ in direction d", measured as d·(x − θ): agree from 0, keep agreeing to −deadband.
      const beyond = (check: Check['check'], x: number): void =>
        push(check, d * (x - theta), 0, -db);
      // The limit check reads the zone, which already has the deadband hysteresis (E-6).
      if (Number.isFinite(limit)) checks.push({ check: 'limit', agrees: zone * d > 0 });
      if (Number.isFinite(rate)) {
        const max = config.rateMax[i]!;
        const sensor = state.plant.sensors[i]!;
        const tolerance = Number.isFinite(max)
          ? max * RATE_TOLERANCE_SHARE_OF_MAX
          : (sensor.range.max - sensor.range.min) * RATE_TOLERANCE_SHARE_OF_RANGE;
        // Not clearly heading back: agree from a steady or rising trend, keep agreeing to −tolerance.
        push('rate', d * rate, 0, -tolerance);
      }
      if (Number.isFinite(expected)) beyond('expectation', expected);
      if (redundantUsable) beyond('redundant', state.value[r]!);
      break;
    }
    case 'rate': {
      const max = config.rateMax[i]!;
      if (config.hasLimits[i] === 1) checks.push({ check: 'limit', agrees: zone * d > 0 });
      push('rate', d * rate, max, max * CLEAR_RATIO);
      if (redundantUsable) push('redundant', d * state.rate[r]!, max, max * CLEAR_RATIO);
      break;
    }
    case 'deviation': {
      const tolerance = config.deviationTolerance[i]!;
      if (config.hasLimits[i] === 1) checks.push({ check: 'limit', agrees: zone * d > 0 });
      push('expectation', d * (value - expected), tolerance, tolerance * CLEAR_RATIO);
      if (redundantUsable) {
        push('redundant', d * (state.value[r]! - expected), tolerance, tolerance * CLEAR_RATIO);
      }
      break;
    }
  }
  const agreeing = checks.filter((check) => check.agrees).length;
  // Rounded to 3 decimals: 1/3 must hash and serialise the same everywhere, and reads better.
  const consensus = checks.length === 0 ? 0 : Math.round((agreeing / checks.length) * 1000) / 1000;
  return { checks, consensus };
}

function firstFinite(a: number, b: number): number {
  return Number.isFinite(a) ? a : b;
}
