/**
 * Others in the room as simple avatars: a head in their colour where their camera (desktop) or
 * headset (XR) is, a nose showing where they look, their name above it, and in XR a small
 * sphere at each tracked hand. This client sends its own head pose (and its hands, in XR) at
 * most 20 times a second, and only when something moved.
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
  hasLeftHand: boolean;
  leftX: number;
  leftY: number;
  leftZ: number;
  hasRightHand: boolean;
  rightX: number;
  rightY: number;
  rightZ: number;
}

/** A hand's position in the world (m). */
export interface HandPoint {
  x: number;
  y: number;
  z: number;
}

/** This client's tracked hands in XR (null: that hand is not tracked). */
export interface HandPoints {
  left: HandPoint | null;
  right: HandPoint | null;
}

/** A presence update: the head, and the hands when they changed (null: no longer tracked). */
export interface PoseUpdate {
  head: HeadPose;
  leftHand?: HandPoint | null;
  rightHand?: HandPoint | null;
}

export interface HeadPose {
  x: number;
  y: number;
  z: number;
  yaw: number;
  pitch: number;
}

/** Poses go out at most this often: the budget is 20 Hz. */
const SEND_EVERY_MS = 50;
/** Diameter of an avatar's hand sphere (m): about a fist. */
const HAND_DIAMETER_M = 0.1;
/** Movement below this (metres / radians) is not worth a message. */
const MOVED = 0.02;

export class Avatars {
  readonly #scene: Scene;
  readonly #gui: AdvancedDynamicTexture;
  readonly #heads = new Map<string, Avatar>();
  #lastSent = 0;
  #sent: HeadPose | null = null;
  #sentHands: HandPoints | null = null;

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

  /** How many avatar hands are drawn (tests read it). */
  get handCount(): number {
    let n = 0;
    for (const { left, right } of this.#heads.values())
      n += (left.isEnabled() ? 1 : 0) + (right.isEnabled() ? 1 : 0);
    return n;
  }

  /** Where `sessionId`'s hands are drawn, null for a hand not drawn (tests read it). */
  handsOf(sessionId: string): HandPoints {
    const avatar = this.#heads.get(sessionId);
    const at = (mesh: Mesh | undefined): HandPoint | null =>
      mesh === undefined || !mesh.isEnabled()
        ? null
        : { x: mesh.position.x, y: mesh.position.y, z: mesh.position.z };
    return { left: at(avatar?.left), right: at(avatar?.right) };
  }

  /** Shows, moves or removes the avatar of `sessionId` (null: they left). */
  update(sessionId: string, pose: AvatarPose | null): void {
    const entry = this.#heads.get(sessionId);
    if (pose === null) {
      if (entry !== undefined) {
        entry.head.dispose(false, true);
        entry.left.dispose();
        entry.right.dispose();
        entry.label.dispose();
        this.#heads.delete(sessionId);
      }
      return;
    }
    if (entry === undefined && !pose.hasHead && !pose.hasLeftHand && !pose.hasRightHand) return;
    const avatar = entry ?? this.#create(sessionId, pose);
    avatar.head.position.set(pose.headX, pose.headY, pose.headZ);
    avatar.head.rotation.set(pose.headPitch, pose.headYaw, 0);
    avatar.head.setEnabled(pose.hasHead);
    avatar.label.text = pose.name;
    avatar.label.isVisible = pose.hasHead;
    avatar.left.position.set(pose.leftX, pose.leftY, pose.leftZ);
    avatar.left.setEnabled(pose.hasLeftHand);
    avatar.right.position.set(pose.rightX, pose.rightY, pose.rightZ);
    avatar.right.setEnabled(pose.hasRightHand);
  }

  /** A new room: drop every avatar, and send this client's pose again even if it did not move. */
  clear(): void {
    for (const id of [...this.#heads.keys()]) this.update(id, null);
    this.#sent = null;
    this.#sentHands = null;
    this.#lastSent = 0;
  }

  /**
   * This client's pose when it is due to be sent, else null: the head, and the hands when they
   * moved or started or stopped being tracked (`hands` null: not in XR, no hands to send).
   */
  poseToSend(camera: Camera, now: number, hands: HandPoints | null = null): PoseUpdate | null {
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
    const headMoved =
      last === null ||
      Math.abs(last.x - pose.x) >= MOVED ||
      Math.abs(last.y - pose.y) >= MOVED ||
      Math.abs(last.z - pose.z) >= MOVED ||
      Math.abs(last.yaw - pose.yaw) >= MOVED ||
      Math.abs(last.pitch - pose.pitch) >= MOVED;
    const sentHands = this.#sentHands;
    const handsMoved =
      hands === null
        ? sentHands !== null
        : sentHands === null ||
          pointMoved(sentHands.left, hands.left) ||
          pointMoved(sentHands.right, hands.right);
    if (!headMoved && !handsMoved) return null;
    this.#lastSent = now;
    this.#sent = pose;
    if (!handsMoved) return { head: pose };
    this.#sentHands = hands === null ? null : { left: hands.left, right: hands.right };
    return { head: pose, leftHand: hands?.left ?? null, rightHand: hands?.right ?? null };
  }

  #create(sessionId: string, pose: AvatarPose): Avatar {
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
    const hand = (side: 'left' | 'right'): Mesh => {
      const mesh = CreateSphere(
        `avatar-${side}:${sessionId}`,
        { diameter: HAND_DIAMETER_M, segments: 8 },
        this.#scene,
      );
      mesh.material = material;
      mesh.isPickable = false;
      mesh.setEnabled(false);
      return mesh;
    };
    const label = new TextBlock(`avatar-label:${sessionId}`, pose.name);
    label.color = pose.color;
    label.fontSize = 14;
    label.outlineWidth = 3;
    label.outlineColor = '#000000';
    label.resizeToFit = true;
    this.#gui.addControl(label);
    label.linkWithMesh(head);
    label.linkOffsetY = -28;
    const avatar = { head, label, left: hand('left'), right: hand('right') };
    this.#heads.set(sessionId, avatar);
    return avatar;
  }
}

interface Avatar {
  head: Mesh;
  label: TextBlock;
  left: Mesh;
  right: Mesh;
}

/** Whether a hand moved enough to send, or started or stopped being tracked. */
function pointMoved(last: HandPoint | null, now: HandPoint | null): boolean {
  if (last === null || now === null) return last !== now;
  return (
    Math.abs(last.x - now.x) >= MOVED ||
    Math.abs(last.y - now.y) >= MOVED ||
    Math.abs(last.z - now.z) >= MOVED
  );
}
