/**
 * How readings go into the readings table on both backends: COPY text (the fast path) and an
 * INSERT that skips duplicates (the fallback when a re-delivered sample makes COPY fail).
 */
import type { ReadingRow } from './write-batch.js';

const UNIQUE_VIOLATION = '23505';

/** Rows per chunk of COPY data handed on at once. */
const COPY_CHUNK_ROWS = 5_000;

/** COPY text format: backslash, tab, newline and carriage return must be escaped. */
function copyText(value: string): string {
  return /[\\\t\n\r]/.test(value)
    ? value
        .replaceAll('\\', '\\\\')
        .replaceAll('\t', '\\t')
        .replaceAll('\n', '\\n')
        .replaceAll('\r', '\\r')
    : value;
}

/** The COPY text-format lines for `rows`, in chunks. */
export function* copyLines(rows: readonly ReadingRow[]): Generator<string> {
  for (let start = 0; start < rows.length; start += COPY_CHUNK_ROWS) {
    let chunk = '';
    const end = Math.min(rows.length, start + COPY_CHUNK_ROWS);
    for (let i = start; i < end; i += 1) {
      const row = rows[i];
      if (row === undefined) continue;
      chunk += `${copyText(row.sensorId)}\t${row.t}\t${String(row.value)}\t${row.quality}\t${row.seq}\t${row.idx}\n`;
    }
    yield chunk;
  }
}

export const INSERT_READINGS_SQL = `insert into readings (sensor_id, t, value, quality, seq, idx)
  select * from unnest($1::text[], $2::bigint[], $3::float8[], $4::text[], $5::bigint[], $6::int[])
  on conflict (sensor_id, t) do nothing`;

/** The six column arrays of INSERT_READINGS_SQL. */
export function readingColumns(rows: readonly ReadingRow[]): unknown[] {
  return [
    rows.map((row) => row.sensorId),
    rows.map((row) => row.t),
    rows.map((row) => row.value),
    rows.map((row) => row.quality),
    rows.map((row) => row.seq),
    rows.map((row) => row.idx),
  ];
}

export function isUniqueViolation(error: unknown): boolean {
  return (
    error !== null &&
    typeof error === 'object' &&
    (error as { code?: unknown }).code === UNIQUE_VIOLATION
  );
}
