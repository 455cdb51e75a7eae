/**
 * Where things live on disk. Projects default to ~/.mindflow (or $MINDFLOW_HOME); the
 * built-in sample project is created there on first start.
 */
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';

export function mindflowHome(): string {
  return resolve(process.env.MINDFLOW_HOME ?? join(homedir(), '.mindflow'));
}

/** The list of projects the web host opened (Electron keeps its own in its user-data folder). */
export function recentProjectsFile(): string {
  return join(mindflowHome(), 'recent-projects.json');
}

export function sampleProjectPath(): string {
  return join(mindflowHome(), 'sample.duckdb');
}

/** The repository (or packaged app) root: the nearest folder above this file with package.json. */
export function appRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

export function rendererDir(): string {
  return join(appRoot(), 'out', 'renderer');
}

/**
 * The project a launch names: `--project=P` (or `--project P`), else a `.duckdb` file among the
 * arguments (what a desktop passes when a project file is opened with the app), resolved
 * against the launch's working folder; null when it names none.
 */
export function projectFromArgv(argv: readonly string[], cwd: string): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--project=')) return a.length > '--project='.length ? resolve(cwd, a.slice('--project='.length)) : null;
    if (a === '--project' && argv[i + 1] && !argv[i + 1]!.startsWith('-')) return resolve(cwd, argv[i + 1]!);
  }
  const file = [...argv].reverse().find((a) => !a.startsWith('-') && /\.duckdb$/i.test(a));
  return file ? resolve(cwd, file) : null;
}
