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
      const beyond = (x: number): boolean => Number.isFinite(x) && d * (x - theta) >= -db;
      if (Number.isFinite(limit)) checks.push({ check: 'limit', agrees: beyond(value) });
      if (Number.isFinite(rate)) {
        const max = config.rateMax[i]!;
        const sensor = state.plant.sensors[i]!;
        const tolerance = Number.isFinite(max)
          ? max * RATE_TOLERANCE_SHARE_OF_MAX
          : (sensor.range.max - sensor.range.min) * RATE_TOLERANCE_SHARE_OF_RANGE;
        checks.push({ check: 'rate', agrees: d * rate >= -tolerance });
      }
      if (Number.isFinite(expected))
        checks.push({ check: 'expectation', agrees: beyond(expected) });
      if (redundantUsable) checks.push({ check: 'redundant', agrees: beyond(state.value[r]!) });
      break;
    }
    case 'rate': {
      const fast = config.rateMax[i]! * CLEAR_RATIO;
      if (config.hasLimits[i] === 1) checks.push({ check: 'limit', agrees: zone * d > 0 });
      checks.push({ check: 'rate', agrees: d * rate >= fast });
      if (redundantUsable) {
        const other = state.rate[r]!;
        checks.push({ check: 'redundant', agrees: Number.isFinite(other) && d * other >= fast });
      }
      break;
    }
    case 'deviation': {
      const off = config.deviationTolerance[i]! * CLEAR_RATIO;
      if (config.hasLimits[i] === 1) checks.push({ check: 'limit', agrees: zone * d > 0 });
      checks.push({ check: 'expectation', agrees: d * (value - expected) > off });
      if (redundantUsable) {
        checks.push({ check: 'redundant', agrees: d * (state.value[r]! - expected) > off });
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
