import { describe, expect, it } from 'vitest';
import type { TimelineMarker } from '../../../xr-client/net/plant-connection.js';
import { timelineMarks } from '../../../xr-client/ui/timeline-marks.js';

const SPAN = { fromT: 1_000, toT: 11_000 };

function marker(t: number, kind: TimelineMarker['kind'], capsuleId: string): TimelineMarker {
  return {
    t,
    kind,
    capsuleId,
    severity: kind === 'raised' ? 'critical' : null,
    action: kind === 'raised' ? null : kind === 'resolved' ? 'resolved' : 'acknowledged',
    title: null,
  };
}

describe('timeline marks', () => {
  it('places raises and resolves along the track and leaves other changes out', () => {
    const marks = timelineMarks(
      [
        marker(1_000, 'raised', 'C-1'),
        marker(3_500, 'changed', 'C-1'),
        marker(6_000, 'resolved', 'C-1'),
        marker(11_000, 'raised', 'C-2'),
      ],
      SPAN,
      100,
    );
    expect(marks).toEqual([
      { x: 0, kind: 'raised', capsuleId: 'C-1', severity: 'critical' },
      { x: 50, kind: 'resolved', capsuleId: 'C-1', severity: null },
      { x: 100, kind: 'raised', capsuleId: 'C-2', severity: 'critical' },
    ]);
  });

  it('keeps one mark per kind per pixel, and clamps times outside the span to its ends', () => {
    const many = Array.from({ length: 1_000 }, (_, i) => marker(1_000 + i, 'raised', `C-${i}`));
    const marks = timelineMarks(
      [...many, marker(0, 'resolved', 'C-0'), marker(99_000, 'resolved', 'C-9')],
      SPAN,
      100,
    );
    // 1,000 raises within the first 10 % of the span share 11 pixel columns.
    expect(marks.filter((m) => m.kind === 'raised').map((m) => m.x)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    expect(marks.filter((m) => m.kind === 'resolved').map((m) => m.x)).toEqual([0, 100]);
  });
});
