import { CLOSED_CAPSULE_STATES } from './capsule.js';
import type { CapsuleState } from './capsule.js';

/** What causes a capsule transition: a command, or the rule engine. */
export type CapsuleTrigger =
  | 'capsule.ack'
  | 'capsule.resolve'
  | 'capsule.shelve'
  | 'capsule.unshelve'
  | 'capsule.dismiss'
  | 'condition.cleared'
  | 'shelf.expired'
  | 'severity.escalated';

/** One legal transition between capsule states (raising is C-1 and has no `from`). */
export interface CapsuleTransition {
  /** The SPEC.md rule that defines it. */
  readonly spec: string;
  readonly from: CapsuleState;
  readonly to: CapsuleState;
  readonly trigger: CapsuleTrigger;
  /** The history action a change along this transition records. */
  readonly action: string;
}

/**
 * Every legal capsule state change (SPEC.md C-2 … C-7). Anything not listed is illegal (C-8):
 * in particular active → resolved (acknowledge first, ISA-18.2) and anything out of resolved or
 * dismissed. Changes that keep the state (severity, condition, consensus) are not transitions.
 */
export const CAPSULE_TRANSITIONS: readonly CapsuleTransition[] = [
  {
    spec: 'C-2',
    from: 'active',
    to: 'acknowledged',
    trigger: 'capsule.ack',
    action: 'acknowledged',
  },
  {
    spec: 'C-3',
    from: 'acknowledged',
    to: 'resolved',
    trigger: 'capsule.resolve',
    action: 'resolved',
  },
  {
    spec: 'C-3',
    from: 'acknowledged',
    to: 'resolved',
    trigger: 'condition.cleared',
    action: 'resolved',
  },
  { spec: 'C-4', from: 'active', to: 'shelved', trigger: 'capsule.shelve', action: 'shelved' },
  {
    spec: 'C-4',
    from: 'acknowledged',
    to: 'shelved',
    trigger: 'capsule.shelve',
    action: 'shelved',
  },
  { spec: 'C-5', from: 'shelved', to: 'active', trigger: 'capsule.unshelve', action: 'unshelved' },
  {
    spec: 'C-5',
    from: 'shelved',
    to: 'acknowledged',
    trigger: 'capsule.unshelve',
    action: 'unshelved',
  },
  { spec: 'C-5', from: 'shelved', to: 'active', trigger: 'shelf.expired', action: 'returned' },
  {
    spec: 'C-5',
    from: 'shelved',
    to: 'acknowledged',
    trigger: 'shelf.expired',
    action: 'returned',
  },
  { spec: 'C-6', from: 'active', to: 'dismissed', trigger: 'capsule.dismiss', action: 'dismissed' },
  {
    spec: 'C-6',
    from: 'acknowledged',
    to: 'dismissed',
    trigger: 'capsule.dismiss',
    action: 'dismissed',
  },
  {
    spec: 'C-7',
    from: 'acknowledged',
    to: 'active',
    trigger: 'severity.escalated',
    action: 'severity',
  },
];

/** The transition a trigger takes from a state to another, or undefined when that is illegal. */
export function findTransition(
  from: CapsuleState,
  to: CapsuleState,
  trigger?: CapsuleTrigger,
): CapsuleTransition | undefined {
  return CAPSULE_TRANSITIONS.find(
    (tr) => tr.from === from && tr.to === to && (trigger === undefined || tr.trigger === trigger),
  );
}

/** Whether any trigger may move a capsule from one state to another. */
export function isLegalTransition(from: CapsuleState, to: CapsuleState): boolean {
  return findTransition(from, to) !== undefined;
}

// isClosedState spells these out; fail at load, not with capsules that never close.
if (CLOSED_CAPSULE_STATES.join() !== 'resolved,dismissed')
  throw new Error(
    'Invariant: isClosedState expects CLOSED_CAPSULE_STATES to be resolved, dismissed',
  );

/**
 * Whether a state is final (resolved, dismissed): a capsule in it has left the twin state.
 * Two comparisons rather than `CLOSED_CAPSULE_STATES.includes`: the client asks this per
 * changed capsule (10,000 a frame at 100k capsules), and V8's optimized code calls a builtin for
 * `includes` over a module array (measured in Node: a sixth of the client's per-change cost of
 * mapping a capsule to its look).
 */
export function isClosedState(state: CapsuleState): boolean {
  return state === 'resolved' || state === 'dismissed';
}
