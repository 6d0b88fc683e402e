/**
 * The query parameters of every API route, one zod schema each. The same schemas validate
 * requests and generate /api/v1/openapi.json, so the document cannot drift from the code.
 * Query strings arrive as text: each schema parses text into the typed value the handler uses.
 */
import { z } from 'zod';
import {
  MAX_BRANCH_HORIZON_MS,
  MAX_BRANCH_MODIFICATIONS,
  MIN_BRANCH_HORIZON_MS,
  CAPSULE_STATES,
  MAX_SPEED,
  MIN_SPEED,
  MISSION_STATES,
  SEVERITIES,
} from '../../digital-twin/index.js';

const count = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .default(fallback);

/** A comma-separated list of values from one vocabulary (`state=active,acknowledged`). */
const listOf = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((text) => text.split(',').map((part) => part.trim()))
    .pipe(z.array(z.enum(values)).min(1));

/** A time as ms since the epoch or an ISO 8601 date-time. */
const time = z
  .string()
  .transform((text, ctx) => {
    const value = /^-?\d+$/.test(text) ? Number(text) : Date.parse(text);
    if (!Number.isFinite(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected ms since the epoch or an ISO 8601 time, got "${text}"`,
      });
      return z.NEVER;
    }
    return value;
  })
  .describe('ms since the Unix epoch, or an ISO 8601 date-time');

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
// One second to one day: finer than the simulator's 100 ms step is noise, coarser is a report.
const MIN_BUCKET_MS = 1000;
const MAX_BUCKET_MS = 86_400_000;

/** A bucket width like `1m`, `30s`, `1h`. */
const bucket = z
  .string()
  .transform((text, ctx) => {
    const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
    const ms = match === null ? NaN : Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    if (!(ms >= MIN_BUCKET_MS && ms <= MAX_BUCKET_MS)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a width from 1s to 1d such as 30s, 1m or 1h, got "${text}"`,
      });
      return z.NEVER;
    }
    return ms;
  })
  .describe('bucket width: a number and a unit (ms, s, m, h, d), from 1s to 1d');

const cursor = z.string().min(1).max(512).describe('nextCursor from the previous page');
const id = z.string().min(1).max(128);

export const CAPSULES_QUERY = z.strictObject({
  state: listOf(CAPSULE_STATES)
    .optional()
    .describe(`comma-separated: ${CAPSULE_STATES.join(', ')}`),
  severity: listOf(SEVERITIES)
    .optional()
    .describe(`comma-separated: ${SEVERITIES.join(', ')}`),
  zone: id.optional().describe('zone id from the plant'),
  text: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('case-insensitive match in title or description'),
  cursor: cursor.optional(),
  limit: count(1, 1000, 50).describe('page size, 1–1000 (default 50)'),
});

export const READINGS_QUERY = z.strictObject({
  from: time.optional().describe('inclusive start (default: an hour before `to`)'),
  to: time.optional().describe('exclusive end (default: the latest plant time)'),
  bucket: bucket.optional(),
  limit: count(1, 10_000, 10_000).describe('most rows or buckets, 1–10000 (default 10000)'),
});

export const COMMANDS_QUERY = z.strictObject({
  cursor: cursor.optional(),
  limit: count(1, 1000, 50).describe('page size, 1–1000 (default 50)'),
  capsuleId: id.optional().describe('only commands about this capsule'),
});

export const REJECTS_QUERY = z.strictObject({
  cursor: cursor.optional(),
  limit: count(1, 1000, 50).describe('page size, 1–1000 (default 50)'),
  source: id.optional().describe('only inputs from this source: mqtt, opcua, …'),
  reason: id.optional().describe('only this reason, e.g. json_parse, out_of_range, unknown_topic'),
});

/** Longest readings range one request may ask for: 31 days. */
export const MAX_READINGS_RANGE_MS = 31 * 86_400_000;

/** A plant time in a JSON body: ms since the epoch or an ISO 8601 date-time string. */
const bodyTime = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    const ms = typeof value === 'number' ? value : Date.parse(value);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected ms since the epoch or an ISO 8601 time, got ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    return ms;
  })
  .describe('plant time: ms since the Unix epoch, or an ISO 8601 date-time');

/**
 * A capture: a title and exactly one way to name the span — `from` and `to`, `sourceCapsuleId`
 * (from shortly before the capsule's raise to its resolution, or now) or `lastMinutes`.
 */
export const MISSION_CREATE_BODY = z
  .strictObject({
    title: z.string().trim().min(1).max(120).describe('shown in the mission list and the room'),
    kind: z
      .enum(['replay'], 'expected replay (branches are forked from a replay)')
      .default('replay'),
    from: bodyTime.optional(),
    to: bodyTime.optional(),
    sourceCapsuleId: id.optional().describe('capture around this capsule'),
    lastMinutes: z
      .number()
      .int('expected a whole number of minutes')
      .min(1)
      .max(1440)
      .optional()
      .describe('capture the last N minutes of plant time, 1–1440'),
  })
  .superRefine((body, ctx) => {
    const ways = [
      body.from !== undefined || body.to !== undefined,
      body.sourceCapsuleId !== undefined,
      body.lastMinutes !== undefined,
    ].filter(Boolean).length;
    if (ways !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['from'],
        message: 'give exactly one of: from and to, sourceCapsuleId, lastMinutes',
      });
      return;
    }
    if ((body.from === undefined) !== (body.to === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [body.from === undefined ? 'from' : 'to'],
        message: 'from and to go together',
      });
    }
  });
export type MissionCreateBody = z.output<typeof MISSION_CREATE_BODY>;

export const MISSIONS_QUERY = z.strictObject({
  state: listOf(MISSION_STATES)
    .optional()
    .describe(`comma-separated: ${MISSION_STATES.join(', ')}`),
  cursor: cursor.optional(),
  limit: count(1, 1000, 50).describe('page size, 1–1000 (default 50)'),
});

export const MISSION_SEEK_BODY = z.strictObject({ t: bodyTime });
export const MISSION_SPEED_BODY = z.strictObject({
  speed: z.number().describe(`playback speed, ${MIN_SPEED}–${MAX_SPEED} × plant time`),
});
/**
 * A what-if branch of a mission (SPEC B-1, B-2). The shape is checked here; the plant checks
 * (actuators, ranges, fault targets, recorded commands) are `validateBranch`'s, each naming
 * `modifications[i].<field>`.
 */
export const BRANCH_CREATE_BODY = z.strictObject({
  title: z.string().min(1).max(200).optional(),
  forkT: z.number().describe("plant time of the fork, ms epoch, inside the parent's span"),
  horizonMs: z
    .number()
    .int()
    .describe(`how far the branch computes, ${MIN_BRANCH_HORIZON_MS}–${MAX_BRANCH_HORIZON_MS} ms`),
  modifications: z
    .array(z.record(z.string(), z.unknown()))
    .max(MAX_BRANCH_MODIFICATIONS)
    .describe(
      `at most ${MAX_BRANCH_MODIFICATIONS}: { kind: 'command', atMs, command } | { kind: 'fault' | 'clearFault', atMs, fault } | { kind: 'remove', seq }`,
    ),
});
export type BranchCreateBody = z.infer<typeof BRANCH_CREATE_BODY>;

/** start, pause, resume and stop take no fields. */
export const MISSION_EMPTY_BODY = z.strictObject({});
