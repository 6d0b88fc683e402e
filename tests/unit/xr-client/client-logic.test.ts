import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../xr-client/net/backoff.js';
import { clientCapsule } from '../../../xr-client/net/room-capsule.js';
import type { RoomCapsule } from '../../../xr-client/net/room-capsule.js';
import { compareCapsulesForList } from '../../../xr-client/ui/capsule-order.js';
import { trendPolylines } from '../../../xr-client/ui/trend-points.js';

describe('capsule list order', () => {
  it('sorts by severity, then priority, then age (oldest first), then id', () => {
    const capsules = [
      { id: 'w1', severity: 'warning', priority: 1, raisedAt: 5 },
      { id: 'c3', severity: 'critical', priority: 3, raisedAt: 1 },
      { id: 'c1-new', severity: 'critical', priority: 1, raisedAt: 9 },
      { id: 'c1-old', severity: 'critical', priority: 1, raisedAt: 2 },
      { id: 'i1', severity: 'info', priority: 1, raisedAt: 0 },
      { id: 'c1-old-b', severity: 'critical', priority: 1, raisedAt: 2 },
    ] as const;
    expect([...capsules].sort(compareCapsulesForList).map((c) => c.id)).toEqual([
      'c1-old',
      'c1-old-b',
      'c1-new',
      'c3',
      'w1',
      'i1',
    ]);
  });
});

describe('reconnect back-off', () => {
  it('doubles from 0.5 s up to 10 s with ±25 % jitter', () => {
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, 0.5))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffDelay(10, 0.5)).toBe(10_000);
    expect(backoffDelay(0, 0)).toBe(375);
    expect(backoffDelay(0, 1)).toBe(625);
  });
});

describe('room capsule check', () => {
  const room: RoomCapsule = {
    id: 'C-1',
    rule: 'limit/R-101.TT-01',
    ruleKind: 'limit',
    severity: 'critical',
    priority: 1,
    state: 'acknowledged',
    title: 'High temperature',
    description: '',
    sensorId: 'R-101.TT-01',
    equipmentId: 'R-101',
    x: 1,
    y: 2,
    z: 3,
    raisedAt: 10,
    updatedAt: 11,
    consensus: 1,
    conditionActive: true,
    shelvedUntil: 0,
    acknowledgedBy: 'Ada',
    acknowledgedAt: 12,
    lastActor: '',
    lastAction: '',
    lastActionAt: 0,
  };

  it('maps empty strings and zero times to null', () => {
    const result = clientCapsule(room);
    expect(result.ok && result.capsule).toMatchObject({
      acknowledgedBy: 'Ada',
      lastActor: null,
      shelvedUntil: null,
    });
    expect(
      clientCapsule({ ...room, sensorId: '' }).ok && clientCapsule({ ...room, sensorId: '' }),
    ).toMatchObject({
      capsule: { sensorId: null },
    });
  });

  it('names the field when a newer server sends a state this client does not know', () => {
    expect(clientCapsule({ ...room, state: 'escalated' })).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /capsule C-1: state: expected one of .*got "escalated"/,
      ) as unknown,
    });
    expect(clientCapsule({ ...room, x: Number.NaN })).toMatchObject({
      ok: false,
      reason: /position/,
    });
  });
});

describe('trend polylines', () => {
  it('maps time across the width and value up the height, breaking at missing values', () => {
    const lines = trendPolylines(
      [
        { t: 0, value: 0 },
        { t: 10, value: 100 },
        { t: 20, value: null },
        { t: 30, value: 50 },
        { t: 40, value: 50 },
      ],
      { min: 0, max: 100 },
      400,
      100,
    );
    expect(lines).toEqual([
      [
        { x: 0, y: 100 },
        { x: 100, y: 0 },
      ],
      [
        { x: 300, y: 50 },
        { x: 400, y: 50 },
      ],
    ]);
  });

  it('widens the range to values outside it and draws nothing without values', () => {
    const [line] = trendPolylines(
      [
        { t: 0, value: 200 },
        { t: 1, value: 0 },
      ],
      { min: 0, max: 100 },
      10,
      10,
    );
    expect(line?.[0]?.y).toBe(0);
    expect(trendPolylines([{ t: 0, value: null }], { min: 0, max: 1 }, 10, 10)).toEqual([]);
  });
});
