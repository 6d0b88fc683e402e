/**
 * Checks, at `append` time, what the database would refuse later. A row PostgreSQL rejects
 * (a fractional bigint, a string where a number goes) would fail its batch on every retry and
 * stall the whole queue behind it, so such input is a programmer error thrown to the caller.
 */
import { QUALITIES } from '../../digital-twin/index.js';
import type { TwinEvent } from '../../digital-twin/index.js';
import type { RejectRecord } from './storage.js';

function invariant(message: string): Error {
  return new Error(`Invariant: ${message}`);
}

function isEpochMs(t: unknown): t is number {
  return typeof t === 'number' && Number.isSafeInteger(t) && t >= 0;
}

export function assertStorableEvent(event: TwinEvent): void {
  if (!isEpochMs(event.t))
    throw invariant(
      `event ${event.seq} has t ${String(event.t)}; expected whole ms since the epoch`,
    );
  if (event.type !== 'readings') return;
  for (const reading of event.readings) {
    if (
      typeof reading.sensorId !== 'string' ||
      reading.sensorId === '' ||
      reading.sensorId.includes('\u0000')
    )
      throw invariant(`readings event ${event.seq} has a reading without a usable sensorId`);
    if (!isEpochMs(reading.t))
      throw invariant(
        `reading of ${reading.sensorId} in event ${event.seq} has t ${String(reading.t)}; expected whole ms since the epoch`,
      );
    if (typeof reading.value !== 'number')
      throw invariant(
        `reading of ${reading.sensorId} in event ${event.seq} has a non-number value`,
      );
    if (!QUALITIES.includes(reading.quality))
      throw invariant(
        `reading of ${reading.sensorId} in event ${event.seq} has quality "${String(reading.quality)}"`,
      );
  }
}

export function assertStorableReject(reject: RejectRecord): void {
  if (!isEpochMs(reject.t))
    throw invariant(`reject has t ${String(reject.t)}; expected whole ms since the epoch`);
  for (const key of ['source', 'reason', 'detail', 'raw'] as const) {
    if (typeof reject[key] !== 'string') throw invariant(`reject.${key} must be a string`);
  }
}
