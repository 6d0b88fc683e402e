/**
 * The mission bar on desktop: a LIVE / REPLAY badge, the two capture buttons while live
 * ("Replay last 10 min", "Replay this capsule"), and in a replay the timeline — play/pause, a
 * bar to seek on with the span's capsule raises and resolves and the team's annotations marked, a speed
 * choice, the playhead's plant time, and "Back to live". Plain DOM over the canvas, so it reads
 * and clicks like any page; the playhead moves smoothly between patches from its anchor.
 */
import { playheadT } from '../../digital-twin/index.js';
import { SEVERITY_COLORS } from '../capsules/capsule-look.js';
import type { RoomAnnotation, RoomMission, TimelineMarker } from '../net/plant-connection.js';
import { button, element } from './dom.js';

export const SPEEDS = [0.5, 1, 2, 5, 10, 50, 100] as const;

export interface TimelineActions {
  replayLast(minutes: number): void;
  replaySelectedCapsule(): void;
  play(): void;
  pause(): void;
  seek(t: number): void;
  speed(speed: number): void;
  backToLive(): void;
  /** "Branch here…": open the what-if editor at the playhead. */
  branchHere(): void;
}

export class Timeline {
  readonly root: HTMLElement;
  readonly #badge: HTMLElement;
  readonly #liveActions: HTMLElement;
  readonly #capsuleButton: HTMLButtonElement;
  readonly #bar: HTMLElement;
  readonly #track: HTMLElement;
  /** A branch's second row: its baseline's capsule raises. */
  readonly #baselineTrack: HTMLElement;
  readonly #branchButton: HTMLButtonElement;
  readonly #head: HTMLElement;
  readonly #play: HTMLButtonElement;
  readonly #speed: HTMLSelectElement;
  readonly #time: HTMLElement;
  readonly #message: HTMLElement;
  #mode: 'live' | 'replay' = 'live';
  #mission: RoomMission | null = null;
  #markers: TimelineMarker[] = [];
  #baselineMarkers: TimelineMarker[] | null = null;
  readonly #annotations = new Map<string, RoomAnnotation>();

  constructor(parent: HTMLElement, actions: TimelineActions) {
    this.root = element('div', 'mission-bar');
    this.root.id = 'mission-bar';
    this.#badge = element('span', 'mode-badge', 'LIVE');
    this.#badge.id = 'mode-badge';
    this.#liveActions = element('span', 'live-actions');
    const last = button('replay-last', 'Replay last 10 min', () => actions.replayLast(10));
    this.#capsuleButton = button('replay-capsule', 'Replay this capsule', () =>
      actions.replaySelectedCapsule(),
    );
    this.#capsuleButton.disabled = true;
    this.#liveActions.append(last, this.#capsuleButton);

    this.#bar = element('span', 'timeline');
    this.#bar.id = 'timeline';
    this.#play = button('tl-play', '▶', () =>
      this.#mission?.playing === true ? actions.pause() : actions.play(),
    );
    this.#track = element('span', 'tl-track');
    this.#track.id = 'tl-track';
    this.#head = element('span', 'tl-head');
    this.#track.append(this.#head);
    this.#track.addEventListener('click', (event) => {
      const mission = this.#mission;
      if (mission === null) return;
      const box = this.#track.getBoundingClientRect();
      const f = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
      actions.seek(Math.round(mission.fromT + f * (mission.toT - mission.fromT)));
    });
    this.#speed = document.createElement('select');
    this.#speed.id = 'tl-speed';
    for (const speed of SPEEDS) {
      const option = document.createElement('option');
      option.value = String(speed);
      option.textContent = `${speed}×`;
      this.#speed.append(option);
    }
    this.#speed.value = '1';
    this.#speed.addEventListener('change', () => actions.speed(Number(this.#speed.value)));
    this.#time = element('span', 'tl-time');
    this.#time.id = 'tl-time';
    const live = button('tl-live', 'Back to live', () => actions.backToLive());
    this.#branchButton = button('tl-branch', 'Branch here…', () => actions.branchHere());
    this.#baselineTrack = element('span', 'tl-track tl-baseline-track');
    this.#baselineTrack.id = 'tl-baseline-track';
    this.#baselineTrack.title = 'Baseline (the recording this branch was forked from)';
    this.#baselineTrack.hidden = true;
    const tracks = element('span', 'tl-tracks');
    tracks.append(this.#track, this.#baselineTrack);
    this.#bar.append(this.#play, tracks, this.#speed, this.#time, this.#branchButton, live);

    this.#message = element('span', 'tl-message');
    this.#message.id = 'tl-message';
    this.root.append(this.#badge, this.#liveActions, this.#bar, this.#message);
    parent.append(this.root);
    this.#render();
  }

  get mode(): 'live' | 'replay' {
    return this.#mode;
  }

  /** Plant time at the playhead now (between patches, from the anchor), or null when live. */
  get playheadT(): number | null {
    const mission = this.#mission;
    return mission === null ? null : playheadT({ ...mission, playhead: mission }, Date.now());
  }

  /** The room changed mode or its mission moved. */
  setMission(mode: 'live' | 'replay', mission: RoomMission): void {
    this.#mode = mode;
    this.#mission = mode === 'replay' ? { ...mission } : null;
    if (this.#mission !== null) this.#speed.value = String(this.#mission.speed);
    this.#render();
  }

  /** A new room: forget the old one's markers and annotations (the new room sends its own). */
  reset(): void {
    this.#markers = [];
    this.#baselineMarkers = null;
    this.#annotations.clear();
    this.#renderMarks();
  }

  setMarkers(markers: TimelineMarker[], baselineMarkers: TimelineMarker[] | null = null): void {
    this.#markers = markers;
    this.#baselineMarkers = baselineMarkers;
    this.#renderMarks();
  }

  addAnnotation(annotation: RoomAnnotation): void {
    this.#annotations.set(annotation.id, { ...annotation });
    this.#renderMarks();
  }

  /** Whether a capsule is selected, so "Replay this capsule" can be offered. */
  setCapsuleSelected(selected: boolean): void {
    this.#capsuleButton.disabled = !selected;
  }

  /** A line under the bar: why a capture or control was refused, or what is happening. */
  say(text: string): void {
    this.#message.textContent = text;
  }

  /** Moves the playhead marker; call every frame. */
  tick(): void {
    const mission = this.#mission;
    const t = this.playheadT;
    if (mission === null || t === null) return;
    this.#head.style.left = `${fraction(mission, t) * 100}%`;
    this.#time.textContent = `${new Date(t).toISOString().slice(11, 19)} · ${mission.state}`;
  }

  #render(): void {
    const replay = this.#mode === 'replay' && this.#mission !== null;
    this.#badge.textContent = replay ? `REPLAY ${this.#mission?.id ?? ''}` : 'LIVE';
    this.#badge.dataset['mode'] = this.#mode;
    this.#liveActions.hidden = replay;
    this.#bar.hidden = !replay;
    // A branch is branched from its recording, not from itself.
    this.#branchButton.hidden = this.#mission?.kind === 'branch';
    this.#baselineTrack.hidden = this.#mission?.kind !== 'branch';
    document.body.dataset['mode'] = this.#mode;
    if (this.#mission !== null) {
      this.#play.textContent = this.#mission.playing ? '❚❚' : '▶';
      this.#play.title = this.#mission.playing ? 'Pause' : 'Play';
      this.root.dataset['missionState'] = this.#mission.state;
    } else delete this.root.dataset['missionState'];
    this.#renderMarks();
    this.tick();
  }

  #renderMarks(): void {
    for (const old of this.#track.querySelectorAll('.tl-marker, .tl-annotation')) old.remove();
    this.#baselineTrack.replaceChildren();
    const mission = this.#mission;
    if (mission === null) return;
    for (const marker of this.#baselineMarkers ?? []) {
      if (marker.kind !== 'raised') continue;
      const mark = element('span', 'tl-marker tl-baseline');
      mark.style.left = `${fraction(mission, marker.t) * 100}%`;
      mark.style.background = severityCss(marker.severity);
      mark.title = `baseline: ${marker.title ?? marker.capsuleId} raised`;
      this.#baselineTrack.append(mark);
    }
    const titles = new Map<string, string>();
    for (const marker of this.#markers) {
      if (marker.kind === 'changed') continue;
      const raised = marker.kind === 'raised';
      if (raised && marker.title !== null) titles.set(marker.capsuleId, marker.title);
      // Raises stand in the upper half of the track in their severity's colour, resolves in
      // the lower half in green, so a capsule's life reads as a pair along the span.
      const mark = element('span', raised ? 'tl-marker' : 'tl-marker tl-resolved');
      mark.style.left = `${fraction(mission, marker.t) * 100}%`;
      if (raised) mark.style.background = severityCss(marker.severity);
      mark.dataset['capsuleId'] = marker.capsuleId;
      mark.dataset['kind'] = marker.kind;
      const name = titles.get(marker.capsuleId) ?? marker.capsuleId;
      mark.title = `${name} ${raised ? 'raised' : (marker.action ?? 'resolved')}`;
      this.#track.append(mark);
    }
    for (const annotation of this.#annotations.values()) {
      const mark = element('span', 'tl-annotation');
      mark.style.left = `${fraction(mission, annotation.t) * 100}%`;
      mark.style.borderColor = annotation.color;
      mark.title = `${annotation.author}: ${annotation.text}`;
      mark.dataset['text'] = annotation.text;
      this.#track.append(mark);
    }
  }
}

/** The capsule colour of a severity as CSS, so the timeline matches the capsules drawn. */
export function severityCss(severity: string | null): string {
  const rgb = (SEVERITY_COLORS as Record<string, readonly number[] | undefined>)[severity ?? ''];
  if (rgb === undefined) return '#e5e7eb';
  return `rgb(${rgb.map((c) => Math.round(c * 255)).join(', ')})`;
}

/** Where plant time `t` lies along the mission's span, 0 (start) … 1 (end), clamped. */
export function fraction(mission: Pick<RoomMission, 'fromT' | 'toT'>, t: number): number {
  const span = mission.toT - mission.fromT;
  return span <= 0 ? 1 : Math.min(1, Math.max(0, (t - mission.fromT) / span));
}
