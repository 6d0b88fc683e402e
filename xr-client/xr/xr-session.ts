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

/** What a headset user selected: the world ray of their controller or pinching hand. */
export type XrSelectHandler = (ray: Ray) => void;

/**
 * The WebXR session: Babylon's default experience with an "Enter VR" button (and an "Enter AR"
 * button where `immersive-ar` is supported), controller rays and hand pinch as select, teleport
 * onto the zone floors. Nothing loads from a CDN: controller models, the online controller
 * repository, default hand meshes and near interaction (which fetches its own meshes) are off.
 */
export class XrSession {
  readonly #xr: WebXRDefaultExperience;
  readonly #scene: Scene;
  #observer: Observer<PointerInfo> | null = null;
  readonly #ray = new Ray(Vector3.Zero(), Vector3.Forward(), 1000);

  private constructor(scene: Scene, xr: WebXRDefaultExperience) {
    this.#scene = scene;
    this.#xr = xr;
  }

  /** Create the experience; resolves null when the browser has no WebXR at all. */
  static async create(
    scene: Scene,
    floorMeshes: AbstractMesh[],
    onSelect: XrSelectHandler,
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
    if (await WebXRSessionManager.IsSessionSupportedAsync('immersive-ar')) session.#addArButton();
    return session;
  }

  get inXr(): boolean {
    return this.#xr.baseExperience.state === WebXRState.IN_XR;
  }

  get experience(): WebXRDefaultExperience {
    return this.#xr;
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

  dispose(): void {
    if (this.#observer !== null) this.#scene.onPointerObservable.remove(this.#observer);
    this.#observer = null;
    this.#xr.dispose();
  }

  #attach(onSelect: XrSelectHandler): void {
    // In XR, Babylon turns controller and hand selects into pointer events with their own
    // pointer ids; the controller behind the id gives the exact ray to test capsules with.
    this.#observer = this.#scene.onPointerObservable.add((info) => {
      if (!this.inXr || info.type !== PointerEventTypes.POINTERDOWN) return;
      const pointerId = (info.event as { pointerId?: number }).pointerId ?? -1;
      const controller = this.#xr.pointerSelection.getXRControllerByPointerId(pointerId);
      if (controller === null) return;
      controller.getWorldPointerRayToRef(this.#ray);
      onSelect(this.#ray);
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
