import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deriveFlaggedWindows } from '../../../main/core/detector/service.ts';
import { addIncidentNote, addIncidentWindows, createIncident, deleteIncident, getIncident, listIncidents, removeIncidentWindows, updateIncident } from '../../../main/core/incidents/incidents.ts';
import { Project } from '../../../main/core/project.ts';
import { tempDir } from '../helpers.ts';
import { SCAN_CLASSES, makeScan } from './scan-fixture.ts';

let project: Project;
let cleanup: () => void;
let dir: string;

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  project = await Project.open(join(dir, 'p.duckdb'));
  const A = '192.168.100.147';
  const capture = await makeScan(project, dir, [A, A, A, A, A, A], [1, 0, 2, 0, 1, 1], [0.9, 0.9, 0.8, 0.9, 0.7, 0.95]);
  const conn = await project.connect();
  await deriveFlaggedWindows(conn, capture, 1, SCAN_CLASSES, 0.5, false);
  conn.closeSync();
});
afterEach(() => {
  project.close();
  cleanup();
});

describe('incidents', () => {
  it('are created from flagged windows with defaults, then edited, grown, shrunk and annotated', async () => {
    process.env.MINDFLOW_ANALYST = 'ana';
    const created = await createIncident(project, { scanId: 1, windowIds: [1, 2], title: 'SYN flood on .3' });
    expect(created).toMatchObject({ id: 1, status: 'open', severity: 'medium', tlp: 'AMBER', analyst: 'ana', scanId: 1, windowIds: [1, 2], notes: [] });
    const updated = await updateIncident(project, 1, { status: 'contained', severity: 'high', tlp: 'RED', summary: 'bots flood the web server' });
    expect(updated).toMatchObject({ status: 'contained', severity: 'high', tlp: 'RED', summary: 'bots flood the web server' });
    expect((await addIncidentWindows(project, 1, [3, 2])).windowIds).toEqual([1, 2, 3]);
    expect((await removeIncidentWindows(project, 1, [1])).windowIds).toEqual([2, 3]);
    const noted = await addIncidentNote(project, 1, 'blocked at the gateway');
    expect(noted.notes).toMatchObject([{ analyst: 'ana', text: 'blocked at the gateway' }]);
    expect(noted.notes[0]!.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect((await listIncidents(project)).map((i) => i.id)).toEqual([1]);
    delete process.env.MINDFLOW_ANALYST;
  });

  it('refuse windows that are not in the scan, an empty incident, and unknown ids', async () => {
    await expect(createIncident(project, { scanId: 1, windowIds: [1, 42], title: 'x' })).rejects.toThrow('no flagged window 42 in scan #1');
    await expect(createIncident(project, { scanId: 9, windowIds: [1], title: 'x' })).rejects.toThrow('no scan #9');
    await createIncident(project, { scanId: 1, windowIds: [1], title: 'x' });
    await expect(removeIncidentWindows(project, 1, [1])).rejects.toThrow(/at least one window/);
    await expect(getIncident(project, 7)).rejects.toThrow('no incident #7');
    expect((await listIncidents(project)).length).toBe(1);
  });

  it('are deleted with their windows and notes', async () => {
    await createIncident(project, { scanId: 1, windowIds: [1, 2], title: 'x' });
    await addIncidentNote(project, 1, 'n');
    await deleteIncident(project, 1);
    expect(await listIncidents(project)).toEqual([]);
  });
});
