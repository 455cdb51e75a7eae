import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deriveFlaggedWindows } from '../../../main/core/detector/service.ts';
import { addIncidentNote, addIncidentWindows, createIncident, deleteIncident, getIncident, incidentWindows, listIncidents, removeIncidentWindows, updateIncident } from '../../../main/core/incidents/incidents.ts';
import { listWindows, setVerdict } from '../../../main/core/triage/triage.ts';
import { Workbench } from '../../../main/core/workbench.ts';
import type { FlaggedWindow } from '../../../preload/contract.ts';
import { assembleIncidentReport } from '../../../main/core/incidents/assemble.ts';
import { Project } from '../../../main/core/project.ts';
import { deriveReport } from '../../../main/core/report/derive.ts';
import { tempDir } from '../helpers.ts';
import { SCAN_CLASSES, makeFlaggedScan, makeV3Scan } from './scan-fixture.ts';

let project: Project;
let cleanup: () => void;
let dir: string;

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  project = await Project.open(join(dir, 'p.duckdb'));
  const A = '192.168.100.147';
  await makeFlaggedScan(project, dir, [A, A, A, A, A, A], [1, 0, 2, 0, 1, 1], [0.9, 0.9, 0.8, 0.9, 0.7, 0.95]);
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

  it('take thousands of windows at once, each once, and name the first ids a scan lacks', async () => {
    // a second scan with 12,000 windows of 3 flows each (rows as a scan would leave them)
    await project.withConnection(async (c) => {
      await c.run(`INSERT INTO scans VALUES (2, 1, 'm', 'model', '["Benign","DoS"]', 0.5, false, now()::TIMESTAMP, 60000, 1, 1, 'wasm', '{}', 12000, NULL)`);
      await c.run(`INSERT INTO flagged_windows (scan_id, id, class, first_flow, last_flow, flows, peak, mean, src_hosts, dst_hosts, dst_ports, key)
        SELECT 2, i + 1, 'DoS', i * 5, i * 5 + 2, 3, 0.9, 0.8, ['192.168.100.147'], ['192.168.100.3'], [80], NULL FROM range(12000) t(i)`);
    });
    const ids = Array.from({ length: 10_000 }, (_, i) => 10_000 - i);
    const big = await createIncident(project, { scanId: 2, windowIds: [...ids, 5, 5], title: 'many' });
    expect(big.windowIds).toHaveLength(10_000);
    expect(big.windowIds.slice(0, 3)).toEqual([1, 2, 3]);
    expect((await addIncidentWindows(project, big.id, [9_999, 10_001, 10_002])).windowIds).toHaveLength(10_002);
    expect((await removeIncidentWindows(project, big.id, Array.from({ length: 5_000 }, (_, i) => i + 1))).windowIds).toHaveLength(5_002);
    await expect(addIncidentWindows(project, big.id, [12_007, 3, 12_001, 12_003, 12_002, 12_005, 12_004])).rejects.toThrow('no flagged windows 12001, 12002, 12003, 12004, 12005 in scan #2');
    expect((await getIncident(project, big.id)).windowIds).toHaveLength(5_002);
  });

  it('are deleted with their windows and notes', async () => {
    await createIncident(project, { scanId: 1, windowIds: [1, 2], title: 'x' });
    await addIncidentNote(project, 1, 'n');
    await deleteIncident(project, 1);
    expect(await listIncidents(project)).toEqual([]);
  });
});

describe('the windows of an incident (its editor\'s table)', () => {
  /** What the editor did before: page the scan's whole queue in capture order, keeping the incident's windows. */
  async function byPaging(scanId: number, windowIds: number[]) {
    const wanted = new Set(windowIds);
    const found = [];
    for (let offset = 0; found.length < wanted.size; offset += 5000) {
      const page = await listWindows(project, { scanId, offset, limit: 5000, sort: { by: 'order', dir: 'asc' } });
      found.push(...page.windows.filter((w) => wanted.has(w.id)));
      if (offset + page.windows.length >= page.total || !page.windows.length) break;
    }
    return found;
  }

  it('are read at once, in capture order with their verdicts: the same windows paging the scan\'s queue finds', async () => {
    // a scan of 12,000 windows, in capture order the other way round from their ids
    await project.withConnection(async (c) => {
      await c.run(`INSERT INTO scans VALUES (2, 1, 'm', 'model', '["Benign","DoS"]', 0.5, false, now()::TIMESTAMP, 60000, 1, 1, 'wasm', '{}', 12000, NULL)`);
      await c.run(`INSERT INTO flagged_windows (scan_id, id, class, first_flow, last_flow, flows, peak, mean, src_hosts, dst_hosts, dst_ports, key)
        SELECT 2, i + 1, 'DoS', (12000 - i) * 5, (12000 - i) * 5 + 2, 3, 0.9, 0.8, ['192.168.100.147'], ['192.168.100.3'], [80], NULL FROM range(12000) t(i)`);
    });
    const ids = [11_990, 7, 6_001, 12_000];
    const incident = await createIncident(project, { scanId: 2, windowIds: ids, title: 'spread out' });
    await setVerdict(project, 2, [7], 'tp', 'flood');
    await setVerdict(project, 2, [12_000], 'review');
    const windows = await incidentWindows(project, incident.id);
    expect(windows.map((w) => w.id)).toEqual([12_000, 11_990, 6_001, 7]);
    expect(windows.map((w) => [w.scanId, w.verdict, w.verdictReason])).toEqual([[2, 'review', null], [2, null, null], [2, null, null], [2, 'tp', 'flood']]);
    expect(windows).toEqual(await byPaging(2, ids));
    // another incident's windows, of the other scan, are its own
    const other = await createIncident(project, { scanId: 1, windowIds: [2, 1], title: 'scan 1' });
    expect(await incidentWindows(project, other.id)).toEqual(await byPaging(1, [1, 2]));
    expect((await incidentWindows(project, incident.id)).map((w) => w.id)).toEqual([12_000, 11_990, 6_001, 7]);
    await expect(incidentWindows(project, 99)).rejects.toThrow('no incident #99');
  });

  it('are a contract call the editor makes once', async () => {
    await createIncident(project, { scanId: 1, windowIds: [1, 2], title: 'x' });
    project.close();
    const wb = await Workbench.open(join(dir, 'p.duckdb'), { host: 'web' });
    try {
      const r = await wb.dispatch('incidentWindows', { id: 1 });
      expect(r.ok).toBe(true);
      expect((r as { result: FlaggedWindow[] }).result.map((w) => w.id)).toEqual([1, 2]);
      expect((await wb.dispatch('incidentWindows', { id: 0 })).ok).toBe(false);
    } finally {
      wb.close();
      project = await Project.open(join(dir, 'p.duckdb'));
    }
  });
});

describe('the report of an incident', () => {
  // no model worker here: the report goes without explanations, as it does when one fails
  const noExplanation = () => Promise.reject(new Error('no model worker in this test'));

  it('on a v3 capture, gives each evidence flow its start and end, and each indicator when it was seen', async () => {
    project.close();
    cleanup();
    ({ dir, cleanup } = tempDir());
    project = await Project.open(join(dir, 'p.duckdb'));
    const t = Date.UTC(2021, 5, 12, 1, 23, 45, 0);
    // flow 1 ends after flow 2: the span runs to the latest end
    const capture = await makeV3Scan(project, dir, [[t, t + 400], [t + 1000, t + 9000], [t + 1500, t + 2000], [t + 3000, t + 3000], [t + 7000, t + 7250]], [1, 1, 1, 0, 2], [0.9, 0.9, 0.9, 0.9, 0.9]);
    const conn = await project.connect();
    await deriveFlaggedWindows(conn, capture, 1, SCAN_CLASSES, 0.5, false);
    conn.closeSync();
    await createIncident(project, { scanId: 1, windowIds: [1, 2], title: 'timed' });
    const report = await assembleIncidentReport(project, 1, noExplanation, 'test');
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(report.windows.flatMap((w) => w.flowRows.map((f) => [f.flowId, f.start, f.end]))).toEqual([
      [0, iso(t), iso(t + 400)],
      [1, iso(t + 1000), iso(t + 9000)],
      [2, iso(t + 1500), iso(t + 2000)],
      [4, iso(t + 7000), iso(t + 7250)],
    ]);
    const { indicators } = deriveReport(report);
    expect(indicators.find((i) => i.type === 'ipv4-src')).toMatchObject({ value: '192.168.100.147', firstSeen: iso(t), lastSeen: iso(t + 9000) });
    expect(indicators.find((i) => i.type === 'dst-port' && i.value === '1004')).toMatchObject({ firstSeen: iso(t + 7000), lastSeen: iso(t + 7250) });
  });

  it('lists the related incidents, withholding the title of one marked more restrictive than the report', async () => {
    const report1 = await createIncident(project, { scanId: 1, windowIds: [1], title: 'first', tlp: 'GREEN' });
    await createIncident(project, { scanId: 1, windowIds: [2], title: 'open to all', tlp: 'CLEAR' });
    await createIncident(project, { scanId: 1, windowIds: [2], title: 'secret', tlp: 'RED' });
    const report = await assembleIncidentReport(project, report1.id, noExplanation, 'test');
    expect(report.relatedIncidents.map((r) => [r.title, r.tlp])).toEqual(expect.arrayContaining([['open to all', 'CLEAR'], [null, 'RED']]));
    expect(report.relatedIncidents).toHaveLength(2);
    for (const r of report.relatedIncidents) {
      expect(r).toMatchObject({ scanId: '1', captureFileName: expect.stringMatching(/\.csv$/), sharedCount: 2 });
      expect(r.sharedHosts).toEqual([{ host: '192.168.100.147', here: 'source', there: 'source' }, { host: '192.168.100.3', here: 'destination', there: 'destination' }]);
    }
    expect(JSON.stringify(report)).not.toContain('secret');
  });

  it('on a capture without timestamps, has none', async () => {
    await createIncident(project, { scanId: 1, windowIds: [1, 2], title: 'untimed' });
    const report = await assembleIncidentReport(project, 1, noExplanation, 'test');
    expect(report.windows.flatMap((w) => w.flowRows).length).toBeGreaterThan(0);
    expect(report.windows.flatMap((w) => w.flowRows).every((f) => f.start === null && f.end === null)).toBe(true);
    expect(deriveReport(report).indicators.every((i) => i.firstSeen === null && i.lastSeen === null)).toBe(true);
  });
});
