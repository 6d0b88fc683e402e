import type { Severity } from '../capsule.js';
import type { TwinState } from '../twin-state.js';
import type { ConditionView } from './conditions.js';
import { RANK_CRITICAL } from './conditions.js';
import type { RuleInstance } from './rule-config.js';

/**
 * Priority 1 (most urgent) … 5 by severity and equipment criticality. A table rather than
 * a formula so that a reviewer can read off "critical on a criticality-1 reactor is priority 1".
 * Columns: criticality 1 … 5.
 */
export const PRIORITY_TABLE: { readonly [S in Severity]: readonly number[] } = {
  critical: [1, 1, 2, 2, 3],
  warning: [2, 2, 3, 3, 4],
  info: [3, 4, 4, 5, 5],
};

/** The priority of a capsule of this severity on equipment of this criticality. */
export function capsulePriority(severity: Severity, criticality: number): number {
  const row = PRIORITY_TABLE[severity];
  const column = Math.min(Math.max(Math.round(criticality), 1), row.length) - 1;
  return row[column]!;
}

/** A short title that stays true for the capsule's whole life (severity is shown separately). */
export function capsuleTitle(state: TwinState, instance: RuleInstance, c: ConditionView): string {
  const sensor = state.plant.sensors[c.sensor]!;
  const what = sensor.kind;
  const where = instance.equipment.id;
  switch (instance.kind) {
    case 'limit':
      return `${c.direction > 0 ? 'High' : 'Low'} ${what} at ${where}`;
    case 'rate':
      return `${capitalise(what)} ${c.direction > 0 ? 'rising' : 'falling'} fast at ${where}`;
    case 'deviation':
      return `${capitalise(what)} off the model at ${where}`;
    case 'vibration':
      return `Vibration anomaly at ${where}`;
  }
}

/** What the operator needs to judge the capsule: the reading and what it was compared with. */
export function capsuleDescription(
  state: TwinState,
  instance: RuleInstance,
  c: ConditionView,
): string {
  const config = state.config;
  const i = c.sensor;
  const sensor = state.plant.sensors[i]!;
  const unit = sensor.unit;
  const reads = `${sensor.id} reads ${fmt(state.value[i]!)} ${unit}`;
  switch (instance.kind) {
    case 'limit': {
      const critical = c.rank >= RANK_CRITICAL;
      const name = c.direction > 0 ? (critical ? 'hihi' : 'hi') : critical ? 'lolo' : 'lo';
      const limit = (
        c.direction > 0 ? (critical ? config.hihi : config.hi) : critical ? config.lolo : config.lo
      )[i]!;
      return `${reads}; ${name} limit ${fmt(limit)} ${unit}.`;
    }
    case 'rate':
      return `${reads} and changes ${fmt(state.rate[i]!)} ${unit}/min; the limit is ${fmt(config.rateMax[i]!)} ${unit}/min.`;
    case 'deviation':
      return `${reads}; the simulator expects ${fmt(state.expected[i]!)} ${unit} (tolerance ${fmt(config.deviationTolerance[i]!)} ${unit}).`;
    case 'vibration': {
      const hi = config.hi[i]!;
      const base = state.baseline[i]!;
      const parts = [reads];
      if (Number.isFinite(hi)) parts.push(`hi limit ${fmt(hi)} ${unit}`);
      if (Number.isFinite(base)) parts.push(`learned baseline ${fmt(base)} ${unit}`);
      return `${parts.join('; ')}.`;
    }
  }
}

/** Two decimals at most, no trailing zeros: 85.2, 7.13, 90. */
export function fmt(v: number): string {
  return Number.isFinite(v) ? String(Math.round(v * 100) / 100) : String(v);
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
