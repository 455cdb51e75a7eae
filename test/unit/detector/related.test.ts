import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIncident, deleteIncident } from '../../../main/core/incidents/incidents.ts';
import { incidentsWithHost, relatedIncidents } from '../../../main/core/incidents/related.ts';
import { findHost } from '../../../main/core/query/hosts.ts';
import { queryObjects } from '../../../main/core/db.ts';
import { Project } from '../../../main/core/project.ts';
import { tempDir } from '../helpers.ts';
import { makeFlaggedScan } from './scan-fixture.ts';

let project: Project;
let cleanup: () => void;
let dir: string;
let scan1Windows: number[];

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  project = await Project.open(join(dir, 'p.duckdb'));
  // capture #1, scan #1: windows from .147 to .3
  const A = '192.168.100.147';
  await makeFlaggedScan(project, dir, [A, A, A, A, A, A], [1, 0, 2, 0, 1, 1], [0.9, 0.9, 0.8, 0.9, 0.7, 0.95]);
  // capture #2, scan #2, as an import and a scan would leave them: .148 → .3, .3 → .7 (the
  // target of capture #1 now a source), .150 → .9 (nothing in common)
  await project.withConnection(async (c) => {
    await c.run(`INSERT INTO captures VALUES (2, 'tuesday.csv', '/x/tuesday.csv', 10, 'ab', 'v1', true, 30, '{}', '[]', '[]', 'file', now()::TIMESTAMP, 1)`);
    await c.run(`INSERT INTO scans VALUES (2, 2, 'm', 'model', '["Benign","DoS"]', 0.5, false, now()::TIMESTAMP, 30, 1, 1, 'wasm', '{}', 3, NULL)`);
    await c.run(`INSERT INTO flagged_windows (scan_id, id, class, first_flow, last_flow, flows, peak, mean, src_hosts, dst_hosts, dst_ports, key) VALUES
      (2, 1, 'DoS', 0, 4, 5, 0.9, 0.8, ['192.168.100.148'], ['192.168.100.3'], [80], NULL),
      (2, 2, 'DoS', 10, 14, 5, 0.9, 0.8, ['192.168.100.3'], ['192.168.100.7'], [22], NULL),
      (2, 3, 'DoS', 20, 24, 5, 0.9, 0.8, ['192.168.100.150'], ['192.168.100.9'], [80], NULL)`);
    scan1Windows = (await queryObjects<{ id: number }>(c, `SELECT id FROM flagged_windows WHERE scan_id = 1 ORDER BY id`)).map((r) => r.id);
  });
});
afterEach(() => {
  project.close();
  cleanup();
});

describe('related incidents', () => {
  it('are the incidents of any scan or capture sharing a host, the same sources first, with each host’s role on both sides', async () => {
    expect(scan1Windows.length).toBeGreaterThan(1);
    const monday = await createIncident(project, { scanId: 1, windowIds: scan1Windows, title: 'Monday' });
    const sameTarget = await createIncident(project, { scanId: 2, windowIds: [1], title: 'Same target' });
    const pivot = await createIncident(project, { scanId: 2, windowIds: [2], title: 'Target turned source' });
    const unrelated = await createIncident(project, { scanId: 2, windowIds: [3], title: 'Elsewhere' });
    const again = await createIncident(project, { scanId: 1, windowIds: [scan1Windows[0]!], title: 'Same attacker' });

    const related = await relatedIncidents(project, monday.id);
    expect(related.map((r) => r.title)).toEqual(['Same attacker', 'Target turned source', 'Same target']);
    expect(related[0]).toMatchObject({
      id: again.id, scanId: 1, captureId: 1, sharedCount: 2, sharedSources: 1,
      shared: [{ host: '192.168.100.147', here: 'source', there: 'source' }, { host: '192.168.100.3', here: 'destination', there: 'destination' }],
    });
    expect(related[1]).toMatchObject({
      id: pivot.id, scanId: 2, captureId: 2, captureName: 'tuesday.csv', status: 'open', severity: 'medium', tlp: 'AMBER', sharedCount: 1, sharedSources: 1,
      shared: [{ host: '192.168.100.3', here: 'destination', there: 'source' }],
    });
    expect(related[2]).toMatchObject({ id: sameTarget.id, sharedCount: 1, sharedSources: 0 });
    expect(related[0]!.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(await relatedIncidents(project, unrelated.id)).toEqual([]);
  });

  it('say "both" for a host that is a source in one window and a destination in another', async () => {
    const monday = await createIncident(project, { scanId: 1, windowIds: scan1Windows, title: 'Monday' });
    const tuesday = await createIncident(project, { scanId: 2, windowIds: [1, 2], title: 'Tuesday' });
    const [fromTuesday] = await relatedIncidents(project, tuesday.id);
    expect(fromTuesday).toMatchObject({ id: monday.id, shared: [{ host: '192.168.100.3', here: 'both', there: 'destination' }], sharedSources: 1 });
    const [fromMonday] = await relatedIncidents(project, monday.id);
    expect(fromMonday).toMatchObject({ id: tuesday.id, shared: [{ host: '192.168.100.3', here: 'destination', there: 'both' }] });
  });

  it('forget a deleted incident, and refuse an unknown one', async () => {
    const monday = await createIncident(project, { scanId: 1, windowIds: scan1Windows, title: 'Monday' });
    const tuesday = await createIncident(project, { scanId: 2, windowIds: [1], title: 'Tuesday' });
    expect(await relatedIncidents(project, monday.id)).toHaveLength(1);
    await deleteIncident(project, tuesday.id);
    expect(await relatedIncidents(project, monday.id)).toEqual([]);
    await expect(relatedIncidents(project, 99)).rejects.toThrow('no incident #99');
  });

  it('list at most 20 shared hosts each, sources first, in address order, and count them all', async () => {
    const hosts = (from: number) => JSON.stringify(Array.from({ length: 20 }, (_, i) => `10.0.0.${from + 19 - i}`));
    await project.withConnection((c) =>
      c.run(`INSERT INTO flagged_windows (scan_id, id, class, first_flow, last_flow, flows, peak, mean, src_hosts, dst_hosts, dst_ports, key) VALUES
        (2, 4, 'DoS', 30, 34, 5, 0.9, 0.8, ['10.0.0.200'], ?::VARCHAR[], [80], NULL),
        (2, 5, 'DoS', 40, 44, 5, 0.9, 0.8, ['10.0.0.200'], ?::VARCHAR[], [80], NULL),
        (2, 6, 'DoS', 50, 54, 5, 0.9, 0.8, ['10.0.1.1'], ?::VARCHAR[], [80], NULL),
        (2, 7, 'DoS', 60, 64, 5, 0.9, 0.8, ['10.0.1.2'], ?::VARCHAR[], [80], NULL)`, [hosts(1), hosts(1), hosts(11), hosts(11)]));
    const a = await createIncident(project, { scanId: 2, windowIds: [4, 6], title: 'a' });
    await createIncident(project, { scanId: 2, windowIds: [5, 7], title: 'b' });
    const [b] = await relatedIncidents(project, a.id);
    // shared: 10.0.0.200 as a source, and 10.0.0.1 … 10.0.0.30 as destinations
    expect(b).toMatchObject({ sharedCount: 31, sharedSources: 1 });
    expect(b!.shared.map((h) => h.host)).toEqual(['10.0.0.200', ...Array.from({ length: 19 }, (_, i) => `10.0.0.${i + 1}`)]);
  });

  it('are what a host lookup lists: each incident whose windows carry the host, its role and how many windows', async () => {
    const monday = await createIncident(project, { scanId: 1, windowIds: scan1Windows, title: 'Monday' });
    const tuesday = await createIncident(project, { scanId: 2, windowIds: [1, 2], title: 'Tuesday' });
    await createIncident(project, { scanId: 2, windowIds: [3], title: 'Elsewhere' });
    // capture #2 as a lookup reads it: its flows are beside the point here
    await project.withConnection((c) => c.run(`CREATE TABLE flows_2 AS SELECT * FROM flows_1 LIMIT 0`));
    const found = await findHost(project, '192.168.100.3');
    expect(found.incidents.map((i) => [i.title, i.role, i.windows, i.captureId, i.scanId]).sort()).toEqual([
      ['Monday', 'destination', scan1Windows.length, 1, 1],
      ['Tuesday', 'both', 2, 2, 2],
    ]);
    expect(found.incidents.find((i) => i.id === monday.id)).toMatchObject({ status: 'open', severity: 'medium', tlp: 'AMBER' });
    const attacker = await project.withConnection((c) => incidentsWithHost(c, '192.168.100.148'));
    expect(attacker.map((i) => [i.id, i.role, i.windows])).toEqual([[tuesday.id, 'source', 1]]);
    expect(await project.withConnection((c) => incidentsWithHost(c, '10.9.9.9'))).toEqual([]);
  });
});
