import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../sim-server/rooms/command-schemas.js';

describe('parseCommand', () => {
  it('accepts a well-formed command of each shape', () => {
    expect(parseCommand({ type: 'capsule.ack', commandId: 'c1', capsuleId: 'C-1' })).toEqual({
      ok: true,
      command: { type: 'capsule.ack', commandId: 'c1', capsuleId: 'C-1' },
    });
    expect(
      parseCommand({ type: 'valve.actuate', commandId: 'c2', actuatorId: 'V-1', position: 0.5 }).ok,
    ).toBe(true);
  });

  it('names the field that is wrong and keeps the command id for the ack', () => {
    const result = parseCommand({
      type: 'valve.actuate',
      commandId: 'c3',
      actuatorId: 'V-1',
      position: 2,
    });
    expect(result).toMatchObject({
      ok: false,
      commandId: 'c3',
      code: 'invalid_command',
      field: 'position',
    });
    if (!result.ok) expect(result.reason).toBe('position: expected number ≤ 1');
  });

  it('refuses unknown types, unknown fields and non-objects', () => {
    expect(parseCommand({ type: 'reactor.explode', commandId: 'c4' })).toMatchObject({
      ok: false,
      commandId: 'c4',
      code: 'unknown_command_type',
      field: 'type',
    });
    expect(
      parseCommand({ type: 'capsule.ack', commandId: 'c5', capsuleId: 'C-1', extra: 1 }),
    ).toMatchObject({
      ok: false,
      field: 'extra',
    });
    expect(parseCommand('ack please')).toMatchObject({
      ok: false,
      commandId: null,
      code: 'invalid_command',
    });
    expect(parseCommand({ type: 'capsule.ack', capsuleId: 'C-1' })).toMatchObject({
      ok: false,
      commandId: null,
      field: 'commandId',
    });
  });
});
