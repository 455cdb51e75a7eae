import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILTIN_SAMPLE_ROWS, ensureSampleCapture } from '../../main/core/starter.ts';
import { Project } from '../../main/core/project.ts';
import { tempDir } from './helpers.ts';

describe('the built-in sample on a first start', () => {
  let tmp: ReturnType<typeof tempDir>;
  let savedHome: string | undefined;
  beforeEach(() => {
    tmp = tempDir();
    savedHome = process.env.MINDFLOW_HOME;
  });
  afterEach(() => {
    if (savedHome === undefined) delete process.env.MINDFLOW_HOME;
    else process.env.MINDFLOW_HOME = savedHome;
    tmp.cleanup();
  });

  // the desktop app keeps its project in Electron's userData, so nothing else makes MindFlow's
  // own folder before the sample is generated there
  it('makes the MindFlow folder when it does not exist yet, and leaves no partial file', async () => {
    const home = join(tmp.dir, 'not', 'yet', 'made');
    process.env.MINDFLOW_HOME = home;
    const project = await Project.open(join(tmp.dir, 'user-data', 'sample.duckdb'));
    try {
      const capture = await ensureSampleCapture(project);
      expect(capture?.rows).toBe(BUILTIN_SAMPLE_ROWS);
      expect(readdirSync(home)).toEqual([`builtin-sample-${BUILTIN_SAMPLE_ROWS}-seed1.csv`]);
      // a project that has a capture gets nothing more
      expect(await ensureSampleCapture(project)).toBeNull();
      expect((await project.listCaptures()).length).toBe(1);
    } finally {
      project.close();
    }
    expect(existsSync(join(home, `builtin-sample-${BUILTIN_SAMPLE_ROWS}-seed1.csv`))).toBe(true);
  });
});
