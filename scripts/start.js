#!/usr/bin/env node
// npm start: the Electron app where its binary is installed; otherwise the web host on the
// built-in sample, with the URL to open. `npm start -- --web` forces the web host.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const forceWeb = process.argv.includes('--web');

function electronBinary() {
  try {
    const pkgDir = dirname(require.resolve('electron/package.json'));
    const pathFile = join(pkgDir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const bin = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const bin = forceWeb ? null : electronBinary();
if (bin) {
  run(process.execPath, [join(root, 'scripts', 'build.js')]);
  // `npm start -- --project=/cases/x.duckdb` starts either host on that project
  const child = spawn(bin, ['.', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  if (!forceWeb) {
    console.log('Electron is not installed here (its binary could not be downloaded), so MindFlow starts its web host instead.');
  }
  run('npm', ['run', '--silent', 'build:renderer']);
  const child = spawn(process.execPath, [join(root, 'bin', 'mindflow.js'), 'serve', ...process.argv.slice(2).filter((a) => a !== '--web')], {
    cwd: root,
    stdio: 'inherit',
  });
  const stop = () => child.kill('SIGINT');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.on('exit', (code) => process.exit(code ?? 0));
}
