/**
 * The capsule layer's write path alone, in Node on Babylon's NullEngine: the client bench's own
 * change loops (`xr-client/bench/change-loops.ts`), 10 % of the capsules changed a frame, against
 * the bare scene's hand-written matrix writes over the same app records, in the same process.
 * Nothing is rendered or uploaded, so this is the CPU cost per change of `lookFor` + `update`
 * (and of `upsert` by id), without the noise of the page bench, where Chromium's main thread
 * shares two cores with the software GPU: a change to the layer's hot path shows here first.
 * Frames alternate between the three loops, so each pass sees the same machine.
 */
import { NullEngine } from '@babylonjs/core/Engines/nullEngine.js';
import { Scene } from '@babylonjs/core/scene.js';
import { createPrng } from '../../digital-twin/index.js';
import { CapsuleLayer } from '../../xr-client/capsules/capsule-layer.js';
import {
  CHANGE_STATES,
  PICK_SEED,
  appRecords,
  capsulesFor,
  changeBare,
  changeById,
  changeByIndex,
} from '../../xr-client/bench/change-loops.js';
import { installNullCanvas } from '../unit/xr-client/null-canvas.js';
import { percentile } from './percentile.js';

const COUNTS = (process.env['CAPSULE_WRITE_COUNTS'] ?? '10000,100000').split(',').map(Number);
const WARMUP_FRAMES = 50;
const FRAMES = 200;

/** Run the write loops and return figures for tests/bench/run.ts to print. */
export function benchCapsuleWrites(): Promise<Record<string, number | string>> {
  installNullCanvas();
  const figures: Record<string, number | string> = {};
  for (const count of COUNTS) {
    const changed = Math.round(count * 0.1);
    const { bare, index, id } = measure(count, changed);
    const k = `${count / 1000}k`;
    const ns = (ms: number): number => (ms * 1e6) / changed;
    figures[`${k}: bare ns/change (median frame)`] = ns(bare);
    figures[`${k}: capsules by index (lookFor + update) ns/change`] = ns(index);
    figures[`${k}: ratio by index / bare`] = index / bare;
    figures[`${k}: capsules by id (upsert) ns/change`] = ns(id);
    figures[`${k}: ratio by id / bare`] = id / bare;
  }
  return Promise.resolve(figures);
}

/** Median ms per frame of each loop, `changed` changes a frame over `count` entities. */
function measure(count: number, changed: number): { bare: number; index: number; id: number } {
  const engine = new NullEngine();
  const scene = new Scene(engine);
  const layer = new CapsuleLayer(scene);
  const capsules = capsulesFor(count);
  const records = appRecords(capsules, (capsule) => layer.upsert(capsule));
  const bareRecords = appRecords(capsules, (_capsule, i) => i);
  const matrices = new Float32Array(count * 16);
  const picks = {
    bare: createPrng(PICK_SEED),
    index: createPrng(PICK_SEED),
    id: createPrng(PICK_SEED),
  };
  const times = { bare: [] as number[], index: [] as number[], id: [] as number[] };
  for (let frame = 0; frame < WARMUP_FRAMES + FRAMES; frame += 1) {
    const state = CHANGE_STATES[frame % CHANGE_STATES.length]!;
    let start = performance.now();
    changeBare(matrices, bareRecords, picks.bare, changed, frame);
    const bare = performance.now() - start;
    start = performance.now();
    changeByIndex(layer, records, picks.index, changed, state);
    const index = performance.now() - start;
    layer.flush();
    start = performance.now();
    changeById(layer, capsules, picks.id, changed, state);
    const id = performance.now() - start;
    layer.flush();
    if (frame < WARMUP_FRAMES) continue;
    times.bare.push(bare);
    times.index.push(index);
    times.id.push(id);
  }
  layer.dispose();
  scene.dispose();
  engine.dispose();
  const median = (values: number[]): number =>
    percentile(
      [...values].sort((a, b) => a - b),
      0.5,
    );
  return { bare: median(times.bare), index: median(times.index), id: median(times.id) };
}
