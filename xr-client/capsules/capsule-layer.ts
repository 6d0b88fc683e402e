import { ShaderMaterial } from '@babylonjs/core/Materials/shaderMaterial.js';
import type { Ray } from '@babylonjs/core/Culling/ray.js';
import { CreatePlane } from '@babylonjs/core/Meshes/Builders/planeBuilder.js';
import type { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import '@babylonjs/core/Meshes/thinInstanceMesh.js';
import type { Scene } from '@babylonjs/core/scene.js';
import type { CapsuleState, Severity } from '../../digital-twin/index.js';
import { isClosedState } from '../../digital-twin/index.js';
import { CAPSULE_FRAGMENT_SHADER, CAPSULE_VERTEX_SHADER, LABEL_ROWS } from './capsule-shader.js';
import { DirtySlots } from './dirty-slots.js';
import { InstanceSlots } from './instance-slots.js';
import { LabelAtlas } from './label-atlas.js';
import { nearestIndices } from './nearest.js';
import type { NearestSearch } from './nearest.js';
import { LOOK_FLAGS, PACKED_LOOKS, lookOffset } from './packed-look.js';

/** Callers of `update` take their look from here. */
export { lookFor } from './packed-look.js';

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

/** One instance's packed record, unpacked (see `recordAt`). */
export interface InstanceRecord {
  size: number;
  rgb: [number, number, number];
  flags: number;
  row: number;
  xyz: [number, number, number];
}

/** Floats per instance: one packed 16-float "matrix" (see capsule-shader.ts for the layout). */
const MATRIX = 16;
/** Where the look flags sit in an instance's 16 floats (world1.x); the label row follows. */
const FLAGS = 4;
const LABEL_ROW = 5;

/** Slots allocated up front; doubles when exceeded (one full re-upload per doubling). */
const INITIAL_CAPACITY = 256;

/** Smallest glyph, as a share of its distance from the eye (matches the shader's floor). */
const MIN_ANGULAR_SIZE = 0.018;

/** Picking counts a ray as a hit within this share of the glyph's radius: fingers are coarse. */
const PICK_SLACK = 1.25;

/** World height (m) of a label, and how far above its capsule's centre it floats. */
const LABEL_HEIGHT_M = 0.4;
const LABEL_LIFT_M = 0.65;

/**
 * All capsules as thin instances of one quad: one draw call for 10 or 100,000, labels
 * included. Each instance is one packed 16-float record in the matrix buffer (size, colour,
 * look flags, position), indexed by dense slots, so a capsule costs the GPU the same bytes as a
 * bare thin instance. A change writes only its own slot (a table read for its look) and marks
 * it dirty; `flush()` (once per frame) uploads only the dirty slots, as a few exact ranges when
 * there are few, else as the one span covering them.
 *
 * Callers that change many capsules a frame keep the instance index `upsert` returns and call
 * `update`, which needs no lookup by id. A removal moves the last capsule into the freed
 * index; `onMoved` tells such callers, so they can follow it.
 *
 * Labels (`setLabel`) are the instances after the last capsule: one per atlas row in use, each
 * following its capsule.
 */
export class CapsuleLayer {
  readonly #mesh: Mesh;
  readonly #material: ShaderMaterial;
  readonly #atlas: LabelAtlas;
  readonly #slots = new InstanceSlots();
  readonly #dirty = new DirtySlots();
  #capacity = 0;
  #matrices = new Float32Array(0);
  #selected: string | null = null;
  /** Instance index of the selected capsule, -1 when it is not drawn. */
  #selectedIndex = -1;
  /**
   * Called when a removal moves capsule `id` from instance `from` to `to`; callers keeping
   * indices for `update` must follow it.
   */
  onMoved: ((id: string, from: number, to: number) => void) | null = null;
  /** Capsule id labelled in each atlas row. */
  readonly #labelIds: (string | null)[] = Array.from({ length: LABEL_ROWS }, () => null);
  #resized = false;
  #startMs: number;

  constructor(scene: Scene) {
    this.#mesh = CreatePlane('capsules', { size: 1 }, scene);
    this.#atlas = new LabelAtlas(scene);
    this.#material = new ShaderMaterial(
      'capsules',
      scene,
      { vertexSource: CAPSULE_VERTEX_SHADER, fragmentSource: CAPSULE_FRAGMENT_SHADER },
      {
        attributes: ['position', 'uv'],
        uniforms: ['world', 'view', 'projection', 'time'],
        samplers: ['labels'],
      },
    );
    this.#material.setTexture('labels', this.#atlas.texture);
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

  /** Number of capsules drawn (one thin instance each; labels are not counted). */
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

  /**
   * Draw or redraw a capsule; a closed one (resolved, dismissed) is removed. Returns the
   * capsule's instance index for `update`, or -1 when it is not drawn.
   */
  upsert(capsule: CapsuleDraw): number {
    if (isClosedState(capsule.state)) {
      this.remove(capsule.id);
      return -1;
    }
    let index = this.#slots.indexOf(capsule.id);
    if (index === undefined) {
      if (this.#slots.count + LABEL_ROWS >= this.#capacity) this.#grow(this.#capacity * 2);
      index = this.#slots.add(capsule.id);
      const m = index * MATRIX;
      // The slot may have held a label: start from a clean record.
      this.#matrices.fill(0, m, m + MATRIX);
      this.#matrices[m + 15] = 1;
      if (capsule.id === this.#selected) this.#selectedIndex = index;
    }
    this.update(
      index,
      // Not closed (checked above): the look is a table offset.
      lookOffset(capsule.severity, capsule.state, capsule.conditionActive, capsule.priority),
      capsule.x,
      capsule.y,
      capsule.z,
    );
    return index;
  }

  /**
   * Redraw the capsule at instance `index` (from `upsert`, followed through `onMoved`) with
   * `look` (from `lookFor`) at x, y, z; the look of a closed capsule (-1) removes it. Throws on
   * an index no capsule is drawn at.
   */
  update(index: number, look: number, x: number, y: number, z: number): void {
    // Kept small enough for V8 to inline into the caller's loop: a call it cannot inline boxes
    // x, y and z (three heap numbers per change, 30,000 a frame at 100k capsules). The look
    // comes precomputed (`lookFor`) for the same reason. A fractional index would write across
    // two capsules' records: `index | 0` refuses it, and gives the element writes below an int32
    // whatever the caller kept the index in (a Float32Array, say).
    const i = index | 0;
    if (i !== index || i < 0 || i >= this.#slots.count || look < 0) {
      this.#closeOrThrow(index);
      return;
    }
    const m = i * MATRIX;
    const matrices = this.#matrices;
    matrices[m] = PACKED_LOOKS[look]!;
    matrices[m + 1] = PACKED_LOOKS[look + 1]!;
    matrices[m + 2] = PACKED_LOOKS[look + 2]!;
    matrices[m + 3] = PACKED_LOOKS[look + 3]!;
    matrices[m + FLAGS] =
      PACKED_LOOKS[look + 4]! + (i === this.#selectedIndex ? LOOK_FLAGS.selected : 0);
    matrices[m + 12] = x;
    matrices[m + 13] = y;
    matrices[m + 14] = z;
    this.#dirty.mark(i);
  }

  /** `update`'s rare ends: a closed capsule leaves; an index with no capsule is a caller bug. */
  #closeOrThrow(index: number): void {
    if (!(Number.isInteger(index) && index >= 0 && index < this.#slots.count))
      throw new Error(`Invariant: no capsule is drawn at instance ${index}`);
    this.remove(this.#slots.idAt(index));
  }

  /** Stop drawing capsule `id` (no-op when it is not drawn). */
  remove(id: string): void {
    const index = this.#slots.indexOf(id);
    if (index === undefined) return;
    if (index === this.#selectedIndex) this.#selectedIndex = -1;
    const { movedFrom } = this.#slots.remove(id)!;
    if (movedFrom !== index) {
      this.#matrices.copyWithin(index * MATRIX, movedFrom * MATRIX, (movedFrom + 1) * MATRIX);
      this.#dirty.mark(index);
      if (movedFrom === this.#selectedIndex) this.#selectedIndex = index;
      this.onMoved?.(this.#slots.idAt(index), movedFrom, index);
    }
  }

  /** Remove every capsule (a resync replaces them all); indices from `upsert` are void. */
  clear(): void {
    this.#slots.clear();
    this.#selectedIndex = -1;
    this.#dirty.clear();
  }

  /**
   * Highlight capsule `id` (a white ring), or none. The selection is kept by id: a capsule
   * selected before it is drawn shows as selected once it is.
   */
  select(id: string | null): void {
    if (id === this.#selected) return;
    this.#setSelectedFlag(false);
    this.#selected = id;
    const index = id === null ? undefined : this.#slots.indexOf(id);
    this.#selectedIndex = index ?? -1;
    this.#setSelectedFlag(true);
  }

  /**
   * Label capsule `id` with `text` in atlas `row` (0 … LABEL_ROWS-1), or clear the row (null).
   * A label follows its capsule, and shows only while the capsule is drawn.
   */
  setLabel(row: number, id: string | null, text: string | null): void {
    this.#atlas.set(row, id === null ? null : text);
    this.#labelIds[row] = id;
  }

  /** Capsule ids labelled, in atlas row order. */
  get labelled(): string[] {
    return this.#labelIds.filter((id): id is string => id !== null);
  }

  /** The capsule id of each atlas row (null where the row is empty), a copy. */
  labelRows(): (string | null)[] {
    return [...this.#labelIds];
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

  /** Feed capsules in slots `from … to-1` (clipped to those drawn) to a nearest search. */
  scanNearest(search: NearestSearch, from: number, to: number): void {
    search.scan(this.#matrices, MATRIX, 12, from, Math.min(to, this.#slots.count));
  }

  /**
   * Place the labels, upload what changed since the last flush and advance the pulse clock;
   * call once per frame before rendering. Returns how many instance slots were uploaded (for
   * tests and the bench).
   */
  flush(): number {
    this.#material.setFloat('time', (performance.now() - this.#startMs) / 1000);
    const count = this.#slots.count;
    const drawn = count + this.#placeLabels(count);
    this.#mesh.setEnabled(drawn > 0);
    this.#atlas.upload();
    let uploaded = 0;
    if (this.#resized) {
      this.#resized = false;
      this.#mesh.thinInstanceSetBuffer('matrix', this.#matrices, MATRIX, false);
      uploaded = drawn;
      this.#dirty.clear();
    } else {
      for (const [offset, length] of this.#dirty.ranges(drawn)) {
        if (length * 2 > drawn) {
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
    if (drawn > 0) this.#mesh.thinInstanceCount = drawn;
    return uploaded;
  }

  dispose(): void {
    this.#mesh.dispose();
    this.#material.dispose();
    this.#atlas.dispose();
  }

  /** The packed instance record of capsule `id` (a copy), for tests: size, rgb, flags, xyz. */
  recordOf(id: string): InstanceRecord | undefined {
    const index = this.#slots.indexOf(id);
    return index === undefined ? undefined : this.recordAt(index);
  }

  /**
   * The packed record of instance `index` as last written (a copy), capsule or label (labels
   * follow the capsules, from the last flush), for tests; `row` is the label's atlas row.
   */
  recordAt(index: number): InstanceRecord {
    const m = this.#matrices.subarray(index * MATRIX, index * MATRIX + MATRIX);
    return {
      size: m[0]!,
      rgb: [m[1]!, m[2]!, m[3]!],
      flags: m[FLAGS]!,
      row: m[LABEL_ROW]!,
      xyz: [m[12]!, m[13]!, m[14]!],
    };
  }

  /**
   * Write the label instances after the `count` capsules: one per labelled row whose capsule is
   * drawn, over it. Only records that differ are written (and uploaded). Returns how many.
   */
  #placeLabels(count: number): number {
    const matrices = this.#matrices;
    let drawn = 0;
    for (let row = 0; row < LABEL_ROWS; row += 1) {
      const id = this.#labelIds[row];
      const index = id === null || id === undefined ? undefined : this.#slots.indexOf(id);
      if (index === undefined) continue;
      const from = index * MATRIX;
      const m = (count + drawn) * MATRIX;
      drawn += 1;
      const x = matrices[from + 12]!;
      const y = matrices[from + 13]! + LABEL_LIFT_M;
      const z = matrices[from + 14]!;
      if (
        matrices[m + FLAGS] === LOOK_FLAGS.label &&
        matrices[m + LABEL_ROW] === row &&
        matrices[m + 12] === Math.fround(x) &&
        matrices[m + 13] === Math.fround(y) &&
        matrices[m + 14] === Math.fround(z)
      )
        continue;
      matrices.fill(0, m, m + MATRIX);
      matrices[m] = LABEL_HEIGHT_M;
      matrices[m + FLAGS] = LOOK_FLAGS.label;
      matrices[m + LABEL_ROW] = row;
      matrices[m + 12] = x;
      matrices[m + 13] = y;
      matrices[m + 14] = z;
      matrices[m + 15] = 1;
      this.#dirty.mark(count + drawn - 1);
    }
    return drawn;
  }

  #setSelectedFlag(selected: boolean): void {
    const index = this.#selectedIndex;
    if (index < 0) return;
    const at = index * MATRIX + FLAGS;
    const flags = this.#matrices[at]! % LOOK_FLAGS.selected;
    this.#matrices[at] = flags + (selected ? LOOK_FLAGS.selected : 0);
    this.#dirty.mark(index);
  }

  #grow(capacity: number): void {
    const matrices = new Float32Array(capacity * MATRIX);
    matrices.set(this.#matrices);
    this.#matrices = matrices;
    this.#capacity = capacity;
    this.#resized = true;
  }
}
