import { describe, expect, it } from 'vitest';
import type { Api, CompactResult, RecentProject } from '../../../preload/contract';
import { CompactState } from '../../../renderer/src/state/compact.svelte.ts';

const current = { path: '/c/a.duckdb', name: 'a', folder: '/c', openedAt: '', exists: true, sizeBytes: 5_000_000, current: true } as RecentProject;

describe('the Compact Project dialog', () => {
  it('shows the size now, compacts, says what it gave back and lets the delete nudge go', async () => {
    let calls = 0;
    const api = {
      projectSpace: async () => (calls ? { fileBytes: 1_000_000, walBytes: 0, freeBytes: 0 } : { fileBytes: 4_000_000, walBytes: 1_000_000, freeBytes: 3_900_000 }),
      compactProject: async (): Promise<CompactResult> => (calls++, { path: current.path, bytesBefore: 5_000_000, bytesAfter: 1_000_000, tables: 11, seconds: 0.2 }),
    } as unknown as Api;
    let nudged = true;
    const cs = new CompactState(api, () => 0, () => (nudged = false));
    await cs.show();
    expect(cs.space).toEqual({ fileBytes: 4_000_000, walBytes: 1_000_000, freeBytes: 3_900_000 });
    expect(await cs.compact()).toBe(true);
    expect(cs.result?.bytesAfter).toBe(1_000_000);
    expect(cs.space?.freeBytes).toBe(0);
    expect(nudged).toBe(false);
    expect(calls).toBe(1);
  });

  it('says why it cannot run while jobs do, and keeps the core\'s refusal', async () => {
    const api = {
      projectSpace: async () => ({ fileBytes: 1, walBytes: 0, freeBytes: 0 }),
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
