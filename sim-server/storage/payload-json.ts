/**
 * JSON for event payloads that keeps every number exact. JSON (and jsonb) has no NaN or
 * Infinity, and `JSON.stringify` silently turns them into null, so a recovered event would differ
 * from the one written; they travel as `{ "$float": "NaN" }` instead.
 */
const TAG = '$float';

// eslint-disable-next-line no-control-regex -- NUL is exactly what must be found
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `text` as PostgreSQL can hold it: text and jsonb refuse NUL and lone UTF-16 surrogates (and a
 * refused row would fail its batch on every retry), so those become U+FFFD.
 */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD');
}

export function encodePayload(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) return { [TAG]: String(v) };
    if (typeof v === 'string') return storableText(v);
    return v;
  });
}

/** Reverses `encodePayload` on an already-parsed JSON value (drivers parse jsonb for us). */
export function decodePayload<T>(value: unknown): T {
  return revive(value) as T;
}

function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 1 && keys[0] === TAG && typeof record[TAG] === 'string')
      return Number(record[TAG]);
    const out: Record<string, unknown> = {};
    for (const key of keys) out[key] = revive(record[key]);
    return out;
  }
  return value;
}
