import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial.js';
import { Color3 } from '@babylonjs/core/Maths/math.color.js';
import { Matrix, Quaternion, Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import { CreateCylinder } from '@babylonjs/core/Meshes/Builders/cylinderBuilder.js';
import { CreateSphere } from '@babylonjs/core/Meshes/Builders/sphereBuilder.js';
import type { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import '@babylonjs/core/Meshes/thinInstanceMesh.js';
import type { Scene } from '@babylonjs/core/scene.js';
import type { Vec3 } from '../../digital-twin/index.js';

/** Outer radius (m) of a pipe whose equipment gives no `params.diameter`: about DN150. */
export const DEFAULT_PIPE_RADIUS_M = 0.085;

/** One pipe to draw: its equipment id, route and outer radius. */
export interface PipeRun {
  id: string;
  points: readonly Vec3[];
  radius: number;
}

/**
 * Every pipe of the plant in two draw calls: straight runs are thin instances of one unit
 * cylinder (scaled to length and radius, turned along the run), bends are thin instances of one
 * sphere. A tube mesh per pipe would pinch at right-angle bends and cost a draw call each.
 */
export class PipeLayer {
  readonly #runs: Mesh;
  readonly #joints: Mesh;
  readonly #material: StandardMaterial;
  /** Pipe id per straight-run instance index. */
  readonly #runIds: string[] = [];

  constructor(scene: Scene, pipes: readonly PipeRun[]) {
    this.#material = new StandardMaterial('pipe', scene);
    this.#material.diffuseColor = new Color3(0.62, 0.66, 0.7);
    this.#material.specularColor = new Color3(0.35, 0.35, 0.35);
    this.#runs = CreateCylinder('pipe-runs', { diameter: 1, height: 1, tessellation: 16 }, scene);
    this.#joints = CreateSphere('pipe-bends', { diameter: 1, segments: 8 }, scene);
    for (const mesh of [this.#runs, this.#joints]) {
      mesh.material = this.#material;
      mesh.thinInstanceEnablePicking = mesh === this.#runs;
      mesh.isPickable = mesh === this.#runs;
    }

    const runMatrices: number[] = [];
    const jointMatrices: number[] = [];
    const matrix = new Matrix();
    const rotation = new Quaternion();
    const direction = new Vector3();
    const scale = new Vector3();
    const middle = new Vector3();
    const up = Vector3.Up();
    for (const pipe of pipes) {
      const d = pipe.radius * 2;
      for (let i = 1; i < pipe.points.length; i += 1) {
        const a = pipe.points[i - 1]!;
        const b = pipe.points[i]!;
        direction.set(b.x - a.x, b.y - a.y, b.z - a.z);
        const length = direction.length();
        if (length === 0) continue;
        direction.scaleInPlace(1 / length);
        Quaternion.FromUnitVectorsToRef(up, direction, rotation);
        scale.set(d, length, d);
        middle.set((a.x + b.x) / 2, (a.y + b.y) / 2, (a.z + b.z) / 2);
        Matrix.ComposeToRef(scale, rotation, middle, matrix);
        runMatrices.push(...matrix.asArray());
        this.#runIds.push(pipe.id);
      }
      for (let i = 1; i < pipe.points.length - 1; i += 1) {
        const p = pipe.points[i]!;
        scale.set(d, d, d);
        middle.set(p.x, p.y, p.z);
        Matrix.ComposeToRef(scale, Quaternion.Identity(), middle, matrix);
        jointMatrices.push(...matrix.asArray());
      }
    }
    place(this.#runs, runMatrices);
    place(this.#joints, jointMatrices);
  }

  /** The straight-run mesh, which picking tests. */
  get mesh(): Mesh {
    return this.#runs;
  }

  /** Pipe id drawn by `mesh` at thin-instance `index`, or undefined if not ours. */
  pipeIdAt(mesh: unknown, index: number): string | undefined {
    return mesh === this.#runs ? this.#runIds[index] : undefined;
  }

  dispose(): void {
    this.#runs.dispose();
    this.#joints.dispose();
    this.#material.dispose();
  }
}

function place(mesh: Mesh, matrices: number[]): void {
  if (matrices.length === 0) {
    // With no instance Babylon would draw the bare template at the origin.
    mesh.setEnabled(false);
    return;
  }
  mesh.thinInstanceSetBuffer('matrix', new Float32Array(matrices), 16, true);
}
