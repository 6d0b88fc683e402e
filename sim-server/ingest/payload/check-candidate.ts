import type { Quality, Reading, Sensor } from '../../../digital-twin/index.js';
import type { PayloadFailure } from './payload-reason.js';
import type { ReadingLimits } from './reading-limits.js';

/** A value, time and quality as the wire delivered them, before the checks every reading passes. */
export interface ReadingCandidate {
  value: number;
  t: number;
  quality: Quality;
}

export type CandidateCheck = { ok: true; reading: Reading } | PayloadFailure;

/**
 * Applies the rules every reading obeys, whatever wire it came over:
 * - the time must be finite and within [receivedAt − maxAge, receivedAt + maxFuture];
 * - a `bad` reading carries NaN (never a made-up number), whatever value came with it;
 * - otherwise the value must be finite;
 * - inside the sensor's range keeps its quality; outside by at most one span (max − min) is kept
 *   but downgraded to `uncertain` (a saturating transmitter still says something); further out is
 *   refused as `out_of_range` (a wrong unit or a wrong binding).
 */
export function checkCandidate(
  sensor: Sensor,
  candidate: ReadingCandidate,
  receivedAt: number,
  limits: ReadingLimits,
): CandidateCheck {
  const { t } = candidate;
  if (!Number.isFinite(t)) {
    return {
      ok: false,
      reason: 'bad_timestamp',
      message: `t: expected a finite time, got ${String(t)}`,
    };
  }
  if (t > receivedAt + limits.maxFutureMs) {
    return {
      ok: false,
      reason: 'bad_timestamp',
      message: `t: ${describeTime(t)} is ${formatDuration(t - receivedAt)} in the future (limit ${formatDuration(limits.maxFutureMs)})`,
    };
  }
  if (t < receivedAt - limits.maxAgeMs) {
    return {
      ok: false,
      reason: 'bad_timestamp',
      message: `t: ${describeTime(t)} is ${formatDuration(receivedAt - t)} old (limit ${formatDuration(limits.maxAgeMs)})`,
    };
  }
  if (candidate.quality === 'bad') {
    return { ok: true, reading: { sensorId: sensor.id, t, value: Number.NaN, quality: 'bad' } };
  }
  const { value } = candidate;
  if (!Number.isFinite(value)) {
    return {
      ok: false,
      reason: 'non_finite',
      message: `value: expected a finite number, got ${String(value)}`,
    };
  }
  const { min, max } = sensor.range;
  let quality = candidate.quality;
  if (value < min || value > max) {
    const span = max - min;
    if (value < min - span || value > max + span) {
      return {
        ok: false,
        reason: 'out_of_range',
        message: `value: ${value} ${sensor.unit} is outside ${sensor.id}'s range ${min}…${max} by more than its span (${span})`,
      };
    }
    quality = 'uncertain';
  }
  return { ok: true, reading: { sensorId: sensor.id, t, value, quality } };
}

function describeTime(t: number): string {
  const date = new Date(t);
  return Number.isNaN(date.getTime()) ? String(t) : date.toISOString();
}

function formatDuration(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 172_800_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 86_400_000)} d`;
}
