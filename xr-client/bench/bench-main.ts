/**
 * The client bench page: measures main-thread CPU ms per frame of the capsule layer against a
 * bare Babylon scene with the same number of thin instances and the same number of matrices
 * rewritten per frame, in the same page and engine. `tests/bench/client-bench.ts` drives it
 * through `window.twinspaceBench.run()`.
 */
import '@babylonjs/core/Materials/standardMaterial.js';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial.js';
import { ArcRotateCamera } from '@babylonjs/core/Cameras/arcRotateCamera.js';
import { Engine } from '@babylonjs/core/Engines/engine.js';
import { SceneInstrumentation } from '@babylonjs/core/Instrumentation/sceneInstrumentation.js';
import { HemisphericLight } from '@babylonjs/core/Lights/hemisphericLight.js';
import { Color4 } from '@babylonjs/core/Maths/math.color.js';
import { Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import { CreatePlane } from '@babylonjs/core/Meshes/Builders/planeBuilder.js';
import '@babylonjs/core/Meshes/thinInstanceMesh.js';
import { Scene } from '@babylonjs/core/scene.js';
import { createPrng, validatePlant } from '../../digital-twin/index.js';
import type { Plant } from '../../digital-twin/index.js';
import { CapsuleLabels } from '../capsules/capsule-labels.js';
import { CapsuleLayer } from '../capsules/capsule-layer.js';
import { buildPlantView } from '../scene/plant-view.js';
import {
  CHANGE_STATES,
  PICK_SEED,
  appRecords,
  capsulesFor,
  changeBare,
  changeById,
  changeByIndex,
} from './change-loops.js';
import { pooled, summarize } from './frame-stats.js';
import type { FrameSamples, FrameStats } from './frame-stats.js';

export interface BenchOptions {
  counts: number[];
  /** Share of capsules changed per frame (0.1 = 10 %). */
  changeShare: number;
  warmupFrames: number;
  frames: number;
  /** Whether the capsule scene also draws labels for the nearest capsules. */
  labels: boolean;
  /** Whether to also measure the capsule layer with the demo plant drawn (default true). */
  withPlant?: boolean;
  /** Whether to also measure changes by id through `upsert` (default true). */
  byId?: boolean;
}

export interface BenchRow {
  count: number;
  changedPerFrame: number;
  bare: FrameStats;
  capsules: FrameStats;
  /** capsules median / bare median. */
  ratio: number;
  /** The same capsule scene changed by id through `upsert` (the room-patch path), if run. */
  byId: FrameStats | null;
  /** Capsule layer plus the demo plant, when its file could be fetched. */
  withPlant: FrameStats | null;
}

declare global {
  interface Window {
    twinspaceBench: {
      run(options: BenchOptions): Promise<BenchRow[]>;
      /** Render `frames` frames of the capsule scene and keep it on screen (for screenshots). */
      show(count: number, frames: number): Promise<FrameStats>;
    };
  }
}

const canvas = document.getElementById('bench') as HTMLCanvasElement;
const engine = new Engine(canvas, false, { preserveDrawingBuffer: false, stencil: false }, false);

/**
 * The clock the label scheduler sees: one frame every 1/60 s, as on a desktop display (headsets
 * run 72–120 Hz, so more frames share each search). SwiftShader takes up to a second per frame
 * at 100k instances; on the wall clock every frame would start or continue a nearest search,
 * which a device does for about 7 frames a second.
 */
const DEVICE_FRAME_MS = 1000 / 60;

function baseScene(): { scene: Scene; instrumentation: SceneInstrumentation } {
  const scene = new Scene(engine);
  scene.clearColor = new Color4(0.07, 0.09, 0.12, 1);
  const camera = new ArcRotateCamera(
    'camera',
    -Math.PI / 3,
    Math.PI / 3.2,
    120,
    Vector3.Zero(),
    scene,
  );
  camera.maxZ = 2000;
  new HemisphericLight('sky', new Vector3(0, 1, 0), scene);
  const instrumentation = new SceneInstrumentation(scene);
  instrumentation.captureFrameTime = false;
  return { scene, instrumentation };
}

/**
 * Where an update's time goes: `lap(name)` adds the time since the previous lap (or the frame's
 * start) to part `name`. Means per frame, since Chromium rounds performance.now to 0.1 ms.
 */
type Lap = (name: string) => void;

/** Run `frames` animation frames, timing `work` (update + render) on the main thread. */
function measure(
  scene: Scene,
  instrumentation: SceneInstrumentation,
  options: BenchOptions,
  update: (frame: number, lap: Lap) => void,
): Promise<FrameSamples> {
  const parts: Record<string, number> = {};
  let last = 0;
  const lap: Lap = (name) => {
    const now = performance.now();
    if (frame >= options.warmupFrames) parts[name] = (parts[name] ?? 0) + now - last;
    last = now;
  };
  const times: number[] = [];
  const updateTimes: number[] = [];
  const drawCalls: number[] = [];
  let frame = 0;
  return new Promise((resolve) => {
    const tick = (): void => {
      const start = performance.now();
      last = start;
      update(frame, lap);
      const updated = performance.now();
      last = updated;
      scene.render();
      lap('render');
      const ms = performance.now() - start;
      if (frame >= options.warmupFrames) {
        times.push(ms);
        updateTimes.push(updated - start);
        drawCalls.push(instrumentation.drawCallsCounter.current);
      }
      frame += 1;
      if (frame < options.warmupFrames + options.frames) requestAnimationFrame(tick);
      else resolve({ times, updateTimes, drawCalls, partTotals: parts });
    };
    requestAnimationFrame(tick);
  });
}

async function benchBare(
  count: number,
  changed: number,
  options: BenchOptions,
): Promise<FrameSamples> {
  const { scene, instrumentation } = baseScene();
  const mesh = CreatePlane('bare', { size: 1 }, scene);
  mesh.material = new StandardMaterial('bare', scene);
  mesh.alwaysSelectAsActiveMesh = true;
  const matrices = new Float32Array(count * 16);
  const capsules = capsulesFor(count);
  capsules.forEach((c, i) => {
    const m = i * 16;
    matrices[m] = matrices[m + 5] = matrices[m + 10] = matrices[m + 15] = 1;
    matrices[m + 12] = c.x;
    matrices[m + 13] = c.y;
    matrices[m + 14] = c.z;
  });
  mesh.thinInstanceSetBuffer('matrix', matrices, 16, false);
  const records = appRecords(capsules, (_capsule, i) => i);
  const picks = createPrng(PICK_SEED);
  const stats = await measure(scene, instrumentation, options, (frame, lap) => {
    changeBare(matrices, records, picks, changed, frame);
    lap('write');
    mesh.thinInstanceBufferUpdated('matrix');
    lap('upload');
  });
  scene.dispose();
  return stats;
}

/**
 * How the capsule scene's app side changes capsules: `index` keeps each capsule's instance
 * index and calls `layer.update` (what a caller changing thousands a frame does); `id` mutates
 * capsule objects and calls `layer.upsert` (what the app does per room patch).
 */
type ChangePath = 'index' | 'id';

async function benchCapsules(
  count: number,
  changed: number,
  options: BenchOptions,
  plant: Plant | null,
  path: ChangePath = 'index',
  keep = false,
): Promise<FrameSamples> {
  const { scene, instrumentation } = baseScene();
  if (plant !== null) buildPlantView(scene, plant);
  const layer = new CapsuleLayer(scene);
  const capsules = capsulesFor(count);
  // The app's record of each capsule holds the instance index the layer gave it, kept current
  // through onMoved (no capsule closes here, but an app's indices would move).
  const records = appRecords(capsules, (capsule) => layer.upsert(capsule));
  const recordOf = new Map(capsules.map((capsule, i) => [capsule.id, i]));
  layer.onMoved = (id, _from, to) => {
    records.ints[recordOf.get(id)! * 4 + 3] = to;
  };
  layer.select(capsules[0]?.id ?? null);
  const labels = options.labels ? new CapsuleLabels(layer, (id) => id) : null;
  const picks = createPrng(PICK_SEED);
  const camera = scene.activeCamera!;
  const stats = await measure(scene, instrumentation, options, (frame, lap) => {
    const state = CHANGE_STATES[frame % CHANGE_STATES.length]!;
    if (path === 'index') changeByIndex(layer, records, picks, changed, state);
    else changeById(layer, capsules, picks, changed, state);
    lap('write');
    labels?.update(camera.globalPosition, frame * DEVICE_FRAME_MS);
    lap('labels');
    layer.flush();
    lap('upload');
  });
  if (keep) return stats;
  layer.dispose();
  scene.dispose();
  return stats;
}

async function loadPlant(): Promise<Plant | null> {
  try {
    const response = await fetch('./plants/demo-reactor.json');
    if (!response.ok) return null;
    const result = validatePlant(await response.json());
    return result.ok ? result.plant : null;
  } catch {
    return null;
  }
}

window.twinspaceBench = {
  async show(count, frames) {
    const options = { counts: [count], changeShare: 0.1, warmupFrames: 0, frames, labels: true };
    return summarize(
      await benchCapsules(count, Math.round(count * 0.1), options, null, 'index', true),
    );
  },
  async run(options) {
    const plant = options.withPlant === false ? null : await loadPlant();
    // Compile every shader first: SwiftShader compiles for seconds, and the first scene to
    // need a program would otherwise pay for it inside its measured frames.
    const prime = { ...options, warmupFrames: 0, frames: 10 };
    await benchBare(1000, 100, prime);
    await benchCapsules(1000, 100, prime, plant);
    const rows: BenchRow[] = [];
    for (const count of options.counts) {
      const changed = Math.round(count * options.changeShare);
      // Bare and capsules run twice, in both orders, and their frames are pooled: whichever
      // runs first in a fresh scene pays for warm-up the other does not.
      const bareFirst = await benchBare(count, changed, options);
      const capsulesSecond = await benchCapsules(count, changed, options, null);
      const capsulesFirst = await benchCapsules(count, changed, options, null);
      const bareSecond = await benchBare(count, changed, options);
      const bare = summarize(pooled(bareFirst, bareSecond));
      const capsules = summarize(pooled(capsulesFirst, capsulesSecond));
      const byId =
        options.byId === false
          ? null
          : summarize(await benchCapsules(count, changed, options, null, 'id'));
      const withPlant =
        plant === null ? null : summarize(await benchCapsules(count, changed, options, plant));
      rows.push({
        count,
        changedPerFrame: changed,
        bare,
        capsules,
        ratio: capsules.medianMs / bare.medianMs,
        byId,
        withPlant,
      });
    }
    return rows;
  },
};
document.title = 'Twinspace client bench (ready)';
