/**
 * JSON for event payloads that keeps every number exact. JSON (and jsonb) has no NaN or
 * Infinity, and `JSON.stringify` silently turns them into null, so a recovered event would differ
 * from the one written; they travel as `{ "$float": "NaN" }` instead. Pure, so the event store
 * and the branch worker write the same JSON.
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

// Any NUL or surrogate at all: a cheap test with no look-around (paired surrogates, which are
// fine, just take the slow path). No `g`: `test` on a global regex carries `lastIndex` along.
// eslint-disable-next-line no-control-regex -- NUL is exactly what must be found
const MAYBE_UNSTORABLE = /[\u0000\uD800-\uDFFF]/;

/**
 * Whether `value` holds anything plain `JSON.stringify` would get wrong: a non-finite number, a
 * string PostgreSQL refuses, or a `toJSON` whose result is not walked here. A walk in JS is
 * several times cheaper than a replacer called back from native code for every key, and almost
 * every payload (the simulator's expectations at 10 Hz, capsules, commands) has none of them.
 */
function needsReplacer(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (typeof value === 'string') return MAYBE_UNSTORABLE.test(value);
  if (value === null || typeof value !== 'object') return false;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return true;
  if (Array.isArray(value)) {
    for (const item of value) if (needsReplacer(item)) return true;
    return false;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (MAYBE_UNSTORABLE.test(key)) return true;
    if (needsReplacer((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

export function encodePayload(value: unknown): string {
  if (!needsReplacer(value)) return JSON.stringify(value);
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
