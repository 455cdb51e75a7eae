/** The project file's schema: a file written by an older MindFlow opens and is brought up to date. */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { query } from '../../main/core/db.ts';
import { Project } from '../../main/core/project.ts';
import { duckDbTables, openElsewhere, tempDir, writeDuckDb } from './helpers.ts';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

describe('project schema migrations', () => {
  it('a schema-4 file gains the flagged windows\' start and end columns and keeps its windows', async () => {
    const path = join(dir, 'old.duckdb');
    const old = await Project.open(path);
    await old.withConnection(async (c) => {
      // what schema 4 left: flagged_windows without start_ms / end_ms, and one window in it
      await c.run(`ALTER TABLE flagged_windows DROP COLUMN end_ms`);
      await c.run(`ALTER TABLE flagged_windows DROP COLUMN start_ms`);
      await c.run(`INSERT INTO flagged_windows VALUES (1, 1, 'DoS', 0, 4, 5, 0.9, 0.8, ['a'], ['b'], [80], NULL)`);
      await c.run(`UPDATE meta SET value = '4' WHERE key = 'schema_version'`);
    });
    old.close();

    const reopened = await Project.open(path);
    try {
      const rows = await reopened.withConnection(async (c) => ({
        version: (await query(c, `SELECT value FROM meta WHERE key = 'schema_version'`)).rows[0]![0],
        windows: (await query(c, `SELECT id, class, flows, start_ms, end_ms FROM flagged_windows`)).rows,
      }));
      expect(rows.version).toBe('7');
      expect(rows.windows).toEqual([[1, 'DoS', 5, null, null]]);
    } finally {
      reopened.close();
    }
  });

  it('refuses a file written by a newer MindFlow', async () => {
    const path = join(dir, 'new.duckdb');
    const p = await Project.open(path);
    await p.withConnection((c) => c.run(`UPDATE meta SET value = '99' WHERE key = 'schema_version'`));
    p.close();
    await expect(Project.open(path)).rejects.toThrow(/was written by a newer MindFlow \(schema 99\)/);
    // and lets go of it: another process can open the file at once
    expect(openElsewhere(path)).toBe('opened');
  });

  it('never adds its tables to a DuckDB database that is not a project (the CLI\'s --project too)', async () => {
    const path = join(dir, 'warehouse.duckdb');
    await writeDuckDb(path, ['CREATE TABLE a (x INTEGER)', 'CREATE TABLE b (x INTEGER)']);
    await expect(Project.open(path)).rejects.toThrow(/is a DuckDB database but not a MindFlow project \(it holds 2 other tables: a, b\); MindFlow leaves it as it is/);
    expect(await duckDbTables(path)).toEqual(['a', 'b']);
  });
});
