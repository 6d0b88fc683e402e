/**
 * The capsule marks a timeline draws along a mission's span: each raise and each resolve (or
 * dismissal) at its place, thinned to one mark per kind per pixel column, so a span with
 * thousands of capsule events draws at most a track's width of marks of each kind.
 */
import type { RoomMission, TimelineMarker } from '../net/plant-connection.js';
import { fraction } from './timeline.js';

export interface TimelineMark {
  /** Pixels from the track's left edge. */
  x: number;
  kind: 'raised' | 'resolved';
  capsuleId: string;
  /** The capsule's severity for a raise, null for a resolve. */
  severity: string | null;
}

/** Raise and resolve marks of `markers` on a track `widthPx` wide; other changes are left out. */
export function timelineMarks(
  markers: readonly TimelineMarker[],
  span: Pick<RoomMission, 'fromT' | 'toT'>,
  widthPx: number,
): TimelineMark[] {
  const taken = new Set<string>();
  const marks: TimelineMark[] = [];
  for (const marker of markers) {
    if (marker.kind === 'changed') continue;
    const x = Math.round(fraction(span, marker.t) * widthPx);
    const key = `${marker.kind}:${x}`;
    if (taken.has(key)) continue;
    taken.add(key);
    marks.push({
      x,
      kind: marker.kind,
      capsuleId: marker.capsuleId,
      severity: marker.kind === 'raised' ? marker.severity : null,
    });
  }
  return marks;
}
