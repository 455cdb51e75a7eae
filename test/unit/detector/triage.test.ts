import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Project } from '../../../main/core/project.ts';
import { addNote, auditLog, listWindows, setVerdict, setVerdictMatching, thresholdCurve, undoVerdict, windowDetail } from '../../../main/core/triage/triage.ts';
import { Workbench } from '../../../main/core/workbench.ts';
import { exportAudit } from '../../../main/core/triage/exportAudit.ts';
import { tempDir } from '../helpers.ts';
import { HOST_A, HOST_B as B, SCAN_CLASSES, THREE_WINDOWS, makeFlaggedScan } from './scan-fixture.ts';

let project: Project;
let cleanup: () => void;
let dir: string;

// windows (unkeyed): #1 DDoS flows 0-1, #2 DoS flows 3-5 (peak .99), #3 DDoS flow 7
const LABELS = ['DDoS', 'DDoS', 'Benign', 'DoS', 'DoS', 'DoS', 'Benign', 'Benign', 'Benign'];

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  project = await Project.open(join(dir, 'p.duckdb'));
  await makeFlaggedScan(project, dir, THREE_WINDOWS.srcs, THREE_WINDOWS.preds, THREE_WINDOWS.conf, LABELS);
});
afterEach(() => {
  project.close();
  cleanup();
});

const page = (q: Partial<Parameters<typeof listWindows>[1]> = {}) => listWindows(project, { scanId: 1, offset: 0, limit: 50, ...q });

describe('the detections queue', () => {
  it('sorts by score by default and by capture order, class or size on request', async () => {
    expect((await page()).windows.map((w) => w.id)).toEqual([2, 1, 3]);
    expect((await page({ sort: { by: 'order', dir: 'asc' } })).windows.map((w) => w.id)).toEqual([1, 2, 3]);
    expect((await page({ sort: { by: 'size', dir: 'desc' } })).windows.map((w) => w.flows)).toEqual([3, 2, 1]);
  });

  it('filters by class, host, status and score range', async () => {
    expect((await page({ classes: ['DoS'] })).windows.map((w) => w.id)).toEqual([2]);
    expect((await page({ host: B })).windows.map((w) => w.id)).toEqual([2]);
    expect((await page({ minScore: 0.85 })).total).toBe(2);
    expect((await page({ maxScore: 0.7 })).windows.map((w) => w.id)).toEqual([3]);
    await setVerdict(project, 1, [3], 'fp');
    expect((await page({ status: 'fp' })).windows.map((w) => w.id)).toEqual([3]);
    expect((await page({ status: 'untriaged' })).total).toBe(2);
  });
});

describe('verdicts', () => {
  it('are stored at once with who and when, counted by status, and audited with the previous value', async () => {
    process.env.MINDFLOW_ANALYST = 'ana';
    await setVerdict(project, 1, [2], 'tp', 'SYN flood');
    await setVerdict(project, 1, [2], 'review');
    const w = (await page()).windows.find((x) => x.id === 2)!;
    expect(w).toMatchObject({ verdict: 'review', verdictBy: 'ana' });
    expect(w.verdictAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await page()).statusCounts).toEqual({ untriaged: 2, tp: 0, fp: 0, review: 1 });
    const log = (await auditLog(project)).entries;
    expect(log.map((e) => [e.action, e.windowId, e.previous, e.value, e.analyst])).toEqual([
      ['verdict', 2, 'tp', 'review', 'ana'],
      ['verdict', 2, null, 'tp', 'ana'],
    ]);
    expect(log[1]!.reason).toBe('SYN flood');
    delete process.env.MINDFLOW_ANALYST;
  });

  it('undo restores the previous verdicts of the last change, bulk included, and is audited', async () => {
    await setVerdict(project, 1, [1], 'tp');
    await setVerdict(project, 1, [1, 2, 3], 'fp');
    expect(await undoVerdict(project)).toEqual({ undone: 3, scanId: 1 });
    const ws = (await page({ sort: { by: 'order', dir: 'asc' } })).windows;
    expect(ws.map((w) => w.verdict)).toEqual(['tp', null, null]);
    expect(await undoVerdict(project)).toEqual({ undone: 1, scanId: 1 });
    expect((await page()).statusCounts.untriaged).toBe(3);
    expect(await undoVerdict(project)).toEqual({ undone: 0, scanId: null });
    const { entries, total } = await auditLog(project);
    expect(total).toBe(8);
    expect(entries.filter((e) => e.action === 'undo')).toHaveLength(4);
    // both changes were undone: their entries say so, and a bulk change's entries share one batch
    expect(entries.filter((e) => e.action === 'verdict').every((e) => e.undone)).toBe(true);
    const bulk = entries.filter((e) => e.action === 'verdict' && e.value === 'fp');
    expect(bulk.map((e) => e.windowId).sort()).toEqual([1, 2, 3]);
    expect(new Set(bulk.map((e) => e.batch)).size).toBe(1);
    // each entry names its window's class and capture
    expect(entries[0]).toMatchObject({ scanId: 1, captureId: 1 });
    expect(entries.every((e) => e.windowClass !== null && e.captureName !== null)).toBe(true);
    // one window's trail, and the newest few of all
    const one = await auditLog(project, { scanId: 1, windowId: 1 });
    expect(one.total).toBe(4);
    expect(one.entries.map((e) => [e.action, e.previous, e.value])).toEqual([
      ['undo', 'tp', null],
      ['undo', 'fp', 'tp'],
      ['verdict', 'tp', 'fp'],
      ['verdict', null, 'tp'],
    ]);
    expect((await auditLog(project, { limit: 2 })).entries).toHaveLength(2);
    expect((await auditLog(project, { scanId: 99 })).total).toBe(0);
  });

  it('the trail exports oldest first, as Parquet with its types, one scan\'s or the project\'s; an unknown scan writes nothing', async () => {
    await setVerdict(project, 1, [1], 'tp', 'flood');
    await addNote(project, 1, 2, 'checked with the switch logs');
    await undoVerdict(project);
    const file = join(dir, 'trail.parquet');
    const ctx = { signal: new AbortController().signal, progress: () => {} };
    const written = await exportAudit(project, { scanId: 1, format: 'parquet', path: file }, ctx);
    expect(written).toMatchObject({ scanId: 1, format: 'parquet', entries: 3, path: file, url: null });
    const rows = await project.withConnection(async (c) => (await c.run(`SELECT action, window_id, previous, value, undone, window_class FROM read_parquet('${file}')`)).getRowObjects());
    expect(rows.map((r) => [r.action, r.window_id, r.previous, r.value, r.undone])).toEqual([
      ['verdict', 1, null, 'tp', true],
      ['note', 2, null, 'checked with the switch logs', false],
      ['undo', 1, 'tp', null, false],
    ]);
    expect(rows[0]!.window_class).toBe('DDoS');
    const missing = join(dir, 'none.csv');
    await expect(exportAudit(project, { scanId: 9, format: 'csv', path: missing }, ctx)).rejects.toThrow(/scan #9/);
    expect(existsSync(missing)).toBe(false);
  });

  it('an unknown window is refused and nothing changes', async () => {
    await expect(setVerdict(project, 1, [1, 99], 'tp')).rejects.toThrow(/no flagged window 99 in scan #1/);
    expect((await page()).statusCounts.untriaged).toBe(3);
    expect(await auditLog(project)).toEqual({ entries: [], total: 0 });
  });

  it('survive a crash: a process killed right after committing loses nothing, and the project opens', async () => {
    project.close();
    const script = `
      import { Project } from ${JSON.stringify(join(process.cwd(), 'main/core/project.ts'))};
      import { setVerdict, addNote } from ${JSON.stringify(join(process.cwd(), 'main/core/triage/triage.ts'))};
      const p = await Project.open(${JSON.stringify(join(dir, 'p.duckdb'))});
      await setVerdict(p, 1, [1], 'tp', 'committed before the crash');
      await addNote(p, 1, 2, 'note before the crash');
      await setVerdict(p, 1, [3], 'fp');
      process.stdout.write('committed\\n');
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('committed')) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', (code) => (code !== null && code !== 0 ? reject(new Error(`child exited ${code}`)) : undefined));
    });
    await new Promise((r) => child.on('close', r));
    project = await Project.open(join(dir, 'p.duckdb'));
    const ws = (await page({ sort: { by: 'order', dir: 'asc' } })).windows;
    expect(ws.map((w) => w.verdict)).toEqual(['tp', null, 'fp']);
    expect(ws[0]!.verdictReason).toBe('committed before the crash');
    expect((await auditLog(project)).entries.filter((e) => e.action === 'note').map((e) => e.value)).toEqual(['note before the crash']);
  }, 60_000);
});

describe('the window drill-down', () => {
  it('gives the window flows with context, probabilities, labels, window probabilities, neighbours and notes', async () => {
    await addNote(project, 1, 2, 'looks like a SYN flood');
    const d = await windowDetail(project, (id) => project.capture(id), 1, 2, 1);
    expect(d.rows.map((r) => r[0])).toEqual([2, 3, 4, 5, 6]);
    expect(d.inWindow).toEqual([false, true, true, true, false]);
    expect(d.labels).toEqual(['Benign', 'DoS', 'DoS', 'DoS', 'Benign']);
    expect(d.classes).toEqual(SCAN_CLASSES);
    expect(d.probs[2]![2]).toBeCloseTo(0.99);
    expect(d.windowProbs[2]).toBeCloseTo((0.7 + 0.99 + 0.8) / 3);
    expect([d.previousId, d.nextId]).toEqual([1, 3]);
    expect(d.notes.map((n) => n.text)).toEqual(['looks like a SYN flood']);
    expect(d.columns[0]!.name).toBe('flow_id');
  });
});

describe('the threshold curve', () => {
  it('counts flagged flows, windows, recall and false positives per threshold', async () => {
    const curve = await thresholdCurve(project, (id) => project.capture(id), 1);
    const at = (t: number) => curve.find((p) => p.threshold === t)!;
    // attack predictions: 0.9 0.8 | 0.7 0.99 0.8 | 0.6 (flow 7, labelled Benign)
    expect(at(0.5)).toMatchObject({ flaggedFlows: 6, windows: 3, falsePositives: 1 });
    expect(at(0.5).recall).toBeCloseTo(5 / 5);
    expect(at(0.5).falsePositiveRate).toBeCloseTo(1 / 4);
    expect(at(0.75)).toMatchObject({ flaggedFlows: 4, windows: 2, falsePositives: 0 });
    expect(at(0.95)).toMatchObject({ flaggedFlows: 1, windows: 1 });
  });
});

describe('bulk verdicts', () => {
  it('a change of thousands of windows with mixed previous verdicts is audited window by window and undone exactly', async () => {
    // 3,000 more windows in scan #1 (ids 4-3003), beside the three of the fixture
    await project.withConnection((c) => c.run(
      `INSERT INTO flagged_windows (scan_id, id, class, first_flow, last_flow, flows, peak, mean, src_hosts, dst_hosts, dst_ports, key)
       SELECT 1, i, 'DoS', 8, 8, 1, 0.9, 0.9, ['a'], ['b'], [80], NULL FROM range(4, 3004) t(i)`));
    const ids = Array.from({ length: 3003 }, (_, i) => i + 1);
    await setVerdict(project, 1, ids.filter((i) => i % 3 === 0), 'tp', 'first pass');
    await setVerdict(project, 1, ids.filter((i) => i % 5 === 0), 'review');
    const before = new Map((await page({ limit: 5000 })).windows.map((w) => [w.id, [w.verdict, w.verdictReason]]));
    expect(await setVerdict(project, 1, ids, 'fp', 'benign scanner')).toEqual({ updated: 3003, reasonChanged: 0, unchanged: 0 });
    const { entries, total } = await auditLog(project, { limit: 10_000 });
    const last = entries.filter((e) => e.batch === entries[0]!.batch);
    expect(last).toHaveLength(3003);
    expect(total).toBe(1001 + 600 + 3003);
    for (const e of last) expect([e.previous, e.value, e.reason]).toEqual([before.get(e.windowId)![0], 'fp', 'benign scanner']);
    expect((await page()).statusCounts).toEqual({ untriaged: 0, tp: 0, fp: 3003, review: 0 });
    expect(await undoVerdict(project)).toEqual({ undone: 3003, scanId: 1 });
    const after = (await page({ limit: 5000 })).windows;
    for (const w of after) expect(w.verdict).toBe(before.get(w.id)![0]);
    expect((await page()).statusCounts).toEqual({ untriaged: 3003 - 1001 - 600 + 200, tp: 1001 - 200, fp: 0, review: 600 });
  });
});

describe('a verdict for every window the filters match', () => {
  it('changes just the windows the queue shows, in one undoable, audited change', async () => {
    await setVerdict(project, 1, [3], 'tp', 'kept');
    // windows of host A (#1, #3) that are untriaged: #1 only
    expect(await setVerdictMatching(project, { scanId: 1, host: HOST_A, status: 'untriaged' }, 'fp', 'lab scanner')).toEqual({ updated: 1, reasonChanged: 0, unchanged: 0 });
    expect((await page({ sort: { by: 'order', dir: 'asc' } })).windows.map((w) => [w.id, w.verdict, w.verdictReason])).toEqual([
      [1, 'fp', 'lab scanner'], [2, null, null], [3, 'tp', 'kept'],
    ]);
    expect(await setVerdictMatching(project, { scanId: 1, classes: ['DDoS'] }, 'review')).toEqual({ updated: 2, reasonChanged: 0, unchanged: 0 });
    const newest = (await auditLog(project)).entries.slice(0, 2);
    expect(newest.map((e) => [e.windowId, e.previous, e.value])).toEqual([[3, 'tp', 'review'], [1, 'fp', 'review']]);
    expect(newest[0]!.batch).toBe(newest[1]!.batch);
    expect(await undoVerdict(project)).toEqual({ undone: 2, scanId: 1 });
    expect((await page({ sort: { by: 'order', dir: 'asc' } })).windows.map((w) => w.verdict)).toEqual(['fp', null, 'tp']);
    // nothing matches: nothing changes
    expect(await setVerdictMatching(project, { scanId: 1, minScore: 0.999 }, 'tp')).toEqual({ updated: 0, reasonChanged: 0, unchanged: 0 });
    await expect(setVerdictMatching(project, { scanId: 9 }, 'tp')).rejects.toThrow(/no scan #9/);
  });
});

describe('through the contract', () => {
  it('a malformed call gets an error, never a crash', async () => {
    project.close();
    const wb = await Workbench.open(join(dir, 'p.duckdb'), { host: 'web' });
    try {
      for (const [name, args] of [
        ['setVerdict', { scanId: 1, windowIds: [1], verdict: 'maybe' }],
        ['setVerdict', { scanId: 1, windowIds: [] , verdict: 'tp' }],
        ['flaggedWindows', { scanId: -1, offset: 0, limit: 10 }],
        ['windowDetail', { scanId: 1 }],
        ['addNote', { scanId: 1, windowId: 1, text: '' }],
      ] as const) {
        const r = await wb.dispatch(name, args);
        expect(r.ok, name).toBe(false);
      }
      expect((await wb.dispatch('setVerdict', { scanId: 1, windowIds: [1], verdict: 'tp' })).ok).toBe(true);
    } finally {
      wb.close();
      project = await Project.open(join(dir, 'p2.duckdb'));
    }
  });
});

describe('explanations occlude whole columns', () => {
  it("maps each feature column to all its channels: numeric features and its value code", async () => {
    const { columnChannels } = await import('../../../main/core/triage/explain.ts');
    const { featureNames } = await import('../../../main/core/model/features.ts');
    const featureSet = { name: 'v1' as const, columns: ['PROTOCOL', 'IN_BYTES', 'TCP_FLAGS', 'FLOW_DURATION_MILLISECONDS'], identifiers: false, codes: true };
    const features = featureNames(featureSet);
    const channels = columnChannels({ featureSet, features });
    expect(channels.map((c) => c.map((i) => features[i]))).toEqual([
      ['PROTOCOL=1', 'PROTOCOL=6', 'PROTOCOL=17', 'PROTOCOL=other', 'code(PROTOCOL)'],
      ['log1p(IN_BYTES)', 'code(IN_BYTES)'],
      ['TCP_FLAGS.FIN', 'TCP_FLAGS.SYN', 'TCP_FLAGS.RST', 'TCP_FLAGS.PSH', 'TCP_FLAGS.ACK', 'TCP_FLAGS.URG', 'TCP_FLAGS.ECE', 'TCP_FLAGS.CWR', 'code(TCP_FLAGS)'],
      ['FLOW_DURATION_MILLISECONDS.wrapped', 'log1p(|FLOW_DURATION_MILLISECONDS|)', 'code(FLOW_DURATION_MILLISECONDS)'],
    ]);
    // a package without codes: the numeric channels only
    const plain = { ...featureSet, codes: false };
    expect(columnChannels({ featureSet: plain, features: featureNames(plain) })[1]).toEqual([4]);
  });
});

describe('logOdds', () => {
  it('is log(p / (1 - p)) of the softmax, and keeps going where the probability reads 1', async () => {
    const { logOdds } = await import('../../../main/core/triage/explain.ts');
    const z = [1, 2, 0.5];
    const e = z.map(Math.exp);
    const p = e[1]! / (e[0]! + e[1]! + e[2]!);
    expect(logOdds(z, 0, 3, 1)).toBeCloseTo(Math.log(p / (1 - p)), 10);
    // shift invariant: log-probabilities give the same
    expect(logOdds(z.map((v) => v - 7), 0, 3, 1)).toBeCloseTo(logOdds(z, 0, 3, 1), 10);
    expect(logOdds([0, 40, 0, 0, 45, 0], 1, 3, 1) - logOdds([0, 40, 0, 0, 45, 0], 0, 3, 1)).toBeCloseTo(5, 6);
  });
});
