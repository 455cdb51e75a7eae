import { describe, expect, it } from 'vitest';
import type { Api, CaptureInfo, FlowExport, JobFinished } from '../../../preload/contract';
import { ExploreTab } from '../../../renderer/src/state/explore.svelte.ts';
import { FlowExportState } from '../../../renderer/src/state/flowExport.svelte.ts';
import { JobsState } from '../../../renderer/src/state/jobs.svelte.ts';
import { ReportExportState } from '../../../renderer/src/state/reportExport.svelte.ts';
import { DetectionsState } from '../../../renderer/src/state/detections.svelte.ts';
import { WindowExportState } from '../../../renderer/src/state/windowExport.svelte.ts';

const capture: CaptureInfo = {
  id: 4,
  fileName: 'case.csv',
  filePath: '/tmp/case.csv',
  sizeBytes: 1,
  sha256: 'x',
  schemaVersion: 'v1',
  labelled: true,
  rows: 1000,
  classCounts: {},
  columns: ['IPV4_SRC_ADDR', 'IN_BYTES', 'Attack'],
  ignoredColumns: [],
  order: 'file order',
  importedAt: '2026-12-07T00:00:00Z',
  importSeconds: 0.1,
};

/** An API whose export calls are recorded; `finishFirst` delivers the job's end before the call answers. */
function fakeApi(calls: { name: string; args: unknown }[], onStart?: (jobId: string) => void): Api {
  let n = 0;
  const start = (name: string) => async (args: unknown) => {
    calls.push({ name, args });
    const jobId = `job-${++n}`;
    onStart?.(jobId);
    return { jobId };
  };
  const api = {
    exportFlows: start('exportFlows'),
    exportReport: start('exportReport'),
    exportWindows: start('exportWindows'),
    cancelJob: async (args: unknown) => {
      calls.push({ name: 'cancelJob', args });
      return true;
    },
    revealReport: async () => false,
    queryFlows: async () => ({ columns: [], rows: [], total: 0, ms: 0 }),
    histogram: async () => ({ bins: [], binWidth: 1, classes: [], ms: 0, colourBy: 'label' }),
    aggregates: async () => ({ total: 0, classCounts: [], topSources: [], topDestinations: [], topPorts: [], protocols: [], topPairs: [], ms: 0 }),
  };
  return api as unknown as Api;
}

const written = (jobId: string, rows = 42): JobFinished => {
  const result: FlowExport = { captureId: 4, format: 'parquet', scanId: null, rows, columns: 3, path: '/p.reports/x.parquet', bytes: 1234, url: '/api/report/x.parquet' };
  return { jobId, kind: 'export', label: 'export', ok: true, cancelled: false, result };
};

describe('the flow export dialog', () => {
  it('exports what the tab showed when it opened: filter, brush, sort, format and path', async () => {
    const calls: { name: string; args: unknown }[] = [];
    const api = fakeApi(calls);
    const tab = new ExploreTab(api, capture);
    tab.addClause({ field: 'Attack', op: '=', value: 'DoS' });
    tab.setFlowRange({ from: 10, to: 500 });
    tab.toggleSort('IN_BYTES');
    tab.toggleSort('IN_BYTES');
    const ex = new FlowExportState(api, new JobsState(api));
    ex.show(tab);
    expect(ex.open).toBe(true);
    expect(ex.target?.clauses).toEqual(['Attack = DoS', 'flow # 10 – 500 (brush)']);
    expect(ex.defaultPath).toBe('<project>.reports/capture-4-flows-<time>.csv');
    // the tab moves on; the dialog keeps what it was opened for
    tab.clearFilter();
    ex.format = 'parquet';
    ex.path = '  /cases/dos.parquet ';
    await ex.start();
    expect(calls).toEqual([
      {
        name: 'exportFlows',
        args: { captureId: 4, filter: { clauses: [{ field: 'Attack', op: '=', value: 'DoS' }], flowRange: { from: 10, to: 500 } }, sort: { column: 'IN_BYTES', dir: 'desc' }, format: 'parquet', path: '/cases/dos.parquet' },
      },
    ]);
    expect(ex.running).toBe(true);
    ex.onFinished(written('job-1'));
    expect(ex.running).toBe(false);
    expect(ex.result?.rows).toBe(42);
  });

  it('takes a job end that arrives before the call answers, ignores other exports, and says why one failed', async () => {
    const calls: { name: string; args: unknown }[] = [];
    let ex: FlowExportState | undefined;
    // the web host's event stream can deliver job:finished before the call's answer
    const api = fakeApi(calls, (jobId) => ex!.onFinished(written(jobId, 7)));
    ex = new FlowExportState(api, new JobsState(api));
    ex.show(new ExploreTab(api, capture));
    await ex.start();
    expect(ex.running).toBe(false);
    expect(ex.result?.rows).toBe(7);

    const quiet = fakeApi(calls);
    const other = new FlowExportState(quiet, new JobsState(quiet));
    other.show(new ExploreTab(quiet, capture));
    await other.start();
    other.onFinished({ jobId: 'someone-else', kind: 'export', label: 'export', ok: true, cancelled: false });
    expect(other.running).toBe(true);
    await other.cancel();
    expect(calls.at(-1)).toEqual({ name: 'cancelJob', args: { jobId: 'job-1' } });
    other.onFinished({ jobId: 'job-1', kind: 'export', label: 'export', ok: false, cancelled: true });
    expect(other.error).toBe('Export cancelled');
    await other.start();
    other.onFinished({ jobId: 'job-2', kind: 'export', label: 'export', ok: false, cancelled: false, error: 'disk full' });
    expect(other.error).toBe('Export failed: disk full');
  });

  it('a report’s export is not taken for a flow export, nor the other way round', async () => {
    const calls: { name: string; args: unknown }[] = [];
    const api = fakeApi(calls);
    const report = new ReportExportState(api, new JobsState(api));
    report.show(3);
    await report.start();
    expect(calls[0]).toEqual({ name: 'exportReport', args: { id: 3, format: 'html' } });
    report.onFinished(written('job-1'));
    expect(report.result).toBeNull();
    expect(report.error).toBe('Export failed: unknown error');
  });

  it('closing during an export and opening again shows that export, not a new one', async () => {
    const calls: { name: string; args: unknown }[] = [];
    const api = fakeApi(calls);
    const ex = new FlowExportState(api, new JobsState(api));
    const first = new ExploreTab(api, capture);
    first.addClause({ field: 'Attack', op: '=', value: 'Theft' });
    ex.show(first);
    await ex.start();
    ex.close();
    expect(ex.open).toBe(false);
    ex.show(new ExploreTab(api, capture));
    expect(ex.target?.clauses).toEqual(['Attack = Theft']);
    ex.onFinished(written('job-1'));
    ex.show(new ExploreTab(api, capture));
    expect(ex.target?.clauses).toEqual([]);
    expect(ex.result).toBeNull();
  });
});

describe('the queue export dialog', () => {
  it('says the queue’s filters and order in words and exports exactly that query', async () => {
    const calls: { name: string; args: unknown }[] = [];
    const api = fakeApi(calls);
    const det = new DetectionsState(api);
    const ex = new WindowExportState(api, new JobsState(api));
    ex.show(det);
    expect(ex.open).toBe(false); // no scan yet: nothing to export
    det.scanId = 2;
    det.status = 'tp';
    det.host = ' 192.168.100.3 ';
    det.classes = ['DoS', 'DDoS'];
    det.minScore = 0.8;
    det.sort = { by: 'order', dir: 'asc' };
    ex.show(det);
    expect(ex.target).toMatchObject({ filters: ['status: TP', 'class: DoS, DDoS', 'host: 192.168.100.3', 'score: 0.8 to 1'], order: 'capture order, ascending' });
    expect(ex.defaultPath).toBe('<project>.reports/scan-2-windows-<time>.csv');
    await ex.start();
    expect(calls.at(-1)).toEqual({
      name: 'exportWindows',
      args: { scanId: 2, sort: { by: 'order', dir: 'asc' }, classes: ['DoS', 'DDoS'], host: '192.168.100.3', status: 'tp', minScore: 0.8, format: 'csv' },
    });
    // another export's end is not this dialog's
    ex.onFinished(written('job-9'));
    expect(ex.running).toBe(true);
    ex.onFinished({ jobId: 'job-1', kind: 'export', label: 'export', ok: true, cancelled: false, result: { scanId: 2, format: 'csv', rows: 5, path: '/p.reports/w.csv', bytes: 10, url: null } });
    expect(ex.result?.rows).toBe(5);
  });
});

describe('a window’s flows as evidence', () => {
  it('exports the window’s flow range, its key for a keyed window, with the scan’s columns', async () => {
    const calls: { name: string; args: unknown }[] = [];
    const api = fakeApi(calls);
    const ex = new FlowExportState(api, new JobsState(api));
    const w = { id: 12, scanId: 3, class: 'DoS', verdict: null, verdictReason: null, verdictBy: null, verdictAt: null, firstFlow: 1200, lastFlow: 1290, flows: 7, peak: 0.9, mean: 0.8, srcHosts: ['192.168.100.147'], dstHosts: ['192.168.100.3'], dstPorts: [80], key: '192.168.100.147', startMs: null, endMs: null };
    ex.showWindow(capture, 3, w);
    expect(ex.target).toMatchObject({ matching: 7, clauses: ['window #12 of scan #3: flows 1,200–1,290 from 192.168.100.147'], shownColumns: null });
    await ex.start();
    expect(calls.at(-1)).toEqual({
      name: 'exportFlows',
      args: { captureId: 4, filter: { clauses: [{ field: 'IPV4_SRC_ADDR', op: '=', value: '192.168.100.147' }], flowRange: { from: 1200, to: 1291 }, scanId: 3 }, format: 'csv' },
    });
  });
});
