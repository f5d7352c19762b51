// @ts-check
// The incident console's build (issue 16): a static single-page app in dist/console/, served by
// the main process's console server. Everything is bundled: the console's CSP allows only 'self',
// so nothing may load from a CDN or a font service.
import { join } from 'node:path';
import { defineConfig } from 'vite';

const here = import.meta.dirname;

export default defineConfig({
  root: here,
  base: '/',
  // Preact's automatic JSX runtime (no React, no compat layer).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: join(here, '..', 'dist', 'console'),
    emptyOutDir: true,
    target: 'es2022',
    // No inline module-preload polyfill: every script must come from a file ('self' only).
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 400,
  },
  logLevel: 'warn',
});
