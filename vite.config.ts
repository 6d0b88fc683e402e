/**
 * Vite builds the browser client: root `xr-client/`, output `dist/client/` (not committed).
 * `assets/` is the public folder, so plant files and glTF models are served same-origin at
 * `/plants/…` and `/models/…` — nothing is fetched from a CDN at run time. The hand model
 * (`assets/models/hand_landmarker.task`) is built from npm packages before each build.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { handModelPlugin } from './scripts/hand-model/vite-plugin.js';

const at = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: at('./xr-client'),
  publicDir: at('./assets'),
  // Relative asset URLs, so the built client also works when the server mounts it under a path.
  base: './',
  plugins: [handModelPlugin()],
  // The hand tracker is a module worker that imports MediaPipe (code-split): IIFE cannot be.
  worker: { format: 'es' },
  server: {
    // Babylon refuses WebXR on 127.0.0.1; `localhost` is a secure context it accepts.
    host: 'localhost',
  },
  preview: { host: 'localhost' },
  build: {
    outDir: at('./dist/client'),
    emptyOutDir: true,
    target: 'es2022',
    // Babylon core is large by nature; the warning says nothing useful at this size.
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      input: {
        main: at('./xr-client/index.html'),
        bench: at('./xr-client/bench.html'),
      },
    },
  },
});
