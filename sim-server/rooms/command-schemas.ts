/**
 * One zod schema per command type: the room validates every `command` message with these before
 * the twin's `decide` sees it. Messages name the field (`position: expected number ≤ 1`).
 */
import { z } from 'zod';
import { COMMAND_TYPES } from '../../digital-twin/index.js';
import type { Command, CommandType } from '../../digital-twin/index.js';
import { firstProblem } from '../http/zod-issues.js';

// Ids are short strings made by clients; the bound keeps a hostile client from filling the log.
const commandId = z.string().min(1).max(128);
const id = z.string().min(1).max(128);
const note = z.string().max(1000).optional();
// A week: longer than any shift, so a shelved alarm cannot be forgotten for good.
const MAX_SHELVE_MS = 7 * 24 * 3600 * 1000;

const capsuleCommand = <T extends string>(type: T) =>
  z.strictObject({ type: z.literal(type), commandId, capsuleId: id, note });

export const COMMAND_SCHEMAS = {
  'capsule.ack': capsuleCommand('capsule.ack'),
  'capsule.resolve': capsuleCommand('capsule.resolve'),
  'capsule.shelve': z.strictObject({
    type: z.literal('capsule.shelve'),
    commandId,
    capsuleId: id,
    durationMs: z.number().int().min(1000).max(MAX_SHELVE_MS),
    note,
  }),
  'capsule.unshelve': capsuleCommand('capsule.unshelve'),
  'capsule.dismiss': capsuleCommand('capsule.dismiss'),
  'valve.actuate': z.strictObject({
    type: z.literal('valve.actuate'),
    commandId,
    actuatorId: id,
    position: z.number().min(0).max(1),
  }),
  'pump.start': z.strictObject({ type: z.literal('pump.start'), commandId, actuatorId: id }),
  'pump.stop': z.strictObject({ type: z.literal('pump.stop'), commandId, actuatorId: id }),
  'setpoint.change': z.strictObject({
    type: z.literal('setpoint.change'),
    commandId,
    actuatorId: id,
    value: z.number().refine(Number.isFinite, 'expected a finite number'),
  }),
  'annotation.add': z.strictObject({
    type: z.literal('annotation.add'),
    commandId,
    text: z.string().min(1).max(2000),
    equipmentId: id.optional(),
    capsuleId: id.optional(),
  }),
} satisfies { [K in CommandType]: z.ZodType<Extract<Command, { type: K }>> };

/** Why a command message could not be turned into a Command. */
export type CommandParseError = {
  /** The command id, when the message carried a usable one (the ack goes there). */
  commandId: string | null;
  code: 'invalid_command' | 'unknown_command_type';
  reason: string;
  field: string;
};

export type CommandParseResult =
  { ok: true; command: Command } | ({ ok: false } & CommandParseError);

/** Validate a `command` message body into a Command, or say which field is wrong. */
export function parseCommand(body: unknown): CommandParseResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      ok: false,
      commandId: null,
      code: 'invalid_command',
      reason: 'expected a command object',
      field: '',
    };
  }
  const record = body as Record<string, unknown>;
  const rawId = record['commandId'];
  const usableId = commandId.safeParse(rawId).success ? (rawId as string) : null;
  const type = record['type'];
  if (typeof type !== 'string' || !(COMMAND_TYPES as readonly string[]).includes(type)) {
    return {
      ok: false,
      commandId: usableId,
      code: type === undefined ? 'invalid_command' : 'unknown_command_type',
      reason:
        type === undefined
          ? 'type: required (expected one of the command types)'
          : `type: expected one of ${COMMAND_TYPES.join(', ')}, got ${JSON.stringify(type)}`,
      field: 'type',
    };
  }
  const schema = COMMAND_SCHEMAS[type as CommandType] as z.ZodType<Command>;
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const problem = firstProblem(parsed.error);
    return {
      ok: false,
      commandId: usableId,
      code: 'invalid_command',
      reason: problem.text,
      field: problem.field,
    };
  }
  return { ok: true, command: parsed.data };
}
