import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The built renderer is served by the headless station (and loaded by Electron from disk), both
// under a strict CSP: relative asset paths, no inline scripts or styles in the output.
// An .mts file: the package is CommonJS, and Vite loads an ESM config natively only by extension.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: {
    // Relative to root.
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // Vite would inline small assets as data: URLs; keep every asset a file of its own.
    assetsInlineLimit: 0,
    sourcemap: true,
    target: 'es2022',
  },
});
