import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importCapture } from '../../main/core/capture/import.ts';
import { compactProject, writeCompactCopy } from '../../main/core/compact.ts';
import { Project } from '../../main/core/project.ts';
import { deleteScan } from '../../main/core/detector/scans.ts';
import { createIncident, deleteIncident, listIncidents } from '../../main/core/incidents/incidents.ts';
import { moveIncident } from '../../main/core/incidents/move.ts';
import { listWindows, setVerdict } from '../../main/core/triage/triage.ts';
import { duckDbTables, tempDir, v1Csv } from './helpers.ts';
import { THREE_WINDOWS, addFlaggedScan, makeFlaggedScan } from './detector/scan-fixture.ts';

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

  it('compacts a project whose tables had rows deleted: verdicts changed, an incident deleted, a scan deleted', async () => {
    // before the copy was checked by rank, any such gap in the rowids refused the compaction
    const { srcs, preds, conf } = THREE_WINDOWS;
    const capture = await makeFlaggedScan(project, dir, srcs, preds, conf);
    await addFlaggedScan(project, capture, 2, preds, conf, { threshold: 0.55 });
    await setVerdict(project, 1, [1, 2, 3], 'review');
    await setVerdict(project, 1, [2], 'tp', 'flood'); // replaces a verdict row
    const kept = await createIncident(project, { scanId: 1, windowIds: [1, 3], title: 'kept' });
    const gone = await createIncident(project, { scanId: 1, windowIds: [2], title: 'gone' });
    await deleteIncident(project, gone.id);
    await moveIncident(project, kept.id, 2);
    await deleteScan(project, 1);
    const state = async () => ({
      incidents: await listIncidents(project),
      windows: (await listWindows(project, { scanId: 2, offset: 0, limit: 50, sort: { by: 'order', dir: 'asc' } })).windows,
    });
    const before = await state();
    // the move carried the verdicts of the incident's windows, 1 and 3
    expect(before.windows.map((w) => w.verdict)).toEqual(['review', null, 'review']);
    const reopen = async () => {
      project = await Project.open(path, 'existing');
    };
    await compactProject(project, async () => project.close(), reopen);
    expect(await state()).toEqual(before);
  });

  it('leaves nothing behind when the copy cannot be written', async () => {
    await expect(writeCompactCopy(project, join(dir, 'no-such-folder', 'copy.duckdb'))).rejects.toThrow();
    expect(readdirSync(dir).filter((f) => /copy/.test(f))).toEqual([]);
    expect((await project.listCaptures()).length).toBe(1);
  });
});
