import type { CapsuleState, Severity } from '../../digital-twin/index.js';
import { CAPSULE_STATES, SEVERITIES, isClosedState } from '../../digital-twin/index.js';
import { capsuleLook } from './capsule-look.js';

/**
 * Look flags packed into one float of the instance data (decoded by the capsule shader).
 * `label` marks a label instance (a row of the label atlas), not a capsule.
 */
export const LOOK_FLAGS = Object.freeze({
  pulse: 1,
  hollow: 2,
  shelved: 4,
  selected: 8,
  label: 16,
});

/** Floats of a packed look: size, r, g, b (brightness applied), flags. */
export const PACKED_LOOK_LENGTH = 5;

const PRIORITIES = 5;

// The index functions below hard-code these orders; fail at load, not with wrong colours.
if (
  SEVERITIES.join() !== 'info,warning,critical' ||
  CAPSULE_STATES.join() !== 'active,acknowledged,shelved,resolved,dismissed'
)
  throw new Error('Invariant: packed-look.ts expects the digital-twin severity and state order');

// Declared before TABLE: its initializer runs lookOffset, which reads these.
const STATES = CAPSULE_STATES.length;

/** Index of a severity in SEVERITIES; comparisons, not a Map: this runs per changed capsule. */
function severityIndex(severity: Severity): number {
  return severity === 'info' ? 0 : severity === 'warning' ? 1 : 2;
}

/** Index of a state in CAPSULE_STATES (same reasoning). */
function stateIndex(state: CapsuleState): number {
  switch (state) {
    case 'active':
      return 0;
    case 'acknowledged':
      return 1;
    case 'shelved':
      return 2;
    case 'resolved':
      return 3;
    case 'dismissed':
      return 4;
  }
}

/** Looks there are: severity × state × condition × priority. */
const LOOKS = SEVERITIES.length * CAPSULE_STATES.length * 2 * PRIORITIES;

/** Per look key, its offset in TABLE, or -1 where the state is closed (filled with TABLE). */
const OFFSET_OR_CLOSED = new Int16Array(LOOKS);

/**
 * Every possible capsule look, computed once and packed: severity × state × condition ×
 * priority is 150 entries, so drawing a change is a table read, not an object per capsule.
 */
const TABLE = (() => {
  const table = new Float32Array(LOOKS * PACKED_LOOK_LENGTH);
  SEVERITIES.forEach((severity) => {
    CAPSULE_STATES.forEach((state) => {
      for (const conditionActive of [false, true]) {
        for (let priority = 1; priority <= PRIORITIES; priority += 1) {
          const look = capsuleLook({ severity, state, priority, conditionActive });
          const at = lookOffset(severity, state, conditionActive, priority);
          OFFSET_OR_CLOSED[at / PACKED_LOOK_LENGTH] = isClosedState(state) ? -1 : at;
          table[at] = look.size;
          table[at + 1] = look.color[0] * look.brightness;
          table[at + 2] = look.color[1] * look.brightness;
          table[at + 3] = look.color[2] * look.brightness;
          table[at + 4] =
            (look.pulse ? LOOK_FLAGS.pulse : 0) +
            (look.hollow ? LOOK_FLAGS.hollow : 0) +
            (look.shelved ? LOOK_FLAGS.shelved : 0);
        }
      }
    });
  });
  return table;
})();

/** Offset in PACKED_LOOKS of the look for these capsule fields. */
export function lookOffset(
  severity: Severity,
  state: CapsuleState,
  conditionActive: boolean,
  priority: number,
): number {
  return lookKey(severity, state, conditionActive, priority) * PACKED_LOOK_LENGTH;
}

/**
 * The look `CapsuleLayer.update` draws for these capsule fields: its offset in PACKED_LOOKS, or
 * -1 for a closed capsule (resolved, dismissed), which leaves the scene. One read of a small
 * int table, since this runs per changed capsule: the table keeps the result an int32 for V8,
 * which compiled the multiplication in `lookOffset` as a double in Node 26's optimized code
 * (every read of the look table then converts and checks its index again).
 */
export function lookFor(
  severity: Severity,
  state: CapsuleState,
  conditionActive: boolean,
  priority: number,
): number {
  return OFFSET_OR_CLOSED[lookKey(severity, state, conditionActive, priority)]!;
}

/** Index of the look for these capsule fields: severity × state × condition × priority. */
function lookKey(
  severity: Severity,
  state: CapsuleState,
  conditionActive: boolean,
  priority: number,
): number {
  // Integer priorities 1–5 (all real ones) skip the rounding and clamping.
  const p =
    priority >= 1 && priority <= PRIORITIES && priority % 1 === 0
      ? priority - 1
      : Math.min(Math.max(Math.round(priority), 1), PRIORITIES) - 1 || 0;
  return (
    ((severityIndex(severity) * STATES + stateIndex(state)) * 2 + (conditionActive ? 1 : 0)) *
      PRIORITIES +
    p
  );
}

/** The packed look table (read-only by convention). */
export const PACKED_LOOKS: Float32Array = TABLE;
