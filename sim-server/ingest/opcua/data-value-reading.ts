import type { Quality } from '../../../digital-twin/index.js';
import type { ReadingCandidate } from '../payload/index.js';

/** The parts of an OPC-UA DataValue a reading needs (node-opcua's DataValue has them all). */
export interface DataValueLike {
  value: { value: unknown } | null | undefined;
  statusCode: { value: number; name?: string } | null | undefined;
  sourceTimestamp?: Date | null;
  serverTimestamp?: Date | null;
}

/**
 * OPC-UA StatusCode severity (Part 4, 7.39): the top two bits say Good (00), Uncertain (01) or
 * Bad (10/11); everything below them (sub-codes, limit bits) does not change the quality.
 */
export function qualityOfStatus(status: number): Quality {
  const severity = status >>> 30;
  if (severity === 0) return 'good';
  if (severity === 1) return 'uncertain';
  return 'bad';
}

export type DataValueResult =
  { ok: true; candidate: ReadingCandidate } | { ok: false; message: string };

/**
 * Turns a DataValue into a reading candidate: the source timestamp is kept (the device's clock
 * says when it was measured), falling back to the server's, then to the receive time. Numbers,
 * booleans (0/1) and 64-bit integers (node-opcua's `[high, low]` pairs) are numbers; anything
 * else is refused unless the status is bad (then the value does not matter: it becomes NaN).
 */
export function dataValueToCandidate(
  dataValue: DataValueLike,
  receivedAt: number,
): DataValueResult {
  const quality = qualityOfStatus(dataValue.statusCode?.value ?? 0);
  const stamp = dataValue.sourceTimestamp ?? dataValue.serverTimestamp;
  const t = stamp instanceof Date && !Number.isNaN(stamp.getTime()) ? stamp.getTime() : receivedAt;
  if (quality === 'bad') return { ok: true, candidate: { value: Number.NaN, t, quality } };
  const raw = dataValue.value?.value;
  const value = numberOf(raw);
  if (value === undefined) {
    return { ok: false, message: `value: expected a number, got ${describe(raw)}` };
  }
  return { ok: true, candidate: { value, t, quality } };
}

function numberOf(raw: unknown): number | undefined {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw === 'bigint') return Number(raw);
  // node-opcua carries Int64/UInt64 as [high, low] 32-bit words.
  if (Array.isArray(raw) && raw.length === 2 && raw.every((x) => typeof x === 'number')) {
    const [high, low] = raw as [number, number];
    return high * 4294967296 + (low >>> 0);
  }
  return undefined;
}

function describe(raw: unknown): string {
  if (raw === null || raw === undefined) return 'no value';
  if (Array.isArray(raw)) return `an array of ${raw.length}`;
  if (typeof raw === 'string') return `string "${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}"`;
  return typeof raw;
}
