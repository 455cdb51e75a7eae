import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Events } from '../../preload/contract.ts';
import { importCapture } from '../../main/core/capture/import.ts';
import { Project } from '../../main/core/project.ts';
import { MAX_RECENT_PROJECTS, RecentProjects } from '../../main/core/recentProjects.ts';
import { projectTarget, Session } from '../../main/core/session.ts';
import { duckDbTables, openElsewhere, tempDir, v1Csv, writeCycleCsv, writeDuckDb } from './helpers.ts';

let dir: string;
let cleanup: () => void;
let session: Session;
let heard: { event: keyof Events; payload: unknown }[];

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  session = await Session.open(join(dir, 'first.duckdb'), { host: 'web', recentFile: join(dir, 'home', 'recent.json') });
  heard = [];
  session.subscribe((event, payload) => heard.push({ event, payload }));
  writeFileSync(join(dir, 'flows.csv'), v1Csv(['Benign', 'DoS', 'DDoS']));
  await importCapture(session.workbench.project, join(dir, 'flows.csv'));
});
afterEach(() => {
  session.close();
  cleanup();
});

/** What an open call answers: the result, or the error's code and message. */
async function open(path: string, create = false) {
  const envelope = await session.dispatch('openProject', { path, create });
  return envelope.ok ? { ok: true as const, path: (envelope.result as { projectPath: string }).projectPath } : { ok: false as const, ...envelope.error };
}

describe('projectTarget: where a typed project path points', () => {
  it('puts a relative path beside the current project, ~ in the home folder, and .duckdb on a new one', () => {
    expect(projectTarget('/cases/a.duckdb', 'b', true)).toBe('/cases/b.duckdb');
    expect(projectTarget('/cases/a.duckdb', 'sub/b.db', true)).toBe('/cases/sub/b.db');
    expect(projectTarget('/cases/a.duckdb', '~/x', true)).toBe(join(homedir(), 'x.duckdb'));
    expect(projectTarget('/cases/a.duckdb', '/other/c.duckdb', false)).toBe('/other/c.duckdb');
    expect(() => projectTarget('/cases/a.duckdb', '  ', false)).toThrow(/name the project file/);
  });

  it('finds an existing project named without its extension', () => {
    expect(projectTarget(join(dir, 'x.duckdb'), 'first', false)).toBe(join(dir, 'first.duckdb'));
  });
});

describe('a session opens other projects', () => {
  it('creates a new project, tells every listener, and closes the old one so another process could open it', async () => {
    const r = await open('case-7', true);
    expect(r).toEqual({ ok: true, path: join(dir, 'case-7.duckdb') });
    expect(session.workbench.project.path).toBe(join(dir, 'case-7.duckdb'));
    expect(heard.filter((h) => h.event === 'project:changed')).toEqual([{ event: 'project:changed', payload: { projectPath: join(dir, 'case-7.duckdb') } }]);
    expect(await session.workbench.project.listCaptures()).toEqual([]);
    // the first project's file is free again (another process can open it), and kept its capture
    expect(openElsewhere(join(dir, 'first.duckdb'))).toBe('opened');
    const first = await Project.open(join(dir, 'first.duckdb'), 'existing');
    expect(await first.listCaptures()).toHaveLength(1);
    first.close();
  });

  it('forwards the events of the project open now, not of the one before', async () => {
    await open('second', true);
    heard = [];
    writeFileSync(join(dir, 'more.csv'), v1Csv(['Theft']));
    const started = await session.dispatch('importCapture', { path: join(dir, 'more.csv') });
    expect(started.ok).toBe(true);
    await new Promise<void>((resolve) => {
      const stop = session.subscribe((event) => {
        if (event === 'job:finished') {
          stop();
          resolve();
        }
      });
    });
    expect(heard.map((h) => h.event)).toContain('captures:changed');
    expect(await session.workbench.project.listCaptures()).toHaveLength(1);
  });

  it('reopening the project open now changes nothing', async () => {
    const before = session.workbench;
    expect(await open(join(dir, 'first.duckdb'))).toEqual({ ok: true, path: join(dir, 'first.duckdb') });
    expect(session.workbench).toBe(before);
    expect(heard).toEqual([]);
    expect(await open('first.duckdb', true)).toMatchObject({ ok: false, message: /is the project open now/ });
  });

  it('refuses, with what is wrong, a path that is no project, and keeps the current one open', async () => {
    mkdirSync(join(dir, 'folder.duckdb'));
    writeFileSync(join(dir, 'empty.duckdb'), '');
    writeFileSync(join(dir, 'flows.duckdb'), v1Csv(['DoS']));
    writeFileSync(join(dir, 'taken.duckdb'), 'x');
    const cases: [string, boolean, string, RegExp][] = [
      ['missing.duckdb', false, 'not-found', /no project at .*missing\.duckdb/],
      ['folder.duckdb', false, 'not-a-file', /is a folder, not a project file/],
      ['empty.duckdb', false, 'empty-file', /is empty, not a MindFlow project/],
      ['flows.duckdb', false, 'bad-args', /is not a MindFlow project \(not a DuckDB database file\)/],
      ['taken', true, 'bad-args', /already exists: open it instead/],
    ];
    for (const [path, create, code, message] of cases) {
      expect(await open(path, create), path).toMatchObject({ ok: false, code, message });
      expect(session.workbench.project.path).toBe(join(dir, 'first.duckdb'));
    }
    expect(await session.workbench.project.listCaptures()).toHaveLength(1);
    expect(heard).toEqual([]);
    // a refused "open" made no file where there was none
    expect(() => readFileSync(join(dir, 'missing.duckdb'))).toThrow();
  });

  it('refuses a DuckDB database that is not a MindFlow project, and leaves it as it was', async () => {
    const foreign = join(dir, 'warehouse.duckdb');
    await writeDuckDb(foreign, ['CREATE TABLE sales (id INTEGER, amount DOUBLE)', 'INSERT INTO sales VALUES (1, 9.5)']);
    expect(await open(foreign)).toMatchObject({ ok: false, code: 'bad-args', message: /is a DuckDB database but not a MindFlow project \(it holds 1 other table: sales\)/ });
    expect(await duckDbTables(foreign)).toEqual(['sales']);
  });

  it('refuses while a job runs, and opens once it is cancelled', async () => {
    let release = () => {};
    const jobId = session.workbench.jobs.start('import', 'import big.csv', (ctx) =>
      new Promise<never>((_, reject) => {
        release = () => reject(new Error('stopped'));
        ctx.signal.addEventListener('abort', () => release());
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(await open('later', true)).toMatchObject({ ok: false, code: 'busy', message: /a job is running \(import big\.csv\): let it finish or cancel it before opening another project/ });
    expect(session.workbench.project.path).toBe(join(dir, 'first.duckdb'));
    session.workbench.jobs.cancel(jobId);
    await new Promise((r) => setImmediate(r));
    expect(await open('later', true)).toMatchObject({ ok: true });
  });

  it('keeps the recent projects newest first, marks the current one and the missing ones, and forgets on request', async () => {
    await open('b', true);
    await open('c', true);
    await open(join(dir, 'first.duckdb'));
    const recent = (await session.dispatch('recentProjects', {})) as { ok: true; result: { name: string; current: boolean; exists: boolean; folder: string; sizeBytes: number | null }[] };
    expect(recent.result.map((r) => [r.name, r.current, r.exists])).toEqual([
      ['first', true, true],
      ['c', false, true],
      ['b', false, true],
    ]);
    expect(recent.result[0]!.folder).toBe(dir);
    expect(recent.result[0]!.sizeBytes).toBeGreaterThan(0);
    await session.dispatch('forgetProject', { path: join(dir, 'c.duckdb') });
    const after = (await session.dispatch('recentProjects', {})) as { ok: true; result: { name: string }[] };
    expect(after.result.map((r) => r.name)).toEqual(['first', 'b']);
  });
});

describe('compacting the open project', () => {
  it('gives back the space of a deleted capture, keeps every flow in order and every id sequence, and calls made meanwhile wait', async () => {
    const big = (await importCapture(session.workbench.project, writeCycleCsv(join(dir, 'big.csv'), 200_000))).capture;
    const kept = (await session.workbench.project.listCaptures()).find((c) => c.id !== big.id)!;
    const digest = () =>
      session.workbench.project.withConnection(async (c) => String((await (await c.run(`SELECT bit_xor(hash(rowid, r)) AS h FROM flows_${kept.id} r`)).getRowObjects())[0]!.h));
    const before = await digest();
    await session.dispatch('deleteCapture', { captureId: big.id });
    await session.workbench.project.withConnection((c) => c.run('CHECKPOINT'));
    const free = (await session.dispatch('projectSpace', {})) as { ok: true; result: { fileBytes: number; walBytes: number; freeBytes: number } };
    expect(free.result.freeBytes).toBeGreaterThan(free.result.fileBytes / 3);
    writeFileSync(join(dir, 'late.csv'), v1Csv(['DDoS']));
    const compacting = session.dispatch('compactProject', {});
    // calls made while it runs wait for it, a change too, which lands in the compacted project
    const during = session.dispatch('listCaptures', {});
    const late = session.dispatch('importCapture', { path: join(dir, 'late.csv') });
    const result = (await compacting) as { ok: true; result: { path: string; bytesBefore: number; bytesAfter: number; tables: number } };
    expect(result.ok).toBe(true);
    expect(result.result.path).toBe(join(dir, 'first.duckdb'));
    expect(result.result.bytesAfter).toBeLessThan(result.result.bytesBefore / 2);
    expect(result.result.tables).toBeGreaterThan(5);
    expect(((await during) as { ok: true; result: unknown[] }).result).toHaveLength(1);
    expect((await late).ok).toBe(true);
    await new Promise<void>((resolve) => {
      const stop = session.subscribe((event) => event === 'job:finished' && (stop(), resolve()));
    });
    expect((await session.workbench.project.listCaptures()).map((c) => c.fileName)).toContain('late.csv');
    expect(await digest()).toBe(before);
    expect(readdirSync(dir).filter((f) => f.includes('compact'))).toEqual([]);
    // the next capture gets a new id, never the deleted one's (the audit trail keeps old ids)
    writeFileSync(join(dir, 'next.csv'), v1Csv(['Theft']));
    expect((await importCapture(session.workbench.project, join(dir, 'next.csv'))).capture.id).toBeGreaterThan(big.id + 1);
    // the same project: nobody is told to start over
    expect(heard.filter((h) => h.event === 'project:changed')).toEqual([]);
  });

  it('is refused while a job runs', async () => {
    session.workbench.jobs.start('import', 'import big.csv', (ctx) => new Promise<never>((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('stopped')))));
    await new Promise((r) => setImmediate(r));
    expect(await session.dispatch('compactProject', {})).toMatchObject({ ok: false, error: { code: 'busy', message: /before compacting the project/ } });
  });
});

describe('projects beside the open one', () => {
  it('lists the DuckDB files of its folder, newest first, told by their bytes not their names', async () => {
    await open('case-b', true);
    await open('case-c', true);
    await open(join(dir, 'first.duckdb'));
    writeFileSync(join(dir, 'notes.duckdb'), 'not a database');
    mkdirSync(join(dir, 'folder.duckdb'));
    await writeDuckDb(join(dir, 'warehouse.db'), ['CREATE TABLE t (x INTEGER)']);
    const beside = (await session.dispatch('projectsBeside', {})) as { ok: true; result: { name: string; path: string; sizeBytes: number }[] };
    expect(beside.result.map((f) => f.name).sort()).toEqual(['case-b', 'case-c', 'warehouse.db']);
    expect(beside.result.every((f) => f.sizeBytes > 0 && f.path.startsWith(dir))).toBe(true);
  });
});

describe('RecentProjects', () => {
  it('keeps at most a dozen, says when a file is gone, and reads a damaged list as empty', () => {
    const file = join(dir, 'r', 'recent.json');
    const recent = new RecentProjects(file);
    for (let i = 0; i < MAX_RECENT_PROJECTS + 3; i++) recent.touch(join(dir, `p${i}.duckdb`), new Date(Date.UTC(2026, 0, 1 + i)));
    const list = recent.list(join(dir, 'p14.duckdb'));
    expect(list).toHaveLength(MAX_RECENT_PROJECTS);
    expect(list[0]).toMatchObject({ name: 'p14', current: true, exists: false, sizeBytes: null, openedAt: '2026-01-15T00:00:00.000Z' });
    expect(list.at(-1)!.name).toBe('p3');
    writeFileSync(file, '{"projects": [{"path": 3}');
    expect(recent.list(null)).toEqual([]);
    recent.touch(join(dir, 'again.duckdb'));
    expect(recent.list(null).map((r) => r.name)).toEqual(['again']);
  });
});
