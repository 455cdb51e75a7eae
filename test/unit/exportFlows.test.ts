import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCapture, noJobContext } from '../../main/core/capture/import.ts';
import { reportsDir } from '../../main/core/incidents/export.ts';
import { exportFlows, flowExportName } from '../../main/core/query/exportFlows.ts';
import { exportTarget, Workbench } from '../../main/core/workbench.ts';
import { homedir } from 'node:os';
import type { CaptureInfo } from '../../preload/contract.ts';
import { cycleWorkbench } from './helpers.ts';

const N = 3000;
let wb: Workbench;
let capture: CaptureInfo;
let dir: string;
let cleanup: () => void;

// flow i has class CYCLE_CLASSES[i % 5] and IN_BYTES = i
beforeAll(async () => {
  ({ wb, capture, dir, cleanup } = await cycleWorkbench(N));
});
afterAll(() => cleanup());

const csvRows = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => l.split(','));

describe('exporting the flows an Explore tab shows', () => {
  it('writes the matching flows as CSV in the chosen order, the flow id first, and the file imports again', async () => {
    const out = join(dir, 'out', 'dos.csv');
    const result = await exportFlows(
      wb.project,
      { captureId: capture.id, filter: { clauses: [{ field: 'Attack', op: '=', value: 'DoS' }] }, sort: { column: 'IN_BYTES', dir: 'desc' }, format: 'csv', path: out },
      noJobContext,
    );
    expect(result).toMatchObject({ captureId: capture.id, format: 'csv', scanId: null, rows: N / 5, path: out, url: null });
    expect(result.bytes).toBeGreaterThan(0);
    const [header, ...rows] = csvRows(out);
    expect(header).toEqual(['flow_id', ...capture.columns]);
    expect(rows).toHaveLength(N / 5);
    const bytes = header!.indexOf('IN_BYTES');
    expect(rows.slice(0, 3).map((r) => Number(r[bytes]))).toEqual([2998, 2993, 2988]);
    expect(rows.slice(0, 3).map((r) => Number(r[0]))).toEqual([2998, 2993, 2988]);
    expect(new Set(rows.map((r) => r[header!.indexOf('Attack')]))).toEqual(new Set(['DoS']));

    const again = (await importCapture(wb.project, out)).capture;
    expect(again.rows).toBe(N / 5);
    expect(again.classCounts).toEqual({ DoS: N / 5 });
  });

  it('writes only the chosen columns, in the chosen order, and refuses one the flows lack', async () => {
    const out = join(dir, 'cols.csv');
    const result = await exportFlows(
      wb.project,
      { captureId: capture.id, filter: { clauses: [{ field: 'IN_BYTES', op: '<', value: 3 }] }, columns: ['Attack', 'flow_id', 'IN_BYTES'], format: 'csv', path: out },
      noJobContext,
    );
    expect(result.columns).toBe(3);
    expect(csvRows(out)).toEqual([['Attack', 'flow_id', 'IN_BYTES'], ['Benign', '0', '0'], ['Reconnaissance', '1', '1'], ['DDoS', '2', '2']]);
    await expect(exportFlows(wb.project, { captureId: capture.id, filter: { clauses: [] }, columns: ['IN_BYTES', 'predicted'], format: 'csv', path: out }, noJobContext)).rejects.toThrow('no column "predicted" in these flows');
    await expect(exportFlows(wb.project, { captureId: capture.id, filter: { clauses: [] }, columns: [], format: 'csv', path: out }, noJobContext)).rejects.toThrow('choose at least one column');
  });

  it('writes Parquet, keeps the brush’s flow range, and reads back with DuckDB', async () => {
    const out = join(dir, 'range.parquet');
    const result = await exportFlows(wb.project, { captureId: capture.id, filter: { clauses: [], flowRange: { from: 100, to: 350 } }, format: 'parquet', path: out }, noJobContext);
    expect(result.rows).toBe(250);
    const back = await wb.project.withConnection(async (c) =>
      (await c.runAndReadAll(`SELECT count(*), min(flow_id), max(flow_id), sum(IN_BYTES) FROM read_parquet('${out}')`)).getRows()[0]!.map(Number),
    );
    expect(back).toEqual([250, 100, 349, ((100 + 349) * 250) / 2]);
  });

  it('names the default file by capture and time in the project’s reports folder, with a download URL where the host gives one', async () => {
    expect(flowExportName(7, 'parquet', new Date('2026-12-07T03:04:05.678Z'))).toBe('capture-7-flows-20261207-030405.parquet');
    const result = await exportFlows(wb.project, { captureId: capture.id, filter: { clauses: [{ field: 'Attack', op: '=', value: 'Theft' }] }, format: 'csv' }, noJobContext, (p) => `/api/report/${p.split('/').pop()}`);
    expect(result.path.startsWith(`${reportsDir(wb.project)}/capture-${capture.id}-flows-`)).toBe(true);
    expect(result.url).toBe(`/api/report/${result.path.split('/').pop()}`);
    expect(result.rows).toBe(N / 5);
  });

  it('refuses an unknown field, a scan that does not exist, a folder as target and a cancelled job, and leaves no file behind', async () => {
    const folder = join(dir, 'refused');
    mkdirSync(folder);
    const out = join(folder, 'x.csv');
    const run = (filter: Parameters<typeof exportFlows>[1]['filter'], path = out, ctx = noJobContext) =>
      exportFlows(wb.project, { captureId: capture.id, filter, format: 'csv', path }, ctx);
    await expect(run({ clauses: [{ field: 'NO_SUCH', op: '=', value: 1 }] })).rejects.toThrow('unknown filter field "NO_SUCH"');
    await expect(run({ clauses: [], scanId: 999 })).rejects.toThrow('no scan #999 in this project');
    await expect(run({ clauses: [] }, folder)).rejects.toThrow('is a folder');
    // never over the project itself: a rename onto the open database would destroy it
    for (const own of [join(dir, 'p.duckdb'), join(dir, 'p.duckdb.wal')]) await expect(run({ clauses: [] }, own)).rejects.toThrow("is this project's database");
    expect((await wb.project.capture(capture.id)).rows).toBe(N);
    const aborted = new AbortController();
    aborted.abort();
    await expect(run({ clauses: [] }, out, { signal: aborted.signal, progress: () => {} })).rejects.toThrow('export cancelled');
    await expect(exportFlows(wb.project, { captureId: 99, filter: { clauses: [] }, format: 'csv', path: out }, noJobContext)).rejects.toThrow(/capture/);
    expect(readdirSync(folder)).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });

  it('runs as a job through the contract', async () => {
    const done = new Promise<unknown>((resolveDone) => {
      const off = wb.subscribe((event, payload) => {
        if (event === 'job:finished') {
          off();
          resolveDone(payload);
        }
      });
    });
    const { jobId } = await wb.handlers.exportFlows({ captureId: capture.id, filter: { clauses: [{ field: 'IN_BYTES', op: '<', value: 10 }] }, format: 'csv', path: join(dir, 'job.csv') });
    expect(await done).toMatchObject({ jobId, kind: 'export', ok: true, result: { rows: 10, format: 'csv' } });
  });

  it('reads a typed target path as an analyst means it: beside the project, or under ~', async () => {
    expect(exportTarget('/cases/p.duckdb', undefined)).toBeUndefined();
    expect(exportTarget('/cases/p.duckdb', '   ')).toBeUndefined();
    expect(exportTarget('/cases/p.duckdb', 'out/dos.csv')).toBe('/cases/out/dos.csv');
    expect(exportTarget('/cases/p.duckdb', ' /tmp/x.csv ')).toBe('/tmp/x.csv');
    expect(exportTarget('/cases/p.duckdb', '~/x.csv')).toBe(join(homedir(), 'x.csv'));
    const done = new Promise<{ result?: { path: string } }>((resolveDone) => {
      const off = wb.subscribe((event, payload) => {
        if (event === 'job:finished') {
          off();
          resolveDone(payload as { result?: { path: string } });
        }
      });
    });
    await wb.handlers.exportFlows({ captureId: capture.id, filter: { clauses: [] }, format: 'csv', path: 'beside.csv' });
    expect((await done).result?.path).toBe(join(dir, 'beside.csv'));
    expect(existsSync(join(dir, 'beside.csv'))).toBe(true);
  });

  it('opens only files this session exported (the desktop host runs what the system opens them with)', async () => {
    const opened: string[] = [];
    wb.options.reveal = async (path) => {
      opened.push(path);
      return true;
    };
    try {
      const exported = join(dir, 'job.csv'); // written by the job above
      expect(await wb.handlers.revealReport({ path: exported, show: false })).toBe(true);
      const other = join(dir, 'q.csv');
      await expect(wb.handlers.revealReport({ path: other, show: false })).rejects.toThrow('only a file exported in this session can be opened');
      await expect(wb.handlers.revealReport({ path: `${dir}/out/../job.csv`, show: true })).resolves.toBe(true);
      expect(opened).toEqual([exported, exported]);
    } finally {
      delete wb.options.reveal;
    }
  });
});
