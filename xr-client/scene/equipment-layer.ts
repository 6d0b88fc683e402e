import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial.js';
import { Color3 } from '@babylonjs/core/Maths/math.color.js';
import { Matrix, Quaternion, Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import type { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import '@babylonjs/core/Meshes/thinInstanceMesh.js';
import type { Scene } from '@babylonjs/core/scene.js';
import type { Equipment, EquipmentKind } from '../../digital-twin/index.js';
import { DEFAULT_EQUIPMENT_SIZE, equipmentSize } from './equipment-dimensions.js';
import { buildEquipmentShape } from './equipment-shapes.js';

type ShapedKind = Exclude<EquipmentKind, 'pipe'>;

interface KindBatch {
  mesh: Mesh;
  /** Equipment id per thin-instance index. */
  ids: string[];
}

/**
 * Procedural equipment: one mesh per kind present, each equipment a thin instance of it
 * (scaled from the kind's default size to its own, turned by rotationY). Ten pumps or ten
 * thousand cost one draw call. Equipment with a glTF model is not here (see gltf-models.ts).
 */
export class EquipmentLayer {
  readonly #batches = new Map<ShapedKind, KindBatch>();
  readonly #material: StandardMaterial;

  constructor(readonly scene: Scene) {
    this.#material = new StandardMaterial('equipment', scene);
    // White diffuse: the shapes' vertex colours are the colour.
    this.#material.diffuseColor = Color3.White();
    this.#material.specularColor = new Color3(0.15, 0.15, 0.15);
  }

  /** Add equipment (not pipes) as instances of its kind's shape. */
  add(equipment: readonly Equipment[]): void {
    const matrix = new Matrix();
    const rotation = new Quaternion();
    const scale = new Vector3();
    const translation = new Vector3();
    const touched = new Set<KindBatch>();
    for (const item of equipment) {
      if (item.kind === 'pipe') continue;
      const batch = this.#batch(item.kind);
      const size = equipmentSize(item);
      const base = DEFAULT_EQUIPMENT_SIZE[item.kind];
      scale.set(size.x / base.x, size.y / base.y, size.z / base.z);
      Quaternion.RotationYawPitchRollToRef(item.rotationY ?? 0, 0, 0, rotation);
      translation.set(item.position.x, item.position.y, item.position.z);
      Matrix.ComposeToRef(scale, rotation, translation, matrix);
      batch.mesh.thinInstanceAdd(matrix, false);
      batch.ids.push(item.id);
      touched.add(batch);
    }
    for (const batch of touched) {
      batch.mesh.thinInstanceBufferUpdated('matrix');
      // Few instances per kind: an exact bounding box keeps culling and picking right.
      batch.mesh.thinInstanceRefreshBoundingInfo(false);
    }
  }

  /** The meshes, for picking predicates and the XR teleport/selection filters. */
  get meshes(): Mesh[] {
    return [...this.#batches.values()].map((batch) => batch.mesh);
  }

  /** Equipment id drawn by `mesh` at thin-instance `index`, or undefined if not one of ours. */
  equipmentIdAt(mesh: unknown, index: number): string | undefined {
    for (const batch of this.#batches.values()) if (batch.mesh === mesh) return batch.ids[index];
    return undefined;
  }

  dispose(): void {
    for (const batch of this.#batches.values()) batch.mesh.dispose();
    this.#batches.clear();
    this.#material.dispose();
  }

  #batch(kind: ShapedKind): KindBatch {
    let batch = this.#batches.get(kind);
    if (batch === undefined) {
      const mesh = buildEquipmentShape(kind, this.scene);
      mesh.material = this.#material;
      mesh.thinInstanceEnablePicking = true;
      batch = { mesh, ids: [] };
      this.#batches.set(kind, batch);
    }
    return batch;
  }
}
