#!/usr/bin/env node
// npm run build: the desktop app's bundles (out/main, out/preload, out/renderer) with
// electron-vite. electron-vite reads the Electron version from the installed `electron` package
// to pick its build targets; where that optional package could not install (its binary download
// failed), the version comes from package.json instead, so the same bundles build anyway.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function installedElectronMajor() {
  try {
    return require('electron/package.json').version.split('.')[0];
  } catch {
    return null;
  }
}

function declaredElectronMajor() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const range = pkg.optionalDependencies?.electron ?? pkg.devDependencies?.electron ?? pkg.dependencies?.electron;
  const major = typeof range === 'string' ? /(\d+)/.exec(range)?.[1] : undefined;
  if (!major) {
    console.error('build: package.json names no electron version, and the electron package is not installed');
    process.exit(1);
  }
  return major;
}

const env = { ...process.env };
if (!env.ELECTRON_MAJOR_VER && !installedElectronMajor()) {
  env.ELECTRON_MAJOR_VER = declaredElectronMajor();
  console.log(`build: the electron package is not installed here; building for Electron ${env.ELECTRON_MAJOR_VER} (package.json)`);
}
const r = spawnSync('npx', ['electron-vite', 'build', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env, shell: process.platform === 'win32' });
process.exit(r.status ?? 1);
