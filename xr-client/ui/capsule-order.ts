import { SEVERITIES } from '../../digital-twin/index.js';
import type { Severity } from '../../digital-twin/index.js';

const SEVERITY_RANK = new Map<Severity, number>(SEVERITIES.map((s, i) => [s, i]));

/**
 * The capsule list's order: most severe first, then most urgent priority (1 before 5), then
 * the one waiting longest (oldest raisedAt), then id so equal capsules never swap places.
 */
export function compareCapsulesForList(
  a: { id: string; severity: Severity; priority: number; raisedAt: number },
  b: { id: string; severity: Severity; priority: number; raisedAt: number },
): number {
  return (
    SEVERITY_RANK.get(b.severity)! - SEVERITY_RANK.get(a.severity)! ||
    a.priority - b.priority ||
    a.raisedAt - b.raisedAt ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}
