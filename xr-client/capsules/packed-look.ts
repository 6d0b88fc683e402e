import type { CapsuleState, Severity } from '../../digital-twin/index.js';
import { CAPSULE_STATES, SEVERITIES, isClosedState } from '../../digital-twin/index.js';
import { capsuleLook } from './capsule-look.js';

/**
 * Look flags, as the capsule shader decodes them and `CapsuleLayer.recordAt` reports them.
 * `selected` and `label` are not part of a look: they come from the instance's code (below).
 */
export const LOOK_FLAGS = Object.freeze({
  pulse: 1,
  hollow: 2,
  shelved: 4,
  selected: 8,
  label: 16,
});

/**
 * An instance's code, the one float of its record besides the position: an open look's index
 * (0 … OPEN_LOOKS-1), plus CODE_SELECTED when the capsule is selected; or CODE_LABEL plus the
 * atlas row for a label instance. The shader reads the look itself from a uniform table.
 */
export const CODE_SELECTED = 128;
export const CODE_LABEL = 256;

/** What `lookFor` returns for a closed capsule (resolved, dismissed): it leaves the scene. */
export const CLOSED_LOOK = -1;

const PRIORITIES = 5;

/**
 * Glyph sizes (m) stay below this, so a look's flags and size share one float of the shader's
 * table: flags × SIZE_LIMIT + size.
 */
export const SIZE_LIMIT = 4;

// The index functions below hard-code these orders; fail at load, not with wrong colours.
if (
  SEVERITIES.join() !== 'info,warning,critical' ||
  CAPSULE_STATES.join() !== 'active,acknowledged,shelved,resolved,dismissed'
)
  throw new Error('Invariant: packed-look.ts expects the digital-twin severity and state order');

// Declared before the tables: their initializer runs lookKey, which reads this.
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

/** Field combinations there are: severity × state × condition × priority. */
const KEYS = SEVERITIES.length * STATES * 2 * PRIORITIES;

/** Per key, its open look's index, or CLOSED_LOOK where the state is closed. */
const LOOK_OF_KEY = new Int16Array(KEYS);

/** Per open look: r, g, b (brightness applied), flags × SIZE_LIMIT + size; for the shader. */
const UNIFORMS: number[] = [];

/** Per open look, its glyph size (m), for picking. */
const SIZES: number[] = [];

SEVERITIES.forEach((severity) => {
  CAPSULE_STATES.forEach((state) => {
    for (const conditionActive of [false, true]) {
      for (let priority = 1; priority <= PRIORITIES; priority += 1) {
        const key = lookKey(severity, state, conditionActive, priority);
        if (isClosedState(state)) {
          LOOK_OF_KEY[key] = CLOSED_LOOK;
          continue;
        }
        LOOK_OF_KEY[key] = SIZES.length;
        const look = capsuleLook({ severity, state, priority, conditionActive });
        if (!(look.size > 0 && look.size < SIZE_LIMIT))
          throw new Error(`Invariant: glyph size ${look.size} m is outside (0, ${SIZE_LIMIT})`);
        const flags =
          (look.pulse ? LOOK_FLAGS.pulse : 0) +
          (look.hollow ? LOOK_FLAGS.hollow : 0) +
          (look.shelved ? LOOK_FLAGS.shelved : 0);
        UNIFORMS.push(
          look.color[0] * look.brightness,
          look.color[1] * look.brightness,
          look.color[2] * look.brightness,
          flags * SIZE_LIMIT + look.size,
        );
        SIZES.push(look.size);
      }
    }
  });
});

/** Open looks there are (severity × open state × condition × priority). */
export const OPEN_LOOKS = SIZES.length;

if (OPEN_LOOKS > CODE_SELECTED)
  throw new Error(`Invariant: ${OPEN_LOOKS} looks overflow an instance code's look bits`);

/** The shader's look table: OPEN_LOOKS vec4s, indexed by look (read-only by convention). */
export const LOOK_UNIFORMS: readonly number[] = UNIFORMS;

/** Glyph size (m) of each open look (read-only by convention). */
export const LOOK_SIZES: Float32Array = Float32Array.from(SIZES);

/** Open look `look`'s table entry, decoded as the capsule shader decodes it. */
export function unpackLook(look: number): {
  rgb: [number, number, number];
  /** LOOK_FLAGS pulse, hollow, shelved. */
  flags: number;
  size: number;
} {
  const u = look * 4;
  const w = UNIFORMS[u + 3]!;
  const flags = Math.floor(w / SIZE_LIMIT);
  return {
    rgb: [UNIFORMS[u]!, UNIFORMS[u + 1]!, UNIFORMS[u + 2]!],
    flags,
    size: w - flags * SIZE_LIMIT,
  };
}

/** The look in a capsule's code, without its selection (a subtraction: `%` of a float is slow). */
export function lookOfCode(code: number): number {
  return code >= CODE_SELECTED ? code - CODE_SELECTED : code;
}

/**
 * The look `CapsuleLayer.update` draws for these capsule fields: an open look's index, or
 * CLOSED_LOOK (-1) for a closed capsule (resolved, dismissed), which leaves the scene. One read
 * of a small int table after mapping the fields to a key, since this runs per changed capsule;
 * the table also keeps the result an int32 for V8.
 */
export function lookFor(
  severity: Severity,
  state: CapsuleState,
  conditionActive: boolean,
  priority: number,
): number {
  return LOOK_OF_KEY[lookKey(severity, state, conditionActive, priority)]!;
}

/** Index of these capsule fields' key: severity × state × condition × priority. */
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
