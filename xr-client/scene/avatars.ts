/**
 * Others in the room as simple avatars: a head in their colour where their camera (desktop) or
 * headset (XR) is, a nose showing where they look, and their name above it. This client sends
 * its own head pose at most 10 times a second, and only when it moved.
 */
import type { AdvancedDynamicTexture } from '@babylonjs/gui/2D/advancedDynamicTexture.js';
import { TextBlock } from '@babylonjs/gui/2D/controls/textBlock.js';
import type { Camera } from '@babylonjs/core/Cameras/camera.js';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial.js';
import { Color3 } from '@babylonjs/core/Maths/math.color.js';
import { CreateBox } from '@babylonjs/core/Meshes/Builders/boxBuilder.js';
import { CreateSphere } from '@babylonjs/core/Meshes/Builders/sphereBuilder.js';
import type { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import type { Scene } from '@babylonjs/core/scene.js';

/** What an avatar needs of a presence entry (rooms/plant-state.ts PresenceState). */
export interface AvatarPose {
  name: string;
  color: string;
  hasHead: boolean;
  headX: number;
  headY: number;
  headZ: number;
  headYaw: number;
  headPitch: number;
}

export interface HeadPose {
  x: number;
  y: number;
  z: number;
  yaw: number;
  pitch: number;
}

/** Head poses go out at most this often (the budget is 20 Hz). */
const SEND_EVERY_MS = 100;
/** Movement below this (metres / radians) is not worth a message. */
const MOVED = 0.02;

export class Avatars {
  readonly #scene: Scene;
  readonly #gui: AdvancedDynamicTexture;
  readonly #heads = new Map<string, { head: Mesh; label: TextBlock }>();
  #lastSent = 0;
  #sent: HeadPose | null = null;

  constructor(scene: Scene, gui: AdvancedDynamicTexture) {
    this.#scene = scene;
    this.#gui = gui;
  }

  /** How many avatars are drawn (tests read it). */
  get count(): number {
    let n = 0;
    for (const { head } of this.#heads.values()) if (head.isEnabled()) n += 1;
    return n;
  }

  /** Shows, moves or removes the avatar of `sessionId` (null: they left). */
  update(sessionId: string, pose: AvatarPose | null): void {
    const entry = this.#heads.get(sessionId);
    if (pose === null) {
      if (entry !== undefined) {
        entry.head.dispose(false, true);
        entry.label.dispose();
        this.#heads.delete(sessionId);
      }
      return;
    }
    if (!pose.hasHead) {
      entry?.head.setEnabled(false);
      if (entry !== undefined) entry.label.isVisible = false;
      return;
    }
    const avatar = entry ?? this.#create(sessionId, pose);
    avatar.head.position.set(pose.headX, pose.headY, pose.headZ);
    avatar.head.rotation.set(pose.headPitch, pose.headYaw, 0);
    avatar.head.setEnabled(true);
    avatar.label.text = pose.name;
    avatar.label.isVisible = true;
  }

  /** A new room: drop every avatar, and send this client's pose again even if it did not move. */
  clear(): void {
    for (const id of [...this.#heads.keys()]) this.update(id, null);
    this.#sent = null;
    this.#lastSent = 0;
  }

  /** This client's head pose when it is due to be sent, else null. */
  poseToSend(camera: Camera, now: number): HeadPose | null {
    if (now - this.#lastSent < SEND_EVERY_MS) return null;
    const p = camera.globalPosition;
    const forward = camera.getForwardRay(1).direction;
    const pose: HeadPose = {
      x: p.x,
      y: p.y,
      z: p.z,
      yaw: Math.atan2(forward.x, forward.z),
      pitch: -Math.asin(Math.max(-1, Math.min(1, forward.y))),
    };
    if (![pose.x, pose.y, pose.z, pose.yaw, pose.pitch].every(Number.isFinite)) return null;
    const last = this.#sent;
    if (
      last !== null &&
      Math.abs(last.x - pose.x) < MOVED &&
      Math.abs(last.y - pose.y) < MOVED &&
      Math.abs(last.z - pose.z) < MOVED &&
      Math.abs(last.yaw - pose.yaw) < MOVED &&
      Math.abs(last.pitch - pose.pitch) < MOVED
    )
      return null;
    this.#lastSent = now;
    this.#sent = pose;
    return pose;
  }

  #create(sessionId: string, pose: AvatarPose): { head: Mesh; label: TextBlock } {
    const head = CreateSphere(`avatar:${sessionId}`, { diameter: 0.5, segments: 12 }, this.#scene);
    const nose = CreateBox(
      `avatar-nose:${sessionId}`,
      { width: 0.12, height: 0.12, depth: 0.3 },
      this.#scene,
    );
    nose.parent = head;
    nose.position.z = 0.3;
    const material = new StandardMaterial(`avatar:${sessionId}`, this.#scene);
    material.emissiveColor = Color3.FromHexString(
      /^#[0-9a-f]{6}$/i.test(pose.color) ? pose.color : '#ffffff',
    );
    material.disableLighting = true;
    head.material = material;
    nose.material = material;
    head.isPickable = false;
    nose.isPickable = false;
    const label = new TextBlock(`avatar-label:${sessionId}`, pose.name);
    label.color = pose.color;
    label.fontSize = 14;
    label.outlineWidth = 3;
    label.outlineColor = '#000000';
    label.resizeToFit = true;
    this.#gui.addControl(label);
    label.linkWithMesh(head);
    label.linkOffsetY = -28;
    const avatar = { head, label };
    this.#heads.set(sessionId, avatar);
    return avatar;
  }
}
