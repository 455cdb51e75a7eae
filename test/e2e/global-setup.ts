/**
 * Prepares what the analyst's story needs: a built renderer, a temporary project holding the
 * built-in sample capture, and a running web host. Returns the teardown.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
export const SAMPLE_FILE_NAME = 'mindflow-sample.csv';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function ensureRendererBuilt(): void {
  const built = join(root, 'out', 'renderer', 'index.html');
  const sources = Math.max(newestMtime(join(root, 'renderer')), statSync(join(root, 'preload', 'contract.ts')).mtimeMs);
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  const r = spawnSync('npx', ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('e2e setup: building the renderer failed');
}

function cli(args: string[], env: NodeJS.ProcessEnv): void {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'mindflow.js'), ...args], { cwd: root, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`e2e setup: mindflow ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim()}`);
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function waitForUrl(child: ChildProcess, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`e2e setup: mindflow serve printed no URL within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /https?:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[0]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`e2e setup: mindflow serve exited (${code}):\n${output}`));
    });
  });
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (process.env.MINDFLOW_E2E_URL) return async () => {};
  ensureRendererBuilt();

  const dir = mkdtempSync(join(tmpdir(), 'mindflow-e2e-'));
  const env = { ...process.env, MINDFLOW_HOME: dir };
  const project = join(dir, 'e2e.duckdb');
  const sample = join(dir, SAMPLE_FILE_NAME);
  let server: ChildProcess | undefined;
  let url: string;
  try {
    cli(['sample', '--rows', '20000', '--out', sample, '--seed', '7'], env);
    cli(['import', sample, '--project', project], env);
    const port = await freePort();
    server = spawn(process.execPath, [join(root, 'bin', 'mindflow.js'), 'serve', '--project', project, '--port', String(port)], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = await waitForUrl(server);
  } catch (err) {
    server?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const host = server;
  process.env.MINDFLOW_E2E_URL = url;
  process.env.MINDFLOW_E2E_SAMPLE = SAMPLE_FILE_NAME;

  return async () => {
    await new Promise<void>((done) => {
      if (host.exitCode !== null) return done();
      host.once('exit', () => done());
      host.kill('SIGTERM');
      setTimeout(() => {
        host.kill('SIGKILL');
        done();
      }, 5_000).unref();
    });
    rmSync(dir, { recursive: true, force: true });
  };
}
