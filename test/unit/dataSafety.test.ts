/**
 * What MindFlow must never do to a file it was pointed at: open a capture (CSV, Parquet) as a
 * project, which DuckDB may take for an empty in-memory database so that what is written to it
 * is lost; write an export over a DuckDB database (another project) whatever its name. The same
 * core functions serve the CLI, the web host and Electron; the CLI's side is in cli-safety.test.ts.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noJobContext } from '../../main/core/capture/import.ts';
import { Project } from '../../main/core/project.ts';
import { checkNotDatabase, fileTarget } from '../../main/core/query/copy.ts';
import { exportFlows } from '../../main/core/query/exportFlows.ts';
import { Session } from '../../main/core/session.ts';
import type { Workbench } from '../../main/core/workbench.ts';
import type { CaptureInfo } from '../../preload/contract.ts';
import { cycleWorkbench, v1Csv } from './helpers.ts';

let wb: Workbench;
let capture: CaptureInfo;
let dir: string;
let cleanup: () => void;
/** another project, beside the open one: what no export may write over */
let other: string;
let otherBytes: Buffer;

beforeAll(async () => {
  ({ wb, capture, dir, cleanup } = await cycleWorkbench(50));
  other = join(dir, 'other.duckdb');
  const p = await Project.open(other);
  p.close();
  otherBytes = readFileSync(other);
});
afterAll(() => {
  wb.close();
  cleanup();
});

/** Runs a workbench export call as the web host does, and waits for its job's end. */
async function exportJob(start: () => Promise<{ jobId: string }>): Promise<{ ok: boolean; error?: string }> {
  let finished: (payload: { ok: boolean; error?: string }) => void = () => {};
  const done = new Promise<{ ok: boolean; error?: string }>((resolveDone) => (finished = resolveDone));
  const off = wb.subscribe((event, payload) => {
    if (event === 'job:finished') finished(payload as { ok: boolean; error?: string });
  });
  try {
    await start();
    return await done;
  } finally {
    off();
  }
}

describe('a file that is not a DuckDB database is never opened as a project', () => {
  it('refuses a CSV, a Parquet file, an empty file and a text file in every mode, and leaves them as they were', async () => {
    const csv = join(dir, 'capture.csv');
    writeFileSync(csv, v1Csv(['DoS', 'Benign']));
    const parquet = join(dir, 'flows.parquet');
    await exportFlows(wb.project, { captureId: capture.id, filter: { clauses: [] }, format: 'parquet', path: parquet }, noJobContext);
    const empty = join(dir, 'empty.duckdb');
    writeFileSync(empty, '');
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello\n');
    for (const path of [csv, parquet, text]) {
      const before = readFileSync(path);
      for (const mode of ['any', 'existing'] as const) {
        await expect(Project.open(path, mode), `${path} (${mode})`).rejects.toMatchObject({ message: `${path} is not a MindFlow project (not a DuckDB database file)` });
      }
      // the web host's and the desktop app's first project (serve --project, --project=P)
      await expect(Session.open(path, { host: 'web', recentFile: join(dir, 'recent.json') })).rejects.toThrow('is not a MindFlow project (not a DuckDB database file)');
      expect(readFileSync(path).equals(before), path).toBe(true);
    }
    await expect(Project.open(empty)).rejects.toThrow(`${empty} is empty, not a MindFlow project`);
    expect(readFileSync(empty).length).toBe(0);
  });

  it('still makes a new project (and its folder) where no file is, and opens a project by its first bytes, not its name', async () => {
    const fresh = join(dir, 'new folder', 'case.duckdb');
    const p = await Project.open(fresh);
    expect(await p.listCaptures()).toEqual([]);
    p.close();
    const renamed = join(dir, 'case-copy.bin');
    copyFileSync(fresh, renamed);
    const q = await Project.open(renamed, 'existing');
    q.close();
  });
});

describe('no export writes over a DuckDB database', () => {
  it('refuses another project, whatever its name, and the write-ahead log beside one; other files may be replaced', () => {
    expect(() => fileTarget(wb.project, other)).toThrow(`${other} is a DuckDB database (a MindFlow project, or another program's): MindFlow never writes over one; give another file name`);
    const disguised = join(dir, 'looks-like.csv');
    copyFileSync(other, disguised);
    expect(() => fileTarget(wb.project, disguised)).toThrow(`${disguised} is a DuckDB database`);
    expect(() => checkNotDatabase(`${other}.wal`)).toThrow(`${other}.wal is the write-ahead log of the DuckDB database ${other}: MindFlow never writes over one; give another file name`);
    const plain = join(dir, 'plain.csv');
    writeFileSync(plain, 'a,b\n');
    expect(fileTarget(wb.project, plain)).toBe(plain);
    expect(fileTarget(wb.project, join(dir, 'none-yet.csv'))).toBe(join(dir, 'none-yet.csv'));
  });

  it('the web host\'s export calls (flows, the audit trail) are refused the same way, and the project stays whole', async () => {
    const flows = await exportJob(() => wb.handlers.exportFlows({ captureId: capture.id, filter: { clauses: [] }, format: 'csv', path: other }));
    expect(flows).toMatchObject({ ok: false, error: expect.stringContaining(`${other} is a DuckDB database`) });
    const audit = await exportJob(() => wb.handlers.exportAudit({ format: 'csv', path: other }));
    expect(audit).toMatchObject({ ok: false, error: expect.stringContaining(`${other} is a DuckDB database`) });
    expect(readFileSync(other).equals(otherBytes)).toBe(true);
    const reopened = await Project.open(other, 'existing');
    expect(await reopened.listCaptures()).toEqual([]);
    reopened.close();
    // a CSV there before is replaced, as reruns of an export expect
    const again = join(dir, 'again.csv');
    writeFileSync(again, 'old\n');
    expect(await exportJob(() => wb.handlers.exportFlows({ captureId: capture.id, filter: { clauses: [] }, format: 'csv', path: again }))).toMatchObject({ ok: true });
    expect(readFileSync(again, 'utf8').startsWith('flow_id,')).toBe(true);
    expect(existsSync(`${again}.wal`)).toBe(false);
  });
});
