/**
 * The projects a workbench opened, newest first, in one small JSON file ($MINDFLOW_HOME's
 * `recent-projects.json`; Electron's user-data folder). A file that cannot be read is an empty
 * list, never an error: the list is a convenience, the projects are what matter.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ProjectFile, RecentProject } from '../../preload/contract.ts';
import { isDuckDbFile } from './project.ts';

export const MAX_RECENT_PROJECTS = 12;

interface Entry {
  path: string;
  openedAt: string;
}

export class RecentProjects {
  constructor(readonly file: string) {}

  private read(): Entry[] {
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as { projects?: unknown };
      if (!Array.isArray(parsed.projects)) return [];
      return parsed.projects.filter(
        (e): e is Entry => typeof e === 'object' && e !== null && typeof (e as Entry).path === 'string' && typeof (e as Entry).openedAt === 'string',
      );
    } catch {
      return [];
    }
  }

  private write(entries: Entry[]): void {
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify({ projects: entries }, null, 2)}\n`);
      renameSync(tmp, this.file);
    } catch {
      // a read-only home folder costs the list, not the project
    }
  }

  /** Puts a project at the top of the list. */
  touch(path: string, when = new Date()): void {
    const full = resolve(path);
    const rest = this.read().filter((e) => e.path !== full);
    this.write([{ path: full, openedAt: when.toISOString() }, ...rest].slice(0, MAX_RECENT_PROJECTS));
  }

  forget(path: string): void {
    const full = resolve(path);
    const entries = this.read();
    const rest = entries.filter((e) => e.path !== full);
    if (rest.length !== entries.length) this.write(rest);
  }

  list(currentPath: string | null): RecentProject[] {
    const current = currentPath ? resolve(currentPath) : null;
    return this.read().map((e) => {
      let sizeBytes: number | null = null;
      let exists = false;
      try {
        if (existsSync(e.path)) {
          const stat = statSync(e.path);
          exists = stat.isFile();
          // what the project takes on disk: its file and the write-ahead log not yet folded in
          const wal = `${e.path}.wal`;
          sizeBytes = exists ? stat.size + (existsSync(wal) ? statSync(wal).size : 0) : null;
        }
      } catch {
        exists = false;
      }
      return {
        path: e.path,
        name: basename(e.path).replace(/\.duckdb$/i, ''),
        folder: dirname(e.path),
        openedAt: e.openedAt,
        exists,
        sizeBytes,
        current: e.path === current,
      };
    });
  }
}

/**
 * The DuckDB files beside a project (in its folder, not below), newest first, at most `limit`:
 * an analyst keeps one project per case in a cases folder. Files are told by their first bytes,
 * not their names, and the project itself is left out.
 */
export function projectsBeside(projectPath: string, limit = 50): ProjectFile[] {
  const self = resolve(projectPath);
  const folder = dirname(self);
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const found: ProjectFile[] = [];
  for (const name of names) {
    const path = join(folder, name);
    if (path === self || !/\.(duckdb|db)$/i.test(name)) continue;
    try {
      const stat = statSync(path);
      if (!stat.isFile() || !isDuckDbFile(path)) continue;
      found.push({ path, name: name.replace(/\.duckdb$/i, ''), sizeBytes: stat.size, modifiedAt: stat.mtime.toISOString() });
    } catch {
      // gone, or not ours to read
    }
  }
  return found.sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt) || a.name.localeCompare(b.name)).slice(0, limit);
}
