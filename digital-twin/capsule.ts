import type { Role } from './permissions.js';
import type { Vec3 } from './plant.js';

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CAPSULE_STATES = [
  'active',
  'acknowledged',
  'shelved',
  'resolved',
  'dismissed',
] as const;
export type CapsuleState = (typeof CAPSULE_STATES)[number];

/** States from which no transition leads out; a capsule in one is closed. */
export const CLOSED_CAPSULE_STATES: readonly CapsuleState[] = ['resolved', 'dismissed'];

export const RULE_KINDS = ['limit', 'rate', 'vibration', 'deviation'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export interface Actor {
  id: string;
  name: string;
  role: Role;
}

/** The rule engine acts as this actor. */
export const SYSTEM_ACTOR: Actor = { id: 'system', name: 'Twinspace rules', role: 'system' };

export interface CapsuleAction {
  /** What happened: raised, severity, acknowledged, shelved, unshelved, resolved, dismissed, cleared, returned. */
  action: string;
  actor: Actor;
  t: number;
  note?: string;
}

/** An alert pinned to equipment. Severity is separate from lifecycle state (ISA-18.2, OPC UA Part 9). */
export interface Capsule {
  id: string;
  /** Rule instance id, e.g. `limit/R-101.TT-01` or `vibration/M-201`. */
  rule: string;
  ruleKind: RuleKind;
  severity: Severity;
  /** 1 (most urgent) … 5. */
  priority: number;
  state: CapsuleState;
  title: string;
  description: string;
  sensorId: string | null;
  equipmentId: string;
  position: Vec3;
  raisedAt: number;
  updatedAt: number;
  /** Whether the condition that raised it is still present. */
  conditionActive: boolean;
  /** For shelved capsules: when the shelf expires (ms epoch), and the state it returns to. */
  shelvedUntil: number | null;
  shelvedFrom: CapsuleState | null;
  /** Share (0–1) of independent checks that agree with the alert. */
  consensus: number;
  /** Which checks were available and what each said. */
  checks: { check: 'limit' | 'rate' | 'expectation' | 'redundant'; agrees: boolean }[];
  /** Every lifecycle action, oldest first: who acted and when. */
  history: CapsuleAction[];
  metadata: Record<string, string | number | boolean>;
}
