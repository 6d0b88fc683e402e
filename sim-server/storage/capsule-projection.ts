/**
 * Folds capsule events into the stored projection. Mirrors what the twin's reducer does to a
 * capsule, kept here because the projection is written by the store, off the tick.
 */
import type { Capsule, CapsuleChangedEvent } from '../../digital-twin/index.js';

/** The capsule after `event`: changed fields set, `updatedAt` moved, the action appended to history. */
export function applyCapsuleChange(capsule: Capsule, event: CapsuleChangedEvent): Capsule {
  const { changes } = event;
  const next: Capsule = {
    ...capsule,
    updatedAt: event.t,
    history: [
      ...capsule.history,
      {
        action: event.action,
        actor: event.actor,
        t: event.t,
        ...(event.note === undefined ? {} : { note: event.note }),
      },
    ],
  };
  if (changes.state !== undefined) next.state = changes.state;
  if (changes.severity !== undefined) next.severity = changes.severity;
  if (changes.priority !== undefined) next.priority = changes.priority;
  if (changes.conditionActive !== undefined) next.conditionActive = changes.conditionActive;
  if (changes.shelvedUntil !== undefined) next.shelvedUntil = changes.shelvedUntil;
  if (changes.shelvedFrom !== undefined) next.shelvedFrom = changes.shelvedFrom;
  if (changes.consensus !== undefined) next.consensus = changes.consensus;
  if (changes.checks !== undefined) next.checks = changes.checks;
  if (changes.description !== undefined) next.description = changes.description;
  return next;
}
