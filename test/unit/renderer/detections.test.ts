import { describe, expect, it } from 'vitest';
import type { Api, FlaggedWindow, WindowPage } from '../../../preload/contract';
import { DetectionsState } from '../../../renderer/src/state/detections.svelte.ts';

const win = (id: number): FlaggedWindow => ({
  id, scanId: 2, class: 'DoS', verdict: null, verdictReason: null, verdictBy: null, verdictAt: null, firstFlow: id, lastFlow: id, flows: 1,
  peak: 0.9, mean: 0.9, srcHosts: ['192.168.100.147'], dstHosts: ['192.168.100.3'], dstPorts: [80], key: null, startMs: null, endMs: null,
});

/** An API whose queue holds `total` windows (ids 1..total) and records every call. */
function fakeApi(total: number, calls: { name: string; args: Record<string, unknown> }[]): Api {
  const record = (name: string) => async (args: Record<string, unknown>) => {
    calls.push({ name, args });
    if (name === 'flaggedWindows') {
      const { offset, limit } = args as { offset: number; limit: number };
      const ids = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => offset + i + 1);
      return { windows: ids.map(win), total, statusCounts: { untriaged: total, tp: 0, fp: 0, review: 0 }, ms: 1 } satisfies WindowPage;
    }
    if (name === 'setVerdictMatching') return { updated: total };
    if (name === 'carrySources') return [];
    return {};
  };
  return new Proxy({}, { get: (_t, name) => record(String(name)) }) as unknown as Api;
}

async function queue(total: number) {
  const calls: { name: string; args: Record<string, unknown> }[] = [];
  const det = new DetectionsState(fakeApi(total, calls));
  det.scanId = 2;
  det.host = '192.168.100.147';
  det.status = 'untriaged';
  det.notIn = 1;
  det.reload();
  await det.pager.load(0);
  return { det, calls };
}

describe('every window the filters match (Ctrl+A)', () => {
  it('gets one verdict through the filters, not a list of ids, and the selection ends with it', async () => {
    const { det, calls } = await queue(12_000);
    expect(det.pager.total).toBe(12_000);
    det.selectAllMatching();
    expect(det.targetCount).toBe(12_000);
    det.reason = ' lab scanner ';
    await det.setVerdict('fp');
    expect(calls.filter((c) => c.name === 'setVerdictMatching').map((c) => c.args)).toEqual([
      { scanId: 2, host: '192.168.100.147', status: 'untriaged', notIn: 1, verdict: 'fp', reason: 'lab scanner' },
    ]);
    expect(calls.some((c) => c.name === 'setVerdict')).toBe(false);
    expect(det.message?.text).toBe('False positive: all 12000 matching windows · lab scanner (u undoes)');
    expect(det.allMatching).toBe(false);
    // x after Ctrl+A starts a hand-picked selection
    det.selectAllMatching();
    det.toggleSelected();
    expect([det.allMatching, [...det.selected]]).toEqual([false, [1]]);
  });

  it('lists the ids for an incident page by page, or says there are too many', async () => {
    const { det } = await queue(7_500);
    const ids = await det.matchingIds(10_000);
    expect(ids).toHaveLength(7_500);
    expect(ids![0]).toBe(1);
    expect(ids!.at(-1)).toBe(7_500);
    expect(await det.matchingIds(5_000)).toBeNull();
  });
});
