import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Project } from '../../../main/core/project.ts';
import { carrySources, carryVerdicts } from '../../../main/core/triage/carry.ts';
import { addNote, auditLog, listWindows, setVerdict, setVerdictMatching, undoVerdict, windowDetail } from '../../../main/core/triage/triage.ts';
import { exportWindows } from '../../../main/core/triage/exportWindows.ts';
import { noJobContext } from '../../../main/core/capture/import.ts';
import { carriedReason, type CaptureInfo, type FlaggedWindow } from '../../../preload/contract.ts';
import { tempDir } from '../helpers.ts';
import { HOST_A, HOST_B, THREE_WINDOWS, addFlaggedScan, makeCapture, makeFlaggedScan, scanWindows, workbenchWatching } from './scan-fixture.ts';

let project: Project;
let cleanup: () => void;
let dir: string;
let capture: CaptureInfo;

// scan #1 (unkeyed): #1 DDoS flows 0-1 (A), #2 DoS flows 3-5 (B), #3 DDoS flow 7 (A)
const { srcs, preds, conf } = THREE_WINDOWS;

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  project = await Project.open(join(dir, 'p.duckdb'));
  capture = await makeFlaggedScan(project, dir, srcs, preds, conf);
  process.env.MINDFLOW_ANALYST = 'ana';
  await setVerdict(project, 1, [1], 'tp', 'botnet C2');
  await setVerdict(project, 1, [2], 'fp');
  await setVerdict(project, 1, [3], 'review');
});
afterEach(() => {
  delete process.env.MINDFLOW_ANALYST;
  project.close();
  cleanup();
});

const windowsOf = (scanId: number) => scanWindows(project, scanId);
const summary = (ws: FlaggedWindow[]) => ws.map((w) => `${w.class} ${w.firstFlow}-${w.lastFlow} ${w.verdict ?? 'untriaged'}`);

describe('carrying verdicts to a rescan of the same capture', () => {
  it('gives each untriaged window the verdict of the judged window with the same flows and class, as one undoable change', async () => {
    // the rescan reads flow 6 (A) as DoS too: DoS 3-6 is no longer the judged DoS 3-5
    await addFlaggedScan(project, capture, 2, [1, 1, 0, 2, 2, 2, 2, 1, 0], [0.9, 0.8, 0.9, 0.7, 0.99, 0.8, 0.9, 0.6, 0.9]);
    expect(summary(await windowsOf(2))).toEqual(['DDoS 0-1 untriaged', 'DoS 3-6 untriaged', 'DDoS 7-7 untriaged']);
    expect(await carrySources(project, 2)).toEqual([
      expect.objectContaining({ scanId: 1, judged: 3, matches: 2, byVerdict: { tp: 1, fp: 0, review: 1 }, modelName: 'test model', threshold: 0.5 }),
    ]);
    // a window judged in the rescan already keeps its own verdict
    process.env.MINDFLOW_ANALYST = 'bo';
    await setVerdict(project, 2, [3], 'fp', 'scanner we run');
    expect((await carrySources(project, 2))[0]).toMatchObject({ matches: 1, byVerdict: { tp: 1, fp: 0, review: 0 } });

    expect(await carryVerdicts(project, 1, 2)).toEqual({ fromScanId: 1, toScanId: 2, carried: 1, windowIds: [1] });
    const after = await windowsOf(2);
    expect(summary(after)).toEqual(['DDoS 0-1 tp', 'DoS 3-6 untriaged', 'DDoS 7-7 fp']);
    expect(after[0]).toMatchObject({ verdictBy: 'bo', verdictReason: 'carried from scan #1, window #1 (ana): botnet C2' });
    // the drill-down's "Use this verdict" writes the same reason
    expect(carriedReason(1, 1, 'ana', 'botnet C2')).toBe(after[0]!.verdictReason);
    expect(carriedReason(1, 2, 'ana', null)).toBe('carried from scan #1, window #2 (ana)');
    expect(after[2]!.verdictReason).toBe('scanner we run');
    const newest = (await auditLog(project, { scanId: 2 })).entries[0]!;
    expect(newest).toMatchObject({ action: 'verdict', windowId: 1, previous: null, value: 'tp', analyst: 'bo', reason: 'carried from scan #1, window #1 (ana): botnet C2' });
    // nothing left to carry; carrying again changes nothing
    expect((await carrySources(project, 2))[0]!.matches).toBe(0);
    expect((await carryVerdicts(project, 1, 2)).carried).toBe(0);
    // one undo takes the carry back and leaves the rescan's own verdict
    expect(await undoVerdict(project)).toEqual({ undone: 1, scanId: 2 });
    expect(summary(await windowsOf(2))).toEqual(['DDoS 0-1 untriaged', 'DoS 3-6 untriaged', 'DDoS 7-7 fp']);
    // scan #1 is untouched throughout
    expect(summary(await windowsOf(1))).toEqual(['DDoS 0-1 tp', 'DoS 3-5 fp', 'DDoS 7-7 review']);
  });

  it('carries a whole scan in one batch, each window with its own source and reason', async () => {
    await addFlaggedScan(project, capture, 2, preds, conf, { threshold: 0.55 });
    const r = await carryVerdicts(project, 1, 2);
    expect(r.carried).toBe(3);
    expect(summary(await windowsOf(2))).toEqual(['DDoS 0-1 tp', 'DoS 3-5 fp', 'DDoS 7-7 review']);
    const entries = (await auditLog(project, { scanId: 2 })).entries;
    expect(new Set(entries.map((e) => e.batch)).size).toBe(1);
    expect(entries.map((e) => e.reason).sort()).toEqual([
      'carried from scan #1, window #1 (ana): botnet C2',
      'carried from scan #1, window #2 (ana)',
      'carried from scan #1, window #3 (ana)',
    ]);
    expect(await undoVerdict(project)).toEqual({ undone: 3, scanId: 2 });
  });

  it('needs the same class: the same flows read as another class are judged afresh', async () => {
    // flow 7 read as DoS instead of DDoS
    await addFlaggedScan(project, capture, 2, [1, 1, 0, 2, 2, 2, 0, 2, 0], conf);
    expect(summary(await windowsOf(2))).toEqual(['DDoS 0-1 untriaged', 'DoS 3-5 untriaged', 'DoS 7-7 untriaged']);
    expect((await carryVerdicts(project, 1, 2)).carried).toBe(2);
    expect(summary(await windowsOf(2))).toEqual(['DDoS 0-1 tp', 'DoS 3-5 fp', 'DoS 7-7 untriaged']);
    // the drill-down still shows the other verdict on its flow, marked as the same flows
    const detail = await windowDetail(project, (id) => project.capture(id), 2, 3);
    expect(detail.otherVerdicts).toEqual([
      expect.objectContaining({ scanId: 1, windowId: 3, class: 'DDoS', verdict: 'review', sharedFlows: 1, sameFlows: true }),
    ]);
  });

  it('matches windows keyed per source host by their flows: a keyed window holding its whole range is the unkeyed one', async () => {
    // keyed per host, the same predictions give the same three runs: A 0-1, B 3-5, A 7
    await addFlaggedScan(project, capture, 2, preds, conf, { keyed: true });
    expect((await windowsOf(2)).map((w) => w.key)).toEqual([HOST_A, HOST_B, HOST_A]);
    expect((await carryVerdicts(project, 1, 2)).carried).toBe(3);
    // host A's run 0-7 holds flows 0, 1, 6 and 7 (B's 2-5 sit between): not the judged 0-1
    await addFlaggedScan(project, capture, 3, [1, 1, 0, 2, 2, 2, 1, 1, 0], conf, { keyed: true });
    const ws = await windowsOf(3);
    expect(ws.map((w) => `${w.class} ${w.firstFlow}-${w.lastFlow} (${w.flows}) ${w.key}`)).toEqual([`DDoS 0-7 (4) ${HOST_A}`, `DoS 3-5 (3) ${HOST_B}`]);
    const sources = await carrySources(project, 3);
    expect(sources.map((s) => [s.scanId, s.matches])).toEqual([[2, 1], [1, 1]]);
    // its other verdicts: the flows it shares (A's), never B's DoS run inside its range
    const detail = await windowDetail(project, (id) => project.capture(id), 3, ws[0]!.id);
    expect(detail.otherVerdicts.map((o) => [o.scanId, o.windowId, o.sharedFlows, o.sameFlows])).toEqual([
      [2, 1, 2, false],
      [2, 3, 1, false],
      [1, 1, 2, false],
      [1, 3, 1, false],
    ]);
  });

  it('lists verdicts of overlapping windows with their scan, model, analyst and reason', async () => {
    await addFlaggedScan(project, capture, 2, [1, 1, 0, 2, 2, 2, 2, 1, 0], [0.9, 0.8, 0.9, 0.7, 0.99, 0.8, 0.9, 0.6, 0.9]);
    const dos = (await windowsOf(2))[1]!;
    const detail = await windowDetail(project, (id) => project.capture(id), 2, dos.id);
    expect(detail.otherVerdicts).toEqual([
      {
        scanId: 1, windowId: 2, modelName: 'test model', class: 'DoS', firstFlow: 3, lastFlow: 5, flows: 3,
        sharedFlows: 3, sameFlows: false, verdict: 'fp', reason: null, analyst: 'ana', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), notes: [],
      },
    ]);
    // a window of the first scan sees the rescan's verdicts too
    await setVerdict(project, 2, [dos.id], 'tp', 'flow 6 is the same flood');
    const back = await windowDetail(project, (id) => project.capture(id), 1, 2);
    expect(back.otherVerdicts.map((o) => [o.scanId, o.windowId, o.verdict, o.reason])).toEqual([[2, dos.id, 'tp', 'flow 6 is the same flood']]);
    // a window with notes and no verdict is listed too, with its notes
    await undoVerdict(project);
    await addNote(project, 2, dos.id, 'backup server 192.168.100.148');
    const noted = (await windowDetail(project, (id) => project.capture(id), 1, 2)).otherVerdicts;
    expect(noted).toEqual([expect.objectContaining({ scanId: 2, windowId: dos.id, verdict: null, reason: null, analyst: null, at: null })]);
    expect(noted[0]!.notes.map((n) => [n.analyst, n.text])).toEqual([['ana', 'backup server 192.168.100.148']]);
  });

  it('refuses a scan of another capture, the scan itself and a scan that does not exist, changing nothing', async () => {
    const other = await makeCapture(project, dir, srcs.slice(0, 8));
    await addFlaggedScan(project, other, 7, preds.slice(0, 8), conf.slice(0, 8));
    await expect(carryVerdicts(project, 1, 7)).rejects.toThrow(/scan #1 is of capture #1 and scan #7 of capture #2: verdicts carry only between scans of one capture/);
    await expect(carryVerdicts(project, 1, 1)).rejects.toThrow(/cannot carry verdicts from itself/);
    await expect(carryVerdicts(project, 99, 1)).rejects.toThrow(/no scan #99/);
    expect(await carrySources(project, 7)).toEqual([]);
    expect(summary(await windowsOf(7)).every((s) => s.endsWith('untriaged'))).toBe(true);
  });
});

describe('windows another scan of the capture lacks', () => {
  it('are what one scan flagged and the other did not, either way round, keyed or not', async () => {
    await addFlaggedScan(project, capture, 2, [1, 1, 0, 2, 2, 2, 2, 1, 0], [0.9, 0.8, 0.9, 0.7, 0.99, 0.8, 0.9, 0.6, 0.9]);
    const notIn = async (scanId: number, other: number) =>
      summary((await listWindows(project, { scanId, offset: 0, limit: 50, notIn: other, sort: { by: 'order', dir: 'asc' } })).windows);
    expect(await notIn(2, 1)).toEqual(['DoS 3-6 untriaged']);
    expect(await notIn(1, 2)).toEqual(['DoS 3-5 fp']);
    // keyed per host, the same three runs are the same flows
    await addFlaggedScan(project, capture, 3, preds, conf, { keyed: true });
    expect(await notIn(3, 1)).toEqual([]);
    // a verdict for all of them, and the export, take the comparison too
    expect(await setVerdictMatching(project, { scanId: 2, notIn: 1 }, 'review', 'new with the retrained model')).toEqual({ updated: 1, reasonChanged: 0, unchanged: 0 });
    expect(await notIn(2, 1)).toEqual(['DoS 3-6 review']);
    const out = join(dir, 'new.csv');
    await exportWindows(project, { scanId: 2, notIn: 1, format: 'csv', path: out }, noJobContext);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('are compared only within one capture, never with the scan itself', async () => {
    const other = await makeCapture(project, dir, srcs.slice(0, 8));
    await addFlaggedScan(project, other, 7, preds.slice(0, 8), conf.slice(0, 8));
    await expect(listWindows(project, { scanId: 1, offset: 0, limit: 5, notIn: 7 })).rejects.toThrow(/scan #7 is of capture #2, not of scan #1's capture #1: windows compare only between scans of one capture/);
    await expect(listWindows(project, { scanId: 1, offset: 0, limit: 5, notIn: 1 })).rejects.toThrow(/scan #1 cannot be compared with itself/);
    await expect(setVerdictMatching(project, { scanId: 1, notIn: 7 }, 'tp')).rejects.toThrow(/compare only between scans of one capture/);
    expect(summary(await windowsOf(1))).toEqual(['DDoS 0-1 tp', 'DoS 3-5 fp', 'DDoS 7-7 review']);
  });
});

describe('through the contract', () => {
  it('carryVerdicts tells the windows that a verdict changed', async () => {
    await addFlaggedScan(project, capture, 2, preds, conf);
    project.close();
    const { wb, events } = await workbenchWatching(join(dir, 'p.duckdb'), 'verdicts:changed');
    try {
      const sources = await wb.dispatch('carrySources', { scanId: 2 });
      expect(sources).toMatchObject({ ok: true, result: [{ scanId: 1, matches: 3 }] });
      expect(await wb.dispatch('carryVerdicts', { fromScanId: 1, toScanId: 2 })).toMatchObject({ ok: true, result: { carried: 3, windowIds: [1, 2, 3] } });
      expect(events).toEqual([{ scanId: 2, windowIds: [1, 2, 3] }]);
      expect((await wb.dispatch('carryVerdicts', { fromScanId: 0, toScanId: 2 })).ok).toBe(false);
    } finally {
      wb.close();
      project = await Project.open(join(dir, 'p2.duckdb'));
    }
  });
});
