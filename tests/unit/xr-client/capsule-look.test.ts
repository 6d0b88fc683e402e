import { describe, expect, it } from 'vitest';
import { CAPSULE_STATES, SEVERITIES, isClosedState } from '../../../digital-twin/index.js';
import {
  SEVERITY_COLORS,
  capsuleLook,
  isCapsuleVisible,
} from '../../../xr-client/capsules/capsule-look.js';
import {
  CODE_SELECTED,
  LOOK_FLAGS,
  LOOK_SIZES,
  LOOK_UNIFORMS,
  OPEN_LOOKS,
  SIZE_LIMIT,
  lookFor,
  unpackLook,
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

  it('packs the same look the shader decodes: colour × brightness, flags and size', () => {
    const at = lookFor('critical', 'shelved', false, 2);
    const look = capsuleLook({
      severity: 'critical',
      state: 'shelved',
      conditionActive: false,
      priority: 2,
    });
    expect(LOOK_UNIFORMS[at * 4]).toBeCloseTo(SEVERITY_COLORS.critical[0] * look.brightness);
    expect(unpackLook(at).flags).toBe(LOOK_FLAGS.hollow + LOOK_FLAGS.shelved);
    // The shader's fourth component: flags × SIZE_LIMIT + size, as it decodes it.
    const w = LOOK_UNIFORMS[at * 4 + 3]!;
    expect(Math.floor(w / SIZE_LIMIT)).toBe(LOOK_FLAGS.hollow + LOOK_FLAGS.shelved);
    expect(w - Math.floor(w / SIZE_LIMIT) * SIZE_LIMIT).toBeCloseTo(look.size);
    expect(unpackLook(lookFor('critical', 'active', true, 1)).flags).toBe(LOOK_FLAGS.pulse);
    // Out-of-range priorities clamp rather than read another capsule's look.
    expect(lookFor('info', 'active', true, 9)).toBe(lookFor('info', 'active', true, 5));
    expect(lookFor('info', 'active', true, 0)).toBe(lookFor('info', 'active', true, 1));
    expect(lookFor('info', 'active', true, 2.4)).toBe(lookFor('info', 'active', true, 2));
  });

  it('gives every open severity × state × condition × priority its own look, closed ones -1', () => {
    const looks = new Set<number>();
    for (const severity of SEVERITIES)
      for (const state of CAPSULE_STATES)
        for (const conditionActive of [false, true])
          for (let priority = 1; priority <= 5; priority += 1) {
            const at = lookFor(severity, state, conditionActive, priority);
            if (isClosedState(state)) {
              expect(at).toBe(-1);
              continue;
            }
            const look = capsuleLook({ severity, state, conditionActive, priority });
            expect(LOOK_SIZES[at]).toBeCloseTo(look.size);
            expect(LOOK_UNIFORMS[at * 4 + 2]).toBeCloseTo(
              SEVERITY_COLORS[severity][2] * look.brightness,
            );
            looks.add(at);
          }
    expect(looks.size).toBe(3 * 3 * 2 * 5);
    expect(looks.size).toBe(OPEN_LOOKS);
    expect(Math.min(...looks)).toBe(0);
    expect(Math.max(...looks)).toBe(OPEN_LOOKS - 1);
    // Fits the instance code: a look plus the selected bit stays below a label's code.
    expect(OPEN_LOOKS).toBeLessThanOrEqual(CODE_SELECTED);
    expect(LOOK_UNIFORMS).toHaveLength(OPEN_LOOKS * 4);
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
