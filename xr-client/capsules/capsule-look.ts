import type { Capsule, Severity } from '../../digital-twin/index.js';
import { assertNever, isClosedState } from '../../digital-twin/index.js';

/** Severity colours (linear-ish RGB 0–1): info blue, warning amber, critical red. */
export const SEVERITY_COLORS: { readonly [S in Severity]: readonly [number, number, number] } = {
  info: [0.23, 0.51, 0.96],
  warning: [0.98, 0.62, 0.05],
  critical: [0.94, 0.16, 0.16],
};

/** How one capsule is drawn; what the capsule layer writes into its instance buffers. */
export interface CapsuleLook {
  color: readonly [number, number, number];
  /** Multiplier on the colour: 1 for an alert that wants attention, lower once someone has it. */
  brightness: number;
  /** Active critical alerts pulse (the shader animates it from one per-frame time uniform). */
  pulse: boolean;
  /** The condition has cleared but nobody acknowledged it yet: drawn as a ring, not a disc. */
  hollow: boolean;
  /** Shelved capsules carry a second marker. */
  shelved: boolean;
  /** World size (m) of the glyph; more urgent priorities draw larger. */
  size: number;
}

/** Glyph size (m) of a priority-3 capsule. */
export const CAPSULE_BASE_SIZE_M = 0.6;

/** Whether a capsule is drawn at all: closed capsules (resolved, dismissed) leave the scene. */
export function isCapsuleVisible(capsule: Pick<Capsule, 'state'>): boolean {
  return !isClosedState(capsule.state);
}

/** The look of an open capsule, from its severity, state, priority and condition. */
export function capsuleLook(
  capsule: Pick<Capsule, 'severity' | 'state' | 'priority' | 'conditionActive'>,
): CapsuleLook {
  const color = SEVERITY_COLORS[capsule.severity];
  // Priority 1 (most urgent) … 5: ±20 % around the base size.
  const priority = Math.min(Math.max(capsule.priority, 1), 5);
  const size = CAPSULE_BASE_SIZE_M * (1 + (3 - priority) * 0.1);
  const hollow = !capsule.conditionActive;
  switch (capsule.state) {
    case 'active':
      return {
        color,
        brightness: 1,
        pulse: capsule.severity === 'critical' && !hollow,
        hollow,
        shelved: false,
        size,
      };
    case 'acknowledged':
      return { color, brightness: 0.45, pulse: false, hollow, shelved: false, size };
    case 'shelved':
      return { color, brightness: 0.3, pulse: false, hollow, shelved: true, size };
    case 'resolved':
    case 'dismissed':
      // Not drawn (isCapsuleVisible); a look still exists so callers need no special case.
      return { color, brightness: 0.2, pulse: false, hollow: true, shelved: false, size };
    default:
      return assertNever(capsule.state);
  }
}
