import type { Observer } from '@babylonjs/core/Misc/observable.js';
import { Ray } from '@babylonjs/core/Culling/ray.js';
import { Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import type { AbstractMesh } from '@babylonjs/core/Meshes/abstractMesh.js';
import { PointerEventTypes } from '@babylonjs/core/Events/pointerEvents.js';
import type { PointerInfo } from '@babylonjs/core/Events/pointerEvents.js';
import type { Scene } from '@babylonjs/core/scene.js';
import '@babylonjs/core/XR/motionController/index.js';
import { WebXRDefaultExperience } from '@babylonjs/core/XR/webXRDefaultExperience.js';
import { WebXRState } from '@babylonjs/core/XR/webXRTypes.js';
import { WebXRSessionManager } from '@babylonjs/core/XR/webXRSessionManager.js';
import { GestureClassifier, pointsFromXrJoints } from '../../workers/index.js';
import type { GestureChange, HandObservation } from '../../workers/index.js';
import type { HandPoints } from '../scene/avatars.js';
import type { XrStartPose } from './start-pose.js';

/**
 * What a headset user selected: the world ray of their controller or pinching hand. Returns
 * whether the select picked something (a capsule, an equipment).
 */
export type XrSelectHandler = (ray: Ray) => boolean;

/**
 * Metadata key that marks a mesh as XR user interface (a GUI panel on a plane): a select on it
 * belongs to its GUI controls, not to whatever lies behind it in the plant.
 */
export const XR_UI_METADATA = 'xrUi';

/**
 * The WebXR session: Babylon's default experience with an "Enter VR" button (and an "Enter AR"
 * button where `immersive-ar` is supported), controller rays and hand pinch as select, teleport
 * onto the zone floors. Nothing loads from a CDN: controller models, the online controller
 * repository, default hand meshes and near interaction (which fetches its own meshes) are off.
 * In immersive VR the user starts at `startPose`, standing on the floor and facing the plant.
 */
export class XrSession {
  readonly #xr: WebXRDefaultExperience;
  readonly #scene: Scene;
  #observer: Observer<PointerInfo> | null = null;
  readonly #ray = new Ray(Vector3.Zero(), Vector3.Forward(), 1000);
  #teleportHeld = false;
  /** The same classifier the desktop camera path uses, on the headset's hand joints. */
  readonly gestures = new GestureClassifier();
  readonly #joints = new Float32Array(25 * 3);
  /** The wrist (physical space, m) of the hand holding a fist, while it grabs the world. */
  #grab: { handedness: 'left' | 'right'; x: number; y: number; z: number } | null = null;
  #onGesture: ((change: GestureChange) => void) | null = null;

  private constructor(scene: Scene, xr: WebXRDefaultExperience) {
    this.#scene = scene;
    this.#xr = xr;
  }

  /** Create the experience; resolves null when the browser has no WebXR at all. */
  static async create(
    scene: Scene,
    floorMeshes: AbstractMesh[],
    onSelect: XrSelectHandler,
    startPose: XrStartPose | null = null,
  ): Promise<XrSession | null> {
    if (typeof navigator === 'undefined' || !('xr' in navigator) || navigator.xr === undefined)
      return null;
    const vr = await WebXRSessionManager.IsSessionSupportedAsync('immersive-vr');
    if (!vr) return null;
    const xr = await WebXRDefaultExperience.CreateAsync(scene, {
      floorMeshes,
      disableNearInteraction: true,
      inputOptions: { doNotLoadControllerMeshes: true, disableOnlineControllerRepository: true },
      handSupportOptions: { handMeshes: { disableDefaultMeshes: true } },
      pointerSelectionOptions: { enablePointerSelectionOnAllControllers: true },
      uiOptions: { sessionMode: 'immersive-vr', referenceSpaceType: 'local-floor' },
    });
    const session = new XrSession(scene, xr);
    session.#attach(onSelect);
    // A session that ended mid-press must not leave teleportation held for the next one.
    xr.baseExperience.onStateChangedObservable.add(() => session.#holdTeleport(false));
    if (startPose !== null) session.#startAt(startPose);
    if (await WebXRSessionManager.IsSessionSupportedAsync('immersive-ar')) session.#addArButton();
    xr.baseExperience.sessionManager.onXRFrameObservable.add((frame) => session.#trackHands(frame));
    return session;
  }

  get inXr(): boolean {
    return this.#xr.baseExperience.state === WebXRState.IN_XR;
  }

  get experience(): WebXRDefaultExperience {
    return this.#xr;
  }

  /**
   * Where the user's hands (or controllers) are in the world now, for presence: the grip of
   * each input source with a handedness, null for a hand that is not tracked.
   */
  handPositions(): HandPoints {
    const hands: HandPoints = { left: null, right: null };
    if (!this.inXr) return hands;
    for (const controller of this.#xr.input.controllers) {
      const side = controller.inputSource.handedness;
      if (side !== 'left' && side !== 'right') continue;
      const p = (controller.grip ?? controller.pointer).absolutePosition;
      if (Number.isFinite(p.x) && Number.isFinite(p.y) && Number.isFinite(p.z))
        hands[side] = { x: p.x, y: p.y, z: p.z };
    }
    return hands;
  }

  /** Enter immersive VR (what the button does). */
  async enterVr(): Promise<void> {
    await this.#xr.baseExperience.enterXRAsync('immersive-vr', 'local-floor');
  }

  /** Where the user's head is, and a point `distance` m ahead at eye height (for panels). */
  inFrontOfUser(distance: number): { position: Vector3; head: Vector3 } {
    const camera = this.#xr.baseExperience.camera;
    const forward = camera.getDirection(Vector3.Forward());
    forward.y = 0;
    if (forward.lengthSquared() < 1e-6) forward.set(0, 0, 1);
    forward.normalize();
    const head = camera.globalPosition.clone();
    return { position: head.add(forward.scale(distance)).add(new Vector3(0, -0.15, 0)), head };
  }

  /**
   * Hear the hands' gesture changes (open palm opens the panel in the app). Pinch stays the
   * platform's select (Babylon's pointer selection); a fist is handled here: it grabs the world,
   * and moving the hand moves the user the other way.
   */
  onGesture(handler: (change: GestureChange) => void): void {
    this.#onGesture = handler;
  }

  dispose(): void {
    if (this.#observer !== null) this.#scene.onPointerObservable.remove(this.#observer);
    this.#observer = null;
    this.#xr.dispose();
  }

  #trackHands(frame: XRFrame): void {
    const manager = this.#xr.baseExperience.sessionManager;
    // Physical space: teleports and grabs move the user's offset, not these coordinates.
    const space = manager.baseReferenceSpace;
    const observations: HandObservation[] = [];
    let wrist: { handedness: 'left' | 'right'; x: number; y: number; z: number } | null = null;
    for (const source of frame.session.inputSources) {
      const hand = source.hand;
      if (hand === undefined || (source.handedness !== 'left' && source.handedness !== 'right'))
        continue;
      let complete = hand.size >= 25 && frame.getJointPose !== undefined;
      let i = 0;
      for (const joint of hand.values()) {
        if (!complete || i >= 25) break;
        const pose = frame.getJointPose!(joint, space);
        if (pose === undefined) {
          complete = false;
          break;
        }
        const p = pose.transform.position;
        this.#joints[i * 3] = p.x;
        this.#joints[i * 3 + 1] = p.y;
        this.#joints[i * 3 + 2] = p.z;
        i += 1;
      }
      observations.push({
        handedness: source.handedness,
        points: complete ? pointsFromXrJoints(this.#joints) : null,
      });
      if (complete && this.#grab?.handedness === source.handedness)
        wrist = {
          handedness: source.handedness,
          x: this.#joints[0]!,
          y: this.#joints[1]!,
          z: this.#joints[2]!,
        };
    }
    for (const change of this.gestures.update(observations, performance.now())) {
      if (change.from === 'fist' && this.#grab?.handedness === change.handedness) this.#grab = null;
      if (change.to === 'fist') {
        const points = observations.find((o) => o.handedness === change.handedness)?.points;
        if (points !== null && points !== undefined)
          this.#grab = {
            handedness: change.handedness,
            x: points[0]!,
            y: points[1]!,
            z: points[2]!,
          };
      }
      this.#onGesture?.(change);
    }
    if (this.#grab !== null && wrist !== null) {
      this.#moveByHand(
        frame,
        wrist.x - this.#grab.x,
        wrist.y - this.#grab.y,
        wrist.z - this.#grab.z,
      );
      this.#grab = wrist;
    }
  }

  /**
   * Move the user opposite to a hand's physical motion (dx, dy, dz in the WebXR reference
   * space, right-handed): the grabbed world follows the hand. The physical delta is turned by
   * the yaw between the user's physical heading and the XR camera's world heading, and its z
   * flipped into Babylon's left-handed world.
   */
  #moveByHand(frame: XRFrame, dx: number, dy: number, dz: number): void {
    const manager = this.#xr.baseExperience.sessionManager;
    const viewer = frame.getViewerPose(manager.baseReferenceSpace);
    if (viewer === undefined) return;
    const q = viewer.transform.orientation;
    // Physical forward (0, 0, -1) rotated by q, then into left-handed axes (z negated).
    const fx = -(2 * (q.x * q.z + q.w * q.y));
    const fz = 1 - 2 * (q.x * q.x + q.y * q.y);
    const physicalYaw = Math.atan2(fx, fz);
    const forward = this.#xr.baseExperience.camera.getDirection(Vector3.Forward());
    const yaw = Math.atan2(forward.x, forward.z) - physicalYaw;
    const lx = dx;
    const lz = -dz;
    const wx = lx * Math.cos(yaw) + lz * Math.sin(yaw);
    const wz = -lx * Math.sin(yaw) + lz * Math.cos(yaw);
    this.#xr.baseExperience.camera.position.subtractFromFloatsToRef(
      wx,
      dy,
      wz,
      this.#xr.baseExperience.camera.position,
    );
  }

  #attach(onSelect: XrSelectHandler): void {
    // In XR, Babylon turns controller and hand selects into pointer events with their own
    // pointer ids; the controller behind the id gives the exact ray to test capsules with.
    this.#observer = this.#scene.onPointerObservable.add((info) => {
      if (!this.inXr) return;
      if (info.type === PointerEventTypes.POINTERUP) {
        this.#holdTeleport(false);
        return;
      }
      if (info.type !== PointerEventTypes.POINTERDOWN) return;
      const metadata = info.pickInfo?.pickedMesh?.metadata as Record<string, unknown> | null;
      if (metadata?.[XR_UI_METADATA] === true) {
        // The panel's GUI presses its button; picking the plant behind it as well would change
        // the selection and rebuild the panel between the button's down and up.
        this.#holdTeleport(true);
        return;
      }
      const pointerId = (info.event as { pointerId?: number }).pointerId ?? -1;
      const controller = this.#xr.pointerSelection.getXRControllerByPointerId(pointerId);
      if (controller === null) return;
      controller.getWorldPointerRayToRef(this.#ray);
      if (onSelect(this.#ray)) this.#holdTeleport(true);
    });
  }

  /**
   * A hand (or a controller without a thumbstick) teleports with its select button: Babylon
   * starts aiming at the floor on every press, and while it aims it detaches pointer
   * selection, which ends the press at once: a pinch at a panel button would never click, and
   * a pinch at a capsule could carry the user off to the floor behind it. Teleportation is
   * therefore held while a select that meant a button or a capsule is down. Babylon's pointer
   * selection sees the press before teleportation does (it is enabled first), so holding it
   * from the pointer-down is in time.
   */
  #holdTeleport(hold: boolean): void {
    if (hold === this.#teleportHeld) return;
    this.#teleportHeld = hold;
    this.#xr.teleportation.teleportationEnabled = !hold;
  }

  /**
   * Babylon places the XR camera at the desktop camera's ground point with its heading, then
   * tells observers before the first XR frame: moving the camera there becomes the offset of
   * the reference space, so head tracking goes on from the start pose. AR is left alone: its
   * origin is the real room, and the plant is placed against it.
   */
  #startAt(pose: XrStartPose): void {
    const base = this.#xr.baseExperience;
    base.onInitialXRPoseSetObservable.add((camera) => {
      if (base.sessionManager.sessionMode !== 'immersive-vr') return;
      // y stays 0 here: Babylon adds the head's height above the floor on the first frame.
      camera.position.set(pose.x, camera.position.y, pose.z);
      camera.setTarget(new Vector3(pose.lookAtX, camera.position.y, pose.lookAtZ));
    });
  }

  #addArButton(): void {
    const button = document.createElement('button');
    button.textContent = 'Enter AR';
    button.className = 'enter-ar';
    button.addEventListener('click', () => {
      void this.#xr.baseExperience.enterXRAsync('immersive-ar', 'local-floor');
    });
    document.body.appendChild(button);
  }
}
