import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCapture } from '../../main/core/capture/import.ts';
import { Project } from '../../main/core/project.ts';
import { runReadOnlySql } from '../../main/core/query/console.ts';
import { tempDir, v1Csv } from './helpers.ts';

let project: Project;
let cleanup: () => void;
let dir: string;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  project = await Project.open(join(dir, 'p.duckdb'));
  const csv = join(dir, 'c.csv');
  writeFileSync(csv, v1Csv(['DoS', 'DoS', 'DDoS', 'Benign']));
  await importCapture(project, csv);
});
afterAll(() => {
  project.close();
  cleanup();
});

const run = (sql: string, limit?: number) => project.withConnection((c) => runReadOnlySql(c, sql, limit));

describe('the read-only SQL console', () => {
  it('runs a SELECT and reports columns, rows and time', async () => {
    const r = await run('SELECT "Attack", count(*) AS n FROM flows_1 GROUP BY 1 ORDER BY 2 DESC, 1');
    expect(r.columns.map((c) => c.name)).toEqual(['Attack', 'n']);
    expect(r.rows).toEqual([['DoS', 2], ['Benign', 1], ['DDoS', 1]]);
    expect(r.truncated).toBe(false);
  });

  it('caps rows and says it truncated', async () => {
    const r = await run('SELECT * FROM range(100)', 10);
    expect(r.rows.length).toBe(10);
    expect(r.truncated).toBe(true);
  });

  it('runs DESCRIBE and SHOW TABLES', async () => {
    expect((await run('DESCRIBE flows_1')).rows.length).toBe(14);
    expect((await run('SHOW TABLES')).rows.map((r) => r[0])).toContain('flows_1');
  });

  const refused: [string, RegExp][] = [
    ['INSERT INTO captures SELECT * FROM captures', /INSERT writes/],
    ['UPDATE flows_1 SET "Attack" = \'x\'', /UPDATE writes/],
    ['DELETE FROM flows_1', /DELETE writes/],
    ['DROP TABLE flows_1', /DROP writes/],
    ['CREATE TABLE t AS SELECT 1', /CREATE writes/],
    ['ALTER TABLE flows_1 ADD COLUMN x INT', /ALTER writes/],
    ["ATTACH '/tmp/other.duckdb' AS o", /ATTACH/],
    ["COPY flows_1 TO '/tmp/out.csv'", /COPY/],
    ['INSTALL httpfs', /INSTALL|install/i],
    ['LOAD httpfs', /LOAD/],
    ["SET threads = 1", /SET/],
    ["PRAGMA enable_profiling", /PRAGMA/],
    ["SELECT * FROM read_csv('/etc/passwd')", /read_csv\(\) reaches outside/],
    ["SELECT * FROM glob('/*')", /glob\(\) reaches outside/],
    ["SELECT getenv('HOME')", /getenv\(\) reaches outside/],
    ["EXPORT DATABASE '/tmp/x'", /EXPORT/],
    ['BEGIN TRANSACTION', /transactions/],
  ];
  for (const [sql, reason] of refused) {
    it(`refuses: ${sql}`, async () => {
      const err = await run(sql).then(() => null, (e: unknown) => e as { code: string; message: string });
      expect(err?.code).toBe('read-only');
      expect(err?.message).toMatch(/^read-only console: /);
      expect(err?.message).toMatch(reason);
    });
  }

  it('refuses a write hidden after a SELECT', async () => {
    await expect(run('SELECT 1; DROP TABLE flows_1')).rejects.toThrow(/one statement at a time/);
    expect((await run('SELECT count(*) FROM flows_1')).rows[0]![0]).toBe(4);
  });

  it('reports SQL errors in one line', async () => {
    await expect(run('SELECT nope FROM flows_1')).rejects.toMatchObject({ code: 'sql-error' });
  });
});
