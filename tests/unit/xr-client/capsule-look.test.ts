import { describe, expect, it } from 'vitest';
import { CAPSULE_STATES, SEVERITIES, isClosedState } from '../../../digital-twin/index.js';
import {
  SEVERITY_COLORS,
  capsuleLook,
  isCapsuleVisible,
} from '../../../xr-client/capsules/capsule-look.js';
import {
  LOOK_FLAGS,
  PACKED_LOOKS,
  lookOffset,
  lookFor,
} from '../../../xr-client/capsules/packed-look.js';
import { NO_VALUE_COLOR, sensorColorInto } from '../../../xr-client/scene/color-ramp.js';

const active = {
  severity: 'critical',
  state: 'active',
  priority: 1,
  conditionActive: true,
} as const;

describe('capsule look', () => {
  it('pulses only active critical capsules whose condition is present', () => {
    expect(capsuleLook(active).pulse).toBe(true);
    expect(capsuleLook({ ...active, severity: 'warning' }).pulse).toBe(false);
    expect(capsuleLook({ ...active, conditionActive: false }).pulse).toBe(false);
    expect(capsuleLook({ ...active, state: 'acknowledged' }).pulse).toBe(false);
  });

  it('dims acknowledged capsules and marks shelved ones', () => {
    expect(capsuleLook({ ...active, state: 'acknowledged' }).brightness).toBeLessThan(
      capsuleLook(active).brightness,
    );
    expect(capsuleLook({ ...active, state: 'shelved' }).shelved).toBe(true);
    expect(capsuleLook(active).shelved).toBe(false);
  });

  it('draws more urgent priorities larger and hides closed capsules', () => {
    expect(capsuleLook({ ...active, priority: 1 }).size).toBeGreaterThan(
      capsuleLook({ ...active, priority: 5 }).size,
    );
    expect(isCapsuleVisible({ state: 'resolved' })).toBe(false);
    expect(isCapsuleVisible({ state: 'dismissed' })).toBe(false);
    expect(isCapsuleVisible({ state: 'shelved' })).toBe(true);
  });

  it('packs the same look the shader decodes: size, colour × brightness, flags', () => {
    const at = lookOffset('critical', 'shelved', false, 2);
    const look = capsuleLook({
      severity: 'critical',
      state: 'shelved',
      conditionActive: false,
      priority: 2,
    });
    expect(PACKED_LOOKS[at]).toBeCloseTo(look.size);
    expect(PACKED_LOOKS[at + 1]).toBeCloseTo(SEVERITY_COLORS.critical[0] * look.brightness);
    expect(PACKED_LOOKS[at + 4]).toBe(LOOK_FLAGS.hollow + LOOK_FLAGS.shelved);
    expect(PACKED_LOOKS[lookOffset('critical', 'active', true, 1) + 4]).toBe(LOOK_FLAGS.pulse);
    // Out-of-range priorities clamp rather than read another capsule's look.
    expect(lookOffset('info', 'active', true, 9)).toBe(lookOffset('info', 'active', true, 5));
    expect(lookOffset('info', 'active', true, 0)).toBe(lookOffset('info', 'active', true, 1));
    expect(lookOffset('info', 'active', true, 2.4)).toBe(lookOffset('info', 'active', true, 2));
  });

  it('gives every severity × state × condition × priority its own packed look', () => {
    const offsets = new Set<number>();
    for (const severity of SEVERITIES)
      for (const state of CAPSULE_STATES)
        for (const conditionActive of [false, true])
          for (let priority = 1; priority <= 5; priority += 1) {
            const at = lookOffset(severity, state, conditionActive, priority);
            const look = capsuleLook({ severity, state, conditionActive, priority });
            expect(PACKED_LOOKS[at]).toBeCloseTo(look.size);
            expect(PACKED_LOOKS[at + 3]).toBeCloseTo(
              SEVERITY_COLORS[severity][2] * look.brightness,
            );
            offsets.add(at);
          }
    expect(offsets.size).toBe(3 * 5 * 2 * 5);
  });

  it('reads the same look from the per-change table, and -1 for every closed capsule', () => {
    for (const severity of SEVERITIES)
      for (const state of CAPSULE_STATES)
        for (const conditionActive of [false, true])
          for (const priority of [0, 1, 2, 2.4, 3, 4, 5, 9]) {
            const expected = isClosedState(state)
              ? -1
              : lookOffset(severity, state, conditionActive, priority);
            expect(lookFor(severity, state, conditionActive, priority)).toBe(expected);
          }
    expect(lookFor('critical', 'dismissed', true, 1)).toBe(-1);
    expect(lookFor('info', 'active', false, 1)).toBe(0);
  });
});

describe('sensor colour ramp', () => {
  const out = new Float32Array(4);
  it('runs blue at the bottom of the range to red at the top', () => {
    sensorColorInto(0, { min: 0, max: 100 }, 'good', out, 0);
    const low = [...out];
    sensorColorInto(100, { min: 0, max: 100 }, 'good', out, 0);
    expect(low[2]!).toBeGreaterThan(low[0]!);
    expect(out[0]!).toBeGreaterThan(out[2]!);
  });

  it('shows grey for bad or missing values', () => {
    sensorColorInto(50, { min: 0, max: 100 }, 'bad', out, 0);
    expect([...out.slice(0, 3)].map((v) => v.toFixed(2))).toEqual(
      NO_VALUE_COLOR.map((v) => v.toFixed(2)),
    );
    sensorColorInto(Number.NaN, { min: 0, max: 100 }, 'good', out, 0);
    expect(out[0]).toBeCloseTo(NO_VALUE_COLOR[0]);
  });
});
