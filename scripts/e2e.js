#!/usr/bin/env node
// Builds the desktop app (out/main, out/preload, out/renderer: the web host serves the same
// renderer, and electron.spec.ts boots the rest) and runs the Playwright suite in Debian's Chromium.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const chromium = process.env.MINDFLOW_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.error(`e2e: Chromium not found at ${chromium}: install Debian's chromium (apt-get install -y chromium) or set MINDFLOW_CHROMIUM`);
  process.exit(1);
}
const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.js'), '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const r = spawnSync('npx', ['playwright', 'test', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
