/**
 * Vite plugin: before every build or dev server start, make sure the hand model bundle is
 * built and checked (`build-hand-model.ts`), so `npm start`, `vite` and the browser tests
 * always serve `/models/hand_landmarker.task`. A bundle that cannot be built fails the build
 * with the reason.
 */
import type { Plugin } from 'vite';
import { ensureHandModel } from './build-hand-model.js';

export function handModelPlugin(): Plugin {
  return {
    name: 'twinspace-hand-model',
    buildStart() {
      try {
        const { path, built } = ensureHandModel();
        if (built) this.info(`hand model built: ${path}`);
      } catch (error) {
        this.error(error instanceof Error ? error.message : String(error));
      }
    },
  };
}
