import { QUALITIES } from '../../../digital-twin/index.js';
import type { Quality, Sensor } from '../../../digital-twin/index.js';
import { checkCandidate } from './check-candidate.js';
import type { CandidateCheck } from './check-candidate.js';
import type { ReadingLimits } from './reading-limits.js';

/** How a topic's payload is written: `{"value":…,"t":…,"quality":…}` (or a bare number), or a bare number only. */
export type TextPayloadFormat = 'json' | 'number';

// `fatal` makes invalid UTF-8 an error instead of silently becoming U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });
const NON_FINITE_WORD = /^[+-]?(nan|inf|infinity)$/i;
// ISO 8601 with a date and a time; `Date.parse` alone accepts far too much ("1", "May 5").
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Decodes one MQTT payload for one sensor. `json` accepts an object `{value, t?, quality?}` or a
 * bare JSON number; `number` accepts the number's text only. `t` is ms since the epoch (or an ISO
 * 8601 string) and defaults to `receivedAt`; quality defaults to `good`; `value: null` is allowed
 * only with `quality: "bad"` (JSON cannot carry NaN). Never throws: every input is either a
 * reading or a failure with a reason.
 */
export function decodeTextPayload(
  payload: Uint8Array,
  format: TextPayloadFormat,
  sensor: Sensor,
  receivedAt: number,
  limits: ReadingLimits,
): CandidateCheck {
  // Checked first so a 10 MB payload costs a comparison, not a parse.
  if (payload.byteLength > limits.maxPayloadBytes) {
    return {
      ok: false,
      reason: 'too_large',
      message: `payload: ${payload.byteLength} bytes exceeds the ${limits.maxPayloadBytes}-byte limit`,
    };
  }
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return { ok: false, reason: 'json_parse', message: 'payload: not valid UTF-8 text' };
  }
  const trimmed = text.trim();
  if (NON_FINITE_WORD.test(trimmed)) {
    return {
      ok: false,
      reason: 'non_finite',
      message: `value: expected a finite number, got ${trimmed}`,
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: 'json_parse', message: `payload: not JSON (${clip(detail)})` };
  }
  if (typeof parsed === 'number') {
    return checkCandidate(
      sensor,
      { value: parsed, t: receivedAt, quality: 'good' },
      receivedAt,
      limits,
    );
  }
  if (format === 'number') {
    return {
      ok: false,
      reason: 'wrong_type',
      message: `payload: expected a bare number, got ${describeType(parsed)}`,
    };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return {
      ok: false,
      reason: 'wrong_type',
      message: `payload: expected a number or an object with "value", got ${describeType(parsed)}`,
    };
  }
  return decodeObject(parsed as Record<string, unknown>, sensor, receivedAt, limits);
}

function decodeObject(
  body: Record<string, unknown>,
  sensor: Sensor,
  receivedAt: number,
  limits: ReadingLimits,
): CandidateCheck {
  let quality: Quality = 'good';
  if (body.quality !== undefined) {
    if (typeof body.quality !== 'string') {
      return {
        ok: false,
        reason: 'wrong_type',
        message: `quality: expected one of ${QUALITIES.join(', ')}, got ${describeType(body.quality)}`,
      };
    }
    if (!(QUALITIES as readonly string[]).includes(body.quality)) {
      return {
        ok: false,
        reason: 'bad_quality',
        message: `quality: expected one of ${QUALITIES.join(', ')}, got "${clip(body.quality)}"`,
      };
    }
    quality = body.quality as Quality;
  }
  let t = receivedAt;
  if (body.t !== undefined) {
    if (typeof body.t === 'number') {
      t = body.t;
    } else if (typeof body.t === 'string' && ISO_TIME.test(body.t)) {
      t = Date.parse(body.t);
    } else {
      return {
        ok: false,
        reason: typeof body.t === 'string' ? 'bad_timestamp' : 'wrong_type',
        message: `t: expected ms since the epoch or an ISO 8601 time, got ${describeType(body.t)}`,
      };
    }
  }
  if (!('value' in body) || body.value === undefined) {
    return { ok: false, reason: 'missing_field', message: 'value: missing' };
  }
  const raw = body.value;
  let value: number;
  if (typeof raw === 'number') {
    value = raw;
  } else if (raw === null && quality === 'bad') {
    value = Number.NaN;
  } else if (typeof raw === 'string' && NON_FINITE_WORD.test(raw.trim())) {
    // Some gateways write NaN/Infinity as strings because JSON has no literal for them.
    return {
      ok: false,
      reason: 'non_finite',
      message: `value: expected a finite number, got "${raw}"`,
    };
  } else {
    return {
      ok: false,
      reason: 'wrong_type',
      message: `value: expected number, got ${describeType(raw)}${raw === null ? ' (null is allowed only with quality "bad")' : ''}`,
    };
  }
  return checkCandidate(sensor, { value, t, quality }, receivedAt, limits);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return `string "${clip(value)}"`;
  return typeof value;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
