import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Explicit entries: the project keeps main/, preload/ and renderer/ at the top level.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // The model worker is its own entry. spawnModelWorker (parallel.ts) spawns ./worker.js
        // beside the chunk it is bundled into, so chunks stay in out/main with the entries.
        input: { index: resolve(__dirname, 'main/index.ts'), worker: resolve(__dirname, 'main/core/model/worker.ts') },
        output: { chunkFileNames: '[name]-[hash].js' },
        external: ['@duckdb/node-api', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'],
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can require electron and nothing else: its dependencies (valibot,
      // for the contract's schemas) are bundled into it.
      externalizeDeps: false,
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    plugins: [svelte()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: { index: resolve(__dirname, 'renderer/index.html') } },
    },
  },
});
