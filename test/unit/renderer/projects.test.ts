import { describe, expect, it } from 'vitest';
import type { Api, AppInfo, RecentProject } from '../../../preload/contract';
import { ProjectsState } from '../../../renderer/src/state/projects.svelte.ts';

const recent = (name: string, current = false, exists = true): RecentProject => ({
  path: `/cases/${name}.duckdb`,
  name,
  folder: '/cases',
  openedAt: '2026-12-01T10:00:00.000Z',
  exists,
  sizeBytes: exists ? 1 << 20 : null,
  current,
});

function fakeApi(fail?: string) {
  const calls: unknown[] = [];
  let list = [recent('now', true), recent('older'), recent('gone', false, false)];
  const api = {
    recentProjects: async () => list,
    projectsBeside: async () => [
      { path: '/cases/older.duckdb', name: 'older', sizeBytes: 1, modifiedAt: '2026-12-01T10:00:00.000Z' },
      { path: '/cases/unopened.duckdb', name: 'unopened', sizeBytes: 1, modifiedAt: '2026-12-02T10:00:00.000Z' },
    ],
    forgetProject: async ({ path }: { path: string }) => {
      list = list.filter((p) => p.path !== path);
    },
    openProject: async (args: { path: string; create?: boolean }) => {
      calls.push(args);
      if (fail) throw new Error(fail);
      return { projectPath: `/cases/${args.path}` } as AppInfo;
    },
    pickProjectFile: async ({ create }: { create: boolean }) => (create ? '/cases/picked-new.duckdb' : null),
  } as unknown as Api;
  return { api, calls };
}

describe('the project dialog', () => {
  it('lists the other projects, opens one, and hands the opened path to the workbench', async () => {
    const { api, calls } = fakeApi();
    const opened: string[] = [];
    const ps = new ProjectsState(api, () => 0, (p) => opened.push(p));
    ps.show('open');
    await ps.refresh();
    expect(ps.others.map((p) => p.name)).toEqual(['older', 'gone']);
    // the folder's other files, less those the recent list already offers
    expect(ps.besideOnly.map((p) => p.name)).toEqual(['unopened']);
    expect(await ps.open(' older.duckdb ')).toBe(true);
    expect(calls).toEqual([{ path: 'older.duckdb', create: false }]);
    expect(opened).toEqual(['/cases/older.duckdb']);
    expect(ps.mode).toBe(null);
    await ps.forget('/cases/gone.duckdb');
    expect(ps.others.map((p) => p.name)).toEqual(['older']);
  });

  it('creates in "new" mode, keeps the dialog open with the reason when the core refuses, and asks nothing for an empty path', async () => {
    const { api, calls } = fakeApi('/cases/x.duckdb already exists: open it instead of creating it');
    const opened: string[] = [];
    const ps = new ProjectsState(api, () => 0, (p) => opened.push(p));
    ps.show('new');
    expect(await ps.open('   ')).toBe(false);
    expect(calls).toEqual([]);
    expect(await ps.open('x')).toBe(false);
    expect(calls).toEqual([{ path: 'x', create: true }]);
    expect(ps.mode).toBe('new');
    expect(ps.error).toMatch(/already exists/);
    expect(ps.opening).toBe(null);
    expect(opened).toEqual([]);
  });

  it('says why nothing can be opened while jobs run, and the desktop picker opens what was chosen', async () => {
    let jobs = 2;
    const { api, calls } = fakeApi();
    const ps = new ProjectsState(api, () => jobs, () => {});
    expect(ps.blocked).toMatch(/2 jobs are running: let them finish or cancel them/);
    jobs = 0;
    expect(ps.blocked).toBe(null);
    ps.show('new');
    await ps.browse();
    expect(ps.path).toBe('/cases/picked-new.duckdb');
    expect(calls).toEqual([{ path: '/cases/picked-new.duckdb', create: true }]);
    ps.show('open');
    await ps.browse(); // cancelled: nothing chosen, nothing opened
    expect(calls).toHaveLength(1);
  });
});
