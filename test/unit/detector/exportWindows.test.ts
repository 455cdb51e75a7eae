import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noJobContext } from '../../../main/core/capture/import.ts';
import { Project } from '../../../main/core/project.ts';
import { WINDOW_EXPORT_COLUMNS, exportWindows, windowExportName } from '../../../main/core/triage/exportWindows.ts';
import { setVerdict } from '../../../main/core/triage/triage.ts';
import { tempDir } from '../helpers.ts';
import { HOST_A as A, HOST_B as B, THREE_WINDOWS, makeFlaggedScan } from './scan-fixture.ts';

let project: Project;
let dir: string;
let cleanup: () => void;

// windows (unkeyed): #1 DDoS flows 0-1 (A, peak .9), #2 DoS flows 3-5 (B, peak .99), #3 DDoS flow 7 (A, .6)
beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  project = await Project.open(join(dir, 'p.duckdb'));
  await makeFlaggedScan(project, dir, THREE_WINDOWS.srcs, THREE_WINDOWS.preds, THREE_WINDOWS.conf);
  await setVerdict(project, 1, [2], 'tp', 'flood, "confirmed"');
});
afterAll(() => {
  project.close();
  cleanup();
});

/** A CSV line's cells, quotes undone (enough for these rows). */
function cells(line: string): string[] {
  const out: string[] = [];
  const re = /("([^"]|"")*"|[^,]*)(,|$)/g;
  for (let m = re.exec(line); m && m[0] !== ''; m = re.exec(line)) out.push(m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!);
  return out;
}

describe('exporting the Detections queue', () => {
  it('writes the windows in the queue’s order with their verdicts, one row each', async () => {
    const out = join(dir, 'queue.csv');
    const result = await exportWindows(project, { scanId: 1, format: 'csv', path: out }, noJobContext);
    expect(result).toMatchObject({ scanId: 1, format: 'csv', rows: 3, path: out, url: null });
    const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n');
    expect(header!.split(',')).toEqual([...WINDOW_EXPORT_COLUMNS]);
    const byName = rows.map((r) => Object.fromEntries(cells(r).map((v, i) => [WINDOW_EXPORT_COLUMNS[i], v])));
    // score descending: #2 (.99), #1 (.9), #3 (.6)
    expect(byName.map((r) => r.window)).toEqual(['2', '1', '3']);
    expect(byName[0]).toMatchObject({ class: 'DoS', flows: '3', first_flow: '3', last_flow: '5', src_hosts: B, dst_hosts: '192.168.100.3', verdict: 'tp', reason: 'flood, "confirmed"' });
    expect(byName[1]).toMatchObject({ verdict: 'untriaged', reason: '', src_hosts: A });
  });

  it('keeps the queue’s filters and sort, and writes Parquet with lists as lists', async () => {
    const out = join(dir, 'a.parquet');
    const result = await exportWindows(project, { scanId: 1, host: A, status: 'untriaged', sort: { by: 'order', dir: 'desc' }, format: 'parquet', path: out }, noJobContext);
    expect(result.rows).toBe(2);
    const back = await project.withConnection(async (c) => (await c.runAndReadAll(`SELECT "window", len(src_hosts) FROM read_parquet('${out}')`)).getRows().map((r) => r.map(Number)));
    expect(back).toEqual([[3, 1], [1, 1]]);
    expect(windowExportName(1, 'csv', new Date('2026-12-07T03:04:05Z'))).toBe('scan-1-windows-20261207-030405.csv');
  });

  it('refuses a scan that does not exist and leaves no file', async () => {
    const out = join(dir, 'none.csv');
    await expect(exportWindows(project, { scanId: 9, format: 'csv', path: out }, noJobContext)).rejects.toThrow('no scan #9 in this project');
    expect(() => readFileSync(out)).toThrow();
  });
});
