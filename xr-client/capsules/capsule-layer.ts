import { ShaderMaterial } from '@babylonjs/core/Materials/shaderMaterial.js';
import type { Ray } from '@babylonjs/core/Culling/ray.js';
import { CreatePlane } from '@babylonjs/core/Meshes/Builders/planeBuilder.js';
import type { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import '@babylonjs/core/Meshes/thinInstanceMesh.js';
import type { Scene } from '@babylonjs/core/scene.js';
import type { CapsuleState, Severity } from '../../digital-twin/index.js';
import {
  CAPSULE_ATTRIBUTE,
  CAPSULE_FRAGMENT_SHADER,
  CAPSULE_VERTEX_SHADER,
  LABEL_HEIGHT_M,
  LABEL_ROWS,
} from './capsule-shader.js';
import { DirtySlots } from './dirty-slots.js';
import { InstanceSlots } from './instance-slots.js';
import { LabelAtlas } from './label-atlas.js';
import { nearestIndices } from './nearest.js';
import type { NearestSearch } from './nearest.js';
import {
  CLOSED_LOOK,
  CODE_LABEL,
  CODE_SELECTED,
  LOOK_FLAGS,
  LOOK_SIZES,
  LOOK_UNIFORMS,
  OPEN_LOOKS,
  lookFor,
  lookOfCode,
  unpackLook,
} from './packed-look.js';

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

/** One instance's record, decoded as the shader does (see `recordAt`). */
export interface InstanceRecord {
  /** The open look's index (see packed-look.ts), or -1 for a label. */
  look: number;
  size: number;
  /** Colour with brightness applied (white for a label). */
  rgb: [number, number, number];
  /** LOOK_FLAGS: the look's, plus `selected` or `label`. */
  flags: number;
  /** A label's atlas row, else -1. */
  row: number;
  xyz: [number, number, number];
}

/** Floats per instance: x, y, z, code (see capsule-shader.ts and packed-look.ts). */
const RECORD = 4;
/** Where the code sits in a record. */
const CODE = 3;

/** Slots allocated up front; doubles when exceeded (one full re-upload per doubling). */
const INITIAL_CAPACITY = 256;

/** Smallest glyph, as a share of its distance from the eye (matches the shader's floor). */
const MIN_ANGULAR_SIZE = 0.018;

/** Picking counts a ray as a hit within this share of the glyph's radius: fingers are coarse. */
const PICK_SLACK = 1.25;

/** How far above its capsule's centre (m) a label floats. */
const LABEL_LIFT_M = 0.65;

/**
 * All capsules as thin instances of one quad: one draw call for 10 or 100,000, labels
 * included. Each instance is one 4-float record (x, y, z and a code naming its look, see
 * packed-look.ts) in one instance buffer, indexed by dense slots; the shader reads the look from
 * a uniform table. A change writes only its own record and marks it dirty; `flush()` (once per
 * frame) uploads only the dirty slots, as a few exact ranges when there are few, else as the one
 * span covering them.
 *
 * Callers that change many capsules a frame keep the instance index `upsert` returns and call
 * `update`, which needs no lookup by id. A removal moves the last capsule into the freed
 * index; `onMoved` tells such callers, so they can follow it.
 *
 * Labels (`setLabel`) are the instances after the last capsule: one per atlas row in use, each
 * following its capsule.
 *
 * The mesh draws `forcedInstanceCount` instances of its one instance buffer: Babylon's
 * thin-instance path without the 16-float matrix per instance it would otherwise keep (and
 * never use here).
 */
export class CapsuleLayer {
  readonly #mesh: Mesh;
  readonly #material: ShaderMaterial;
  readonly #atlas: LabelAtlas;
  readonly #slots = new InstanceSlots();
  readonly #dirty = new DirtySlots();
  #capacity = 0;
  #records = new Float32Array(0);
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
        attributes: ['position', 'uv', CAPSULE_ATTRIBUTE],
        uniforms: ['world', 'view', 'projection', 'time', 'looks'],
        samplers: ['labels'],
      },
    );
    this.#material.setArray4('looks', [...LOOK_UNIFORMS]);
    this.#material.setTexture('labels', this.#atlas.texture);
    this.#material.backFaceCulling = false;
    this.#mesh.material = this.#material;
    // Picking is ours (ray against each slot's sphere): Babylon would test the unturned quad.
    this.#mesh.isPickable = false;
    // Capsules spread over the whole plant; refreshing bounds over 100k records per frame
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

  /** Instances drawn at the last flush: the capsules, then their labels. */
  get instances(): number {
    return this.#mesh.isEnabled() ? this.#mesh.forcedInstanceCount : 0;
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
    const r = index * RECORD;
    return { x: this.#records[r]!, y: this.#records[r + 1]!, z: this.#records[r + 2]! };
  }

  /**
   * Draw or redraw a capsule; a closed one (resolved, dismissed) is removed. Returns the
   * capsule's instance index for `update`, or -1 when it is not drawn.
   */
  upsert(capsule: CapsuleDraw): number {
    const look = lookFor(
      capsule.severity,
      capsule.state,
      capsule.conditionActive,
      capsule.priority,
    );
    if (look === CLOSED_LOOK) {
      this.remove(capsule.id);
      return -1;
    }
    let index = this.#slots.indexOf(capsule.id);
    if (index === undefined) {
      if (this.#slots.count + LABEL_ROWS >= this.#capacity) this.#grow(this.#capacity * 2);
      index = this.#slots.add(capsule.id);
      if (capsule.id === this.#selected) this.#selectedIndex = index;
    }
    this.update(index, look, capsule.x, capsule.y, capsule.z);
    return index;
  }

  /**
   * Redraw the capsule at instance `index` (from `upsert`, followed through `onMoved`) with
   * `look` (from `lookFor`) at x, y, z; the look of a closed capsule (CLOSED_LOOK) removes it.
   * Throws on an index no capsule is drawn at, or a look that is not one.
   */
  update(index: number, look: number, x: number, y: number, z: number): void {
    // Kept small enough for V8 to inline into the caller's loop: a call it cannot inline boxes
    // x, y and z (three heap numbers per change, 30,000 a frame at 100k capsules). The look
    // comes precomputed (`lookFor`) for the same reason. A fractional index would write across
    // two capsules' records: `index | 0` refuses it, and gives the element writes below an int32
    // whatever the caller kept the index in (a Float32Array, say).
    const i = index | 0;
    const l = look | 0;
    if (i !== index || i < 0 || i >= this.#slots.count || l !== look || l < 0 || l >= OPEN_LOOKS) {
      this.#closeOrThrow(index, look);
      return;
    }
    const r = i * RECORD;
    const records = this.#records;
    records[r] = x;
    records[r + 1] = y;
    records[r + 2] = z;
    records[r + CODE] = i === this.#selectedIndex ? l + CODE_SELECTED : l;
    this.#dirty.mark(i);
  }

  /** `update`'s rare ends: a closed capsule leaves; a bad index or look is a caller bug. */
  #closeOrThrow(index: number, look: number): void {
    if (!(Number.isInteger(index) && index >= 0 && index < this.#slots.count))
      throw new Error(`Invariant: no capsule is drawn at instance ${index}`);
    if (look !== CLOSED_LOOK)
      throw new Error(`Invariant: ${look} is not a capsule look (lookFor gives one)`);
    this.remove(this.#slots.idAt(index));
  }

  /** Stop drawing capsule `id` (no-op when it is not drawn). */
  remove(id: string): void {
    const index = this.#slots.indexOf(id);
    if (index === undefined) return;
    if (index === this.#selectedIndex) this.#selectedIndex = -1;
    const { movedFrom } = this.#slots.remove(id)!;
    if (movedFrom !== index) {
      this.#records.copyWithin(index * RECORD, movedFrom * RECORD, (movedFrom + 1) * RECORD);
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
    const records = this.#records;
    let best = -1;
    let bestT = ray.length;
    for (let i = 0, count = this.#slots.count; i < count; i += 1) {
      const o = i * RECORD;
      const cx = records[o]! - ox;
      const cy = records[o + 1]! - oy;
      const cz = records[o + 2]! - oz;
      const t = cx * dx + cy * dy + cz * dz;
      if (t < 0 || t >= bestT) continue;
      const size = LOOK_SIZES[lookOfCode(records[o + CODE]!)]!;
      const r = Math.max(size, t * MIN_ANGULAR_SIZE) * 0.5 * PICK_SLACK;
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
    return nearestIndices(this.#records, RECORD, 0, this.#slots.count, eye, k);
  }

  /** Feed capsules in slots `from … to-1` (clipped to those drawn) to a nearest search. */
  scanNearest(search: NearestSearch, from: number, to: number): void {
    search.scan(this.#records, RECORD, 0, from, Math.min(to, this.#slots.count));
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
    this.#atlas.upload();
    let uploaded = 0;
    if (this.#resized) {
      this.#resized = false;
      this.#mesh.thinInstanceSetBuffer(CAPSULE_ATTRIBUTE, this.#records, RECORD, false);
      uploaded = drawn;
    } else {
      for (const [offset, length] of this.#dirty.ranges(drawn)) {
        this.#mesh.thinInstancePartialBufferUpdate(CAPSULE_ATTRIBUTE, length, offset);
        uploaded += length;
      }
    }
    this.#dirty.clear();
    // Zero would mean "not forced" (one plain quad): the mesh is off instead.
    this.#mesh.setEnabled(drawn > 0);
    if (drawn > 0) this.#mesh.forcedInstanceCount = drawn;
    return uploaded;
  }

  dispose(): void {
    this.#mesh.dispose();
    this.#material.dispose();
    this.#atlas.dispose();
  }

  /** The record of capsule `id`, decoded (a copy), for tests. */
  recordOf(id: string): InstanceRecord | undefined {
    const index = this.#slots.indexOf(id);
    return index === undefined ? undefined : this.recordAt(index);
  }

  /**
   * The record of instance `index` as last written, decoded as the shader does (a copy), capsule
   * or label (labels follow the capsules, from the last flush), for tests.
   */
  recordAt(index: number): InstanceRecord {
    const r = index * RECORD;
    const xyz: [number, number, number] = [
      this.#records[r]!,
      this.#records[r + 1]!,
      this.#records[r + 2]!,
    ];
    const code = this.#records[r + CODE]!;
    if (code >= CODE_LABEL) {
      const row = code - CODE_LABEL;
      return { look: -1, size: LABEL_HEIGHT_M, rgb: [1, 1, 1], flags: LOOK_FLAGS.label, row, xyz };
    }
    const look = lookOfCode(code);
    const { rgb, flags, size } = unpackLook(look);
    const selected = code >= CODE_SELECTED ? LOOK_FLAGS.selected : 0;
    return { look, size, rgb, flags: flags + selected, row: -1, xyz };
  }

  /**
   * Write the label instances after the `count` capsules: one per labelled row whose capsule is
   * drawn, over it. Only records that differ are written (and uploaded). Returns how many.
   */
  #placeLabels(count: number): number {
    const records = this.#records;
    let drawn = 0;
    for (let row = 0; row < LABEL_ROWS; row += 1) {
      const id = this.#labelIds[row];
      const index = id === null || id === undefined ? undefined : this.#slots.indexOf(id);
      if (index === undefined) continue;
      const from = index * RECORD;
      const r = (count + drawn) * RECORD;
      drawn += 1;
      const x = records[from]!;
      const y = records[from + 1]! + LABEL_LIFT_M;
      const z = records[from + 2]!;
      if (
        records[r + CODE] === CODE_LABEL + row &&
        records[r] === Math.fround(x) &&
        records[r + 1] === Math.fround(y) &&
        records[r + 2] === Math.fround(z)
      )
        continue;
      records[r] = x;
      records[r + 1] = y;
      records[r + 2] = z;
      records[r + CODE] = CODE_LABEL + row;
      this.#dirty.mark(count + drawn - 1);
    }
    return drawn;
  }

  #setSelectedFlag(selected: boolean): void {
    const index = this.#selectedIndex;
    if (index < 0) return;
    const at = index * RECORD + CODE;
    this.#records[at] = lookOfCode(this.#records[at]!) + (selected ? CODE_SELECTED : 0);
    this.#dirty.mark(index);
  }

  #grow(capacity: number): void {
    const records = new Float32Array(capacity * RECORD);
    records.set(this.#records);
    this.#records = records;
    this.#capacity = capacity;
    this.#resized = true;
  }
}
