import { describe, expect, it } from 'vitest';
import type { Api, CompactResult, RecentProject } from '../../../preload/contract';
import { CompactState } from '../../../renderer/src/state/compact.svelte.ts';

const current = { path: '/c/a.duckdb', name: 'a', folder: '/c', openedAt: '', exists: true, sizeBytes: 5_000_000, current: true } as RecentProject;

describe('the Compact Project dialog', () => {
  it('shows the size now, compacts, says what it gave back and lets the delete nudge go', async () => {
    let calls = 0;
    const api = {
      recentProjects: async () => [current],
      compactProject: async (): Promise<CompactResult> => (calls++, { path: current.path, bytesBefore: 5_000_000, bytesAfter: 1_000_000, tables: 11, seconds: 0.2 }),
    } as unknown as Api;
    let nudged = true;
    const cs = new CompactState(api, () => 0, () => (nudged = false));
    await cs.show();
    expect(cs.sizeBytes).toBe(5_000_000);
    expect(await cs.compact()).toBe(true);
    expect(cs.result?.bytesAfter).toBe(1_000_000);
    expect(cs.sizeBytes).toBe(1_000_000);
    expect(nudged).toBe(false);
    expect(calls).toBe(1);
  });

  it('says why it cannot run while jobs do, and keeps the core\'s refusal', async () => {
    const api = {
      recentProjects: async () => [current],
      compactProject: async () => {
        throw new Error('a job is running (scan a.csv): let it finish or cancel it before compacting the project');
      },
    } as unknown as Api;
    let jobs = 1;
    const cs = new CompactState(api, () => jobs);
    expect(cs.blocked).toMatch(/A job is running/);
    jobs = 0;
    expect(cs.blocked).toBeNull();
    expect(await cs.compact()).toBe(false);
    expect(cs.error).toMatch(/before compacting the project/);
    expect(cs.running).toBe(false);
  });
});
