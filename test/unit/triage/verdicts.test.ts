/**
 * A verdict applied again: the same verdict and reason is no change (no audit entry, the
 * verdict's time and analyst kept), another reason is one (recorded as a reason change), and
 * every path that writes verdicts (one window, a bulk list, the filters, a carry, the
 * contract the UI calls) counts what it changed and what it left as it was.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Project } from '../../../main/core/project.ts';
import { queryObjects } from '../../../main/core/db.ts';
import { carryVerdicts } from '../../../main/core/triage/carry.ts';
import { auditLog, setVerdict, setVerdictMatching, undoVerdict } from '../../../main/core/triage/triage.ts';
import { auditActionLabel, auditChangeText } from '../../../main/core/report/model.ts';
import type { AuditEntry, AuditPage, Verdict } from '../../../preload/contract.ts';
import { auditAction, auditChange } from '../../../renderer/src/lib/audit.ts';
import { tempDir } from '../helpers.ts';
import { HOST_A, THREE_WINDOWS, addFlaggedScan, makeFlaggedScan, scanWindows, workbenchWatching } from '../detector/scan-fixture.ts';

let project: Project;
let cleanup: () => void;
let dir: string;

// scan #1 (unkeyed): #1 DDoS flows 0-1 (host A), #2 DoS flows 3-5 (B), #3 DDoS flow 7 (A)
beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  project = await Project.open(join(dir, 'p.duckdb'));
  await makeFlaggedScan(project, dir, THREE_WINDOWS.srcs, THREE_WINDOWS.preds, THREE_WINDOWS.conf);
  process.env.MINDFLOW_ANALYST = 'ana';
});
afterEach(() => {
  delete process.env.MINDFLOW_ANALYST;
  project.close();
  cleanup();
});

/** The verdicts as stored, to the microsecond: [window, verdict, reason, analyst, ts]. */
const stored = () =>
  project.withConnection((c) =>
    queryObjects<{ window_id: number; verdict: string; reason: string | null; analyst: string; ts: string }>(
      c, `SELECT window_id, verdict, reason, analyst, ts::VARCHAR AS ts FROM verdicts WHERE scan_id = 1 ORDER BY window_id`));
const trail = async () => (await auditLog(project, { limit: 1000 })).entries;
/** An entry as a report carries it (the reports' trail holds verdicts, undos and notes). */
const inReport = (e: AuditEntry) => ({ action: e.action as 'verdict' | 'undo', previous: e.previous as Verdict | null, value: e.value, reason: e.reason });
const as = (who: string) => {
  process.env.MINDFLOW_ANALYST = who;
};

describe('the same verdict again', () => {
  it('writes no audit entry and keeps the verdict\'s time and analyst, whoever applies it', async () => {
    expect(await setVerdict(project, 1, [2], 'tp', 'SYN flood')).toEqual({ updated: 1, reasonChanged: 0, unchanged: 0 });
    const before = await stored();
    const entries = await trail();
    expect(entries).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 5));
    as('ben');
    expect(await setVerdict(project, 1, [2], 'tp', 'SYN flood')).toEqual({ updated: 0, reasonChanged: 0, unchanged: 1 });
    expect(await stored()).toEqual(before);
    expect(before[0]).toMatchObject({ verdict: 'tp', reason: 'SYN flood', analyst: 'ana' });
    expect(await trail()).toEqual(entries);
  });

  it('without a reason, on a window judged without one, is no change either (an empty reason is none)', async () => {
    await setVerdict(project, 1, [1], 'fp');
    const before = await stored();
    expect(await setVerdict(project, 1, [1], 'fp')).toEqual({ updated: 0, reasonChanged: 0, unchanged: 1 });
    expect(await setVerdict(project, 1, [1], 'fp', '')).toEqual({ updated: 0, reasonChanged: 0, unchanged: 1 });
    expect(await stored()).toEqual(before);
    expect(await trail()).toHaveLength(1);
  });

  it('clearing an untriaged window is no change', async () => {
    expect(await setVerdict(project, 1, [3], null)).toEqual({ updated: 0, reasonChanged: 0, unchanged: 1 });
    expect(await trail()).toEqual([]);
  });

  it('leaves nothing to undo: undo takes back the last real change', async () => {
    await setVerdict(project, 1, [1], 'review');
    await setVerdict(project, 1, [2], 'tp');
    await setVerdict(project, 1, [2], 'tp');
    expect(await undoVerdict(project)).toEqual({ undone: 1, scanId: 1 });
    expect((await scanWindows(project, 1)).map((w) => w.verdict)).toEqual(['review', null, null]);
  });
});

describe('another reason with the same verdict', () => {
  it('is a change, recorded as a reason change (not "TP → TP"), by whoever changed it', async () => {
    await setVerdict(project, 1, [2], 'tp', 'SYN flood');
    as('ben');
    expect(await setVerdict(project, 1, [2], 'tp', 'SYN flood from the lab bots')).toEqual({ updated: 1, reasonChanged: 1, unchanged: 0 });
    expect(await stored()).toMatchObject([{ window_id: 2, verdict: 'tp', reason: 'SYN flood from the lab bots', analyst: 'ben' }]);
    const [newest] = await trail();
    expect(newest).toMatchObject({ action: 'verdict', windowId: 2, previous: 'tp', value: 'tp', reason: 'SYN flood from the lab bots', analyst: 'ben' });
    // as the trail, the drill-down and the reports read it
    expect([auditAction(newest!), auditChange(newest!)]).toEqual(['Reason changed', 'TP']);
    expect([auditActionLabel(inReport(newest!)), auditChangeText(inReport(newest!))]).toEqual(['reason changed', 'true positive (kept)']);
    // no reason given: the reason is cleared, and that says so
    expect(await setVerdict(project, 1, [2], 'tp')).toEqual({ updated: 1, reasonChanged: 1, unchanged: 0 });
    const [cleared] = await trail();
    expect([auditAction(cleared!), auditChange(cleared!), auditActionLabel(inReport(cleared!))]).toEqual(['Reason cleared', 'TP', 'reason cleared']);
    // and its undo reads as one, not "TP → TP"
    expect(await undoVerdict(project)).toEqual({ undone: 1, scanId: 1 });
    const [undo] = await trail();
    expect([auditAction(undo!), auditChange(undo!), auditChangeText(inReport(undo!))]).toEqual(['Undo', 'TP, reason change undone', 'true positive (reason change undone)']);
    // a real verdict change still reads as before
    const change = { ...undo!, action: 'verdict', previous: 'tp', value: 'fp' } satisfies AuditEntry;
    expect([auditAction(change), auditChange(change)]).toEqual(['Verdict', 'TP → FP']);
  });
});

describe('undo', () => {
  it('puts back the verdict as it was: its reason, analyst and time, and the undo entry names that reason', async () => {
    await setVerdict(project, 1, [1, 2], 'tp', 'SYN flood');
    const judged = await stored();
    await new Promise((r) => setTimeout(r, 5));
    as('ben');
    // a reason change, then a verdict change of both, each undone in turn
    await setVerdict(project, 1, [2], 'tp', 'lab bots');
    await setVerdict(project, 1, [1, 2], 'fp', 'scheduled test');
    expect(await undoVerdict(project)).toEqual({ undone: 2, scanId: 1 });
    const [undo] = await trail();
    expect(undo).toMatchObject({ action: 'undo', previous: 'fp', value: 'tp', analyst: 'ben' });
    expect(await stored()).toMatchObject([{ window_id: 1, reason: 'SYN flood', analyst: 'ana', ts: judged[0]!.ts }, { window_id: 2, reason: 'lab bots', analyst: 'ben' }]);
    expect(await undoVerdict(project)).toEqual({ undone: 1, scanId: 1 });
    expect(await stored()).toEqual(judged);
    expect((await trail())[0]).toMatchObject({ action: 'undo', previous: 'tp', value: 'tp', reason: 'SYN flood' });
    // and the first verdict undone: untriaged again
    expect(await undoVerdict(project)).toEqual({ undone: 2, scanId: 1 });
    expect(await stored()).toEqual([]);
  });
});

describe('a change of many windows', () => {
  it('audits only the windows it changes, and counts those it left as they were', async () => {
    await setVerdict(project, 1, [1], 'tp', 'botnet');
    await setVerdict(project, 1, [2], 'tp', 'flood');
    const before = await stored();
    const batches = new Set((await trail()).map((e) => e.batch));
    // #1 has it already, #2 gets another reason, #3 a verdict
    expect(await setVerdict(project, 1, [1, 2, 3, 3], 'tp', 'botnet')).toEqual({ updated: 2, reasonChanged: 1, unchanged: 1 });
    const entries = await trail();
    const last = entries.filter((e) => !batches.has(e.batch));
    expect(last.map((e) => [e.windowId, e.previous, e.value, e.reason]).sort()).toEqual([[2, 'tp', 'tp', 'botnet'], [3, null, 'tp', 'botnet']]);
    expect(new Set(last.map((e) => e.batch)).size).toBe(1);
    expect((await stored())[0]).toEqual(before[0]);
    // undo takes back the two it changed and leaves #1 as it was
    expect(await undoVerdict(project)).toEqual({ undone: 2, scanId: 1 });
    expect((await stored()).map((v) => [v.window_id, v.verdict])).toEqual([[1, 'tp'], [2, 'tp']]);
    expect((await stored())[0]).toEqual(before[0]);
  });

  it('through the filters (verdict --all, Ctrl+A): nothing to change says so, and writes nothing', async () => {
    // host A's windows: #1 and #3
    expect(await setVerdictMatching(project, { scanId: 1, host: HOST_A }, 'fp', 'lab')).toEqual({ updated: 2, reasonChanged: 0, unchanged: 0 });
    const entries = await trail();
    const before = await stored();
    as('ben');
    expect(await setVerdictMatching(project, { scanId: 1, host: HOST_A }, 'fp', 'lab')).toEqual({ updated: 0, reasonChanged: 0, unchanged: 2 });
    expect(await trail()).toEqual(entries);
    expect(await stored()).toEqual(before);
    // a status filter counts what it matched before the change
    expect(await setVerdictMatching(project, { scanId: 1, status: 'fp' }, 'fp', 'lab, rechecked')).toEqual({ updated: 2, reasonChanged: 2, unchanged: 0 });
    expect(await setVerdictMatching(project, { scanId: 1, classes: ['DDoS'] }, 'fp', 'lab, rechecked')).toEqual({ updated: 0, reasonChanged: 0, unchanged: 2 });
    // clearing: the untriaged one is left, the judged ones change
    expect(await setVerdictMatching(project, { scanId: 1 }, null)).toEqual({ updated: 2, reasonChanged: 0, unchanged: 1 });
  });

  it('a carry gives verdicts to untriaged windows only, so carrying again changes and audits nothing', async () => {
    const capture = (await project.listCaptures())[0]!;
    await setVerdict(project, 1, [1], 'tp', 'botnet');
    await addFlaggedScan(project, capture, 2, THREE_WINDOWS.preds, THREE_WINDOWS.conf, { threshold: 0.55 });
    expect((await carryVerdicts(project, 1, 2)).carried).toBe(1);
    const entries = await trail();
    expect(await carryVerdicts(project, 1, 2)).toMatchObject({ carried: 0, windowIds: [] });
    expect(await trail()).toEqual(entries);
    // the carried window judged again the same way: no change
    const carried = entries[0]!.windowId;
    const same = (await scanWindows(project, 2)).find((w) => w.id === carried)!;
    expect(await setVerdict(project, 2, [carried], 'tp', same.verdictReason!)).toEqual({ updated: 0, reasonChanged: 0, unchanged: 1 });
    expect(await trail()).toEqual(entries);
  });
});

describe('through the contract (the Detections queue and the drill-down)', () => {
  it('answers the counts, and a repeated verdict adds nothing to the trail', async () => {
    project.close();
    const { wb } = await workbenchWatching(join(dir, 'p.duckdb'), 'verdicts:changed');
    try {
      expect(await wb.dispatch('setVerdict', { scanId: 1, windowIds: [1, 2], verdict: 'review', reason: 'odd' })).toEqual({ ok: true, result: { updated: 2, reasonChanged: 0, unchanged: 0 } });
      expect(await wb.dispatch('setVerdict', { scanId: 1, windowIds: [1, 2], verdict: 'review', reason: 'odd' })).toEqual({ ok: true, result: { updated: 0, reasonChanged: 0, unchanged: 2 } });
      expect(await wb.dispatch('setVerdictMatching', { scanId: 1, status: 'review', verdict: 'review', reason: 'odd' })).toEqual({ ok: true, result: { updated: 0, reasonChanged: 0, unchanged: 2 } });
      const r = await wb.dispatch('auditLog', {});
      expect(r.ok && (r.result as AuditPage).total).toBe(2);
    } finally {
      wb.close();
      project = await Project.open(join(dir, 'p2.duckdb'));
    }
  });
});
