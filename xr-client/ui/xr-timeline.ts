/**
 * The mission bar in a headset: a 3D panel (@babylonjs/gui on a plane) shown below the user's
 * view while they are in a replay — the REPLAY badge, the playhead's plant time, "Back to live",
 * a track to seek on with capsule raises (upper half, severity colour) and resolves (lower half,
 * green), play/pause and the speeds. A controller ray or a hand pinch presses it through
 * Babylon's XR pointer selection, as it presses the details panel; every press goes to the same
 * `TimelineActions` the desktop bar calls, so both end in `PlantConnection.sendControl`.
 */
import { AdvancedDynamicTexture } from '@babylonjs/gui/2D/advancedDynamicTexture.js';
import { Button } from '@babylonjs/gui/2D/controls/button.js';
import { Control } from '@babylonjs/gui/2D/controls/control.js';
import { Rectangle } from '@babylonjs/gui/2D/controls/rectangle.js';
import { TextBlock } from '@babylonjs/gui/2D/controls/textBlock.js';
import type { Vector2WithInfo } from '@babylonjs/gui/2D/math2D.js';
import { Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import { CreatePlane } from '@babylonjs/core/Meshes/Builders/planeBuilder.js';
import type { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import type { Scene } from '@babylonjs/core/scene.js';
import { playheadT } from '../../digital-twin/index.js';
import type { RoomMission, TimelineMarker } from '../net/plant-connection.js';
import { XR_UI_METADATA } from '../xr/xr-session.js';
import { SPEEDS, fraction, severityCss } from './timeline.js';
import type { TimelineActions } from './timeline.js';
import { timelineMarks } from './timeline-marks.js';

/** GUI texture size (px) and the plane it is drawn on (m): 1 px ≈ 1.2 mm at arm's length. */
const TEXTURE_W = 1024;
const TEXTURE_H = 352;
export const PLANE_W = 1.2;
const PLANE_H = (PLANE_W * TEXTURE_H) / TEXTURE_W;
/** The track's place on the texture (px). */
const TRACK_X = 20;
const TRACK_Y = 92;
const TRACK_W = TEXTURE_W - 2 * TRACK_X;
const TRACK_H = 96;
/** How far below the details panel's height the bar floats (m): under it, not over it. */
const BELOW_PANEL_M = 0.5;

const RAISED_COLOR_FALLBACK = '#e5e7eb';
const RESOLVED_COLOR = '#4ade80';

export class XrTimeline {
  readonly mesh: Mesh;
  readonly gui: AdvancedDynamicTexture;
  readonly #actions: TimelineActions;
  readonly #badge: TextBlock;
  readonly #badgeBox: Rectangle;
  readonly #time: TextBlock;
  readonly #message: TextBlock;
  readonly #track: Rectangle;
  readonly #head: Rectangle;
  readonly #play: Button;
  readonly #speeds = new Map<number, Button>();
  #marks: Rectangle[] = [];
  #markers: TimelineMarker[] = [];
  #mode: 'live' | 'replay' = 'live';
  #mission: RoomMission | null = null;
  #headPx = -1;

  constructor(scene: Scene, actions: TimelineActions) {
    this.#actions = actions;
    this.mesh = CreatePlane('xr-timeline', { width: PLANE_W, height: PLANE_H }, scene);
    this.mesh.metadata = { [XR_UI_METADATA]: true };
    // Drawn after the plant with a fresh depth buffer, as the details panel is.
    this.mesh.renderingGroupId = 1;
    this.mesh.setEnabled(false);
    this.gui = AdvancedDynamicTexture.CreateForMesh(this.mesh, TEXTURE_W, TEXTURE_H, true);

    const root = new Rectangle('xrtl:root');
    root.background = 'rgba(17, 23, 31, 0.94)';
    root.color = '#3b4a5a';
    root.thickness = 3;
    root.cornerRadius = 16;
    this.gui.addControl(root);

    this.#badgeBox = place(new Rectangle('xrtl:badge-box'), 20, 14, 250, 64);
    this.#badgeBox.cornerRadius = 10;
    this.#badgeBox.thickness = 0;
    this.#badge = new TextBlock('xrtl:badge', 'LIVE');
    this.#badge.fontSize = 30;
    this.#badge.fontWeight = '700';
    this.#badge.color = '#ffffff';
    this.#badgeBox.addControl(this.#badge);
    root.addControl(this.#badgeBox);

    this.#time = place(new TextBlock('xrtl:time', ''), 290, 14, 480, 64);
    this.#time.fontSize = 30;
    this.#time.color = '#e2e8f0';
    this.#time.textHorizontalAlignment = Control.HORIZONTAL_ALIGNMENT_LEFT;
    root.addControl(this.#time);

    const live = place(button('xrtl:live', 'Back to live'), TEXTURE_W - 20 - 230, 14, 230, 64);
    live.onPointerUpObservable.add(() => this.#actions.backToLive());
    root.addControl(live);

    this.#track = place(new Rectangle('xrtl:track'), TRACK_X, TRACK_Y, TRACK_W, TRACK_H);
    this.#track.background = '#1f2a37';
    this.#track.thickness = 0;
    this.#track.cornerRadius = 8;
    this.#track.onPointerUpObservable.add((info) => this.#seekAt(info));
    root.addControl(this.#track);
    this.#head = place(new Rectangle('xrtl:head'), 0, 0, 6, TRACK_H);
    this.#head.background = '#f8fafc';
    this.#head.thickness = 0;
    this.#head.isHitTestVisible = false;
    this.#track.addControl(this.#head);

    this.#play = place(button('xrtl:play', 'Play'), 20, 206, 180, 84);
    this.#play.onPointerUpObservable.add(() =>
      this.#mission?.playing === true ? this.#actions.pause() : this.#actions.play(),
    );
    root.addControl(this.#play);
    SPEEDS.forEach((speed, i) => {
      const choice = place(button(`xrtl:speed:${speed}`, `${speed}×`), 220 + i * 112, 206, 104, 84);
      choice.onPointerUpObservable.add(() => this.#actions.speed(speed));
      this.#speeds.set(speed, choice);
      root.addControl(choice);
    });

    this.#message = place(new TextBlock('xrtl:message', ''), 20, 298, TEXTURE_W - 40, 44);
    this.#message.fontSize = 24;
    this.#message.color = '#fca5a5';
    this.#message.textHorizontalAlignment = Control.HORIZONTAL_ALIGNMENT_LEFT;
    root.addControl(this.#message);
    this.#render();
  }

  get visible(): boolean {
    return this.mesh.isEnabled();
  }

  /** Plant time at the playhead now (from its anchor), or null when live. */
  get playheadT(): number | null {
    const mission = this.#mission;
    return mission === null ? null : playheadT({ ...mission, playhead: mission }, Date.now());
  }

  /** The room changed mode or its mission moved (what the desktop bar is told too). */
  setMission(mode: 'live' | 'replay', mission: RoomMission): void {
    this.#mode = mode;
    const span =
      this.#mission === null ||
      this.#mission.fromT !== mission.fromT ||
      this.#mission.toT !== mission.toT;
    this.#mission = mode === 'replay' ? { ...mission } : null;
    this.#render();
    if (span) this.#renderMarks();
  }

  get mode(): 'live' | 'replay' {
    return this.#mode;
  }

  /** A new room: forget the old one's markers (the new room sends its own). */
  reset(): void {
    this.#markers = [];
    this.#renderMarks();
  }

  setMarkers(markers: TimelineMarker[]): void {
    this.#markers = markers;
    this.#renderMarks();
  }

  say(text: string): void {
    this.#message.text = text;
  }

  /**
   * Shows the bar below a point in front of the user (`position`, from the head `head`), facing
   * them; `hide` takes it away.
   */
  show(position: Vector3, head: Vector3): void {
    const at = position.add(new Vector3(0, -BELOW_PANEL_M, 0));
    this.mesh.position.copyFrom(at);
    this.mesh.lookAt(new Vector3(head.x, at.y, head.z));
    this.mesh.rotate(Vector3.Up(), Math.PI);
    this.mesh.setEnabled(true);
  }

  hide(): void {
    this.mesh.setEnabled(false);
  }

  /** Moves the playhead and the time; call every frame (it redraws only what changed). */
  tick(): void {
    const mission = this.#mission;
    const t = this.playheadT;
    if (!this.visible || mission === null || t === null) return;
    const px = Math.round(fraction(mission, t) * (TRACK_W - 6));
    if (px !== this.#headPx) {
      this.#headPx = px;
      this.#head.left = `${px}px`;
    }
    const text = `${new Date(t).toISOString().slice(11, 19)} · ${mission.state} · ${mission.speed}×`;
    if (this.#time.text !== text) this.#time.text = text;
  }

  /** A press on the track seeks to the plant time under it. */
  #seekAt(info: Vector2WithInfo): void {
    const mission = this.#mission;
    if (mission === null) return;
    // Pointer coordinates are texture pixels; the track's measure after layout is too.
    const box = this.#track.transformedMeasure;
    if (box.width <= 0) return;
    const f = Math.min(1, Math.max(0, (info.x - box.left) / box.width));
    this.#actions.seek(Math.round(mission.fromT + f * (mission.toT - mission.fromT)));
  }

  #render(): void {
    const mission = this.#mission;
    const replay = this.#mode === 'replay' && mission !== null;
    this.#badge.text = replay ? `REPLAY ${mission.id}` : 'LIVE';
    this.#badgeBox.background = replay ? '#b45309' : '#15803d';
    this.#play.textBlock!.text = mission?.playing === true ? 'Pause' : 'Play';
    for (const [speed, choice] of this.#speeds)
      choice.background = mission?.speed === speed ? '#2563eb' : '#334155';
    this.#headPx = -1;
    this.tick();
  }

  #renderMarks(): void {
    for (const mark of this.#marks) mark.dispose();
    this.#marks = [];
    const mission = this.#mission;
    if (mission === null) return;
    for (const mark of timelineMarks(this.#markers, mission, TRACK_W - 6)) {
      const raised = mark.kind === 'raised';
      const rect = place(
        new Rectangle(`xrtl:${mark.kind}:${mark.capsuleId}`),
        mark.x,
        raised ? 8 : TRACK_H / 2 + 8,
        6,
        TRACK_H / 2 - 16,
      );
      rect.thickness = 0;
      rect.background = raised
        ? mark.severity === null
          ? RAISED_COLOR_FALLBACK
          : severityCss(mark.severity)
        : RESOLVED_COLOR;
      // A mark under the pointer must not take the press: the track seeks.
      rect.isHitTestVisible = false;
      this.#track.addControl(rect);
      this.#marks.push(rect);
    }
    // The playhead stays on top of the marks.
    this.#track.removeControl(this.#head);
    this.#track.addControl(this.#head);
  }
}

/** Pins a control at (left, top) with a fixed size, in texture pixels of its parent. */
export function place<T extends Control>(
  control: T,
  left: number,
  top: number,
  w: number,
  h: number,
): T {
  control.horizontalAlignment = Control.HORIZONTAL_ALIGNMENT_LEFT;
  control.verticalAlignment = Control.VERTICAL_ALIGNMENT_TOP;
  control.left = `${left}px`;
  control.top = `${top}px`;
  control.width = `${w}px`;
  control.height = `${h}px`;
  return control;
}

function button(name: string, label: string): Button {
  const control = Button.CreateSimpleButton(name, label);
  control.fontSize = 28;
  control.color = '#f1f5f9';
  control.background = '#334155';
  control.cornerRadius = 10;
  control.thickness = 0;
  return control;
}
