import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importCapture } from '../../main/core/capture/import.ts';
import { compactProject, writeCompactCopy } from '../../main/core/compact.ts';
import { Project } from '../../main/core/project.ts';
import { duckDbTables, tempDir, v1Csv } from './helpers.ts';

let dir: string;
let cleanup: () => void;
let project: Project;
let path: string;

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  path = join(dir, 'case.duckdb');
  project = await Project.open(path);
  writeFileSync(join(dir, 'a.csv'), v1Csv(['Benign', 'DoS', 'Theft']));
  await importCapture(project, join(dir, 'a.csv'));
});
afterEach(() => {
  project.close();
  cleanup();
});

describe('compacting a project', () => {
  it('writes a checked copy with every table', async () => {
    const copy = join(dir, 'copy.duckdb');
    const tables = await writeCompactCopy(project, copy);
    expect(tables).toBe((await duckDbTables(path)).length);
    expect(await duckDbTables(copy)).toEqual(await duckDbTables(path));
  });

  it('puts the original back, and reopens it, when the copy does not open', async () => {
    let opens = 0;
    const reopen = async () => {
      opens++;
      if (opens === 1) throw new Error('simulated: the copy would not open');
      project = await Project.open(path, 'existing');
    };
    await expect(compactProject(project, async () => project.close(), reopen)).rejects.toThrow(/the compacted copy did not open \(simulated: the copy would not open\); the project is unchanged/);
    expect(opens).toBe(2);
    expect((await project.listCaptures()).map((c) => c.fileName)).toEqual(['a.csv']);
    expect(readdirSync(dir).filter((f) => /compact/.test(f))).toEqual([]);
    expect(existsSync(`${path}.before-compact`)).toBe(false);
  });

  it('leaves nothing behind when the copy cannot be written', async () => {
    await expect(writeCompactCopy(project, join(dir, 'no-such-folder', 'copy.duckdb'))).rejects.toThrow();
    expect(readdirSync(dir).filter((f) => /copy/.test(f))).toEqual([]);
    expect((await project.listCaptures()).length).toBe(1);
  });
});
