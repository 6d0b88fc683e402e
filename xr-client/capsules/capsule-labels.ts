import { AdvancedDynamicTexture } from '@babylonjs/gui/2D/advancedDynamicTexture.js';
import { Rectangle } from '@babylonjs/gui/2D/controls/rectangle.js';
import { TextBlock } from '@babylonjs/gui/2D/controls/textBlock.js';
import { CreatePlane } from '@babylonjs/core/Meshes/Builders/planeBuilder.js';
import { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import type { Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import type { Scene } from '@babylonjs/core/scene.js';
import type { CapsuleLayer } from './capsule-layer.js';

/** Labels besides the selected capsule's: enough to read a cluster, few enough to stay legible. */
export const NEAREST_LABELS = 5;

/**
 * How often (ms) the nearest capsules are searched again while the viewer stands still (capsules
 * may move or appear meanwhile): a full scan of 100k costs a few ms on a slow machine.
 */
const RESCAN_MS = 1000;

/** While the viewer moves, search again at most this often (ms). */
const MOVING_RESCAN_MS = 150;

/** The viewer counts as moved past this distance (m) from where the last search was made. */
const MOVED_M = 0.25;

interface Label {
  mesh: Mesh;
  text: TextBlock;
  id: string | null;
}

/**
 * Text labels for the selected capsule and the few nearest the viewer, and no others: a
 * hundred thousand labels would be unreadable and cost a texture each. Labels are planes with
 * their own GUI texture, turned to the viewer, so they work unchanged inside a headset.
 */
export class CapsuleLabels {
  readonly #labels: Label[] = [];
  #lastScan = -Infinity;
  readonly #scannedFrom = { x: NaN, y: NaN, z: NaN };
  #scannedSelection: string | null = null;

  constructor(
    scene: Scene,
    readonly layer: CapsuleLayer,
    readonly titleOf: (id: string) => string,
  ) {
    for (let i = 0; i < NEAREST_LABELS + 1; i += 1) {
      const mesh = CreatePlane(`capsule-label-${i}`, { width: 2.4, height: 0.4 }, scene);
      mesh.billboardMode = Mesh.BILLBOARDMODE_ALL;
      mesh.isPickable = false;
      mesh.setEnabled(false);
      // Alpha-tested, not blended: labels join the opaque pass (no per-frame sorting, no
      // overdraw blending), and the texture is as small as stays legible at arm's length.
      const texture = AdvancedDynamicTexture.CreateForMesh(mesh, 384, 64, false, true);
      const box = new Rectangle('box');
      box.background = 'rgb(15, 20, 28)';
      box.cornerRadius = 12;
      box.thickness = 0;
      const text = new TextBlock('text', '');
      text.color = '#f0f4f8';
      text.fontSize = 26;
      text.textWrapping = false;
      box.addControl(text);
      texture.addControl(box);
      this.#labels.push({ mesh, text, id: null });
    }
  }

  /** Ids currently labelled (selected first, when there is one). */
  get labelled(): string[] {
    return this.#labels.flatMap((label) => (label.id === null ? [] : [label.id]));
  }

  /**
   * Re-place labels for the viewer at `eye`. The nearest capsules are searched again when the
   * selection changed, when the viewer moved (at most every MOVING_RESCAN_MS), and otherwise
   * every RESCAN_MS; between searches labels only follow their capsules.
   */
  update(eye: Vector3, nowMs: number, force = false): void {
    const since = nowMs - this.#lastScan;
    const from = this.#scannedFrom;
    const moved =
      since >= MOVING_RESCAN_MS &&
      !((eye.x - from.x) ** 2 + (eye.y - from.y) ** 2 + (eye.z - from.z) ** 2 <= MOVED_M ** 2);
    if (!force && !moved && since < RESCAN_MS && this.layer.selected === this.#scannedSelection) {
      this.#follow();
      return;
    }
    this.#lastScan = nowMs;
    from.x = eye.x;
    from.y = eye.y;
    from.z = eye.z;
    this.#scannedSelection = this.layer.selected;
    const selected = this.layer.selected;
    const ids: string[] = selected === null ? [] : [selected];
    for (const index of this.layer.nearest(eye, NEAREST_LABELS + 1)) {
      const id = this.layer.idAt(index);
      if (id !== selected && ids.length < this.#labels.length) ids.push(id);
    }
    this.#labels.forEach((label, i) => {
      const id = ids[i] ?? null;
      if (id !== label.id) {
        label.id = id;
        label.text.text = id === null ? '' : this.titleOf(id);
      }
    });
    this.#follow();
  }

  dispose(): void {
    for (const label of this.#labels) label.mesh.dispose(false, true);
  }

  /** Keep labels over their capsules, which may have moved since the last scan. */
  #follow(): void {
    for (const label of this.#labels) {
      const p = label.id === null ? undefined : this.layer.positionOf(label.id);
      if (p === undefined) {
        label.mesh.setEnabled(false);
        continue;
      }
      label.mesh.position.set(p.x, p.y + 0.65, p.z);
      label.mesh.setEnabled(true);
    }
  }
}
