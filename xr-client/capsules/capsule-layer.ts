import { ShaderMaterial } from '@babylonjs/core/Materials/shaderMaterial.js';
import type { Ray } from '@babylonjs/core/Culling/ray.js';
import { CreatePlane } from '@babylonjs/core/Meshes/Builders/planeBuilder.js';
import type { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import '@babylonjs/core/Meshes/thinInstanceMesh.js';
import type { Scene } from '@babylonjs/core/scene.js';
import type { CapsuleState, Severity } from '../../digital-twin/index.js';
import { isCapsuleVisible } from './capsule-look.js';
import { CAPSULE_FRAGMENT_SHADER, CAPSULE_VERTEX_SHADER } from './capsule-shader.js';
import { DirtySlots } from './dirty-slots.js';
import { InstanceSlots } from './instance-slots.js';
import { nearestIndices } from './nearest.js';
import { LOOK_FLAGS, PACKED_LOOKS, lookOffset } from './packed-look.js';

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

/** Floats per instance: one packed 16-float "matrix" (see capsule-shader.ts for the layout). */
const MATRIX = 16;
/** Where the look flags sit in an instance's 16 floats (world1.x). */
const FLAGS = 4;

/** Slots allocated up front; doubles when exceeded (one full re-upload per doubling). */
const INITIAL_CAPACITY = 256;

/** Smallest glyph, as a share of its distance from the eye (matches the shader's floor). */
const MIN_ANGULAR_SIZE = 0.018;

/** Picking counts a ray as a hit within this share of the glyph's radius: fingers are coarse. */
const PICK_SLACK = 1.25;

/**
 * All capsules as thin instances of one quad: one draw call for 10 or 100,000. Each instance is
 * one packed 16-float record in the matrix buffer (size, colour, look flags, position), indexed
 * by dense slots, so a capsule costs the GPU the same bytes as a bare thin instance. A change
 * writes only its own slot (a table read for its look) and marks it dirty; `flush()` (once per
 * frame) uploads only the dirty slots, as a few exact ranges when there are few, else as the
 * one span covering them.
 */
export class CapsuleLayer {
  readonly #mesh: Mesh;
  readonly #material: ShaderMaterial;
  readonly #slots = new InstanceSlots();
  readonly #dirty = new DirtySlots();
  #capacity = 0;
  #matrices = new Float32Array(0);
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
        attributes: ['position', 'uv'],
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
    const look = lookOffset(
      capsule.severity,
      capsule.state,
      capsule.conditionActive,
      capsule.priority,
    );
    const m = index * MATRIX;
    const matrices = this.#matrices;
    matrices[m] = PACKED_LOOKS[look]!;
    matrices[m + 1] = PACKED_LOOKS[look + 1]!;
    matrices[m + 2] = PACKED_LOOKS[look + 2]!;
    matrices[m + 3] = PACKED_LOOKS[look + 3]!;
    matrices[m + FLAGS] =
      PACKED_LOOKS[look + 4]! + (this.#selected === capsule.id ? LOOK_FLAGS.selected : 0);
    matrices[m + 12] = capsule.x;
    matrices[m + 13] = capsule.y;
    matrices[m + 14] = capsule.z;
    matrices[m + 15] = 1;
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
    this.#setSelectedFlag(this.#selected, false);
    this.#selected = id !== null && this.#slots.indexOf(id) !== undefined ? id : null;
    this.#setSelectedFlag(this.#selected, true);
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
      const r = Math.max(m[o]!, t * MIN_ANGULAR_SIZE) * 0.5 * PICK_SLACK;
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
      uploaded = count;
      this.#dirty.clear();
    } else {
      for (const [offset, length] of this.#dirty.ranges(count)) {
        if (length * 2 > count) {
          // Scattered changes span most of the buffer: the whole-buffer path (what a bare scene
          // uses) is cheaper in Chromium than a sub-range this large.
          this.#mesh.thinInstanceBufferUpdated('matrix');
        } else {
          this.#mesh.thinInstancePartialBufferUpdate('matrix', length, offset);
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

  #setSelectedFlag(id: string | null, selected: boolean): void {
    if (id === null) return;
    const index = this.#slots.indexOf(id);
    if (index === undefined) return;
    const at = index * MATRIX + FLAGS;
    const flags = this.#matrices[at]! % LOOK_FLAGS.selected;
    this.#matrices[at] = flags + (selected ? LOOK_FLAGS.selected : 0);
    this.#dirty.mark(index);
  }

  /** The packed instance record of capsule `id` (a copy), for tests: size, rgb, flags, xyz. */
  recordOf(
    id: string,
  ):
    | { size: number; rgb: [number, number, number]; flags: number; xyz: [number, number, number] }
    | undefined {
    const index = this.#slots.indexOf(id);
    if (index === undefined) return undefined;
    const m = this.#matrices.subarray(index * MATRIX, index * MATRIX + MATRIX);
    return {
      size: m[0]!,
      rgb: [m[1]!, m[2]!, m[3]!],
      flags: m[FLAGS]!,
      xyz: [m[12]!, m[13]!, m[14]!],
    };
  }

  #grow(capacity: number): void {
    const matrices = new Float32Array(capacity * MATRIX);
    matrices.set(this.#matrices);
    this.#matrices = matrices;
    this.#capacity = capacity;
    this.#resized = true;
  }
}
