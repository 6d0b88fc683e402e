/**
 * Missions: named spans of a plant's event log that a team replays together. Everything that
 * decides here is pure — the transition table (SPEC.md M-1 … M-6), the playhead (M-7 … M-10) and
 * the span a capture asks for (M-11 … M-14) — so the HTTP API and the replay room share one
 * function for every control and differ only in how they answer.
 */
import type { Actor } from './capsule.js';

export const MISSION_STATES = ['draft', 'active', 'paused', 'completed', 'failed'] as const;
export type MissionState = (typeof MISSION_STATES)[number];

export const MISSION_KINDS = ['replay', 'branch'] as const;
export type MissionKind = (typeof MISSION_KINDS)[number];

/** Playback speed limits (× plant time per wall time). */
export const MIN_SPEED = 0.1;
export const MAX_SPEED = 100;

/**
 * Where the playhead is, as an anchor: at wall time `anchorWall` it showed plant time `anchorT`
 * and, while playing, it moves `speed` plant ms per wall ms from there.
 */
export interface Playhead {
  anchorT: number;
  anchorWall: number;
  speed: number;
  playing: boolean;
}

export interface Mission {
  id: string;
  title: string;
  kind: MissionKind;
  plantId: string;
  /** Span of plant time, ms epoch, inclusive at both ends. */
  fromT: number;
  toT: number;
  state: MissionState;
  createdBy: Actor;
  /** Wall time, ms epoch. */
  createdAt: number;
  updatedAt: number;
  /** The capsule whose raise the mission was captured around, when it was. */
  sourceCapsuleId: string | null;
  /** For a branch: the mission it was forked from. */
  parentMissionId: string | null;
  playhead: Playhead;
  /** Why the mission failed, when it did. */
  failure: string | null;
}

/** What a participant (or the playback clock) asks of a mission. */
export type MissionControl =
  | { type: 'start' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'seek'; t: number }
  | { type: 'speed'; speed: number }
  /** The playhead reached the span's end (sent by the playback clock, not by users). */
  | { type: 'complete' }
  | { type: 'fail'; reason: string };

export type MissionControlType = MissionControl['type'];

export const MISSION_CONTROLS = [
  'start',
  'pause',
  'resume',
  'stop',
  'seek',
  'speed',
  'complete',
  'fail',
] as const satisfies readonly MissionControlType[];

/**
 * M-1 … M-6: from which states each control is legal and where it leads. `null` keeps the state
 * (seek and speed move the playhead, not the lifecycle).
 */
export const MISSION_TRANSITIONS: Readonly<
  Record<MissionControlType, { from: readonly MissionState[]; to: MissionState | null }>
> = {
  start: { from: ['draft'], to: 'active' },
  pause: { from: ['active'], to: 'paused' },
  resume: { from: ['paused'], to: 'active' },
  stop: { from: ['active', 'paused'], to: 'completed' },
  complete: { from: ['active'], to: 'completed' },
  seek: { from: ['draft', 'active', 'paused'], to: null },
  speed: { from: ['draft', 'active', 'paused'], to: null },
  fail: { from: ['draft', 'active', 'paused'], to: 'failed' },
};

export type MissionControlResult =
  | { ok: true; mission: Mission }
  | {
      ok: false;
      code: 'illegal_transition' | 'out_of_range';
      /** The control's field at fault (`state` for an illegal transition). */
      field: string;
      reason: string;
      /** Legal states (for a transition) or the allowed range, for the message and the client. */
      allowed: readonly string[];
    };

/** M-7: plant time at the playhead at wall time `wallNow`, clamped to the span. */
export function playheadT(
  mission: Pick<Mission, 'fromT' | 'toT' | 'playhead'>,
  wallNow: number,
): number {
  const { anchorT, anchorWall, speed, playing } = mission.playhead;
  const moved = playing ? Math.max(0, wallNow - anchorWall) * speed : 0;
  return clamp(anchorT + moved, mission.fromT, mission.toT);
}

/** M-10: whether a playing playhead has reached the span's end by `wallNow`. */
export function playheadAtEnd(
  mission: Pick<Mission, 'fromT' | 'toT' | 'playhead'>,
  wallNow: number,
): boolean {
  return mission.playhead.playing && playheadT(mission, wallNow) >= mission.toT;
}

/** A new draft mission: playhead paused at the span's start, speed 1×. */
export function createMission(fields: {
  id: string;
  title: string;
  kind: MissionKind;
  plantId: string;
  fromT: number;
  toT: number;
  createdBy: Actor;
  createdAt: number;
  sourceCapsuleId?: string | null;
  parentMissionId?: string | null;
}): Mission {
  return {
    id: fields.id,
    title: fields.title,
    kind: fields.kind,
    plantId: fields.plantId,
    fromT: fields.fromT,
    toT: fields.toT,
    state: 'draft',
    createdBy: fields.createdBy,
    createdAt: fields.createdAt,
    updatedAt: fields.createdAt,
    sourceCapsuleId: fields.sourceCapsuleId ?? null,
    parentMissionId: fields.parentMissionId ?? null,
    playhead: { anchorT: fields.fromT, anchorWall: fields.createdAt, speed: 1, playing: false },
    failure: null,
  };
}

/**
 * The one function every mission control goes through (HTTP and room alike). Illegal requests
 * are values naming the field and what is allowed; the mission passed in is never changed.
 */
export function applyMissionControl(
  mission: Mission,
  control: MissionControl,
  wallNow: number,
): MissionControlResult {
  const rule = MISSION_TRANSITIONS[control.type];
  if (!rule.from.includes(mission.state)) {
    return {
      ok: false,
      code: 'illegal_transition',
      field: 'state',
      reason: `cannot ${control.type} a ${mission.state} mission; ${control.type} is allowed from ${rule.from.join(', ')}`,
      allowed: rule.from,
    };
  }
  const now = playheadT(mission, wallNow);
  const rebased = (patch: Partial<Playhead>): Playhead => ({
    ...mission.playhead,
    anchorT: now,
    anchorWall: wallNow,
    ...patch,
  });
  const next = (
    state: MissionState,
    playhead: Playhead,
    failure = mission.failure,
  ): MissionControlResult => ({
    ok: true,
    mission: { ...mission, state, playhead, updatedAt: wallNow, failure },
  });
  switch (control.type) {
    case 'start':
      // M-2: starting plays from wherever the playhead was left (the span's start by default).
      return next('active', rebased({ playing: true }));
    case 'pause':
      return next('paused', rebased({ playing: false }));
    case 'resume':
      return next('active', rebased({ playing: true }));
    case 'stop':
      return next('completed', rebased({ playing: false }));
    case 'complete':
      // M-10: the playhead rests on the span's end.
      return next('completed', rebased({ anchorT: mission.toT, playing: false }));
    case 'fail':
      return next('failed', rebased({ playing: false }), control.reason);
    case 'seek': {
      // M-8: a seek outside the span is refused, not clamped: the user asked for a time that is not there.
      if (!Number.isFinite(control.t) || control.t < mission.fromT || control.t > mission.toT) {
        return {
          ok: false,
          code: 'out_of_range',
          field: 't',
          reason: `t: expected a plant time within the mission's span [${mission.fromT}, ${mission.toT}] (ms epoch), got ${control.t}`,
          allowed: [String(mission.fromT), String(mission.toT)],
        };
      }
      return next(mission.state, rebased({ anchorT: control.t }));
    }
    case 'speed': {
      // M-9
      if (
        !Number.isFinite(control.speed) ||
        control.speed < MIN_SPEED ||
        control.speed > MAX_SPEED
      ) {
        return {
          ok: false,
          code: 'out_of_range',
          field: 'speed',
          reason: `speed: expected ${MIN_SPEED} to ${MAX_SPEED} (× real time), got ${control.speed}`,
          allowed: [String(MIN_SPEED), String(MAX_SPEED)],
        };
      }
      return next(mission.state, rebased({ speed: control.speed }));
    }
  }
}

/** How a capture names its span. */
export type SpanRequest =
  | { kind: 'explicit'; from: number; to: number }
  | { kind: 'last'; minutes: number }
  | { kind: 'capsule'; capsuleId: string };

/** What the live log knows, for turning a capture request into a span. */
export interface SpanContext {
  /** Plant time of the log's first event (null: the log is empty). */
  logFromT: number | null;
  /** Plant time of the live twin now. */
  nowT: number;
  /** The capsule's raise and, when it closed, its resolution time; null when no such capsule. */
  capsule: (id: string) => { raisedAt: number; closedAt: number | null } | null;
}

export type SpanResult =
  { ok: true; fromT: number; toT: number } | { ok: false; field: string; reason: string };

/** Longest capture (M-14): 24 hours of plant time. */
export const MAX_SPAN_MS = 24 * 3_600_000;
/** Plant time recorded before a capsule's raise, so a replay shows the lead-up (M-13). */
export const CAPSULE_LEAD_MS = 2 * 60_000;

/** M-11 … M-14: the span a capture request names, clamped to what the log holds. */
export function resolveSpan(request: SpanRequest, context: SpanContext): SpanResult {
  if (context.logFromT === null)
    return { ok: false, field: 'from', reason: 'the event log is empty: nothing to replay yet' };
  const start = context.logFromT;
  let fromT: number;
  let toT: number;
  switch (request.kind) {
    case 'explicit':
      if (!(request.to > request.from))
        return {
          ok: false,
          field: 'to',
          reason: `to: expected a plant time after from (${request.from}), got ${request.to}; the span is ${request.to === request.from ? 'empty' : 'inverted'}`,
        };
      if (request.to < start || request.from > context.nowT)
        return {
          ok: false,
          field: 'from',
          reason: `from/to: the span [${request.from}, ${request.to}] lies outside the recorded log [${start}, ${context.nowT}]`,
        };
      fromT = Math.max(request.from, start);
      toT = Math.min(request.to, context.nowT);
      break;
    case 'last':
      if (!(request.minutes > 0) || request.minutes > MAX_SPAN_MS / 60_000)
        return {
          ok: false,
          field: 'lastMinutes',
          reason: `lastMinutes: expected more than 0 and at most ${MAX_SPAN_MS / 60_000}, got ${request.minutes}`,
        };
      toT = context.nowT;
      fromT = Math.max(start, toT - request.minutes * 60_000);
      break;
    case 'capsule': {
      const capsule = context.capsule(request.capsuleId);
      if (capsule === null)
        return {
          ok: false,
          field: 'sourceCapsuleId',
          reason: `sourceCapsuleId: no capsule "${request.capsuleId}" in this plant's log`,
        };
      fromT = Math.max(start, capsule.raisedAt - CAPSULE_LEAD_MS);
      toT = Math.min(context.nowT, capsule.closedAt ?? context.nowT);
      break;
    }
  }
  if (!(toT > fromT))
    return {
      ok: false,
      field:
        request.kind === 'explicit'
          ? 'to'
          : request.kind === 'last'
            ? 'lastMinutes'
            : 'sourceCapsuleId',
      reason: `the span [${fromT}, ${toT}] holds no recorded time yet`,
    };
  if (toT - fromT > MAX_SPAN_MS)
    return {
      ok: false,
      field: 'to',
      reason: `to: a mission spans at most ${MAX_SPAN_MS / 3_600_000} h of plant time, got ${((toT - fromT) / 3_600_000).toFixed(2)} h`,
    };
  return { ok: true, fromT, toT };
}

function clamp(value: number, lo: number, hi: number): number {
  return value < lo ? lo : value > hi ? hi : value;
}
