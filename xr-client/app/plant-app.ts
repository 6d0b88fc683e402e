import { AdvancedDynamicTexture } from '@babylonjs/gui/2D/advancedDynamicTexture.js';
import { Button } from '@babylonjs/gui/2D/controls/button.js';
import { Control } from '@babylonjs/gui/2D/controls/control.js';
import { StackPanel } from '@babylonjs/gui/2D/controls/stackPanel.js';
import { TextBlock } from '@babylonjs/gui/2D/controls/textBlock.js';
import type { Ray } from '@babylonjs/core/Culling/ray.js';
import { PointerEventTypes } from '@babylonjs/core/Events/pointerEvents.js';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial.js';
import { Color3 } from '@babylonjs/core/Maths/math.color.js';
import { Matrix, Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import { CreatePlane } from '@babylonjs/core/Meshes/Builders/planeBuilder.js';
import { CreateSphere } from '@babylonjs/core/Meshes/Builders/sphereBuilder.js';
import type { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import '@babylonjs/core/Culling/ray.js';
import {
  QUALITIES,
  formatProblems,
  isPlantWriting,
  refusal,
  validatePlant,
} from '../../digital-twin/index.js';
import type {
  Action,
  BranchModification,
  Command,
  CommandAck,
  Equipment,
  Plant,
  Predictions,
  Quality,
} from '../../digital-twin/index.js';
import type { ClientSession } from '../net/session.js';
import { CapsuleLabels } from '../capsules/capsule-labels.js';
import { CapsuleLayer } from '../capsules/capsule-layer.js';
import { PLANT_ROOM, PlantConnection, REPLAY_ROOM } from '../net/plant-connection.js';
import type {
  ConfirmRequest,
  ConnectionStatus,
  ReplayControl,
  RoomMission,
  RoomPresence,
  RoomSensor,
} from '../net/plant-connection.js';
import { clientCapsule } from '../net/room-capsule.js';
import type { ClientCapsule, RoomCapsule } from '../net/room-capsule.js';
import { Avatars } from '../scene/avatars.js';
import { DesktopHands } from '../hands/desktop-hands.js';
import type { HandGestureEvent } from '../hands/desktop-hands.js';
import { createScene, frameBounds } from '../scene/create-scene.js';
import type { SceneHandles } from '../scene/create-scene.js';
import { equipmentSize } from '../scene/equipment-dimensions.js';
import { buildPlantView } from '../scene/plant-view.js';
import type { PlantView } from '../scene/plant-view.js';
import { compareCapsulesForList } from '../ui/capsule-order.js';
import { Panel, PANEL_WIDTH_PX } from '../ui/panel.js';
import type { PanelAction } from '../ui/panel.js';
import { BranchPanel } from '../ui/branch-panel.js';
import type { BranchJobView } from '../ui/branch-panel.js';
import { Timeline } from '../ui/timeline.js';
import type { TimelineActions } from '../ui/timeline.js';
import { XrBranchDeltas } from '../ui/xr-branch-deltas.js';
import { PLANE_W as XR_TIMELINE_WIDTH_M, XrTimeline } from '../ui/xr-timeline.js';
import { trendPolylines } from '../ui/trend-points.js';
import { xrStartPose } from '../xr/start-pose.js';
import { XR_UI_METADATA, XrSession } from '../xr/xr-session.js';

/** Capsules listed on screen; the rest are a click on the plant away. */
const LIST_LENGTH = 12;
/** How long a shelve from the panel lasts (ms). */
const SHELVE_MS = 3_600_000;
/** Trend window and bucket for the panel's sensor trend. */
const TREND_WINDOW_MS = 15 * 60_000;
const TREND_BUCKET = '10s';

const STATUS_COLORS: { readonly [S in ConnectionStatus]: string } = {
  connecting: '#f5b841',
  online: '#4ade80',
  reconnecting: '#f5b841',
  offline: '#f87171',
};

/** Radians the orbit camera turns per CSS px a fist moves. */
const FIST_ORBIT_RAD_PER_PX = 0.006;

/** Selection: a capsule, an equipment, or nothing. */
type Selection = { kind: 'capsule'; id: string } | { kind: 'equipment'; id: string } | null;

/**
 * The live plant app: the plant drawn from the plant file, capsules and sensor values from the
 * room's state patches, a list and a details panel, commands with their acks, presence of
 * others, and the WebXR session. One instance per page.
 */
export class PlantApp {
  readonly handles: SceneHandles;
  readonly view: PlantView;
  readonly capsules = new Map<string, ClientCapsule>();
  readonly layer: CapsuleLayer;
  readonly labels: CapsuleLabels;
  readonly gui: AdvancedDynamicTexture;
  readonly panel: Panel;
  readonly connection: PlantConnection;
  /** The LIVE/REPLAY badge, capture buttons and the replay timeline. */
  readonly timeline: Timeline;
  /** What-if branches: the editor, their progress and, in a branch, the predictions. */
  readonly branches: BranchPanel;
  /** Others' heads, names and colours. */
  readonly avatars: Avatars;
  /** Webcam hand tracking ("Hands (camera)"), off until the user turns it on. */
  readonly hands: DesktopHands;
  /** Where the last hand pinch selected (CSS px) and what it picked, for tests and logs. */
  lastHandPick: { x: number; y: number; selected: Selection } | null = null;
  #fistAt: { x: number; y: number } | null = null;
  readonly #sensorValues = new Map<string, RoomSensor>();
  readonly #presence = new Map<string, RoomPresence>();
  readonly #presenceMarkers = new Map<string, Mesh>();
  readonly #statusText: TextBlock;
  readonly #presenceText: TextBlock;
  readonly #list: StackPanel;
  #listDirty = true;
  #selection: Selection = null;
  #xr: XrSession | null = null;
  /** The mission bar as a 3D panel, while in XR and in a replay (null without WebXR). */
  #xrTimeline: XrTimeline | null = null;
  /** A branch's predictions beside the XR bar (null without WebXR). */
  #xrDeltas: XrBranchDeltas | null = null;
  /** XR frames to wait before placing the XR bar: the head pose settles on the first ones. */
  #xrTimelineDue = -1;
  /** What the room last said of its mode and mission, for an XR bar made after it. */
  #lastMission: { mode: 'live' | 'replay'; mission: RoomMission } | null = null;
  readonly #timelineActions: TimelineActions;
  /** The device presence last told the room ('desktop' is the join option). */
  #deviceSent: 'xr' | 'desktop' = 'desktop';
  #xrPanelMesh: Mesh | null = null;
  #xrGui: AdvancedDynamicTexture | null = null;
  #status: ConnectionStatus = 'connecting';
  #missionState = '';
  /** The command the panel asks to confirm (its dry run is added when it comes). */
  #confirmingId: string | null = null;
  /** The branch mission whose predictions are shown (null outside a branch). */
  #predictionsFor: string | null = null;
  #missionId = '';
  #lastCursorSent = 0;
  /** Problems seen in room data (unknown severities …), newest last; shown to tests and logs. */
  readonly problems: string[] = [];

  /** Who is signed in on this page; their role disables what the permission table refuses. */
  readonly session: ClientSession;

  constructor(canvas: HTMLCanvasElement, plant: Plant, endpoint: string, session: ClientSession) {
    this.session = session;
    const name = session.user.name;
    this.handles = createScene(canvas);
    const { scene, camera } = this.handles;
    this.view = buildPlantView(scene, plant);
    frameBounds(camera, this.view.bounds.min, this.view.bounds.max);
    this.layer = new CapsuleLayer(scene);
    this.labels = new CapsuleLabels(this.layer, (id) => this.capsules.get(id)?.title ?? id);

    this.gui = AdvancedDynamicTexture.CreateFullscreenUI('hud', true, scene);
    this.#statusText = new TextBlock('status', '● connecting');
    this.#statusText.fontSize = 16;
    this.#statusText.height = '28px';
    this.#statusText.width = '520px';
    this.#statusText.color = STATUS_COLORS.connecting;
    this.#statusText.textHorizontalAlignment = Control.HORIZONTAL_ALIGNMENT_LEFT;
    this.#statusText.horizontalAlignment = Control.HORIZONTAL_ALIGNMENT_LEFT;
    this.#statusText.verticalAlignment = Control.VERTICAL_ALIGNMENT_TOP;
    this.#statusText.left = '12px';
    this.#statusText.top = '8px';
    this.gui.addControl(this.#statusText);
    this.#presenceText = new TextBlock('presence', '');
    this.#presenceText.fontSize = 13;
    this.#presenceText.height = '22px';
    this.#presenceText.width = '520px';
    this.#presenceText.color = '#9fb3c8';
    this.#presenceText.textHorizontalAlignment = Control.HORIZONTAL_ALIGNMENT_LEFT;
    this.#presenceText.horizontalAlignment = Control.HORIZONTAL_ALIGNMENT_LEFT;
    this.#presenceText.verticalAlignment = Control.VERTICAL_ALIGNMENT_TOP;
    this.#presenceText.left = '12px';
    this.#presenceText.top = '34px';
    this.gui.addControl(this.#presenceText);
    this.#list = new StackPanel('capsule-list');
    this.#list.width = '300px';
    this.#list.horizontalAlignment = Control.HORIZONTAL_ALIGNMENT_LEFT;
    this.#list.verticalAlignment = Control.VERTICAL_ALIGNMENT_TOP;
    this.#list.left = '12px';
    this.#list.top = '62px';
    this.gui.addControl(this.#list);
    this.panel = new Panel('panel', () => this.select(null));
    this.gui.addControl(this.panel.root);
    this.avatars = new Avatars(scene, this.gui);

    /** Runs `run` when the role may take `action`; otherwise says why on the mission bar. */
    const allowed =
      (action: Action, run: () => void): (() => void) =>
      () => {
        if (session.may(action)) run();
        else this.timeline.say(refusal(session.user.role, action));
      };
    this.#timelineActions = {
      replayLast: (minutes) =>
        allowed(
          'mission.create',
          () =>
            void this.#capture({ title: `Last ${minutes} min (${name})`, lastMinutes: minutes }),
        )(),
      replaySelectedCapsule: allowed('mission.create', () => {
        const selection = this.#selection;
        if (selection?.kind !== 'capsule') return;
        const capsule = this.capsules.get(selection.id);
        void this.#capture({
          title: capsule?.title ?? selection.id,
          sourceCapsuleId: selection.id,
        });
      }),
      play: allowed(
        'mission.control',
        () => void this.#control({ type: this.#missionState === 'draft' ? 'start' : 'resume' }),
      ),
      pause: allowed('mission.control', () => void this.#control({ type: 'pause' })),
      seek: (t) => allowed('mission.control', () => void this.#control({ type: 'seek', t }))(),
      speed: (speed) =>
        allowed('mission.control', () => void this.#control({ type: 'speed', speed }))(),
      backToLive: () => void this.backToLive(),
      branchHere: allowed('mission.create', () => this.branches.openEditor()),
    };
    this.timeline = new Timeline(document.body, this.#timelineActions);
    this.branches = new BranchPanel(document.body, this.view.plant, {
      submit: (body) => this.#branch(body),
      open: (id) => void this.openMission(id).then(() => this.#control({ type: 'start' })),
      seek: (t) => this.#timelineActions.seek(t),
      highlight: (equipmentId) => this.select({ kind: 'equipment', id: equipmentId }),
    });
    this.connection = new PlantConnection(
      endpoint,
      {
        reset: () => this.#reset(),
        sensor: (id, sensor) => this.#onSensor(id, sensor),
        capsule: (capsule) => this.#onCapsule(capsule),
        capsuleRemoved: (id) => this.#onCapsuleRemoved(id),
        presence: (sessionId, presence) => this.#onPresence(sessionId, presence),
        status: (status, detail) => this.#onStatus(status, detail),
        mission: (mode, mission) => {
          this.#missionState = mission.state;
          this.#missionId = mission.id;
          this.#lastMission = { mode, mission };
          this.#syncPredictions(mode, mission);
          this.timeline.setMission(mode, mission);
          this.#xrTimeline?.setMission(mode, mission);
          this.#syncXrTimeline();
        },
        markers: (markers, baselineMarkers) => {
          this.timeline.setMarkers(markers, baselineMarkers);
          this.#xrTimeline?.setMarkers(markers);
        },
        annotation: (annotation) => this.timeline.addAnnotation(annotation),
        branch: (job) => this.branches.progress(job),
        confirmRequest: (request) => this.#onConfirmRequest(request),
        confirmDryRun: (dryRun) => {
          if (this.#confirmingId !== dryRun.commandId) return;
          const minutes = Math.round(dryRun.horizonMs / 60_000);
          this.panel.confirmDetail(`dry run, next ${minutes} min: ${dryRun.expectedOutcome}`);
        },
        sessionEnded: (reason) => session.end(reason),
      },
      { name, device: 'desktop', token: session.token },
    );
    session.onToken((token) => this.connection.setToken(token));

    scene.onPointerObservable.add((info) => {
      if (info.type === PointerEventTypes.POINTERTAP && !(this.#xr?.inXr ?? false)) {
        // A tap on the panel or the list is the GUI's. Babylon still reports it to the scene,
        // and picking whatever lies behind a button would re-open the panel under the pointer
        // and swallow the button's click.
        if (this.#overGui(scene.pointerX, scene.pointerY)) return;
        this.#pickAt(scene.pointerX, scene.pointerY);
      } else if (info.type === PointerEventTypes.POINTERMOVE) {
        this.#sendCursor(scene.pointerX, scene.pointerY);
      }
    });

    this.hands = new DesktopHands(
      (event) => this.#onHandGesture(event),
      () => {
        const canvas = this.handles.engine.getRenderingCanvas();
        return { width: canvas?.clientWidth ?? 0, height: canvas?.clientHeight ?? 0 };
      },
      new URLSearchParams(location.search).get('handModel') ?? undefined,
    );

    this.handles.engine.runRenderLoop(() => this.#frame());
    window.addEventListener('resize', () => this.handles.engine.resize());
  }

  /** Connect to the room and set up WebXR where the browser offers it. */
  async start(): Promise<void> {
    await this.connection.connect();
    try {
      this.#xr = await XrSession.create(
        this.handles.scene,
        [...this.view.zones.meshes],
        (ray) => this.#selectFromRay(ray),
        this.#xrStartPose(),
      );
      if (this.#xr !== null) {
        this.#xrTimeline = new XrTimeline(this.handles.scene, this.#timelineActions);
        this.#xrDeltas = new XrBranchDeltas(
          this.handles.scene,
          this.#xrTimeline.mesh,
          XR_TIMELINE_WIDTH_M,
          {
            seek: (t) => this.#timelineActions.seek(t),
            highlight: (equipmentId) => this.select({ kind: 'equipment', id: equipmentId }),
          },
        );
        this.#xrDeltas.set(this.branches.predictions);
        if (this.#lastMission !== null)
          this.#xrTimeline.setMission(this.#lastMission.mode, this.#lastMission.mission);
      }
      this.#xr?.experience.baseExperience.onStateChangedObservable.add(() => {
        this.#placePanel();
        this.#syncXrTimeline();
      });
      // Headset hands share the desktop's gestures: an open palm opens the panel and brings
      // the mission bar back in front (a fist's grab-move is the session's own; a pinch is the
      // platform's select).
      this.#xr?.onGesture((change) => {
        if (change.to !== 'open' || this.#xr?.inXr !== true) return;
        this.#openPalm();
        this.#xrTimeline?.hide();
        this.#syncXrTimeline();
      });
    } catch (error) {
      this.problems.push(
        `WebXR unavailable: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  get selection(): Selection {
    return this.#selection;
  }

  get xr(): XrSession | null {
    return this.#xr;
  }

  /** A branch's predictions as a 3D panel in XR, or null where the browser has no WebXR. */
  get xrDeltas(): XrBranchDeltas | null {
    return this.#xrDeltas;
  }

  /** The mission bar as a 3D panel in XR, or null where the browser has no WebXR. */
  get xrTimeline(): XrTimeline | null {
    return this.#xrTimeline;
  }

  /** Joins the replay of mission `id` (the team's shared room for it). */
  async openMission(id: string): Promise<void> {
    await this.connection.switchRoom(REPLAY_ROOM, { missionId: id });
    const url = new URL(location.href);
    url.searchParams.set('mission', id);
    history.replaceState(null, '', url);
  }

  /** Leaves a replay for the live plant. */
  async backToLive(): Promise<void> {
    await this.connection.switchRoom(PLANT_ROOM);
    const url = new URL(location.href);
    url.searchParams.delete('mission');
    history.replaceState(null, '', url);
    this.timeline.say('');
  }

  /** Captures a span of the live log as a mission, opens its replay and starts it. */
  async #capture(body: Record<string, unknown>): Promise<void> {
    this.timeline.say('capturing…');
    try {
      const response = await this.session.fetch(new URL('./api/v1/missions', location.href), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'replay', ...body }),
      });
      const answer = (await response.json()) as {
        mission?: { id: string };
        error?: { message: string };
      };
      if (!response.ok || answer.mission === undefined) {
        this.timeline.say(`capture refused: ${answer.error?.message ?? response.statusText}`);
        return;
      }
      await this.openMission(answer.mission.id);
      this.timeline.say('');
      await this.#control({ type: 'start' });
    } catch (error) {
      this.timeline.say(
        `capture failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** Submits a what-if branch forked at the playhead; null when accepted, else why not. */
  async #branch(body: {
    horizonMs: number;
    modifications: BranchModification[];
  }): Promise<string | null> {
    const forkT = this.timeline.playheadT;
    if (forkT === null) return 'branch from a replay';
    try {
      const response = await this.session.fetch(
        new URL(`./api/v1/missions/${encodeURIComponent(this.#missionId)}/branches`, location.href),
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ forkT: Math.round(forkT), ...body }),
        },
      );
      const answer = (await response.json()) as {
        job?: BranchJobView;
        error?: { message: string };
      };
      if (!response.ok || answer.job === undefined)
        return `branch refused: ${answer.error?.message ?? response.statusText}`;
      this.branches.progress(answer.job);
      return null;
    } catch (error) {
      return `branch failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  /** In a branch, fetch and show its predictions once; elsewhere hide them. */
  #syncPredictions(mode: 'live' | 'replay', mission: RoomMission): void {
    const branch = mode === 'replay' && mission.kind === 'branch';
    if (!branch) {
      this.#predictionsFor = null;
      this.branches.hidePredictions();
      this.#xrDeltas?.set(null);
      return;
    }
    if (this.#predictionsFor === mission.id) return;
    this.#predictionsFor = mission.id;
    void this.session
      .fetch(
        new URL(`./api/v1/missions/${encodeURIComponent(mission.id)}/predictions`, location.href),
      )
      .then(async (response) => {
        const answer = (await response.json()) as Predictions & { error?: { message: string } };
        if (!response.ok) throw new Error(answer.error?.message ?? response.statusText);
        if (this.#predictionsFor !== mission.id) return;
        this.branches.showPredictions(answer);
        this.#xrDeltas?.set(answer);
      })
      .catch((error: unknown) => {
        this.timeline.say(`predictions: ${error instanceof Error ? error.message : String(error)}`);
      });
  }

  async #control(control: ReplayControl): Promise<void> {
    const answer = await this.connection.sendControl(control);
    const text = answer.ok ? '' : `${control.type}: ${answer.reason ?? answer.code ?? 'refused'}`;
    this.timeline.say(text);
    this.#xrTimeline?.say(text);
  }

  /** Select a capsule or equipment (or nothing) and show its panel. */
  select(selection: Selection): void {
    this.#selection = selection;
    this.timeline.setCapsuleSelected(selection?.kind === 'capsule');
    this.layer.select(selection?.kind === 'capsule' ? selection.id : null);
    this.connection.sendPresence({ selection: selection?.id ?? null });
    if (selection === null) {
      this.panel.hide();
      return;
    }
    if (selection.kind === 'capsule') this.#showCapsule(selection.id, true);
    else this.#showEquipment(selection.id);
    this.#placePanel();
  }

  /** Marks each action the signed-in role may not take (by its command type) with the reason. */
  #gate(actions: PanelAction[], types: readonly Action[]): PanelAction[] {
    return actions.map((action, i) => {
      const type = types[i];
      if (type === undefined || this.session.may(type)) return action;
      return { ...action, disabledReason: refusal(this.session.user.role, type) };
    });
  }

  /** The server asks before a plant-writing command moves anything: show what and the interlocks. */
  #onConfirmRequest(request: ConfirmRequest): void {
    const verdict = request.interlocks.ok
      ? request.interlocks.checked.length === 0
        ? 'no interlock applies'
        : `interlocks clear: ${request.interlocks.checked.join(', ')}`
      : `blocked: ${request.interlocks.reason ?? 'an interlock holds'}`;
    this.#confirmingId = request.commandId;
    this.panel.confirm(
      request.summary,
      `${verdict} · ${request.timeoutS} s to confirm`,
      () => {
        this.panel.endConfirm();
        this.panel.setStatus(`${request.summary}: confirmed, sending…`, '#9fb3c8');
        this.connection.sendConfirm(request.commandId, true);
      },
      () => {
        this.panel.endConfirm();
        this.connection.sendConfirm(request.commandId, false);
      },
    );
  }

  /** Send a command and show its ack (or the local refusal) in the panel. */
  async command(command: Command): Promise<CommandAck> {
    this.panel.setStatus(`${command.type}: sent…`, '#9fb3c8');
    const ack = await this.connection.sendCommand(command);
    // A plant-writing command's panel showed Confirm/Cancel meanwhile: put its own buttons back.
    const selection = this.#selection;
    if (isPlantWriting(command.type) && selection?.kind === 'equipment') {
      this.panel.endConfirm();
      this.#showEquipment(selection.id);
    }
    if (ack.status === 'accepted') this.panel.setStatus(`${command.type}: accepted`, '#4ade80');
    else
      this.panel.setStatus(
        `${command.type}: rejected: ${ack.reason ?? ack.code ?? 'no reason given'}`,
        '#f87171',
      );
    return ack;
  }

  /** Screen position (CSS px) of capsule `id` as drawn now, or null when not drawn. */
  projectCapsule(id: string): { x: number; y: number } | null {
    const p = this.layer.positionOf(id);
    if (p === undefined) return null;
    const { engine, scene } = this.handles;
    const camera = scene.activeCamera!;
    const screen = Vector3.Project(
      new Vector3(p.x, p.y, p.z),
      Matrix.IdentityReadOnly,
      scene.getTransformMatrix(),
      camera.viewport.toGlobal(engine.getRenderWidth(), engine.getRenderHeight()),
    );
    const scale = engine.getHardwareScalingLevel();
    return { x: screen.x * scale, y: screen.y * scale };
  }

  #frame(): void {
    const { scene } = this.handles;
    const camera = scene.activeCamera;
    // Labels first: they are instances of the capsule mesh, uploaded by the flush.
    if (camera !== null) this.labels.update(camera.globalPosition, performance.now());
    this.layer.flush();
    this.view.sensors.flush();
    if (this.#listDirty) this.#renderList();
    this.timeline.tick();
    this.#tickXrTimeline();
    if (camera !== null && this.#status === 'online') {
      const inXr = this.#xr?.inXr ?? false;
      const hands = inXr ? this.#xr!.handPositions() : null;
      const pose = this.avatars.poseToSend(camera, performance.now(), hands);
      if (pose !== null) {
        // Others draw a headset user's hands; the device tells them the user is in XR.
        const device = inXr ? 'xr' : 'desktop';
        const changed = device !== this.#deviceSent;
        this.#deviceSent = device;
        this.connection.sendPresence(changed ? { ...pose, device } : pose);
      }
    }
    scene.render();
  }

  /**
   * Shows the XR mission bar while the user is in XR and in a replay, hides it otherwise. It is
   * placed a few XR frames after it is due (the head pose settles), in front of and below the
   * user, and stays there in the world until an open palm brings it back.
   */
  #syncXrTimeline(): void {
    const bar = this.#xrTimeline;
    if (bar === null) return;
    const wanted = (this.#xr?.inXr ?? false) && bar.mode === 'replay';
    if (!wanted) {
      bar.hide();
      this.#xrTimelineDue = -1;
    } else if (!bar.visible && this.#xrTimelineDue < 0) this.#xrTimelineDue = 3;
  }

  #tickXrTimeline(): void {
    const bar = this.#xrTimeline;
    const xr = this.#xr;
    if (bar === null || xr === null) return;
    if (this.#xrTimelineDue > 0) this.#xrTimelineDue -= 1;
    else if (this.#xrTimelineDue === 0) {
      this.#xrTimelineDue = -1;
      if (xr.inXr && bar.mode === 'replay') {
        const { position, head } = xr.inFrontOfUser(0.8);
        bar.show(position, head);
      }
    }
    bar.tick();
  }

  #reset(): void {
    this.#deviceSent = 'desktop';
    this.#xrTimeline?.reset();
    this.timeline.reset();
    this.avatars.clear();
    this.capsules.clear();
    this.layer.clear();
    for (const marker of this.#presenceMarkers.values()) marker.dispose();
    this.#presenceMarkers.clear();
    this.#presence.clear();
    this.#listDirty = true;
  }

  #onSensor(id: string, sensor: RoomSensor): void {
    this.#sensorValues.set(id, sensor);
    const index = this.view.sensorIndex.get(id);
    if (index === undefined) return;
    const quality: Quality = (QUALITIES as readonly string[]).includes(sensor.quality)
      ? (sensor.quality as Quality)
      : 'bad';
    this.view.sensors.setReading(index, sensor.value, quality);
  }

  #onCapsule(room: RoomCapsule): void {
    const parsed = clientCapsule(room);
    if (!parsed.ok) {
      this.problems.push(parsed.reason);
      return;
    }
    const capsule = parsed.capsule;
    this.capsules.set(capsule.id, capsule);
    this.layer.upsert(capsule);
    this.#listDirty = true;
    if (this.#selection?.kind === 'capsule' && this.#selection.id === capsule.id)
      this.#showCapsule(capsule.id, false);
  }

  #onCapsuleRemoved(id: string): void {
    this.capsules.delete(id);
    this.layer.remove(id);
    this.#listDirty = true;
  }

  #onPresence(sessionId: string, presence: RoomPresence | null): void {
    if (presence === null) this.#presence.delete(sessionId);
    else this.#presence.set(sessionId, presence);
    if (sessionId !== this.connection.sessionId) this.avatars.update(sessionId, presence);
    const others = [...this.#presence.values()].filter(
      (p) => p.sessionId !== this.connection.sessionId,
    );
    this.#presenceText.text =
      others.length === 0
        ? 'no one else here'
        : others
            .map((p) => `${p.name}${p.selection === '' ? '' : ` → ${p.selection}`}`)
            .join(' · ');
    // Others' cursors: a small sphere each, in their colour.
    const marker = this.#presenceMarkers.get(sessionId);
    if (presence === null || sessionId === this.connection.sessionId || !presence.hasCursor) {
      marker?.setEnabled(false);
      if (presence === null && marker !== undefined) {
        marker.dispose();
        this.#presenceMarkers.delete(sessionId);
      }
      return;
    }
    let mesh = marker;
    if (mesh === undefined) {
      mesh = CreateSphere(
        `presence:${sessionId}`,
        { diameter: 0.35, segments: 8 },
        this.handles.scene,
      );
      const material = new StandardMaterial(`presence:${sessionId}`, this.handles.scene);
      material.emissiveColor = Color3.FromHexString(
        /^#[0-9a-f]{6}$/i.test(presence.color) ? presence.color : '#ffffff',
      );
      material.disableLighting = true;
      mesh.material = material;
      mesh.isPickable = false;
      this.#presenceMarkers.set(sessionId, mesh);
    }
    mesh.position.set(presence.cursorX, presence.cursorY, presence.cursorZ);
    mesh.setEnabled(true);
  }

  #onStatus(status: ConnectionStatus, detail: string): void {
    this.#status = status;
    this.#statusText.text = `● ${status} — ${detail}`;
    this.#statusText.color = STATUS_COLORS[status];
    document.body.dataset['status'] = status;
  }

  /** Whether screen point (x, y) lies on the panel or the capsule list. */
  #overGui(x: number, y: number): boolean {
    return [this.panel.root, this.#list].some(
      (control) => control.isVisible && control.contains(x, y),
    );
  }

  #pickAt(x: number, y: number): void {
    const { scene } = this.handles;
    const ray = scene.createPickingRay(x, y, Matrix.Identity(), scene.activeCamera);
    this.#selectFromRay(ray);
  }

  /** Select the capsule or equipment along `ray`; false when it meets neither. */
  #selectFromRay(ray: Ray): boolean {
    const capsuleId = this.layer.pick(ray);
    if (capsuleId !== undefined) {
      this.select({ kind: 'capsule', id: capsuleId });
      return true;
    }
    const hit = this.handles.scene.pickWithRay(ray, (mesh) => mesh.isPickable && mesh.isEnabled());
    if (hit?.hit === true && hit.pickedMesh !== null) {
      const id = this.view.equipmentAt(hit.pickedMesh, hit.thinInstanceIndex);
      if (id !== undefined) {
        this.select({ kind: 'equipment', id });
        return true;
      }
    }
    return false;
  }

  /**
   * Desktop hand gestures: a pinch selects what lies under the hand's pointer, an open palm
   * opens the panel (of the selection, else of the first capsule in the list), a fist drags
   * the orbit camera round.
   */
  #onHandGesture(event: HandGestureEvent): void {
    if (this.#xr?.inXr ?? false) return;
    if (event.gesture === 'pinch' && event.phase === 'start') {
      this.#pickAt(event.x, event.y);
      this.lastHandPick = { x: event.x, y: event.y, selected: this.#selection };
    } else if (event.gesture === 'open' && event.phase === 'start') {
      const first = [...this.capsules.values()].sort(compareCapsulesForList)[0];
      const selection =
        this.#selection ??
        (first === undefined ? null : { kind: 'capsule' as const, id: first.id });
      if (selection !== null) this.select(selection);
    } else if (event.gesture === 'fist') {
      if (event.phase === 'end') {
        this.#fistAt = null;
        return;
      }
      const camera = this.handles.camera;
      if (this.#fistAt !== null && event.phase === 'move') {
        camera.alpha -= (event.x - this.#fistAt.x) * FIST_ORBIT_RAD_PER_PX;
        camera.beta = Math.min(
          Math.PI / 2 - 0.05,
          Math.max(0.1, camera.beta - (event.y - this.#fistAt.y) * FIST_ORBIT_RAD_PER_PX),
        );
      }
      this.#fistAt = { x: event.x, y: event.y };
    }
  }

  /** An open palm (camera or headset hand) opens the panel: the selection's, else the first capsule's. */
  #openPalm(): void {
    const first = [...this.capsules.values()].sort(compareCapsulesForList)[0];
    const selection =
      this.#selection ?? (first === undefined ? null : { kind: 'capsule' as const, id: first.id });
    if (selection !== null) this.select(selection);
  }

  #sendCursor(x: number, y: number): void {
    const now = performance.now();
    if (now - this.#lastCursorSent < 100 || this.#status !== 'online') return;
    this.#lastCursorSent = now;
    const { scene } = this.handles;
    const zones = new Set<unknown>(this.view.zones.meshes);
    const hit = scene.pick(
      x,
      y,
      (mesh) => zones.has(mesh),
      false,
      scene.activeCamera,
      (p0, p1, p2, ray) => {
        void p0;
        void p1;
        void p2;
        void ray;
        return true;
      },
    );
    if (hit.hit && hit.pickedPoint !== null) {
      const p = hit.pickedPoint;
      this.connection.sendPresence({ cursor: { x: p.x, y: p.y + 0.2, z: p.z } });
    }
  }

  #renderList(): void {
    this.#listDirty = false;
    this.#list.clearControls();
    const sorted = [...this.capsules.values()].sort(compareCapsulesForList).slice(0, LIST_LENGTH);
    const header = new TextBlock('list:header', `${this.capsules.size} open capsules`);
    header.height = '26px';
    header.fontSize = 14;
    header.color = '#c9d3dc';
    header.textHorizontalAlignment = Control.HORIZONTAL_ALIGNMENT_LEFT;
    this.#list.addControl(header);
    for (const capsule of sorted) {
      const label = `${capsule.severity === 'critical' ? '▲' : capsule.severity === 'warning' ? '■' : '●'} P${capsule.priority} ${capsule.title} (${capsule.state})`;
      const button = Button.CreateSimpleButton(`list:${capsule.id}`, label);
      button.height = '30px';
      button.fontSize = 13;
      button.thickness = 0;
      button.color =
        capsule.severity === 'critical'
          ? '#fca5a5'
          : capsule.severity === 'warning'
            ? '#fcd34d'
            : '#93c5fd';
      button.background =
        capsule.state === 'active' ? 'rgba(30, 41, 59, 0.85)' : 'rgba(30, 41, 59, 0.5)';
      if (button.textBlock !== null)
        button.textBlock.textHorizontalAlignment = Control.HORIZONTAL_ALIGNMENT_LEFT;
      button.onPointerUpObservable.add(() => this.select({ kind: 'capsule', id: capsule.id }));
      this.#list.addControl(button);
    }
  }

  #showCapsule(id: string, fresh: boolean): void {
    const capsule = this.capsules.get(id);
    if (capsule === undefined) {
      this.panel.setLines(['This capsule is closed.']);
      return;
    }
    const lines = this.#capsuleLines(capsule);
    if (!fresh) {
      this.panel.setLines(lines);
      return;
    }
    const send = (command: Command): void => {
      void this.command(command);
    };
    const actions: PanelAction[] = [
      {
        label: 'Acknowledge',
        onClick: () =>
          send({ type: 'capsule.ack', commandId: this.connection.nextCommandId(), capsuleId: id }),
      },
      {
        label: 'Shelve',
        onClick: () =>
          send({
            type: 'capsule.shelve',
            commandId: this.connection.nextCommandId(),
            capsuleId: id,
            durationMs: SHELVE_MS,
          }),
      },
      {
        label: 'Resolve',
        onClick: () =>
          send({
            type: 'capsule.resolve',
            commandId: this.connection.nextCommandId(),
            capsuleId: id,
          }),
      },
    ];
    this.panel.show(
      capsule.title,
      lines,
      this.#gate(actions, ['capsule.ack', 'capsule.shelve', 'capsule.resolve']),
    );
    if (capsule.sensorId !== null) void this.#loadTrend(capsule.sensorId, id);
  }

  #capsuleLines(capsule: ClientCapsule): string[] {
    const equipment = this.view.equipmentById.get(capsule.equipmentId);
    const sensor = capsule.sensorId === null ? undefined : this.#sensorValues.get(capsule.sensorId);
    const lines = [
      `${capsule.severity.toUpperCase()} · priority ${capsule.priority} · ${capsule.state}${capsule.conditionActive ? '' : ' · condition cleared'}`,
      capsule.description,
      `Equipment: ${equipment?.name ?? capsule.equipmentId} (${capsule.equipmentId})`,
    ];
    if (capsule.sensorId !== null) {
      lines.push(
        `Sensor ${capsule.sensorId}: ${sensor === undefined ? 'no reading' : `${sensor.value.toFixed(2)} (${sensor.quality})`}`,
      );
    }
    lines.push(
      `Raised ${new Date(capsule.raisedAt).toLocaleTimeString()} · consensus ${(capsule.consensus * 100).toFixed(0)} %`,
    );
    if (capsule.acknowledgedBy !== null) lines.push(`Acknowledged by ${capsule.acknowledgedBy}`);
    if (capsule.lastActor !== null) {
      lines.push(
        `Last: ${capsule.lastAction ?? 'acted'} by ${capsule.lastActor}${capsule.lastActionAt === null ? '' : ` at ${new Date(capsule.lastActionAt).toLocaleTimeString()}`}`,
      );
    }
    return lines;
  }

  async #loadTrend(sensorId: string, capsuleId: string): Promise<void> {
    const live = this.#sensorValues.get(sensorId);
    const to = live?.t ?? Date.now();
    const url = `./api/v1/sensors/${encodeURIComponent(sensorId)}/readings?bucket=${TREND_BUCKET}&from=${Math.round(to - TREND_WINDOW_MS)}&to=${Math.round(to + 1)}`;
    try {
      const response = await this.session.fetch(url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = (await response.json()) as
        | { kind: 'buckets'; buckets: { t: number; avg: number | null }[] }
        | { kind: 'raw'; readings: { t: number; value: number }[] };
      const samples =
        body.kind === 'buckets'
          ? body.buckets.map((b) => ({ t: b.t, value: b.avg }))
          : body.readings;
      if (this.#selection?.kind !== 'capsule' || this.#selection.id !== capsuleId) return;
      const sensor = this.#sensorDefinition(sensorId);
      const { width, height } = this.panel.trendSize;
      this.panel.setTrend(
        trendPolylines(samples, sensor?.range ?? { min: 0, max: 1 }, width, height),
      );
    } catch (error) {
      this.problems.push(
        `trend of ${sensorId}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  #sensorDefinition(sensorId: string): Equipment['sensors'][number] | undefined {
    for (const equipment of this.view.plant.equipment) {
      const sensor = equipment.sensors.find((s) => s.id === sensorId);
      if (sensor !== undefined) return sensor;
    }
    return undefined;
  }

  #showEquipment(id: string): void {
    const equipment = this.view.equipmentById.get(id);
    if (equipment === undefined) return;
    const actions: PanelAction[] = [];
    for (const actuator of equipment.actuators) {
      const next = (): string => this.connection.nextCommandId();
      if (equipment.kind === 'valve' && actuator.kind === 'valve.position') {
        for (const [label, position] of [
          ['Open', 1],
          ['50 %', 0.5],
          ['Close', 0],
        ] as const) {
          actions.push({
            label,
            onClick: () =>
              void this.command({
                type: 'valve.actuate',
                commandId: next(),
                actuatorId: actuator.id,
                position,
              }),
          });
        }
      } else if (equipment.kind === 'pump' && actuator.kind === 'pump.run') {
        actions.push({
          label: 'Start',
          onClick: () =>
            void this.command({ type: 'pump.start', commandId: next(), actuatorId: actuator.id }),
        });
        actions.push({
          label: 'Stop',
          onClick: () =>
            void this.command({ type: 'pump.stop', commandId: next(), actuatorId: actuator.id }),
        });
      }
    }
    const lines = [`${equipment.kind} in zone ${equipment.zone}`];
    for (const sensor of equipment.sensors) {
      const value = this.#sensorValues.get(sensor.id);
      lines.push(
        `${sensor.name ?? sensor.id}: ${value === undefined ? '—' : value.value.toFixed(2)} ${sensor.unit}`,
      );
    }
    if (actions.length === 0 && (equipment.kind === 'valve' || equipment.kind === 'pump'))
      lines.push('No actuator to command.');
    const types = actions.map((a): Action =>
      a.label === 'Start' ? 'pump.start' : a.label === 'Stop' ? 'pump.stop' : 'valve.actuate',
    );
    this.panel.show(
      `${equipment.name} (${equipment.id})`,
      lines.slice(0, 9),
      this.#gate(actions, types),
    );
  }

  /** Where a headset user starts: at the plant's near edge, clear of equipment, facing it. */
  #xrStartPose(): ReturnType<typeof xrStartPose> {
    const { plant } = this.view;
    return xrStartPose(
      plant.zones.map((zone) => zone.bounds),
      plant.equipment.map((item) => {
        const size = equipmentSize(item);
        return {
          minX: item.position.x - size.x / 2,
          minZ: item.position.z - size.z / 2,
          maxX: item.position.x + size.x / 2,
          maxZ: item.position.z + size.z / 2,
        };
      }),
    );
  }

  /** In XR the panel moves onto a plane in front of the user; on the desktop it is screen UI. */
  #placePanel(): void {
    const xr = this.#xr;
    const root = this.panel.root;
    if (xr === null || !xr.inXr) {
      if (this.#xrGui !== null) {
        this.#xrGui.removeControl(root);
        this.gui.addControl(root);
        root.horizontalAlignment = Control.HORIZONTAL_ALIGNMENT_RIGHT;
        root.verticalAlignment = Control.VERTICAL_ALIGNMENT_TOP;
        this.#xrPanelMesh?.setEnabled(false);
      }
      return;
    }
    if (this.#xrPanelMesh === null) {
      this.#xrPanelMesh = CreatePlane('xr-panel', { width: 0.8, height: 0.8 }, this.handles.scene);
      this.#xrPanelMesh.metadata = { [XR_UI_METADATA]: true };
      // Drawn after the plant with a fresh depth buffer: a vessel never hides the panel.
      this.#xrPanelMesh.renderingGroupId = 1;
      this.#xrGui = AdvancedDynamicTexture.CreateForMesh(
        this.#xrPanelMesh,
        PANEL_WIDTH_PX * 2,
        PANEL_WIDTH_PX * 2,
        true,
      );
      this.#xrGui.rootContainer.scaleX = 2;
      this.#xrGui.rootContainer.scaleY = 2;
    }
    if (root.parent !== this.#xrGui!.rootContainer) {
      this.gui.removeControl(root);
      this.#xrGui!.addControl(root);
      root.horizontalAlignment = Control.HORIZONTAL_ALIGNMENT_CENTER;
      root.verticalAlignment = Control.VERTICAL_ALIGNMENT_CENTER;
    }
    const { position, head } = xr.inFrontOfUser(0.9);
    const mesh = this.#xrPanelMesh;
    mesh.position.copyFrom(position);
    mesh.lookAt(new Vector3(head.x, position.y, head.z));
    mesh.rotate(Vector3.Up(), Math.PI);
    mesh.setEnabled(this.panel.visible);
  }
}

/** Fetch and validate the plant the server runs. */
export async function fetchPlant(
  url: string,
  get: (url: string) => Promise<Response> = (u) => fetch(u),
): Promise<Plant> {
  const response = await get(url);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  const body = (await response.json()) as { plant?: unknown };
  const result = validatePlant(body.plant ?? body);
  if (!result.ok) {
    throw new Error(`plant from ${url} is invalid: ${formatProblems(result.errors)}`);
  }
  return result.plant;
}
