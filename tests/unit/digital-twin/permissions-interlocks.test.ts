import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  checkInterlocks,
  compilePlant,
  createTwinState,
  decide,
  PERMISSIONS,
  permits,
  PLANT_WRITING_COMMANDS,
  QUALITY_BAD,
  QUALITY_GOOD,
  ROUTE_ACTIONS,
  COMMAND_TYPES,
  USER_ROLES,
  validatePlant,
} from '../../../digital-twin/index.js';
import type { Actor, Command, Plant, TwinState } from '../../../digital-twin/index.js';

const FILE = fileURLToPath(new URL('../../../assets/plants/demo-reactor.json', import.meta.url));
const demo = JSON.parse(readFileSync(FILE, 'utf8')) as Plant;
const plant = compilePlant(demo);
const T0 = Date.UTC(2026, 0, 1);
const operator: Actor = { id: 'u1', name: 'Ada', role: 'operator' };

function state(): TwinState {
  return createTwinState(plant, T0);
}
function setActuator(s: TwinState, id: string, value: number): void {
  s.actuators[plant.actuatorIndex.get(id)!] = value;
}
function setReading(s: TwinState, id: string, value: number, quality = QUALITY_GOOD): void {
  const i = plant.sensorIndex.get(id)!;
  s.value[i] = quality === QUALITY_BAD ? NaN : value;
  s.quality[i] = quality;
}
const startP101: Command = { type: 'pump.start', commandId: 'c1', actuatorId: 'P-101.RUN' };
const openV101: Command = {
  type: 'valve.actuate',
  commandId: 'c2',
  actuatorId: 'V-101.POS',
  position: 1,
};

describe('permissions (SPEC P)', () => {
  it('P-1/P-2: the table names a role for every command type and route action', () => {
    for (const action of [...COMMAND_TYPES, ...ROUTE_ACTIONS])
      expect(USER_ROLES).toContain(PERMISSIONS[action]);
    expect(Object.keys(PERMISSIONS).sort()).toEqual([...COMMAND_TYPES, ...ROUTE_ACTIONS].sort());
  });

  it('P-3: a role may do what its rank allows; system may do everything', () => {
    expect(permits('viewer', 'plant.read')).toBe(true);
    expect(permits('viewer', 'capsule.ack')).toBe(false);
    expect(permits('operator', 'valve.actuate')).toBe(true);
    expect(permits('operator', 'audit.read')).toBe(false);
    expect(permits('engineer', 'audit.read')).toBe(true);
    expect(permits('engineer', 'users.manage')).toBe(false);
    expect(permits('admin', 'users.manage')).toBe(true);
    expect(permits('system', 'users.manage')).toBe(true);
  });

  it('P-4: exactly the four commands that move the plant need confirmation', () => {
    expect([...PLANT_WRITING_COMMANDS].sort()).toEqual(
      ['pump.start', 'pump.stop', 'setpoint.change', 'valve.actuate'].sort(),
    );
  });
});

describe('interlocks (SPEC I)', () => {
  it('I-1: the demo plant declares its interlocks and validation names a bad one', () => {
    expect(demo.interlocks?.map((i) => i.id)).toEqual(['IL-101', 'IL-102']);
    const bad = structuredClone(demo);
    bad.interlocks = [
      {
        id: 'IL-X',
        description: 'x',
        actuatorId: 'NOPE',
        while: { sensorId: 'R-101.TT-01', above: 1 },
      },
      { id: 'IL-Y', description: 'y', actuatorId: 'P-101.RUN', while: { sensorId: 'GONE' } },
    ];
    const result = validatePlant(bad);
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
    expect(paths).toContain('interlocks[0].actuatorId: unknown actuator NOPE');
    expect(paths).toContain('interlocks[1].while.sensorId: unknown sensor GONE');
    expect(paths).toContain('interlocks[1].while: expected a bound: above or below');
  });

  it('I-2: non-plant commands pass unchecked; a matching command checks its interlocks', () => {
    const s = state();
    expect(checkInterlocks(s, { type: 'capsule.ack', commandId: 'a', capsuleId: 'C-1' })).toEqual({
      ok: true,
      checked: [],
    });
    setReading(s, 'R-101.TT-01', 70);
    expect(checkInterlocks(s, startP101)).toEqual({ ok: true, checked: ['IL-101'] });
    // IL-102 only blocks opening: closing V-101 is never checked against it.
    expect(
      checkInterlocks(s, {
        type: 'valve.actuate',
        commandId: 'c',
        actuatorId: 'V-101.POS',
        position: 0,
      }),
    ).toEqual({ ok: true, checked: [] });
  });

  it('I-3: "P-101 may not start while V-101 is closed" blocks and names itself', () => {
    const s = state();
    setActuator(s, 'V-101.POS', 0);
    const verdict = checkInterlocks(s, startP101);
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.interlockId).toBe('IL-101');
    expect(!verdict.ok && verdict.reason).toBe(
      'interlock IL-101 blocks pump.start on P-101.RUN: P-101 may not start while V-101 is closed — V-101.POS is at 0 (below 0.05)',
    );
  });

  it('I-3: the feed valve may not open while the reactor is above 90 °C', () => {
    const s = state();
    setReading(s, 'R-101.TT-01', 93.24);
    const verdict = checkInterlocks(s, openV101);
    expect(!verdict.ok && verdict.reason).toContain('R-101.TT-01 reads 93.24 degC (above 90)');
    setReading(s, 'R-101.TT-01', 89);
    expect(checkInterlocks(s, openV101).ok).toBe(true);
  });

  it('I-4: without a good reading the interlock cannot be verified, so it blocks', () => {
    const s = state();
    expect(checkInterlocks(s, openV101)).toMatchObject({ ok: false, interlockId: 'IL-102' });
    setReading(s, 'R-101.TT-01', 50, QUALITY_BAD);
    const verdict = checkInterlocks(s, openV101);
    expect(!verdict.ok && verdict.reason).toContain('R-101.TT-01 has no good reading');
  });

  it('D-10: decide refuses a blocked command with code interlock and accepts it once clear', () => {
    const s = state();
    setActuator(s, 'V-101.POS', 0);
    const blocked = decide(s, startP101, operator, T0);
    expect(blocked).toMatchObject({ status: 'rejected', code: 'interlock' });
    setActuator(s, 'V-101.POS', 0.5);
    expect(decide(s, startP101, operator, T0).status).toBe('accepted');
  });
});
