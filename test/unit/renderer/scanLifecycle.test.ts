import { describe, expect, it } from 'vitest';
import type { Api, Incident, IncidentMoveTarget, ScanUsage } from '../../../preload/contract';
import type { Transport } from '../../../renderer/src/api/transport';
import { CapturesState } from '../../../renderer/src/state/captures.svelte.ts';
import { DetectionsState } from '../../../renderer/src/state/detections.svelte.ts';
import { JobsState } from '../../../renderer/src/state/jobs.svelte.ts';
import { IncidentTab } from '../../../renderer/src/state/incidents.svelte.ts';
import { ScansState } from '../../../renderer/src/state/scans.svelte.ts';

type Call = { name: string; args: Record<string, unknown> };

/** An API answering from `answers` (a value, or a function of the arguments) and recording every call. */
function fakeApi(answers: Record<string, unknown>, calls: Call[]): Api {
  const record = (name: string) => async (args: Record<string, unknown>) => {
    calls.push({ name, args });
    const a = answers[name];
    if (a instanceof Error) throw a;
    return typeof a === 'function' ? (a as (x: Record<string, unknown>) => unknown)(args) : (a ?? {});
  };
  return new Proxy({}, { get: (_t, name) => record(String(name)) }) as unknown as Api;
}

const flush = () => new Promise((r) => setTimeout(r, 0));

const usage = (over: Partial<ScanUsage> = {}): ScanUsage => ({ scanId: 1, captureId: 1, windows: 6453, verdicts: 2, notes: 0, incidents: [], ...over });

describe('deleting a scan from Detections', () => {
  it('says what the scan holds before it deletes, then says what went', async () => {
    const calls: Call[] = [];
    const det = new DetectionsState(fakeApi({ scanUsage: usage(), deleteScan: { scanId: 1, captureId: 1, windows: 6453, verdicts: 2, notes: 0 }, listScans: [], carrySources: [] }, calls));
    await det.askDeleteScan(1);
    expect(det.scanDeletion).toEqual({ scanId: 1, usage: usage(), error: null, busy: false });
    await det.confirmDeleteScan();
    expect(calls.filter((c) => c.name === 'deleteScan').map((c) => c.args)).toEqual([{ scanId: 1 }]);
    expect(det.scanDeletion).toBeNull();
    expect(det.scanDeleted).toEqual({
      text: 'Deleted scan #1: 6,453 flagged windows, 2 verdicts, 0 notes (the audit trail keeps what was done). Compacting the project gives its space back.',
      error: false,
    });
  });

  it('offers to compact when the deletion left 8 MB or more of free space in the file', async () => {
    const det = new DetectionsState(fakeApi({ scanUsage: usage(), deleteScan: { scanId: 1, captureId: 1, windows: 1, verdicts: 0, notes: 1 }, projectSpace: { freeBytes: 96 * 1024 * 1024 } }, []));
    await det.askDeleteScan(1);
    await det.confirmDeleteScan();
    expect(det.scanDeleted?.compact).toBe(true);
    expect(det.scanDeleted?.text).toMatch(/^Deleted scan #1: 1 flagged window, 0 verdicts, 1 note \(the audit trail keeps what was done\)\. 96(\.0)? MB of the project file is now free space; compacting gives it back\.$/);
  });

  it('never deletes a scan an incident holds, and says why a deletion failed', async () => {
    const calls: Call[] = [];
    const held = usage({ incidents: [{ id: 3, title: 'C2' }] });
    const det = new DetectionsState(fakeApi({ scanUsage: held, deleteScan: new Error('the project is read-only') }, calls));
    await det.askDeleteScan(1);
    await det.confirmDeleteScan();
    expect(calls.some((c) => c.name === 'deleteScan')).toBe(false);
    expect(det.scanDeletion?.usage?.incidents).toEqual([{ id: 3, title: 'C2' }]);
    det.cancelDeleteScan();
    expect(det.scanDeletion).toBeNull();

    const free = new DetectionsState(fakeApi({ scanUsage: usage(), deleteScan: new Error('the project is read-only') }, calls));
    await free.askDeleteScan(1);
    await free.confirmDeleteScan();
    expect(free.scanDeleted).toEqual({ text: 'Scan #1 not deleted: the project is read-only', error: true });
  });
});

describe('deleting a capture from Captures', () => {
  const captures = (api: Api) => new CapturesState(api, { host: 'web', api, pathForFile: null, upload: null } as unknown as Transport, new JobsState(api));

  it('says why a deletion was refused until dismissed, apart from the list, and clears it on the next try', async () => {
    const refusal = 'capture #1 s.csv has incident #1 "Mixed windows" (scan #2): delete them first (or export them as a report to keep); nothing was deleted';
    const calls: Call[] = [];
    let refuse = true;
    const cs = captures(fakeApi({ deleteCapture: () => { if (refuse) throw new Error(refusal); }, listCaptures: [], projectSpace: { freeBytes: 0 } }, calls));
    await cs.remove(1);
    expect(cs.deleteRefused).toBe(refusal);
    // the list still loads: the refusal is not a load error
    expect(cs.loadError).toBeNull();
    await cs.refresh();
    expect(cs.deleteRefused).toBe(refusal);
    refuse = false;
    await cs.remove(1);
    expect(cs.deleteRefused).toBeNull();
    expect(calls.filter((c) => c.name === 'deleteCapture')).toHaveLength(2);
  });
});

describe('dropping a file on Captures', () => {
  const transport = (api: Api, paths: Record<string, string> | null) =>
    ({ host: paths ? 'electron' : 'web', api, pathForFile: paths ? (f: File) => paths[f.name] ?? '' : null, upload: null }) as unknown as Transport;
  const project = new File(['DUCK'], 'case-7.duckdb');

  it('opens a dropped project in the desktop app instead of importing it', async () => {
    const calls: Call[] = [];
    const api = fakeApi({ openProject: { projectPath: '/cases/case-7.duckdb' } }, calls);
    const cs = new CapturesState(api, transport(api, { 'case-7.duckdb': '/cases/case-7.duckdb' }), new JobsState(api));
    await cs.importFile(project);
    expect(calls.map((c) => [c.name, c.args])).toEqual([['openProject', { path: '/cases/case-7.duckdb', create: false }]]);
    expect(cs.outcome).toBeNull();
  });

  it('says why a dropped project did not open, and in the web host how to open one', async () => {
    const refused = new Error('a job is running (import x.csv): let it finish or cancel it before opening another project');
    const api = fakeApi({ openProject: refused }, []);
    const desktop = new CapturesState(api, transport(api, { 'case-7.duckdb': '/cases/case-7.duckdb' }), new JobsState(api));
    await desktop.importFile(project);
    expect(desktop.outcome).toEqual({ ok: false, text: refused.message, captureId: null });
    const calls: Call[] = [];
    const webApi = fakeApi({}, calls);
    const web = new CapturesState(webApi, transport(webApi, null), new JobsState(webApi));
    await web.importFile(project);
    expect(web.outcome?.text).toBe('case-7.duckdb is a MindFlow project, not a capture: open it with Open project… (Ctrl+O) and its path on this machine');
    expect(calls).toEqual([]);
  });
});

const incident = (over: Partial<Incident> = {}): Incident => ({
  id: 4, title: 'DDoS from A', status: 'open', severity: 'high', tlp: 'AMBER', summary: '', analyst: 'ana', createdAt: '2026-12-07T12:00:00Z',
  updatedAt: '2026-12-07T12:00:00Z', scanId: 1, captureId: 1, windowIds: [1, 2, 3], notes: [], ...over,
});
const target = (over: Partial<IncidentMoveTarget> = {}): IncidentMoveTarget => ({
  scanId: 2, modelName: 'retrained', threshold: 0.5, createdAt: '2026-12-07T12:00:00Z', matched: 3, missing: [], ...over,
});

describe('moving an incident from its editor', () => {
  it('offers the other scans, moves to the one picked, and says how many verdicts came along', async () => {
    const calls: Call[] = [];
    const moved = incident({ scanId: 3, windowIds: [7, 8, 9] });
    const api = fakeApi({
      getIncident: incident(),
      incidentWindows: [],
      incidentMoveTargets: () => (calls.some((c) => c.name === 'moveIncident') ? [target({ scanId: 1 })] : [target(), target({ scanId: 3 })]),
      moveIncident: { incident: moved, fromScanId: 1, toScanId: 3, windows: 3, carried: 2 },
    }, calls);
    const updated: Incident[] = [];
    const tab = new IncidentTab(api, 4, (i) => updated.push(i));
    await flush();
    await flush();
    expect(tab.moveTargets?.map((t) => t.scanId)).toEqual([2, 3]);
    expect(tab.moveTo).toBe(2);
    tab.moveTo = 3;
    await tab.move();
    expect(calls.filter((c) => c.name === 'moveIncident').map((c) => c.args)).toEqual([{ id: 4, toScanId: 3 }]);
    expect(tab.incident?.scanId).toBe(3);
    expect(updated).toEqual([moved]);
    expect(tab.message).toEqual({ text: 'Moved to scan #3; 2 verdicts carried to its windows (u in Detections undoes them)', error: false });
    // the old scan is now somewhere to move back to (read once, as the incident's scan changed)
    await flush();
    expect(tab.moveTargets?.map((t) => t.scanId)).toEqual([1]);
    expect(tab.moveTo).toBe(1);
  });

  it('removes just the windows the picked scan has no counterpart for', async () => {
    const calls: Call[] = [];
    const api = fakeApi({
      getIncident: incident(),
      incidentWindows: [],
      incidentMoveTargets: [target({ matched: 1, missing: [2, 3] })],
      removeIncidentWindows: incident({ windowIds: [1] }),
    }, calls);
    const tab = new IncidentTab(api, 4, () => {});
    await flush();
    await flush();
    await tab.removeUnmatched();
    expect(calls.filter((c) => c.name === 'removeIncidentWindows').map((c) => c.args)).toEqual([{ id: 4, windowIds: [2, 3] }]);
    expect(tab.message).toEqual({ text: 'Removed windows #2, #3: scan #2 has no window with their flows and class', error: false });
  });
});

describe('a scan started from a capture card', () => {
  it('says on the card why it failed, once it has started and failed in the core', async () => {
    const calls: Call[] = [];
    const api = fakeApi({ scanCapture: { jobId: 'j1' }, listScans: [] }, calls);
    const scans = new ScansState(api, new JobsState(api));
    await scans.scan(2, { id: 'm', name: 'my-v2' });
    expect(scans.running[2]?.modelName).toBe('my-v2');
    scans.onFinished({ jobId: 'j1', kind: 'scan', label: 'Scan capture #2', ok: false, cancelled: false, error: 'the capture lacks column DURATION_IN' });
    expect(scans.running[2]).toBeUndefined();
    expect(scans.outcomes[2]).toEqual({ ok: false, text: 'failed: the capture lacks column DURATION_IN', summary: null });
  });

  it('says why one was not started (refused by the core, or no model can read the capture)', async () => {
    const api = fakeApi({ scanCapture: new Error('no such model') }, []);
    const scans = new ScansState(api, new JobsState(api));
    await scans.scan(3, { id: 'gone', name: 'gone' });
    expect(scans.outcomes[3]?.text).toBe('not started: no such model');
    scans.refuse(4, 'my-v2 needs v2 columns this capture lacks, and no model of this project can read it');
    expect(scans.outcomes[4]).toMatchObject({ ok: false, text: 'not started: my-v2 needs v2 columns this capture lacks, and no model of this project can read it' });
  });
});
