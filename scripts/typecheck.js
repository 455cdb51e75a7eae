#!/usr/bin/env node
// Type checks both TypeScript projects; the Electron entry and preload too where the
// optional `electron` package (and so its types) is installed.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
let hasElectron = true;
try {
  require.resolve('electron/package.json');
} catch {
  hasElectron = false;
}
const checks = [
  ['tsc', ['-p', 'tsconfig.node.json', '--noEmit']],
  // End-to-end tests run code in the page too, so they also get the DOM types.
  ['tsc', ['-p', 'tsconfig.e2e.json', '--noEmit']],
  ['svelte-check', ['--tsconfig', 'tsconfig.web.json', '--threshold', 'error', '--output', 'human']],
];
if (hasElectron) checks.push(['tsc', ['-p', 'tsconfig.electron.json', '--noEmit']]);
else console.log('typecheck: electron is not installed here; skipping main/index.ts, main/electron and preload/index.ts');
for (const [cmd, args] of checks) {
  const r = spawnSync('npx', [cmd, ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
