import type { z } from 'zod';
import { HttpError } from './http-error.js';
import { firstProblem } from './zod-issues.js';

/**
 * Validates a query string with a route's schema; a bad or unknown parameter answers 400 naming
 * it. A parameter given twice is refused too: silently using one of them would hide a client bug.
 */
export function parseQuery<T>(schema: z.ZodType<T>, query: URLSearchParams): T {
  const input: Record<string, string> = {};
  for (const [key, value] of query) {
    if (key in input)
      throw new HttpError(400, 'bad_parameter', `${key}: given more than once`, { field: key });
    input[key] = value;
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    const problem = firstProblem(result.error);
    // `state[1]` is the second item of the comma list `state`: the client fixes the parameter.
    const field = problem.field.split(/[.[]/)[0] ?? problem.field;
    throw new HttpError(400, 'bad_parameter', `${field}: ${problem.message}`, { field });
  }
  return result.data;
}

/** Validates a JSON body with a route's schema; 400 naming the first field that is wrong. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const problem = firstProblem(result.error);
    throw new HttpError(400, 'bad_body', problem.text, { field: problem.field || 'body' });
  }
  return result.data;
}
