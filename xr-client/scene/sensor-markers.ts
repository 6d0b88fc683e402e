import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial.js';
import { Color3 } from '@babylonjs/core/Maths/math.color.js';
import { CreateIcoSphere } from '@babylonjs/core/Meshes/Builders/icoSphereBuilder.js';
import type { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import '@babylonjs/core/Meshes/thinInstanceMesh.js';
import type { Scene } from '@babylonjs/core/scene.js';
import type { Quality, Range } from '../../digital-twin/index.js';
import { NO_VALUE_COLOR, sensorColorInto } from './color-ramp.js';

/** Diameter (m) of a sensor marker. */
export const SENSOR_MARKER_DIAMETER_M = 0.22;

/**
 * One small sphere per sensor, all thin instances of one mesh (one draw call for 100 or 100k
 * sensors). A marker's colour is where its latest value sits in the sensor's range. Updates are
 * written into the colour buffer as they arrive and uploaded once per frame, covering only the
 * span of sensors that changed.
 */
export class SensorMarkers {
  readonly #mesh: Mesh;
  readonly #material: StandardMaterial;
  readonly #ranges: readonly Range[];
  readonly #colors: Float32Array;
  #dirtyLow = Infinity;
  #dirtyHigh = -1;

  /** `positions` is xyz per sensor, `ranges` the range per sensor, both in sensor-index order. */
  constructor(scene: Scene, positions: Float32Array, ranges: readonly Range[]) {
    const count = ranges.length;
    if (positions.length !== count * 3) {
      throw new Error(`Invariant: ${positions.length / 3} marker positions for ${count} sensors`);
    }
    this.#ranges = ranges;
    this.#mesh = CreateIcoSphere(
      'sensor-markers',
      { radius: SENSOR_MARKER_DIAMETER_M / 2, subdivisions: 1 },
      scene,
    );
    this.#material = new StandardMaterial('sensor-markers', scene);
    // Unlit: the marker's colour must read as exactly the ramp colour, whatever the light.
    this.#material.disableLighting = true;
    this.#material.emissiveColor = Color3.Black();
    this.#material.diffuseColor = Color3.White();
    this.#mesh.material = this.#material;
    this.#mesh.isPickable = false;
    this.#mesh.metadata = { sensorMarkers: true };

    const matrices = new Float32Array(count * 16);
    this.#colors = new Float32Array(count * 4);
    for (let i = 0; i < count; i += 1) {
      const m = i * 16;
      matrices[m] = 1;
      matrices[m + 5] = 1;
      matrices[m + 10] = 1;
      matrices[m + 12] = positions[i * 3]!;
      matrices[m + 13] = positions[i * 3 + 1]!;
      matrices[m + 14] = positions[i * 3 + 2]!;
      matrices[m + 15] = 1;
      this.#colors.set([NO_VALUE_COLOR[0], NO_VALUE_COLOR[1], NO_VALUE_COLOR[2], 1], i * 4);
    }
    if (count === 0) {
      this.#mesh.setEnabled(false);
      return;
    }
    this.#mesh.thinInstanceSetBuffer('matrix', matrices, 16, true);
    this.#mesh.thinInstanceSetBuffer('color', this.#colors, 4, false);
  }

  /** Number of markers (sensors). */
  get count(): number {
    return this.#ranges.length;
  }

  get mesh(): Mesh {
    return this.#mesh;
  }

  /** Show the latest reading of sensor `index`; drawn after the next `flush`. */
  setReading(index: number, value: number, quality: Quality = 'good'): void {
    const range = this.#ranges[index];
    if (range === undefined)
      throw new Error(`Invariant: no sensor marker ${index} (count ${this.count})`);
    sensorColorInto(value, range, quality, this.#colors, index * 4);
    if (index < this.#dirtyLow) this.#dirtyLow = index;
    if (index > this.#dirtyHigh) this.#dirtyHigh = index;
  }

  /** RGBA of marker `index` as it will be drawn (for tests and the inspector panel). */
  colorOf(index: number): [number, number, number, number] {
    const c = this.#colors.subarray(index * 4, index * 4 + 4);
    return [c[0]!, c[1]!, c[2]!, c[3]!];
  }

  /** Upload the colours changed since the last flush; call once per frame. */
  flush(): void {
    if (this.#dirtyHigh < 0) return;
    this.#mesh.thinInstancePartialBufferUpdate(
      'color',
      this.#dirtyHigh - this.#dirtyLow + 1,
      this.#dirtyLow,
    );
    this.#dirtyLow = Infinity;
    this.#dirtyHigh = -1;
  }

  dispose(): void {
    this.#mesh.dispose();
    this.#material.dispose();
  }
}
