import type { Capsule, CapsuleState } from '../capsule.js';
import { SYSTEM_ACTOR } from '../capsule.js';
import type { CapsuleChangedEvent, EventBody } from '../events.js';
import type { TwinState } from '../twin-state.js';
import { LATCH_SLOT, LATCH_SLOTS } from '../twin-state.js';
import { capsuleDescription, capsulePriority, capsuleTitle, fmt } from './capsule-text.js';
import type { ConditionView } from './conditions.js';
import { emptyCondition, rankOfSeverity, readCondition, severityOfRank } from './conditions.js';
import { CONSENSUS_MIN_CHANGE, consensusChecks } from './consensus.js';
import type { RuleInstance } from './rule-config.js';

type Changes = CapsuleChangedEvent['changes'];

/**
 * The capsule events the rules want at time t (SPEC R-1 … R-14): raises for conditions that are
 * due and have no open capsule, and changes to open capsules (shelf expiry, escalation,
 * condition cleared or back, consensus). Pure: the state is read, never written; fold the
 * returned bodies with `sequenceEvents` + `apply` to make them happen.
 *
 * Order is deterministic: rule instances in the plant's canonical order (rule-config.ts), and
 * within one capsule: shelf return, escalation, condition, consensus.
 */
export function evaluateRules(state: TwinState, t: number): EventBody[] {
  const out: EventBody[] = [];
  const condition = emptyCondition();
  let next = state.nextCapsule;
  for (const instance of state.config.instances) {
    readCondition(state, instance, t, condition);
    const openId = state.capsuleByRule.get(instance.rule);
    if (openId === undefined) {
      if (!condition.known || condition.rank === 0) continue;
      const latch = state.latch[instance.sensor * LATCH_SLOTS + LATCH_SLOT[instance.kind]]!;
      if (condition.rank <= latch) continue;
      out.push({ type: 'capsule.raised', capsule: raise(state, instance, condition, next, t) });
      next += 1;
      continue;
    }
    const capsule = state.capsules.get(openId);
    if (capsule === undefined) {
      throw new Error(`Invariant: rule ${instance.rule} points at ${openId}, which is not open`);
    }
    updateOpen(state, instance, condition, capsule, t, out);
  }
  return out;
}

/** A new capsule (C-1, R-8): active, pinned to the equipment, with priority and consensus. */
function raise(
  state: TwinState,
  instance: RuleInstance,
  c: ConditionView,
  n: number,
  t: number,
): Capsule {
  const severity = severityOfRank(c.rank);
  const sensor = state.plant.sensors[c.sensor]!;
  const { checks, consensus } = consensusChecks(state, instance, c);
  const metadata: Capsule['metadata'] = { value: round(state.value[c.sensor]!) };
  const expected = state.expected[c.sensor]!;
  if (Number.isFinite(expected)) metadata.expected = round(expected);
  const rate = state.rate[c.sensor]!;
  if (Number.isFinite(rate)) metadata.ratePerMinute = round(rate);
  metadata.unit = sensor.unit;
  return {
    id: `C-${n}`,
    rule: instance.rule,
    ruleKind: instance.kind,
    severity,
    priority: capsulePriority(severity, state.config.criticality[c.sensor]!),
    state: 'active',
    title: capsuleTitle(state, instance, c),
    description: capsuleDescription(state, instance, c),
    sensorId: sensor.id,
    equipmentId: instance.equipment.id,
    position: { ...instance.equipment.position },
    raisedAt: t,
    updatedAt: t,
    conditionActive: true,
    shelvedUntil: null,
    shelvedFrom: null,
    consensus,
    checks,
    history: [{ action: 'raised', actor: SYSTEM_ACTOR, t }],
    metadata,
  };
}

function updateOpen(
  state: TwinState,
  instance: RuleInstance,
  c: ConditionView,
  capsule: Capsule,
  t: number,
  out: EventBody[],
): void {
  let cur = capsule;
  const change = (action: string, changes: Changes): void => {
    out.push({ type: 'capsule.changed', capsuleId: cur.id, action, actor: SYSTEM_ACTOR, changes });
    cur = { ...cur, ...changes };
  };

  // R-12, C-5: the shelf expires whatever the data says.
  if (cur.state === 'shelved' && cur.shelvedUntil !== null && t >= cur.shelvedUntil) {
    const back: CapsuleState = cur.shelvedFrom ?? 'active';
    change('returned', { state: back, shelvedUntil: null, shelvedFrom: null });
  }
  if (!c.known) return;

  if (c.rank > rankOfSeverity(cur.severity)) {
    // severity only rises while open; an acknowledged capsule needs attention again (C-7).
    const severity = severityOfRank(c.rank);
    const changes: Changes = {
      severity,
      priority: capsulePriority(severity, state.config.criticality[c.sensor]!),
      description: capsuleDescription(state, instance, c),
    };
    if (cur.state === 'acknowledged') changes.state = 'active';
    if (cur.state === 'shelved' && cur.shelvedFrom === 'acknowledged')
      changes.shelvedFrom = 'active';
    if (!cur.conditionActive) changes.conditionActive = true;
    change('severity', changes);
  } else if (!c.present && cur.state === 'acknowledged') {
    // R-11, C-3: an acknowledged capsule whose condition is gone resolves itself.
    change('resolved', { state: 'resolved', conditionActive: false });
    return;
  } else if (c.present !== cur.conditionActive) {
    change(c.present ? 'recurred' : 'cleared', { conditionActive: c.present });
  }

  if (!c.present) return;
  const { checks, consensus } = consensusChecks(state, instance, c, cur.checks);
  // a small wobble in the score is not news; the epsilon absorbs float rounding of 0.05.
  if (Math.abs(consensus - cur.consensus) >= CONSENSUS_MIN_CHANGE - 1e-9) {
    change('consensus', { consensus, checks });
  }
}

function round(v: number): number {
  return Number(fmt(v));
}
