/**
 * Zod issues as the one-line messages Twinspace shows everywhere: the field path, then what was
 * expected (`position: expected number ≤ 1`). Shared by room messages and HTTP parameters.
 */
import type { z } from 'zod';

/** One validation problem: the dotted path of the field (empty for the whole input) and what was wrong. */
export interface FieldProblem {
  field: string;
  message: string;
}

function describeInput(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  if (typeof input === 'string')
    return JSON.stringify(input.length > 40 ? `${input.slice(0, 37)}…` : input);
  if (typeof input === 'number') return Number.isNaN(input) ? 'NaN' : String(input);
  if (typeof input === 'object') return 'an object';
  return `a ${typeof input}`;
}

function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function bound(
  issue: { origin?: string; inclusive?: boolean },
  big: boolean,
  limit: unknown,
): string {
  const n = typeof limit === 'bigint' ? Number(limit) : (limit as number);
  if (issue.origin === 'string') {
    return big ? `expected at most ${n} characters` : `expected at least ${n} characters`;
  }
  if (issue.origin === 'array') {
    return big ? `expected at most ${n} items` : `expected at least ${n} items`;
  }
  const inclusive = issue.inclusive !== false;
  const op = big ? (inclusive ? '≤' : '<') : inclusive ? '≥' : '>';
  return `expected number ${op} ${n}`;
}

/** The message for one zod issue, without its path. */
function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      const input = (issue as { input?: unknown }).input;
      return input === undefined
        ? `required (expected ${issue.expected})`
        : `expected ${issue.expected}, got ${describeInput(input)}`;
    }
    case 'too_big':
      return bound(issue, true, issue.maximum);
    case 'too_small':
      return bound(issue, false, issue.minimum);
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeInput((issue as { input?: unknown }).input)}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    case 'invalid_format':
      // A regex's own message says what the pattern means; "expected regex" would not.
      return issue.format === 'regex' ? issue.message : `expected ${issue.format}`;
    case 'not_multiple_of':
      return `expected a multiple of ${String(issue.divisor)}`;
    case 'custom':
    case 'invalid_union':
    case 'invalid_key':
    case 'invalid_element':
      return issue.message;
    default: {
      // Exhaustive at compile time; a code from a newer zod still gets its own message.
      const unknown: never = issue;
      return (unknown as { message: string }).message;
    }
  }
}

/** Every issue of a failed parse, as field + message. Unknown keys are reported at the key. */
export function fieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const field = pathOf([...issue.path, issue.keys[0] ?? '']);
      return { field, message: describe(issue) };
    }
    return { field: pathOf(issue.path), message: describe(issue) };
  });
}

/** `field: message` for the first problem, the form acks and HTTP errors carry. */
export function firstProblem(error: z.ZodError): FieldProblem & { text: string } {
  const first = fieldProblems(error)[0] ?? { field: '', message: 'invalid input' };
  return {
    ...first,
    text: first.field === '' ? first.message : `${first.field}: ${first.message}`,
  };
}
