import { ShaderMaterial } from '@babylonjs/core/Materials/shaderMaterial.js';
import type { Ray } from '@babylonjs/core/Culling/ray.js';
import { CreatePlane } from '@babylonjs/core/Meshes/Builders/planeBuilder.js';
import type { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import '@babylonjs/core/Meshes/thinInstanceMesh.js';
import type { Scene } from '@babylonjs/core/scene.js';
import type { CapsuleState, Severity } from '../../digital-twin/index.js';
import { capsuleLook, isCapsuleVisible } from './capsule-look.js';
import { CAPSULE_FRAGMENT_SHADER, CAPSULE_VERTEX_SHADER } from './capsule-shader.js';
import { DirtySlots } from './dirty-slots.js';
import { InstanceSlots } from './instance-slots.js';
import { nearestIndices } from './nearest.js';

/** What the layer needs to draw one capsule. */
export interface CapsuleDraw {
  id: string;
  severity: Severity;
  state: CapsuleState;
  priority: number;
  conditionActive: boolean;
  x: number;
  y: number;
  z: number;
}

/** Floats per instance in each buffer. */
const MATRIX = 16;
const COLOR = 4;
const LOOK = 4;

/** Slots allocated up front; doubles when exceeded (one full re-upload per doubling). */
const INITIAL_CAPACITY = 256;

/** Picking counts a ray as a hit within this share of the glyph's radius: fingers are coarse. */
const PICK_SLACK = 1.25;

/**
 * All capsules as thin instances of one quad: one draw call for 10 or 100,000. Instance data
 * lives in three CPU buffers (matrix: position and size; colour: severity × brightness; look:
 * pulse/hollow/shelved/selected) indexed by dense slots. A change writes only its own slot and
 * marks it dirty; `flush()` (once per frame) uploads only the dirty slots, as a few exact ranges
 * when there are few, else as the one span that covers them.
 */
export class CapsuleLayer {
  readonly #mesh: Mesh;
  readonly #material: ShaderMaterial;
  readonly #slots = new InstanceSlots();
  readonly #dirty = new DirtySlots();
  #capacity = 0;
  #matrices = new Float32Array(0);
  #colors = new Float32Array(0);
  #looks = new Float32Array(0);
  #selected: string | null = null;
  #resized = false;
  #startMs: number;

  constructor(scene: Scene) {
    this.#mesh = CreatePlane('capsules', { size: 1 }, scene);
    this.#material = new ShaderMaterial(
      'capsules',
      scene,
      { vertexSource: CAPSULE_VERTEX_SHADER, fragmentSource: CAPSULE_FRAGMENT_SHADER },
      {
        attributes: ['position', 'uv', 'look'],
        uniforms: ['world', 'view', 'projection', 'time'],
      },
    );
    this.#material.backFaceCulling = false;
    this.#mesh.material = this.#material;
    // Picking is ours (ray against each slot's sphere): Babylon would test the unturned quad.
    this.#mesh.isPickable = false;
    // Capsules spread over the whole plant; refreshing bounds over 100k matrices per frame
    // would cost more than drawing a few off-screen glyphs.
    this.#mesh.alwaysSelectAsActiveMesh = true;
    this.#mesh.doNotSyncBoundingInfo = true;
    this.#mesh.metadata = { capsules: true };
    this.#startMs = performance.now();
    this.#grow(INITIAL_CAPACITY);
    this.#mesh.setEnabled(false);
  }

  /** Number of capsules drawn (one thin instance each). */
  get count(): number {
    return this.#slots.count;
  }

  get mesh(): Mesh {
    return this.#mesh;
  }

  get selected(): string | null {
    return this.#selected;
  }

  /** Thin-instance index of capsule `id`, or undefined when it is not drawn. */
  indexOf(id: string): number | undefined {
    return this.#slots.indexOf(id);
  }

  /** Capsule id drawn at thin-instance `index`. */
  idAt(index: number): string {
    return this.#slots.idAt(index);
  }

  /** World position of capsule `id` as drawn, or undefined. */
  positionOf(id: string): { x: number; y: number; z: number } | undefined {
    const index = this.#slots.indexOf(id);
    if (index === undefined) return undefined;
    const m = index * MATRIX;
    return { x: this.#matrices[m + 12]!, y: this.#matrices[m + 13]!, z: this.#matrices[m + 14]! };
  }

  /** Draw or redraw a capsule; a closed one (resolved, dismissed) is removed. */
  upsert(capsule: CapsuleDraw): void {
    if (!isCapsuleVisible(capsule)) {
      this.remove(capsule.id);
      return;
    }
    let index = this.#slots.indexOf(capsule.id);
    if (index === undefined) {
      if (this.#slots.count === this.#capacity) this.#grow(this.#capacity * 2);
      index = this.#slots.add(capsule.id);
    }
    const look = capsuleLook(capsule);
    const m = index * MATRIX;
    const matrices = this.#matrices;
    matrices[m] = look.size;
    matrices[m + 5] = look.size;
    matrices[m + 10] = look.size;
    matrices[m + 12] = capsule.x;
    matrices[m + 13] = capsule.y;
    matrices[m + 14] = capsule.z;
    matrices[m + 15] = 1;
    const c = index * COLOR;
    this.#colors[c] = look.color[0] * look.brightness;
    this.#colors[c + 1] = look.color[1] * look.brightness;
    this.#colors[c + 2] = look.color[2] * look.brightness;
    this.#colors[c + 3] = 1;
    const l = index * LOOK;
    this.#looks[l] = look.pulse ? 1 : 0;
    this.#looks[l + 1] = look.hollow ? 1 : 0;
    this.#looks[l + 2] = look.shelved ? 1 : 0;
    this.#looks[l + 3] = this.#selected === capsule.id ? 1 : 0;
    this.#dirty.mark(index);
  }

  /** Stop drawing capsule `id` (no-op when it is not drawn). */
  remove(id: string): void {
    const freed = this.#slots.remove(id);
    if (freed === undefined) return;
    if (this.#selected === id) this.#selected = null;
    const { index, movedFrom } = freed;
    if (movedFrom !== index) {
      this.#matrices.copyWithin(index * MATRIX, movedFrom * MATRIX, (movedFrom + 1) * MATRIX);
      this.#colors.copyWithin(index * COLOR, movedFrom * COLOR, (movedFrom + 1) * COLOR);
      this.#looks.copyWithin(index * LOOK, movedFrom * LOOK, (movedFrom + 1) * LOOK);
      this.#dirty.mark(index);
    }
  }

  /** Remove every capsule (a resync replaces them all). */
  clear(): void {
    this.#slots.clear();
    this.#selected = null;
    this.#dirty.clear();
  }

  /** Highlight capsule `id` (a white ring), or none. */
  select(id: string | null): void {
    if (id === this.#selected) return;
    this.#setSelectedFlag(this.#selected, 0);
    this.#selected = id !== null && this.#slots.indexOf(id) !== undefined ? id : null;
    this.#setSelectedFlag(this.#selected, 1);
  }

  /**
   * Thin-instance index of the nearest capsule the ray passes through, or -1. A ray against
   * each slot's bounding sphere: glyphs face the viewer, so a sphere is their exact pick shape.
   */
  pickIndex(ray: Ray): number {
    const ox = ray.origin.x;
    const oy = ray.origin.y;
    const oz = ray.origin.z;
    const len = Math.hypot(ray.direction.x, ray.direction.y, ray.direction.z) || 1;
    const dx = ray.direction.x / len;
    const dy = ray.direction.y / len;
    const dz = ray.direction.z / len;
    const m = this.#matrices;
    let best = -1;
    let bestT = ray.length;
    for (let i = 0, count = this.#slots.count; i < count; i += 1) {
      const o = i * MATRIX;
      const cx = m[o + 12]! - ox;
      const cy = m[o + 13]! - oy;
      const cz = m[o + 14]! - oz;
      const t = cx * dx + cy * dy + cz * dz;
      if (t < 0 || t >= bestT) continue;
      const r = m[o]! * 0.5 * PICK_SLACK;
      const miss2 = cx * cx + cy * cy + cz * cz - t * t;
      if (miss2 <= r * r) {
        best = i;
        bestT = t;
      }
    }
    return best;
  }

  /** Capsule id the ray hits first, or undefined. */
  pick(ray: Ray): string | undefined {
    const index = this.pickIndex(ray);
    return index < 0 ? undefined : this.#slots.idAt(index);
  }

  /** Thin-instance indices of the `k` capsules nearest `eye`, nearest first. */
  nearest(eye: { x: number; y: number; z: number }, k: number): number[] {
    return nearestIndices(this.#matrices, MATRIX, 12, this.#slots.count, eye, k);
  }

  /**
   * Upload what changed since the last flush and advance the pulse clock; call once per frame
   * before rendering. Returns how many instance slots were uploaded (for tests and the bench).
   */
  flush(): number {
    this.#material.setFloat('time', (performance.now() - this.#startMs) / 1000);
    const count = this.#slots.count;
    this.#mesh.setEnabled(count > 0);
    let uploaded = 0;
    if (this.#resized) {
      this.#resized = false;
      this.#mesh.thinInstanceSetBuffer('matrix', this.#matrices, MATRIX, false);
      this.#mesh.thinInstanceSetBuffer('color', this.#colors, COLOR, false);
      this.#mesh.thinInstanceSetBuffer('look', this.#looks, LOOK, false);
      uploaded = count;
      this.#dirty.clear();
    } else {
      for (const [offset, length] of this.#dirty.ranges(count)) {
        if (length * 2 > count) {
          // Scattered changes span most of the buffer: a whole-buffer update is the same bytes
          // through Babylon's plain path, which Chromium handles far better than views.
          this.#mesh.thinInstanceBufferUpdated('matrix');
          this.#mesh.thinInstanceBufferUpdated('color');
          this.#mesh.thinInstanceBufferUpdated('look');
        } else {
          this.#mesh.thinInstancePartialBufferUpdate('matrix', length, offset);
          this.#mesh.thinInstancePartialBufferUpdate('color', length, offset);
          this.#mesh.thinInstancePartialBufferUpdate('look', length, offset);
        }
        uploaded += length;
      }
      this.#dirty.clear();
    }
    if (count > 0) this.#mesh.thinInstanceCount = count;
    return uploaded;
  }

  dispose(): void {
    this.#mesh.dispose();
    this.#material.dispose();
  }

  #setSelectedFlag(id: string | null, value: number): void {
    if (id === null) return;
    const index = this.#slots.indexOf(id);
    if (index === undefined) return;
    this.#looks[index * LOOK + 3] = value;
    this.#dirty.mark(index);
  }

  #grow(capacity: number): void {
    const matrices = new Float32Array(capacity * MATRIX);
    matrices.set(this.#matrices);
    const colors = new Float32Array(capacity * COLOR);
    colors.set(this.#colors);
    const looks = new Float32Array(capacity * LOOK);
    looks.set(this.#looks);
    this.#matrices = matrices;
    this.#colors = colors;
    this.#looks = looks;
    this.#capacity = capacity;
    this.#resized = true;
  }
}
