import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  // Loaded from file:// in Electron, so every asset URL must be relative.
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // The page runs under a strict CSP (script-src 'self'): no injected inline helpers,
    // and no data: URLs for small assets.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
