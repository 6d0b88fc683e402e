import '@babylonjs/core/Materials/standardMaterial.js';
import { ArcRotateCamera } from '@babylonjs/core/Cameras/arcRotateCamera.js';
import '@babylonjs/core/Cameras/Inputs/arcRotateCameraPointersInput.js';
import { Engine } from '@babylonjs/core/Engines/engine.js';
import { HemisphericLight } from '@babylonjs/core/Lights/hemisphericLight.js';
import { DirectionalLight } from '@babylonjs/core/Lights/directionalLight.js';
import { Color3, Color4 } from '@babylonjs/core/Maths/math.color.js';
import { Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import { Scene } from '@babylonjs/core/scene.js';

/** Background of the desktop view; tests count pixels that differ from it. */
export const CLEAR_COLOR = Object.freeze({ r: 0.07, g: 0.09, b: 0.12 });

export interface SceneHandles {
  engine: Engine;
  scene: Scene;
  camera: ArcRotateCamera;
}

/**
 * The engine, scene, orbit camera and lights of the desktop view. The WebXR session (later,
 * xr-client/xr/) takes its cameras from this same scene.
 */
export function createScene(canvas: HTMLCanvasElement): SceneHandles {
  const engine = new Engine(canvas, true, { stencil: true, preserveDrawingBuffer: false }, true);
  const scene = new Scene(engine);
  scene.clearColor = new Color4(CLEAR_COLOR.r, CLEAR_COLOR.g, CLEAR_COLOR.b, 1);
  scene.ambientColor = new Color3(0.25, 0.25, 0.28);
  // Nothing in the twin needs pointer-move picking against every mesh; picks are explicit.
  scene.skipPointerMovePicking = true;

  const camera = new ArcRotateCamera(
    'camera',
    -Math.PI / 3,
    Math.PI / 3.2,
    30,
    Vector3.Zero(),
    scene,
  );
  camera.minZ = 0.1;
  camera.maxZ = 2000;
  camera.wheelDeltaPercentage = 0.02;
  camera.lowerRadiusLimit = 2;
  camera.attachControl(true);

  const sky = new HemisphericLight('sky', new Vector3(0.2, 1, 0.1), scene);
  sky.intensity = 0.75;
  sky.groundColor = new Color3(0.25, 0.25, 0.3);
  const sun = new DirectionalLight('sun', new Vector3(-0.5, -1, 0.35), scene);
  sun.intensity = 0.6;

  return { engine, scene, camera };
}

/** Point the orbit camera at a box (plant bounds) so all of it is in view. */
export function frameBounds(camera: ArcRotateCamera, min: Vector3, max: Vector3): void {
  const centre = min.add(max).scale(0.5);
  const extent = max.subtract(min).length();
  camera.setTarget(new Vector3(centre.x, Math.max(centre.y * 0.5, 0), centre.z));
  camera.radius = Math.max(extent * 0.9, 8);
  camera.upperRadiusLimit = Math.max(extent * 4, 50);
}
