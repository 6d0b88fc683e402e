/**
 * Small building blocks for hand-written validators that report every problem with its JSON
 * path (`equipment[12].sensors[3].unit`) instead of stopping at the first one.
 */

/** One thing wrong with a validated document: where (JSON path) and what. */
export interface PlantProblem {
  /** JSON path of the offending value, e.g. `equipment[12].sensors[3].unit`; `(root)` for the whole input. */
  path: string;
  /** What was expected and what was found, e.g. `expected one of degC, got "F"`. */
  message: string;
}

/** The path used for problems with the input as a whole. */
export const ROOT_PATH = '(root)';

/** `base.key`, or just `key` at the root. */
export function fieldPath(base: string, key: string): string {
  return base === '' || base === ROOT_PATH ? key : `${base}.${key}`;
}

/** `base[index]`. */
export function indexPath(base: string, index: number): string {
  return `${base}[${index}]`;
}

/** Problems as lines of `path: message`, for logs and CLI output. */
export function formatProblems(problems: readonly PlantProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join('\n');
}

// A long string or a whole sub-object pasted into an error message helps nobody.
const MAX_DESCRIBED_LENGTH = 60;

/** A short human description of a value found where something else was expected. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  // String(), not JSON.stringify: the latter turns NaN and Infinity into "null", which misleads.
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    const quoted = JSON.stringify(value);
    return quoted.length > MAX_DESCRIBED_LENGTH
      ? `${quoted.slice(0, MAX_DESCRIBED_LENGTH - 4)}…"`
      : quoted;
  }
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** The value if it is one of `allowed`, else undefined (no problem recorded). */
export function asOneOf<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value)
    ? (value as T)
    : undefined;
}

/** True for plain objects (not null, not arrays). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Accumulates problems. The helpers return the value when it is acceptable and `undefined`
 * (after recording a problem) when it is not, so a validator can keep going and still use the
 * good parts for cross-checks.
 */
export class ProblemCollector {
  readonly problems: PlantProblem[] = [];

  add(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  /** An object, or a problem. */
  object(value: unknown, path: string): Record<string, unknown> | undefined {
    if (isRecord(value)) return value;
    this.add(path, `expected an object, got ${describeValue(value)}`);
    return undefined;
  }

  /** An array, or a problem. */
  array(value: unknown, path: string): unknown[] | undefined {
    if (Array.isArray(value)) return value as unknown[];
    this.add(path, `expected an array, got ${describeValue(value)}`);
    return undefined;
  }

  /** A non-empty string (blank strings count as empty), or a problem. */
  nonEmptyString(value: unknown, path: string): string | undefined {
    if (typeof value !== 'string') {
      this.add(path, `expected a non-empty string, got ${describeValue(value)}`);
      return undefined;
    }
    if (value.trim() === '') {
      this.add(path, `expected a non-empty string, got ${describeValue(value)}`);
      return undefined;
    }
    return value;
  }

  /** Any string, or a problem. */
  string(value: unknown, path: string): string | undefined {
    if (typeof value === 'string') return value;
    this.add(path, `expected a string, got ${describeValue(value)}`);
    return undefined;
  }

  /** A finite number, or a problem. */
  finite(value: unknown, path: string): number | undefined {
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    this.add(path, `expected a finite number, got ${describeValue(value)}`);
    return undefined;
  }

  /** A finite number ≥ 0, or a problem. */
  nonNegative(value: unknown, path: string): number | undefined {
    const n = this.finite(value, path);
    if (n === undefined) return undefined;
    if (n < 0) {
      this.add(path, `expected a number ≥ 0, got ${describeValue(n)}`);
      return undefined;
    }
    return n;
  }

  /** A finite number > 0, or a problem. */
  positive(value: unknown, path: string): number | undefined {
    const n = this.finite(value, path);
    if (n === undefined) return undefined;
    if (n <= 0) {
      this.add(path, `expected a number > 0, got ${describeValue(n)}`);
      return undefined;
    }
    return n;
  }

  /** One of a fixed list of strings, or a problem naming them all. */
  oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T | undefined {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) {
      return value as T;
    }
    this.add(path, `expected one of ${allowed.join(', ')}, got ${describeValue(value)}`);
    return undefined;
  }

  /** Report every key of `object` that is not in `allowed`, suggesting the nearest known key. */
  knownKeys(object: Record<string, unknown>, allowed: readonly string[], path: string): void {
    for (const key of Object.keys(object)) {
      if (allowed.includes(key)) continue;
      const suggestion = nearest(key, allowed);
      this.add(
        fieldPath(path, key),
        suggestion === undefined
          ? `unknown field (known fields: ${allowed.join(', ')})`
          : `unknown field; did you mean "${suggestion}"?`,
      );
    }
  }
}

/** The allowed key closest to a typo, if it is close enough to be a plausible intent. */
function nearest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = key.toLowerCase();
  for (const candidate of allowed) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  // Two edits catch transpositions and case/plural slips without suggesting unrelated words.
  return bestDistance <= Math.min(2, Math.floor(key.length / 2)) ? best : undefined;
}

/** Levenshtein distance; the strings here are short field names. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
