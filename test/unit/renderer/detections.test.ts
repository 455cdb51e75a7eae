import { describe, expect, it } from 'vitest';
import type { Api, FlaggedWindow, WindowPage } from '../../../preload/contract';
import { DetectionsState, verdictOutcome } from '../../../renderer/src/state/detections.svelte.ts';

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
    if (name === 'setVerdictMatching') return { updated: total, reasonChanged: 0, unchanged: 0 };
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

describe('a drill-down opened from the queue steps through the queue', () => {
  it('goes to the rows before and after its own, in the queue order, and stops at the ends', async () => {
    const { det } = await queue(450);
    const first = det.linkAt(0);
    expect(det.neighbour(first, 1, -1)).toBeNull();
    expect(det.neighbour(first, 1, 1)).toBe(1);
    const last = det.linkAt(449);
    expect(det.neighbour(last, 450, 1)).toBeNull();
    expect(det.neighbour(last, 450, -1)).toBe(448);
  });

  it('fetches the page of the row it steps to and moves the cursor along', async () => {
    const { det, calls } = await queue(450);
    const link = det.linkAt(199);
    const to = det.neighbour(link, 200, 1);
    expect(to).toBe(200);
    const w = await det.stepTo(to!);
    expect(w?.id).toBe(201);
    expect(det.cursor).toBe(200);
    expect(calls.filter((c) => c.name === 'flaggedWindows').map((c) => c.args.offset)).toContain(200);
  });

  it('goes on from the row a judged window left under a status filter', async () => {
    const { det } = await queue(450);
    // window 99 was opened at row 2, which now holds window 3 (99 left the untriaged queue)
    expect(det.neighbour(det.linkAt(2), 99, 1)).toBe(2);
    expect(det.neighbour(det.linkAt(2), 99, -1)).toBe(1);
  });

  it('no longer follows the queue once its sort or filters change', async () => {
    const { det } = await queue(450);
    const link = det.linkAt(5);
    expect(det.follows(link)).toBe(true);
    det.setSort('order');
    expect(det.follows(link)).toBe(false);
    expect(det.neighbour(link, 6, 1)).toBeNull();
  });
});

describe('what a verdict change says it did', () => {
  const one = (n: number) => `${n} window${n === 1 ? '' : 's'} (#7)`;
  const all = (n: number) => `all ${n} matching window${n === 1 ? '' : 's'}`;

  it('reads as before when every window changed', () => {
    expect(verdictOutcome('tp', '', { updated: 1, reasonChanged: 0, unchanged: 0 }, one, '')).toBe('True positive: 1 window (#7)');
    expect(verdictOutcome('fp', 'lab', { updated: 5, reasonChanged: 0, unchanged: 0 }, all, ' (u undoes)')).toBe('False positive: all 5 matching windows · lab (u undoes)');
  });

  it('says honestly when windows had the verdict already, and offers no undo for nothing', () => {
    expect(verdictOutcome('tp', '', { updated: 0, reasonChanged: 0, unchanged: 5 }, all, ' (u undoes)')).toBe('True positive: 0 windows changed, 5 already TP');
    expect(verdictOutcome('tp', 'flood', { updated: 0, reasonChanged: 0, unchanged: 1 }, one, '')).toBe('True positive: 0 windows changed, 1 already TP with that reason · flood');
    expect(verdictOutcome(null, '', { updated: 2, reasonChanged: 0, unchanged: 3 }, all, ' (u undoes)')).toBe('Verdict cleared: 2 windows changed, 3 already Untriaged (u undoes)');
  });

  it('says when only the reason changed', () => {
    expect(verdictOutcome('review', 'second look', { updated: 1, reasonChanged: 1, unchanged: 0 }, one, '')).toBe('Needs review: 1 window changed (reason only) · second look');
    expect(verdictOutcome('fp', 'lab', { updated: 4, reasonChanged: 1, unchanged: 2 }, all, ' (u undoes)')).toBe('False positive: 4 windows changed (1 reason only), 2 already FP with that reason · lab (u undoes)');
  });
});
