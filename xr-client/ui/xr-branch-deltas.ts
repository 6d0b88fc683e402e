/**
 * A branch's predictions in a headset: a 3D panel beside the XR mission bar (a child of its
 * mesh, so it shows, hides and faces the user with it) with the one-line outcome and the first
 * differences as buttons. A controller ray or a hand pinch on one moves everyone's playhead
 * there and highlights its equipment — the same `BranchActions` the desktop list calls.
 */
import { AdvancedDynamicTexture } from '@babylonjs/gui/2D/advancedDynamicTexture.js';
import { Button } from '@babylonjs/gui/2D/controls/button.js';
import { Control } from '@babylonjs/gui/2D/controls/control.js';
import { Rectangle } from '@babylonjs/gui/2D/controls/rectangle.js';
import { TextBlock } from '@babylonjs/gui/2D/controls/textBlock.js';
import { CreatePlane } from '@babylonjs/core/Meshes/Builders/planeBuilder.js';
import type { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import type { Scene } from '@babylonjs/core/scene.js';
import type { Predictions } from '../../digital-twin/index.js';
import { XR_UI_METADATA } from '../xr/xr-session.js';
import type { BranchActions } from './branch-panel.js';
import { deltaRows } from './branch-panel.js';
import { place } from './xr-timeline.js';

const TEXTURE_W = 768;
const TEXTURE_H = 640;
const PLANE_W = 0.8;
const PLANE_H = (PLANE_W * TEXTURE_H) / TEXTURE_W;
/** Rows shown (the desktop list has them all). */
const MAX_ROWS = 6;
const ROW_H = 64;

export class XrBranchDeltas {
  readonly mesh: Mesh;
  readonly gui: AdvancedDynamicTexture;
  readonly #outcome: TextBlock;
  readonly #root: Rectangle;
  #rows: Button[] = [];
  readonly #actions: Pick<BranchActions, 'seek' | 'highlight'>;

  /** Beside `bar` (the XR mission bar's mesh, `barWidth` m wide), to its right. */
  constructor(
    scene: Scene,
    bar: Mesh,
    barWidth: number,
    actions: Pick<BranchActions, 'seek' | 'highlight'>,
  ) {
    this.#actions = actions;
    this.mesh = CreatePlane('xr-branch-deltas', { width: PLANE_W, height: PLANE_H }, scene);
    this.mesh.metadata = { [XR_UI_METADATA]: true };
    this.mesh.renderingGroupId = 1;
    this.mesh.parent = bar;
    // The bar's plane faces the user after its own half-turn; to its right, a little raised.
    this.mesh.position.set(-(barWidth / 2 + PLANE_W / 2 + 0.05), PLANE_H / 4, 0);
    this.mesh.setEnabled(false);
    this.gui = AdvancedDynamicTexture.CreateForMesh(this.mesh, TEXTURE_W, TEXTURE_H, true);
    this.#root = new Rectangle('xrbd:root');
    this.#root.background = 'rgba(17, 23, 31, 0.94)';
    this.#root.color = '#3b4a5a';
    this.#root.thickness = 3;
    this.#root.cornerRadius = 16;
    this.gui.addControl(this.#root);
    const title = place(
      new TextBlock('xrbd:title', 'Branch against its baseline'),
      20,
      12,
      728,
      44,
    );
    title.fontSize = 30;
    title.fontWeight = '700';
    title.color = '#e2e8f0';
    title.textHorizontalAlignment = Control.HORIZONTAL_ALIGNMENT_LEFT;
    this.#root.addControl(title);
    this.#outcome = place(new TextBlock('xrbd:outcome', ''), 20, 60, 728, 150);
    this.#outcome.fontSize = 24;
    this.#outcome.color = '#fde68a';
    this.#outcome.textWrapping = true;
    this.#outcome.textHorizontalAlignment = Control.HORIZONTAL_ALIGNMENT_LEFT;
    this.#outcome.textVerticalAlignment = Control.VERTICAL_ALIGNMENT_TOP;
    this.#root.addControl(this.#outcome);
  }

  get visible(): boolean {
    return this.mesh.isEnabled() && (this.mesh.parent as Mesh | null)?.isEnabled() === true;
  }

  /** The rows' labels, in order (for tests and logs). */
  get rows(): string[] {
    return this.#rows.map((row) => row.textBlock?.text ?? '');
  }

  /** Shows a branch's predictions (null: not in a branch, the panel goes away). */
  set(predictions: Predictions | null): void {
    for (const row of this.#rows) row.dispose();
    this.#rows = [];
    if (predictions === null) {
      this.mesh.setEnabled(false);
      return;
    }
    this.#outcome.text = predictions.expectedOutcome;
    deltaRows(predictions)
      .slice(0, MAX_ROWS)
      .forEach((row, i) => {
        const control = place(
          Button.CreateSimpleButton(`xrbd:row:${i}`, row.text),
          20,
          220 + i * (ROW_H + 6),
          728,
          ROW_H,
        );
        control.fontSize = 22;
        control.color = '#f1f5f9';
        control.background = '#334155';
        control.cornerRadius = 10;
        control.thickness = 0;
        if (control.textBlock !== null) control.textBlock.textWrapping = true;
        control.onPointerUpObservable.add(() => {
          if (row.t !== null) this.#actions.seek(row.t);
          this.#actions.highlight(row.equipmentId);
        });
        this.#root.addControl(control);
        this.#rows.push(control);
      });
    this.mesh.setEnabled(true);
  }
}
