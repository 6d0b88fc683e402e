import { VertexBuffer } from '@babylonjs/core/Buffers/buffer.js';
import { CreateBox } from '@babylonjs/core/Meshes/Builders/boxBuilder.js';
import { CreateCylinder } from '@babylonjs/core/Meshes/Builders/cylinderBuilder.js';
import { CreateSphere } from '@babylonjs/core/Meshes/Builders/sphereBuilder.js';
import { CreateTorus } from '@babylonjs/core/Meshes/Builders/torusBuilder.js';
import { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import type { Scene } from '@babylonjs/core/scene.js';
import type { EquipmentKind } from '../../digital-twin/index.js';
import { assertNever } from '../../digital-twin/index.js';

/**
 * Procedural shapes per equipment kind, modelled at DEFAULT_EQUIPMENT_SIZE with the base centre
 * at the origin. Each shape is many primitive parts with their colours baked into vertex
 * colours and merged into ONE mesh, so a kind costs one draw call however many parts it has
 * and however many of it the plant holds (they are thin instances of this mesh).
 */

type Rgb = readonly [number, number, number];

const STEEL: Rgb = [0.74, 0.76, 0.79];
const STEEL_DARK: Rgb = [0.5, 0.53, 0.57];
const VESSEL_WHITE: Rgb = [0.86, 0.87, 0.88];
const FRAME: Rgb = [0.27, 0.29, 0.32];
const SKID: Rgb = [0.85, 0.65, 0.12];
const PUMP_BLUE: Rgb = [0.13, 0.36, 0.74];
const MOTOR_GREY_BLUE: Rgb = [0.24, 0.37, 0.52];
const DRIVE_GREEN: Rgb = [0.2, 0.45, 0.33];
const ACTUATOR_YELLOW: Rgb = [0.95, 0.76, 0.1];
const HANDWHEEL_RED: Rgb = [0.8, 0.14, 0.12];
const JACKET: Rgb = [0.6, 0.5, 0.38];

interface Placement {
  at?: [number, number, number];
  /** Euler rotation in radians. */
  rotate?: [number, number, number];
  scale?: [number, number, number];
}

/** Cylinders lie along Y; this turns one to lie along X. */
const ALONG_X: [number, number, number] = [0, 0, Math.PI / 2];
/** …and this along Z. */
const ALONG_Z: [number, number, number] = [Math.PI / 2, 0, 0];

class ShapeBuilder {
  readonly #parts: Mesh[] = [];
  constructor(readonly scene: Scene) {}

  box(size: [number, number, number], color: Rgb, placement: Placement = {}): this {
    const mesh = CreateBox('part', { width: size[0], height: size[1], depth: size[2] }, this.scene);
    return this.#add(mesh, color, placement);
  }

  cylinder(
    diameter: number,
    height: number,
    color: Rgb,
    placement: Placement = {},
    tessellation = 24,
  ): this {
    const mesh = CreateCylinder('part', { diameter, height, tessellation }, this.scene);
    return this.#add(mesh, color, placement);
  }

  sphere(diameter: number, color: Rgb, placement: Placement = {}): this {
    const mesh = CreateSphere('part', { diameter, segments: 12 }, this.scene);
    return this.#add(mesh, color, placement);
  }

  torus(diameter: number, thickness: number, color: Rgb, placement: Placement = {}): this {
    const mesh = CreateTorus('part', { diameter, thickness, tessellation: 32 }, this.scene);
    return this.#add(mesh, color, placement);
  }

  /** Merge the parts into one vertex-coloured mesh; the parts are disposed. */
  build(name: string): Mesh {
    const merged = Mesh.MergeMeshes(this.#parts, true, true);
    if (merged === null) throw new Error(`Invariant: shape '${name}' has no parts to merge`);
    merged.name = name;
    return merged;
  }

  #add(mesh: Mesh, color: Rgb, placement: Placement): this {
    const [x, y, z] = placement.at ?? [0, 0, 0];
    mesh.position.set(x, y, z);
    if (placement.rotate) mesh.rotation.set(...placement.rotate);
    if (placement.scale) mesh.scaling.set(...placement.scale);
    const count = mesh.getTotalVertices();
    const colors = new Float32Array(count * 4);
    for (let i = 0; i < count; i += 1) colors.set([color[0], color[1], color[2], 1], i * 4);
    mesh.setVerticesData(VertexBuffer.ColorKind, colors);
    this.#parts.push(mesh);
    return this;
  }
}

/** Build the shared mesh for one equipment kind. `pipe` has none: pipes follow their routes. */
export function buildEquipmentShape(kind: Exclude<EquipmentKind, 'pipe'>, scene: Scene): Mesh {
  const shape = new ShapeBuilder(scene);
  switch (kind) {
    case 'tank':
      return tank(shape).build('shape:tank');
    case 'reactor':
      return reactor(shape).build('shape:reactor');
    case 'pump':
      return pump(shape).build('shape:pump');
    case 'valve':
      return valve(shape).build('shape:valve');
    case 'heat-exchanger':
      return heatExchanger(shape).build('shape:heat-exchanger');
    case 'motor':
      return motor(shape, 0).build('shape:motor');
    case 'compressor':
      return compressor(shape).build('shape:compressor');
    default:
      return assertNever(kind, 'equipment kind');
  }
}

// 3 × 5 × 3 m: skirt, shell, stiffening ring, dished roof, roof nozzle, outlet nozzle.
function tank(s: ShapeBuilder): ShapeBuilder {
  return s
    .cylinder(2.6, 0.3, FRAME, { at: [0, 0.15, 0] })
    .cylinder(2.8, 4.1, VESSEL_WHITE, { at: [0, 2.35, 0] })
    .torus(2.86, 0.08, STEEL_DARK, { at: [0, 2.4, 0] })
    .sphere(2.8, VESSEL_WHITE, { at: [0, 4.4, 0], scale: [1, 0.4, 1] })
    .cylinder(0.35, 0.3, STEEL_DARK, { at: [0, 4.98, 0] })
    .cylinder(0.25, 0.5, STEEL_DARK, { at: [1.5, 1.5, 0], rotate: ALONG_X });
}

// 2.6 × 4.2 × 2.6 m: legs, vessel with dished ends, heating/cooling jacket with rings, agitator drive.
function reactor(s: ShapeBuilder): ShapeBuilder {
  for (let i = 0; i < 4; i += 1) {
    const a = Math.PI / 4 + (i * Math.PI) / 2;
    s.box([0.14, 0.9, 0.14], FRAME, { at: [Math.cos(a) * 0.95, 0.45, Math.sin(a) * 0.95] });
  }
  return s
    .cylinder(2, 2.2, STEEL, { at: [0, 2, 0] })
    .sphere(2, STEEL, { at: [0, 0.9, 0], scale: [1, 0.35, 1] })
    .sphere(2, STEEL, { at: [0, 3.1, 0], scale: [1, 0.35, 1] })
    .cylinder(2.2, 1.4, JACKET, { at: [0, 1.8, 0] })
    .torus(2.24, 0.1, STEEL_DARK, { at: [0, 2.5, 0] })
    .torus(2.24, 0.1, STEEL_DARK, { at: [0, 1.1, 0] })
    .cylinder(0.12, 0.5, STEEL_DARK, { at: [0, 3.45, 0] })
    .box([0.55, 0.35, 0.55], DRIVE_GREEN, { at: [0, 3.62, 0] })
    .cylinder(0.45, 0.5, MOTOR_GREY_BLUE, { at: [0, 4.04, 0] })
    .cylinder(0.3, 0.08, STEEL_DARK, { at: [0, 4.33, 0] })
    .cylinder(0.25, 0.4, STEEL_DARK, { at: [1.2, 1.26, 0], rotate: ALONG_X })
    .cylinder(0.2, 0.3, STEEL_DARK, { at: [0.6, 3.4, 0.3] });
}

// 2 × 1.1 × 0.9 m: skid, volute casing with suction and discharge, bearing frame, coupling guard, motor.
function pump(s: ShapeBuilder): ShapeBuilder {
  s.box([2, 0.12, 0.9], SKID, { at: [0, 0.06, 0] })
    .cylinder(0.72, 0.34, PUMP_BLUE, { at: [-0.5, 0.55, 0], rotate: ALONG_X })
    .box([0.3, 0.3, 0.3], PUMP_BLUE, { at: [-0.5, 0.27, 0] })
    .cylinder(0.22, 0.35, STEEL_DARK, { at: [-0.85, 0.55, 0], rotate: ALONG_X })
    .cylinder(0.18, 0.3, STEEL_DARK, { at: [-0.5, 0.97, 0] })
    .cylinder(0.3, 0.4, PUMP_BLUE, { at: [-0.13, 0.5, 0], rotate: ALONG_X })
    .box([0.26, 0.34, 0.34], ACTUATOR_YELLOW, { at: [0.15, 0.5, 0] });
  return motor(s, 0.6);
}

// 1.4 × 1 × 0.9 m, or mounted on a skid at `x`: finned body along X, fan cowl, shaft, terminal box, feet.
function motor(s: ShapeBuilder, x: number): ShapeBuilder {
  const onSkid = x !== 0;
  const scale = onSkid ? 0.72 : 1;
  const y = onSkid ? 0.12 : 0;
  const axis = y + 0.5 * scale;
  s.cylinder(0.74 * scale, 0.9 * scale, MOTOR_GREY_BLUE, { at: [x, axis, 0], rotate: ALONG_X });
  // Cooling ribs: thin plates through the axis, sticking out past the body all round.
  for (let i = 0; i < 6; i += 1) {
    s.box([0.86 * scale, 0.03, 0.84 * scale], MOTOR_GREY_BLUE, {
      at: [x, axis, 0],
      rotate: [(i * Math.PI) / 6, 0, 0],
    });
  }
  s.cylinder(0.78 * scale, 0.24 * scale, FRAME, {
    at: [x - 0.57 * scale, axis, 0],
    rotate: ALONG_X,
  })
    .cylinder(0.08, 0.3 * scale, STEEL, { at: [x + 0.55 * scale, axis, 0], rotate: ALONG_X })
    .box([0.26 * scale, 0.16 * scale, 0.26 * scale], MOTOR_GREY_BLUE, {
      at: [x, axis + 0.45 * scale, 0],
    });
  if (!onSkid) {
    s.box([0.8, 0.14, 0.14], FRAME, { at: [0, 0.07, 0.3] }).box([0.8, 0.14, 0.14], FRAME, {
      at: [0, 0.07, -0.3],
    });
  }
  return s;
}

// 0.7 × 1 × 0.5 m: body with end flanges in the line, bonnet, actuator and handwheel on top.
function valve(s: ShapeBuilder): ShapeBuilder {
  return s
    .sphere(0.32, STEEL_DARK, { at: [0, 0.3, 0] })
    .cylinder(0.16, 0.56, STEEL_DARK, { at: [0, 0.3, 0], rotate: ALONG_X })
    .cylinder(0.32, 0.05, STEEL, { at: [-0.3, 0.3, 0], rotate: ALONG_X })
    .cylinder(0.32, 0.05, STEEL, { at: [0.3, 0.3, 0], rotate: ALONG_X })
    .cylinder(0.1, 0.34, STEEL, { at: [0, 0.55, 0] })
    .cylinder(0.42, 0.2, ACTUATOR_YELLOW, { at: [0, 0.8, 0] })
    .sphere(0.42, ACTUATOR_YELLOW, { at: [0, 0.9, 0], scale: [1, 0.3, 1] })
    .torus(0.36, 0.035, HANDWHEEL_RED, { at: [0, 0.98, 0] })
    .box([0.36, 0.02, 0.02], HANDWHEEL_RED, { at: [0, 0.98, 0] })
    .box([0.02, 0.02, 0.36], HANDWHEEL_RED, { at: [0, 0.98, 0] });
}

// 5 × 1.6 × 1.2 m: horizontal shell on saddles, channel head with cover, rear dished head, nozzles.
function heatExchanger(s: ShapeBuilder): ShapeBuilder {
  return s
    .box([0.3, 0.45, 1], FRAME, { at: [-1.3, 0.22, 0] })
    .box([0.3, 0.45, 1], FRAME, { at: [1.2, 0.22, 0] })
    .cylinder(0.9, 3.8, STEEL, { at: [-0.2, 0.85, 0], rotate: ALONG_X })
    .sphere(0.9, STEEL, { at: [-2.1, 0.85, 0], scale: [0.4, 1, 1] })
    .torus(1.0, 0.08, STEEL_DARK, { at: [1.7, 0.85, 0], rotate: ALONG_X })
    .cylinder(1.0, 0.6, STEEL_DARK, { at: [2.0, 0.85, 0], rotate: ALONG_X })
    .cylinder(1.1, 0.1, STEEL_DARK, { at: [2.34, 0.85, 0], rotate: ALONG_X })
    .cylinder(0.22, 0.4, STEEL_DARK, { at: [-1.2, 1.45, 0] })
    .cylinder(0.22, 0.4, STEEL_DARK, { at: [1.1, 1.45, 0] })
    .cylinder(0.22, 0.4, STEEL_DARK, { at: [2.0, 1.45, 0] })
    .cylinder(0.22, 0.3, STEEL_DARK, { at: [2.0, 0.85, 0.6], rotate: ALONG_Z });
}

// 3 × 2 × 1.6 m: skid, crankcase, two cylinders in a V with heads, flywheel, drive motor.
function compressor(s: ShapeBuilder): ShapeBuilder {
  s.box([3, 0.15, 1.6], SKID, { at: [0, 0.075, 0] }).box([1.1, 0.7, 1], DRIVE_GREEN, {
    at: [-0.7, 0.5, 0],
  });
  for (const side of [-1, 1]) {
    const tilt = (side * Math.PI) / 5;
    const cx = -0.7;
    const cz = Math.sin(tilt) * 0.45;
    s.cylinder(0.5, 0.75, STEEL, { at: [cx, 1.15, cz], rotate: [tilt, 0, 0] }).cylinder(
      0.62,
      0.14,
      STEEL_DARK,
      {
        at: [cx, 0.85 + Math.cos(tilt) * 0.72, Math.sin(tilt) * 0.92],
        rotate: [tilt, 0, 0],
      },
    );
  }
  s.cylinder(1.1, 0.14, FRAME, { at: [0.05, 0.7, 0], rotate: ALONG_X })
    .cylinder(0.76, 1.1, MOTOR_GREY_BLUE, { at: [0.85, 0.6, 0], rotate: ALONG_X })
    .cylinder(0.8, 0.2, FRAME, { at: [1.45, 0.6, 0], rotate: ALONG_X });
  return s;
}
