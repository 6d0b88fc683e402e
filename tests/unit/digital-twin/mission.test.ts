import { describe, expect, it } from 'vitest';
import {
  applyMissionControl,
  createMission,
  MISSION_CONTROLS,
  MISSION_STATES,
  MISSION_TRANSITIONS,
  playheadAtEnd,
  playheadT,
  resolveSpan,
} from '../../../digital-twin/index.js';
import type {
  Mission,
  MissionControl,
  MissionState,
  SpanContext,
} from '../../../digital-twin/index.js';

const FROM = 1_700_000_000_000;
const TO = FROM + 600_000;
const WALL = 5_000_000;

function draft(): Mission {
  return createMission({
    id: 'M-1',
    title: 'Pump trip',
    kind: 'replay',
    plantId: 'demo',
    fromT: FROM,
    toT: TO,
    createdBy: { id: 'u1', name: 'Ada', role: 'operator' },
    createdAt: WALL,
  });
}

function ok(mission: Mission, control: MissionControl, wall: number): Mission {
  const result = applyMissionControl(mission, control, wall);
  if (!result.ok) throw new Error(result.reason);
  return result.mission;
}

function inState(state: MissionState): Mission {
  const m = draft();
  switch (state) {
    case 'draft':
      return m;
    case 'active':
      return ok(m, { type: 'start' }, WALL);
    case 'paused':
      return ok(ok(m, { type: 'start' }, WALL), { type: 'pause' }, WALL);
    case 'completed':
      return ok(ok(m, { type: 'start' }, WALL), { type: 'stop' }, WALL);
    case 'failed':
      return ok(m, { type: 'fail', reason: 'log gone' }, WALL);
  }
}

function controlOf(type: (typeof MISSION_CONTROLS)[number]): MissionControl {
  if (type === 'seek') return { type, t: FROM + 1000 };
  if (type === 'speed') return { type, speed: 2 };
  if (type === 'fail') return { type, reason: 'x' };
  return { type };
}

describe('mission transitions', () => {
  it('M-1: a mission is born draft, paused at the span start at 1×', () => {
    const m = draft();
    expect(m.state).toBe('draft');
    expect(m.playhead).toEqual({ anchorT: FROM, anchorWall: WALL, speed: 1, playing: false });
    expect(playheadT(m, WALL + 10_000)).toBe(FROM);
  });

  it('M-2: start plays a draft from where the playhead rests', () => {
    const m = ok(
      ok(draft(), { type: 'seek', t: FROM + 60_000 }, WALL),
      { type: 'start' },
      WALL + 5,
    );
    expect(m.state).toBe('active');
    expect(playheadT(m, WALL + 1005)).toBe(FROM + 61_000);
  });

  it('M-3: pause and resume keep the playhead time', () => {
    const active = ok(draft(), { type: 'start' }, WALL);
    const paused = ok(active, { type: 'pause' }, WALL + 2000);
    expect(paused.state).toBe('paused');
    expect(playheadT(paused, WALL + 60_000)).toBe(FROM + 2000);
    const resumed = ok(paused, { type: 'resume' }, WALL + 60_000);
    expect(resumed.state).toBe('active');
    expect(playheadT(resumed, WALL + 61_000)).toBe(FROM + 3000);
  });

  it('M-4: stop completes, fail fails with a reason; both are final', () => {
    expect(inState('completed').state).toBe('completed');
    const failed = inState('failed');
    expect(failed.state).toBe('failed');
    expect(failed.failure).toBe('log gone');
    for (const type of MISSION_CONTROLS) {
      expect(applyMissionControl(inState('completed'), controlOf(type), WALL).ok).toBe(false);
      expect(applyMissionControl(failed, controlOf(type), WALL).ok).toBe(false);
    }
  });

  it('M-5: seek and speed leave the state as it is', () => {
    for (const state of ['draft', 'active', 'paused'] as const) {
      expect(ok(inState(state), { type: 'seek', t: FROM + 5 }, WALL).state).toBe(state);
      expect(ok(inState(state), { type: 'speed', speed: 10 }, WALL).state).toBe(state);
    }
  });

  it('M-6: every control in every state follows the one table; illegal ones are values', () => {
    for (const state of MISSION_STATES) {
      for (const type of MISSION_CONTROLS) {
        const mission = inState(state);
        const before = structuredClone(mission);
        const result = applyMissionControl(mission, controlOf(type), WALL + 1);
        const rule = MISSION_TRANSITIONS[type];
        expect(mission).toEqual(before);
        if (rule.from.includes(state)) {
          expect(result.ok, `${type} from ${state}`).toBe(true);
          if (result.ok) expect(result.mission.state).toBe(rule.to ?? state);
        } else {
          expect(result).toMatchObject({
            ok: false,
            code: 'illegal_transition',
            field: 'state',
            allowed: rule.from,
          });
        }
      }
    }
  });

  it('M-6: resuming a completed mission names the states resume is allowed from', () => {
    const result = applyMissionControl(inState('completed'), { type: 'resume' }, WALL);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.reason).toBe(
        'cannot resume a completed mission; resume is allowed from paused',
      );
  });
});

describe('mission playhead', () => {
  it('M-7: plays at speed from the anchor and clamps to the span', () => {
    const m = ok(ok(draft(), { type: 'speed', speed: 10 }, WALL), { type: 'start' }, WALL);
    expect(playheadT(m, WALL + 1000)).toBe(FROM + 10_000);
    expect(playheadT(m, WALL - 1000)).toBe(FROM);
    expect(playheadT(m, WALL + 10_000_000)).toBe(TO);
  });

  it('M-7: a speed change mid-play re-anchors, so the picture does not jump', () => {
    const m = ok(draft(), { type: 'start' }, WALL);
    const fast = ok(m, { type: 'speed', speed: 100 }, WALL + 1000);
    expect(playheadT(fast, WALL + 1000)).toBe(FROM + 1000);
    expect(playheadT(fast, WALL + 1010)).toBe(FROM + 2000);
  });

  it('M-8: a seek outside the span is refused on field t with the span', () => {
    for (const t of [FROM - 1, TO + 1, Number.NaN]) {
      const result = applyMissionControl(inState('paused'), { type: 'seek', t }, WALL);
      expect(result).toMatchObject({ ok: false, code: 'out_of_range', field: 't' });
      if (!result.ok) expect(result.reason).toContain(`[${FROM}, ${TO}]`);
    }
    expect(playheadT(ok(inState('paused'), { type: 'seek', t: TO }, WALL), WALL)).toBe(TO);
  });

  it('M-9: speed must be within 0.1–100', () => {
    for (const speed of [0.09, 100.5, 0, -1, Number.POSITIVE_INFINITY]) {
      const result = applyMissionControl(inState('active'), { type: 'speed', speed }, WALL);
      expect(result).toMatchObject({
        ok: false,
        code: 'out_of_range',
        field: 'speed',
        allowed: ['0.1', '100'],
      });
    }
    expect(ok(inState('active'), { type: 'speed', speed: 0.1 }, WALL).playhead.speed).toBe(0.1);
    expect(ok(inState('active'), { type: 'speed', speed: 100 }, WALL).playhead.speed).toBe(100);
  });

  it('M-10: a playing playhead at the end completes the mission, resting on toT', () => {
    const m = ok(draft(), { type: 'start' }, WALL);
    expect(playheadAtEnd(m, WALL + 599_999)).toBe(false);
    expect(playheadAtEnd(m, WALL + 600_000)).toBe(true);
    const done = ok(m, { type: 'complete' }, WALL + 700_000);
    expect(done.state).toBe('completed');
    expect(playheadT(done, WALL + 9e9)).toBe(TO);
    expect(applyMissionControl(inState('paused'), { type: 'complete' }, WALL).ok).toBe(false);
  });
});

describe('capture spans', () => {
  const now = FROM + 3_600_000;
  const context: SpanContext = {
    logFromT: FROM,
    nowT: now,
    capsule: (id) =>
      id === 'C-1'
        ? { raisedAt: FROM + 600_000, closedAt: FROM + 900_000 }
        : id === 'C-2'
          ? { raisedAt: FROM + 60_000, closedAt: null }
          : null,
  };

  it('M-11: spans are clamped to the recorded log; an empty log has nothing', () => {
    expect(
      resolveSpan({ kind: 'explicit', from: FROM - 10_000, to: now + 10_000 }, context),
    ).toEqual({
      ok: true,
      fromT: FROM,
      toT: now,
    });
    expect(
      resolveSpan({ kind: 'last', minutes: 10 }, { ...context, logFromT: null }),
    ).toMatchObject({
      ok: false,
      field: 'from',
    });
  });

  it('M-12: an empty or inverted span is refused on field to', () => {
    expect(resolveSpan({ kind: 'explicit', from: FROM + 5, to: FROM + 5 }, context)).toMatchObject({
      ok: false,
      field: 'to',
    });
    const inverted = resolveSpan({ kind: 'explicit', from: FROM + 9, to: FROM + 5 }, context);
    expect(inverted).toMatchObject({ ok: false, field: 'to' });
    if (!inverted.ok) expect(inverted.reason).toContain('inverted');
    expect(resolveSpan({ kind: 'explicit', from: now + 1, to: now + 9 }, context)).toMatchObject({
      ok: false,
      field: 'from',
    });
  });

  it('M-13: last N minutes and a capsule from 2 min before its raise to its resolution', () => {
    expect(resolveSpan({ kind: 'last', minutes: 10 }, context)).toEqual({
      ok: true,
      fromT: now - 600_000,
      toT: now,
    });
    expect(resolveSpan({ kind: 'last', minutes: 600 }, context)).toEqual({
      ok: true,
      fromT: FROM,
      toT: now,
    });
    expect(resolveSpan({ kind: 'last', minutes: 0 }, context)).toMatchObject({
      ok: false,
      field: 'lastMinutes',
    });
    expect(resolveSpan({ kind: 'capsule', capsuleId: 'C-1' }, context)).toEqual({
      ok: true,
      fromT: FROM + 480_000,
      toT: FROM + 900_000,
    });
    expect(resolveSpan({ kind: 'capsule', capsuleId: 'C-2' }, context)).toEqual({
      ok: true,
      fromT: FROM,
      toT: now,
    });
    expect(resolveSpan({ kind: 'capsule', capsuleId: 'C-9' }, context)).toMatchObject({
      ok: false,
      field: 'sourceCapsuleId',
    });
  });

  it('M-14: a span longer than 24 h is refused', () => {
    const long = { ...context, nowT: FROM + 30 * 3_600_000 };
    expect(resolveSpan({ kind: 'explicit', from: FROM, to: long.nowT }, long)).toMatchObject({
      ok: false,
      field: 'to',
    });
  });
});
