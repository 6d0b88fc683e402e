import type { Severity } from '../capsule.js';
import type { TwinState } from '../twin-state.js';
import * as twin from '../twin-state.js';
import type { RuleInstance } from './rule-config.js';
import { DEFAULT_VIBRATION_ON_DELAY_MS } from './rule-config.js';

// Module-local copies: read once per rule instance per evaluation, and some loaders (tsx's
// CommonJS interop) make every access to an imported binding a getter call.
const { isUsable, ZONE_HI, ZONE_HIHI } = twin;

/** Severity ranks: 0 means "no condition due"; the latch stores these too (E-13). */
export const RANK_NONE = 0;
export const RANK_INFO = 1;
export const RANK_WARNING = 2;
export const RANK_CRITICAL = 3;

const SEVERITY_BY_RANK: readonly (Severity | undefined)[] = [
  undefined,
  'info',
  'warning',
  'critical',
];

/** The severity of a rank 1…3. */
export function severityOfRank(rank: number): Severity {
  const severity = SEVERITY_BY_RANK[rank];
  if (severity === undefined) throw new Error(`Invariant: no severity has rank ${rank}`);
  return severity;
}

/** The rank (1 info … 3 critical) of a severity. */
export function rankOfSeverity(severity: Severity): number {
  return severity === 'critical'
    ? RANK_CRITICAL
    : severity === 'warning'
      ? RANK_WARNING
      : RANK_INFO;
}

/** What one rule instance's indicators say at time t. */
export interface ConditionView {
  /** False when the sensor data the rule needs is missing or bad: the rule then holds still. */
  known: boolean;
  /** The raw condition (limit zone left, rate or deviation beyond, vibration anomaly), delay or not. */
  present: boolean;
  /** Severity rank due now, after the on-delay; RANK_NONE when nothing is due. */
  rank: number;
  /** The sensor that drives the condition (for vibration, the worst of the equipment's sensors). */
  sensor: number;
  /** +1 for a high condition (or rising), −1 for a low one (or falling). */
  direction: number;
}

/** A reusable view, so evaluating many rule instances allocates nothing per instance. */
export function emptyCondition(): ConditionView {
  return { known: false, present: false, rank: RANK_NONE, sensor: 0, direction: 1 };
}

/** Fill `out` with what the indicators say for one rule instance at time t (R-2 … R-7). */
export function readCondition(
  state: TwinState,
  instance: RuleInstance,
  t: number,
  out: ConditionView,
): ConditionView {
  const config = state.config;
  const i = instance.sensor;
  out.sensor = i;
  out.rank = RANK_NONE;
  out.direction = 1;
  switch (instance.kind) {
    case 'limit': {
      const zone = state.zone[i]!;
      out.known = isUsable(state, i);
      out.present = zone !== 0;
      out.direction = zone < 0 ? -1 : 1;
      const delay = config.limitOnDelayMs[i]!;
      if ((zone === ZONE_HIHI || zone === -ZONE_HIHI) && t - state.zoneSince[i]! >= delay) {
        out.rank = RANK_CRITICAL;
      } else if (zone !== 0 && t - state.outSince[i]! >= delay) {
        out.rank = RANK_WARNING;
      }
      break;
    }
    case 'rate': {
      const rate = state.rate[i]!;
      const since = state.rateSince[i]!;
      out.known = isUsable(state, i) && rate === rate;
      out.present = since === since;
      out.direction = rate < 0 ? -1 : 1;
      if (out.present && t - since >= config.rateOnDelayMs[i]!) out.rank = RANK_WARNING;
      break;
    }
    case 'deviation': {
      const e = state.expected[i]!;
      const since = state.deviationSince[i]!;
      out.known = isUsable(state, i) && e === e;
      out.present = since === since;
      out.direction = state.value[i]! < e ? -1 : 1;
      if (out.present && t - since >= config.deviationOnDelayMs[i]!) out.rank = RANK_WARNING;
      break;
    }
    case 'vibration': {
      out.known = false;
      out.present = false;
      let worst = -1;
      for (const j of instance.sensors) {
        if (!isUsable(state, j)) continue;
        out.known = true;
        const since = state.vibrationSince[j]!;
        if (since !== since) continue;
        if (!out.present) out.sensor = j;
        out.present = true;
        const delay =
          config.hasLimits[j] === 1 ? config.limitOnDelayMs[j]! : DEFAULT_VIBRATION_ON_DELAY_MS;
        if (t - since < delay) continue;
        const zone = state.zone[j]!;
        const rank = zone >= ZONE_HIHI ? RANK_CRITICAL : zone >= ZONE_HI ? RANK_WARNING : RANK_INFO;
        if (rank > worst) {
          worst = rank;
          out.sensor = j;
          out.rank = rank;
        }
      }
      break;
    }
  }
  return out;
}

/**
 * Whether a rule instance's condition is present by its indicators, usable data or not. The
 * reducer latches a capsule closed while this holds (E-13), so the rule does not raise it again
 * at once; the indicators are frozen while data is bad, so the latch follows them.
 */
export function conditionPresent(state: TwinState, instance: RuleInstance): boolean {
  const i = instance.sensor;
  switch (instance.kind) {
    case 'limit':
      return state.zone[i] !== 0;
    case 'rate':
      return !Number.isNaN(state.rateSince[i]);
    case 'deviation':
      return !Number.isNaN(state.deviationSince[i]);
    case 'vibration':
      return instance.sensors.some((j) => !Number.isNaN(state.vibrationSince[j]));
  }
}
