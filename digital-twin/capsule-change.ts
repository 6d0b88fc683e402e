import type { Capsule, CapsuleAction } from './capsule.js';
import type { CapsuleChangedEvent } from './events.js';

/**
 * The capsule after a `capsule.changed` event: changed fields set, `updatedAt` moved, the action
 * appended to its history (SPEC E-11). A new object: capsules are copy-on-write. The reducer and
 * the stored capsule projection both fold changes with this one function, so they cannot drift.
 */
export function applyCapsuleChange(capsule: Capsule, event: CapsuleChangedEvent): Capsule {
  const { changes } = event;
  const entry: CapsuleAction = { action: event.action, actor: event.actor, t: event.t };
  if (event.note !== undefined) entry.note = event.note;
  const next: Capsule = { ...capsule, updatedAt: event.t, history: [...capsule.history, entry] };
  if (changes.state !== undefined) next.state = changes.state;
  if (changes.severity !== undefined) next.severity = changes.severity;
  if (changes.priority !== undefined) next.priority = changes.priority;
  if (changes.conditionActive !== undefined) next.conditionActive = changes.conditionActive;
  if (changes.shelvedUntil !== undefined) next.shelvedUntil = changes.shelvedUntil;
  if (changes.shelvedFrom !== undefined) next.shelvedFrom = changes.shelvedFrom;
  if (changes.consensus !== undefined) next.consensus = changes.consensus;
  if (changes.checks !== undefined) next.checks = changes.checks.map((check) => ({ ...check }));
  if (changes.description !== undefined) next.description = changes.description;
  return next;
}
