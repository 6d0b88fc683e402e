/**
 * Folding a logged event back into a Run after a restart. The twin gets the event as it was; the
 * simulator is stepped to the event's time (it is deterministic, so re-stepping reproduces the
 * exact state the live run had) and gets the event's physical effect (actuator moves, faults), in
 * the same order the live run applied them.
 */
import {
  apply,
  clearFault,
  injectFault,
  setActuator,
  stepSimulator,
} from '../../digital-twin/index.js';
import type { Run, TwinEvent } from '../../digital-twin/index.js';

/** Fold one logged event into a run resumed from a snapshot. */
export function replayEvent(run: Run, event: TwinEvent): void {
  if (event.type === 'readings' || event.type === 'expectations') {
    // A step's events carry its time; the first of them is where the live run stepped.
    while (run.sim.t < event.t) stepSimulator(run.sim);
  }
  apply(run.twin, event);
  switch (event.type) {
    case 'actuator.changed':
      setActuator(run.sim, event.actuatorId, event.value);
      return;
    case 'fault.injected':
      injectFault(run.sim, event.fault);
      return;
    case 'fault.cleared':
      clearFault(run.sim, event.fault);
      return;
    case 'readings':
    case 'expectations':
    case 'capsule.raised':
    case 'capsule.changed':
    case 'command.accepted':
    case 'command.rejected':
    case 'annotation':
      return;
  }
}
