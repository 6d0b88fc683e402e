/**
 * Builds `assets/models/hand_landmarker.task`, the bundle MediaPipe's HandLandmarker loads,
 * from the networks `@mediapipe/hands` ships (no npm package ships the `.task`, and nothing may
 * be fetched from a model hub at run time). The bundle is a stored zip of
 * `hand_detector.tflite` (the full palm detector, cut out of the solution's packed assets) and
 * `hand_landmarks_detector.tflite` (the full landmark model; the lite one detected nothing),
 * each with the input metadata the tasks API needs (an RGB image scaled to [0, 1]).
 *
 * Inputs and output are checked against pinned SHA-256 hashes, so a different package version
 * fails the build with a message instead of shipping a bundle no one has tried. Run by the Vite
 * plugin in `vite-plugin.ts` (every `vite build`, `vite`, `npm start` and browser test) and by
 * hand with `npx tsx scripts/hand-model/build-hand-model.ts`.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { attachMetadata } from './attach-metadata.js';
import { imageInputMetadata } from './model-metadata.js';
import { storedZip } from './stored-zip.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where Vite's public folder serves it from: `/models/hand_landmarker.task`. */
export const HAND_MODEL_PATH = join(ROOT, 'assets/models/hand_landmarker.task');
const HANDS_PACKAGE = '@mediapipe/hands@0.4.1675469240';
const PALM_DETECTOR_ASSET =
  '/third_party/mediapipe/modules/palm_detection/palm_detection_full.tflite';

/** SHA-256 of what the pinned `@mediapipe/hands` ships, and of the bundle built from it. */
const SHA256 = {
  landmarks: '8c026882c9ec059ce0f8e75266bee5a9a23c341a40e0000df755374d3d1b9b68',
  packedAssets: 'bdce7b66bfc5b39ba86a47775c98e0b186fe73f8308c2279f852af4c89ffdf42',
  bundle: '426a9e2275a002f3206b3f3e64bd46dbb2cacd3e3563438dfa5fe5e2fbaf8d24',
} as const;
/** A bundle outside this range is not the two full models (7.8 MB together). */
const BUNDLE_BYTES = { min: 7_000_000, max: 9_000_000 } as const;

/** A failure to build the bundle, with what to do about it. */
export class HandModelError extends Error {
  override name = 'HandModelError';
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function readInput(dir: string, file: string, expected: string): Uint8Array {
  const path = join(dir, file);
  if (!existsSync(path))
    throw new HandModelError(
      `hand model: ${path} is missing. Install the devDependency ${HANDS_PACKAGE} (npm ci).`,
    );
  const bytes = new Uint8Array(readFileSync(path));
  const got = sha256(bytes);
  if (got !== expected)
    throw new HandModelError(
      `hand model: ${file} has SHA-256 ${got}, expected ${expected}: the bundle is built and ` +
        `checked for ${HANDS_PACKAGE} only; reinstall that version or re-measure the recipe.`,
    );
  return bytes;
}

/** Byte range of `asset` in the packed data file, from the solution's loader script. */
function packedRange(loader: string, asset: string): { start: number; end: number } {
  const at = loader.indexOf(`"filename": "${asset}"`);
  const match = at < 0 ? null : /"start":\s*(\d+),\s*"end":\s*(\d+)/.exec(loader.slice(at));
  if (match === null)
    throw new HandModelError(
      `hand model: ${asset} is not listed in hands_solution_packed_assets_loader.js of ${HANDS_PACKAGE}`,
    );
  return { start: Number(match[1]), end: Number(match[2]) };
}

const metadataFor = (name: string, description: string): Uint8Array =>
  imageInputMetadata({ name, description, mean: [0], std: [255] });

/** The bundle's bytes, built from the `@mediapipe/hands` files in `handsDir`. */
export function buildHandModel(handsDir: string): Uint8Array {
  const landmarks = readInput(handsDir, 'hand_landmark_full.tflite', SHA256.landmarks);
  const packed = readInput(handsDir, 'hands_solution_packed_assets.data', SHA256.packedAssets);
  const loader = readFileSync(join(handsDir, 'hands_solution_packed_assets_loader.js'), 'utf8');
  const range = packedRange(loader, PALM_DETECTOR_ASSET);
  const detector = packed.subarray(range.start, range.end);
  return storedZip([
    {
      name: 'hand_detector.tflite',
      data: attachMetadata(
        detector,
        metadataFor('hand_detector', 'MediaPipe palm detection (full), 192×192 RGB in [0, 1]'),
      ),
    },
    {
      name: 'hand_landmarks_detector.tflite',
      data: attachMetadata(
        landmarks,
        metadataFor(
          'hand_landmarks_detector',
          'MediaPipe hand landmarks (full), 224×224 RGB in [0, 1]',
        ),
      ),
    },
  ]);
}

/** Check a built bundle: size in range and the pinned hash. */
export function checkHandModel(bytes: Uint8Array): void {
  if (bytes.length < BUNDLE_BYTES.min || bytes.length > BUNDLE_BYTES.max)
    throw new HandModelError(
      `hand model: the bundle is ${bytes.length} bytes, expected ${BUNDLE_BYTES.min}–${BUNDLE_BYTES.max}`,
    );
  const got = sha256(bytes);
  if (got !== SHA256.bundle)
    throw new HandModelError(
      `hand model: the bundle has SHA-256 ${got}, expected ${SHA256.bundle}: the recipe in ` +
        `scripts/hand-model/ changed; check the bundle in a browser, then update SHA256.bundle.`,
    );
}

function handsPackageDir(): string {
  const dir = join(ROOT, 'node_modules/@mediapipe/hands');
  if (!existsSync(dir))
    throw new HandModelError(
      `hand model: ${dir} is missing. Install the devDependency ${HANDS_PACKAGE} (npm ci).`,
    );
  return dir;
}

/**
 * Make sure the bundle at `HAND_MODEL_PATH` is the checked one: keep it when its hash matches,
 * otherwise build, check and write it (atomically). Returns whether it was (re)built.
 */
export function ensureHandModel(path = HAND_MODEL_PATH): { path: string; built: boolean } {
  if (existsSync(path) && sha256(new Uint8Array(readFileSync(path))) === SHA256.bundle)
    return { path, built: false };
  const bytes = buildHandModel(handsPackageDir());
  checkHandModel(bytes);
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  writeFileSync(partial, bytes);
  renameSync(partial, path);
  return { path, built: true };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const { path, built } = ensureHandModel();
    console.log(`${built ? 'built' : 'up to date'}: ${path}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
