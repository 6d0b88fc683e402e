/**
 * Opaque page cursors: base64url JSON naming the list they belong to and the last row's sort key,
 * so the next page starts strictly after it (keyset pagination never skips or repeats a row, even
 * while rows are being inserted).
 */
import { StorageQueryError } from './storage-query-error.js';

export interface CapsuleCursor {
  raisedAt: number;
  id: string;
}

export function encodeCapsuleCursor(key: CapsuleCursor): string {
  return Buffer.from(JSON.stringify({ l: 'capsules', r: key.raisedAt, i: key.id })).toString(
    'base64url',
  );
}

export function encodeSeqCursor(list: string, seq: number): string {
  return Buffer.from(JSON.stringify({ l: list, s: seq })).toString('base64url');
}

function parse(cursor: string, list: string): Record<string, unknown> {
  const invalid = (why: string): StorageQueryError =>
    new StorageQueryError(
      'cursor',
      `not a cursor from this ${list} list (${why}); pass back nextCursor unchanged or omit it`,
    );
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) throw invalid('not base64url');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('does not decode');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalid('does not decode');
  const record = value as Record<string, unknown>;
  if (record.l !== list) throw invalid('made for another list');
  return record;
}

export function decodeCapsuleCursor(cursor: string): CapsuleCursor {
  const record = parse(cursor, 'capsules');
  const { r, i } = record;
  if (typeof r !== 'number' || !Number.isSafeInteger(r) || typeof i !== 'string')
    throw new StorageQueryError(
      'cursor',
      'not a cursor from this capsules list (damaged); pass back nextCursor unchanged or omit it',
    );
  return { raisedAt: r, id: i };
}

export function decodeSeqCursor(cursor: string, list: string): number {
  const { s } = parse(cursor, list);
  if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 0)
    throw new StorageQueryError(
      'cursor',
      `not a cursor from this ${list} list (damaged); pass back nextCursor unchanged or omit it`,
    );
  return s;
}
