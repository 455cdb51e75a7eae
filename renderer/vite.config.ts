// Builds the renderer alone with plain Vite (same output as electron-vite's renderer section),
// for machines without the optional `electron` package: `npm run build:renderer`.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [svelte()],
  build: {
    outDir: resolve(here, '../out/renderer'),
    emptyOutDir: true,
    rollupOptions: { input: { index: resolve(here, 'index.html') } },
  },
});
