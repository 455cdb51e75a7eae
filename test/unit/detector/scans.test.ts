import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Project } from '../../../main/core/project.ts';
import { deleteScan, scanUsage } from '../../../main/core/detector/scans.ts';
import { listScans } from '../../../main/core/detector/service.ts';
import { createIncident, deleteIncident, getIncident, removeIncidentWindows } from '../../../main/core/incidents/incidents.ts';
import { incidentMoveTargets, moveIncident } from '../../../main/core/incidents/move.ts';
import { addNote, auditLog, setVerdict, undoVerdict } from '../../../main/core/triage/triage.ts';
import { scalar } from '../../../main/core/db.ts';
import type { CaptureInfo, FlaggedWindow } from '../../../preload/contract.ts';
import { tempDir } from '../helpers.ts';
import { THREE_WINDOWS, addFlaggedScan, makeCapture, makeFlaggedScan, scanWindows, workbenchWatching } from './scan-fixture.ts';

let project: Project;
let cleanup: () => void;
let dir: string;
let capture: CaptureInfo;

// scan #1: #1 DDoS flows 0-1, #2 DoS 3-5, #3 DDoS 7. Scan #2 reads flow 2 as DoS and flow 3 as
// benign: #1 DDoS 0-1, #2 DoS 2-2, #3 DoS 4-5, #4 DDoS 7, so its ids differ from scan #1's.
const { srcs, preds, conf } = THREE_WINDOWS;
const PREDS_2 = [1, 1, 2, 0, 2, 2, 0, 1, 0];

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  project = await Project.open(join(dir, 'p.duckdb'));
  capture = await makeFlaggedScan(project, dir, srcs, preds, conf);
  await addFlaggedScan(project, capture, 2, PREDS_2, conf);
  process.env.MINDFLOW_ANALYST = 'ana';
});
afterEach(() => {
  delete process.env.MINDFLOW_ANALYST;
  project.close();
  cleanup();
});

const windowsOf = (scanId: number) => scanWindows(project, scanId);
const summary = (ws: FlaggedWindow[]) => ws.map((w) => `#${w.id} ${w.class} ${w.firstFlow}-${w.lastFlow} ${w.verdict ?? 'untriaged'}`);
const tables = async () => project.withConnection(async (c) => Number(await scalar(c, `SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'scan\\_%' ESCAPE '\\'`)));

describe('deleting a scan', () => {
  it('takes its scores, windows, verdicts and notes, keeps the audit trail, and leaves other scans alone', async () => {
    await setVerdict(project, 1, [1, 2], 'tp', 'flood');
    await addNote(project, 1, 2, 'seen from the firewall too');
    await setVerdict(project, 2, [4], 'fp');
    expect(await scanUsage(project, 1)).toEqual({ scanId: 1, captureId: capture.id, windows: 3, verdicts: 2, notes: 1, incidents: [] });
    expect(await tables()).toBe(2);

    expect(await deleteScan(project, 1)).toEqual({ scanId: 1, captureId: capture.id, windows: 3, verdicts: 2, notes: 1 });
    expect((await listScans(project, capture.id)).map((s) => s.id)).toEqual([2]);
    expect(await tables()).toBe(1);
    await expect(windowsOf(1)).rejects.toThrow(/no scan #1 in this project/);
    await expect(scanUsage(project, 1)).rejects.toThrow(/no scan #1 in this project/);
    expect(summary(await windowsOf(2))).toEqual(['#1 DDoS 0-1 untriaged', '#2 DoS 2-2 untriaged', '#3 DoS 4-5 untriaged', '#4 DDoS 7-7 fp']);
    // the trail still says what happened to scan #1's windows
    const trail = (await auditLog(project, { scanId: 1 })).entries;
    expect(trail.map((e) => `${e.action} ${e.windowId} ${e.value}`)).toEqual([
      `scan-deleted 0 scan #1 of capture #1 ${capture.fileName} (test model, threshold 0.5): 3 flagged windows, 2 verdicts, 1 note`,
      'note 2 seen from the firewall too', 'verdict 2 tp', 'verdict 1 tp',
    ]);
    expect(trail[0]).toMatchObject({ analyst: 'ana', previous: null, reason: null, undone: false, windowClass: null, captureId: null });
  });

  it('is refused while an incident holds it, and goes once the incident has moved', async () => {
    await createIncident(project, { scanId: 1, windowIds: [1, 3], title: 'DDoS from A' });
    await createIncident(project, { scanId: 1, windowIds: [2], title: 'DoS from B' });
    expect((await scanUsage(project, 1)).incidents).toEqual([{ id: 1, title: 'DDoS from A' }, { id: 2, title: 'DoS from B' }]);
    await expect(deleteScan(project, 1)).rejects.toThrow(
      `scan #1 holds incident #1 "DDoS from A" and incident #2 "DoS from B": move them to another scan of the capture (the incident's "Move to another scan") or delete them first; the scan was not deleted`,
    );
    expect(await windowsOf(1)).toHaveLength(3);
    await moveIncident(project, 1, 2);
    await deleteIncident(project, 2);
    await deleteScan(project, 1);
    expect((await getIncident(project, 1)).scanId).toBe(2);
    await expect(deleteScan(project, 1)).rejects.toThrow(/no scan #1 in this project/);
  });

  it('leaves nothing for undo to bring back: undo skips changes to a deleted scan', async () => {
    await setVerdict(project, 2, [1], 'review');
    await setVerdict(project, 1, [1], 'tp');
    await deleteScan(project, 1);
    // the newest change was to scan #1: undo takes the one before it, on scan #2
    expect(await undoVerdict(project)).toEqual({ undone: 1, scanId: 2 });
    expect(await undoVerdict(project)).toEqual({ undone: 0, scanId: null });
    expect(await project.withConnection(async (c) => Number(await scalar(c, `SELECT count(*) FROM verdicts`)))).toBe(0);
  });
});

describe('moving an incident to another scan of its capture', () => {
  it('moves each window to the one with its flows and class there, carries the verdicts, and says so in a note', async () => {
    await setVerdict(project, 1, [1], 'tp', 'botnet C2');
    await setVerdict(project, 1, [3], 'review');
    await setVerdict(project, 2, [1], 'fp', 'our scanner'); // judged in the rescan already: kept
    const incident = await createIncident(project, { scanId: 1, windowIds: [1, 3], title: 'DDoS from A', severity: 'high' });
    expect(await incidentMoveTargets(project, incident.id)).toEqual([
      { scanId: 2, modelName: 'test model', threshold: 0.5, createdAt: expect.any(String), matched: 2, missing: [] },
    ]);

    const r = await moveIncident(project, incident.id, 2);
    expect(r).toMatchObject({ fromScanId: 1, toScanId: 2, windows: 2, carried: 1 });
    expect(r.incident).toMatchObject({ id: incident.id, scanId: 2, windowIds: [1, 4], title: 'DDoS from A', severity: 'high' });
    expect(r.incident.notes.map((n) => [n.analyst, n.text])).toEqual([
      ['ana', 'Moved from scan #1 (test model, threshold 0.5) to scan #2 (test model, threshold 0.5): its 2 windows have the same flows and class there; 1 verdict carried.'],
    ]);
    const moved = await windowsOf(2);
    expect(summary(moved)).toEqual(['#1 DDoS 0-1 fp', '#2 DoS 2-2 untriaged', '#3 DoS 4-5 untriaged', '#4 DDoS 7-7 review']);
    expect(moved[3]!.verdictReason).toBe('carried from scan #1, window #3 (ana)');
    // scan #1 keeps its windows and verdicts; one undo takes the carried verdict back, the move stays
    expect(summary(await windowsOf(1))).toEqual(['#1 DDoS 0-1 tp', '#2 DoS 3-5 untriaged', '#3 DDoS 7-7 review']);
    // each scan's trail has the move, one change on window 0; undo passes it by
    const moveEntry = `incident #1 "DDoS from A" moved from scan #1 (test model, threshold 0.5) to scan #2 (test model, threshold 0.5): its 2 windows have the same flows and class there; 1 verdict carried.`;
    for (const scanId of [1, 2]) {
      const newest = (await auditLog(project, { scanId, limit: 1 })).entries[0]!;
      expect(newest).toMatchObject({ action: 'incident-moved', scanId, windowId: 0, previous: null, value: moveEntry, analyst: 'ana', undone: false });
    }
    const [into, outOf] = [(await auditLog(project, { scanId: 2, limit: 1 })).entries[0]!, (await auditLog(project, { scanId: 1, limit: 1 })).entries[0]!];
    expect(into.batch).toBe(outOf.batch);
    expect(await undoVerdict(project)).toEqual({ undone: 1, scanId: 2 });
    expect((await getIncident(project, incident.id)).scanId).toBe(2);
    // and back again: the same flows, the old ids
    expect((await moveIncident(project, incident.id, 1)).incident.windowIds).toEqual([1, 3]);
  });

  it('stops when a window has no counterpart, naming it, and moves once the analyst removed it', async () => {
    // scan #1's DoS 3-5 is DoS 4-5 in scan #2
    const incident = await createIncident(project, { scanId: 1, windowIds: [1, 2], title: 'A and B' });
    expect((await incidentMoveTargets(project, incident.id))[0]).toMatchObject({ scanId: 2, matched: 1, missing: [2] });
    await expect(moveIncident(project, incident.id, 2)).rejects.toThrow(
      '1 window of incident #1 (#2 of scan #1) has no window with the same flows and class in scan #2, which splits, merges or drops it: remove it from the incident first, or keep it on scan #1; nothing was moved',
    );
    const still = await getIncident(project, incident.id);
    expect(still).toMatchObject({ scanId: 1, windowIds: [1, 2], notes: [] });
    await removeIncidentWindows(project, incident.id, [2]);
    expect((await moveIncident(project, incident.id, 2)).incident.windowIds).toEqual([1]);
    expect((await getIncident(project, incident.id)).notes[0]!.text).toMatch(/^Moved from scan #1 .*: its window has the same flows and class there\.$/);
  });

  it('moves only between scans of its capture, never onto its own scan or a scan that does not exist', async () => {
    const incident = await createIncident(project, { scanId: 1, windowIds: [1], title: 't' });
    const other = await makeCapture(project, dir, srcs.slice(0, 8));
    await addFlaggedScan(project, other, 7, preds.slice(0, 8), conf.slice(0, 8));
    await expect(moveIncident(project, incident.id, 7)).rejects.toThrow('scan #7 is of capture #2 and incident #1 of capture #1: an incident moves only between scans of its capture');
    await expect(moveIncident(project, incident.id, 1)).rejects.toThrow('incident #1 is already on scan #1');
    await expect(moveIncident(project, incident.id, 99)).rejects.toThrow(/no scan #99/);
    await expect(moveIncident(project, 42, 2)).rejects.toThrow(/no incident #42/);
    expect((await incidentMoveTargets(project, incident.id)).map((t) => t.scanId)).toEqual([2]);
    expect((await getIncident(project, incident.id)).scanId).toBe(1);
  });
});

describe('deleting a capture', () => {
  it('is refused while an incident holds one of its scans, then takes its scans, windows and verdicts with it', async () => {
    await setVerdict(project, 2, [1], 'tp');
    await createIncident(project, { scanId: 2, windowIds: [1], title: 'kept case' });
    await expect(project.deleteCapture(capture.id)).rejects.toThrow(
      `capture #${capture.id} ${capture.fileName} has incident #1 "kept case" (scan #2): delete it first (or export it as a report to keep); nothing was deleted`);
    expect((await listScans(project, capture.id)).map((s) => s.id)).toEqual([2, 1]);
    await deleteIncident(project, 1);
    await project.deleteCapture(capture.id);
    expect(await project.listCaptures()).toEqual([]);
    expect(await listScans(project)).toEqual([]);
    expect(await tables()).toBe(0);
    expect(await project.withConnection(async (c) => Number(await scalar(c, `SELECT (SELECT count(*) FROM flagged_windows) + (SELECT count(*) FROM verdicts)`)))).toBe(0);
  });
});

describe('through the contract', () => {
  it('deleteScan is refused while an export runs, then deletes and tells the windows the scans changed', async () => {
    project.close();
    const { wb, events } = await workbenchWatching(join(dir, 'p.duckdb'), 'scans:changed');
    try {
      // an export that is still running (its work waits on this promise)
      let finish = () => {};
      const running = new Promise<void>((r) => (finish = r));
      wb.jobs.start('export', 'export incident #1 as pdf', () => running.then(() => ({ path: '', bytes: 0 }) as never));
      const refused = await wb.dispatch('deleteScan', { scanId: 1 });
      expect(refused).toMatchObject({ ok: false, error: { code: 'busy', message: 'an export is running (export incident #1 as pdf): let it finish or cancel it before deleting a scan' } });
      finish();
      await new Promise((r) => setTimeout(r, 10));
      expect(await wb.dispatch('deleteScan', { scanId: 1 })).toMatchObject({ ok: true, result: { scanId: 1, windows: 3 } });
      expect(events).toEqual([{ captureId: capture.id, scanId: 1 }]);
      expect(await wb.dispatch('scanUsage', { scanId: 2 })).toMatchObject({ ok: true, result: { scanId: 2, windows: 4, incidents: [] } });
    } finally {
      wb.close();
      project = await Project.open(join(dir, 'p.duckdb'));
    }
  });
});
